// The API schema: upstream-named OpenAPI definitions of every built-in kind (generated at build
// time from @kubernetes/client-node), their patch metadata, resolved SchemaNode graphs, strict
// field and type checks, and the /openapi/v2 and /openapi/v3 documents.

export { loadDefinitions, reachableDefinitions, type OpenAPIv2Schema } from './definitions.js';
export { schemaFor } from './nodes.js';
export { fieldPatchMeta, definitionMapType, type PatchMeta } from './patchmeta.js';
export { findUnknownFields, strictDecodingError, checkTypes, goTypeName } from './strict.js';
export {
  buildOpenAPIv2, buildOpenAPIv3, buildOpenAPIv3Index, openAPIv2Serialized, openAPIv3Serialized,
  OPENAPI_INFO, type SerializedDoc,
} from './openapi.js';
