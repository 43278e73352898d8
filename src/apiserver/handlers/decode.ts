// Decoding a written object the way upstream's codec does: type meta must match the endpoint,
// wrong JSON types are a 400, and unknown fields follow fieldValidation (Strict → 400 "strict
// decoding error", Warn → Warning header, Ignore → dropped silently). Unknown fields never reach
// the store.

import { StatusError, badRequest, invalid } from '../../machinery/errors.js';
import type { KObject, ResourceType } from '../../api/types.js';
import { apiVersionOf } from '../../api/types.js';
import { schemaFor, findUnknownFields, checkTypes } from '../../api/schema/index.js';
import { pruneUnknownFields } from './prune.js';

export type FieldValidation = 'Strict' | 'Warn' | 'Ignore';

/** the meta.k8s.io options kind of a write verb, named in upstream's 422 for bad query options */
export function optionsKind(verb: string): string {
  return verb === 'create' ? 'CreateOptions' : verb === 'update' ? 'UpdateOptions' : verb === 'patch' ? 'PatchOptions' : 'DeleteOptions';
}

export function fieldValidationParam(q: URLSearchParams, verb = 'create'): FieldValidation {
  const v = q.get('fieldValidation');
  if (v === null || v === '') return 'Warn';
  if (v === 'Strict' || v === 'Warn' || v === 'Ignore') return v;
  throw invalid(optionsKind(verb), 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'fieldValidation',
    message: `Unsupported value: ${JSON.stringify(v)}: supported values: "", "Ignore", "Strict", "Warn"` }]);
}

/** Check the type meta of a decoded body against the endpoint's group/version/kind. */
export function checkTypeMeta(obj: KObject, type: ResourceType): void {
  const want = apiVersionOf(type);
  const kind = obj.kind === undefined || obj.kind === '' ? type.kind : String(obj.kind);
  const prefix = `${kind} in version "${type.version}" cannot be handled as a ${type.kind}`;
  if (obj.apiVersion !== undefined && obj.apiVersion !== '' && obj.apiVersion !== want) {
    const av = String(obj.apiVersion);
    const group = av.includes('/') ? av.split('/')[0] : '';
    if (group === type.group && kind === type.kind) {
      // the same kind in another version of this group
      throw badRequest(`the API version in the data (${av}) does not match the expected API version (${want})`);
    }
    throw badRequest(`${prefix}: no kind ${JSON.stringify(kind)} is registered for version ${JSON.stringify(av)}`);
  }
  if (kind !== type.kind) {
    throw badRequest(`${prefix}: converting (${type.version}.${kind}) to (${type.version}.${type.kind}): unknown conversion`);
  }
  if (obj.metadata !== undefined && (obj.metadata === null || typeof obj.metadata !== 'object' || Array.isArray(obj.metadata))) {
    throw badRequest(`${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: json: cannot unmarshal ${jsonTypeName(obj.metadata)} into Go struct field ${type.kind}.metadata of type v1.ObjectMeta`);
  }
}

/** custom resources: the CRD's structural schema prunes; wrong types are 422s from validation later */
function customFields(obj: KObject, type: ResourceType, mode: FieldValidation): string[] {
  const unknown = type.custom!.pruneUnknown(obj);
  if (mode === 'Ignore') return [];
  if (unknown.length && mode === 'Strict') {
    const list = unknown.map((p) => `unknown field "${p}"`).join(', ');
    throw new StatusError(400, 'BadRequest', `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${list}`);
  }
  return unknown.map((p) => `unknown field "${p}"`);
}

function jsonTypeName(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (v === null) return 'null';
  return typeof v === 'object' ? 'object' : typeof v;
}

/**
 * Apply schema checks to an object about to be written. Returns warnings for fieldValidation=Warn.
 * Mutates obj: unknown fields are pruned.
 */
export function validateFields(obj: KObject, type: ResourceType, mode: FieldValidation): string[] {
  if (type.custom) return customFields(obj, type, mode);
  const schema = schemaFor(type.definition);
  if (!schema) return [];
  const typeErr = checkTypes(obj, schema);
  if (typeErr) {
    throw new StatusError(400, 'BadRequest', `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: ${typeErr}`);
  }
  const unknown = mode === 'Ignore' ? [] : findUnknownFields(obj, schema);
  if (unknown.length && mode === 'Strict') {
    const list = unknown.map((p) => `unknown field "${p}"`).join(', ');
    throw new StatusError(400, 'BadRequest', `${type.kind} in version "${type.version}" cannot be handled as a ${type.kind}: strict decoding error: ${list}`);
  }
  pruneUnknownFields(obj, schema);
  return unknown.map((p) => `unknown field "${p}"`);
}
