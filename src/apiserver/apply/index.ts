// Server-side apply and managedFields (see README.md).
export { FieldSet, pathString, type Path, type PathElement } from './fieldset.js';
export {
  typeInfoFor, typeFromSchemaNode, typeFromStructuralSchema, setApplyType, type TypeInfo, type StructuralSchema,
} from './typeinfo.js';
export { applyConfig, updateManagedFields, conflictError, LAST_APPLIED, type FieldManagerContext, type ApplyOptions } from './fieldmanager.js';
export { serverSideApply, updateHook, managerFromUserAgent, fieldManagerParam, decodeApplyBody, APPLY_YAML, APPLY_CBOR } from './handler.js';
