// Strict field validation (fieldValidation=Strict, kubectl 1.27+) and JSON type checks, worded as
// upstream's decoder words them:
//   strict decoding error: unknown field "spec.x", unknown field "spec.containers[0].y"
//   json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32
// Duplicate fields are detected on raw JSON upstream; callers that parse JSON first cannot see them.

import type { SchemaNode } from '../../machinery/schema.js';
import { MICRO_TIME, TIME } from './definitions.js';

/** Most unknown fields upstream reports in one error. */
const MAX_UNKNOWN = 100;

/**
 * Paths of fields the schema does not know, in document order: struct fields join with ".",
 * list items add "[i]", map values add ".key".
 */
export function findUnknownFields(obj: unknown, schema: SchemaNode): string[] {
  const out: string[] = [];
  walkUnknown(obj, schema, '', out);
  return out;
}

function walkUnknown(v: unknown, s: SchemaNode, path: string, out: string[]): void {
  if (out.length >= MAX_UNKNOWN || v === null || v === undefined || s.preserveUnknownFields) return;
  if (Array.isArray(v)) {
    if (!s.items) return;
    for (let i = 0; i < v.length; i++) walkUnknown(v[i], s.items, `${path}[${i}]`, out);
    return;
  }
  if (typeof v !== 'object') return;
  const o = v as Record<string, unknown>;
  const props = s.properties;
  if (props) {
    for (const [k, val] of Object.entries(o)) {
      const child = join(path, k);
      const ps = Object.prototype.hasOwnProperty.call(props, k) ? props[k] : undefined;
      if (!ps) {
        if (out.length < MAX_UNKNOWN) out.push(child);
        continue;
      }
      walkUnknown(val, ps, child, out);
    }
  } else if (s.additionalProperties) {
    for (const [k, val] of Object.entries(o)) walkUnknown(val, s.additionalProperties, join(path, k), out);
  }
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}

/** `strict decoding error: unknown field "a", unknown field "b"` — upstream's message for Strict. */
export function strictDecodingError(paths: string[]): string {
  return `strict decoding error: ${paths.map((p) => `unknown field ${JSON.stringify(p)}`).join(', ')}`;
}

// ---------------------------------------------------------------------------------------------

/**
 * The first JSON value whose type cannot decode into the field's Go type, as upstream's decoder
 * reports it (the server prefixes `<Kind> in version "<v>" cannot be handled as a <Kind>: `), or
 * undefined when every value fits. null is accepted everywhere, as Go's decoder does.
 */
export function checkTypes(obj: unknown, schema: SchemaNode): string | undefined {
  return walkTypes(obj, schema, [], schema.ref ? structName(schema.ref) : '');
}

function jsonKind(v: unknown): string {
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'string') return 'string';
  return 'object';
}

function structName(ref: string): string {
  return ref.slice(ref.lastIndexOf('.') + 1);
}

/** Go type name as the decoder prints it: int32, []v1.Container, map[string]string, v1.PodSpec. */
export function goTypeName(s: SchemaNode): string {
  if (s.ref) {
    const parts = s.ref.split('.');
    return `${parts[parts.length - 2]}.${parts[parts.length - 1]}`;
  }
  if (s.intOrString) return 'intstr.IntOrString';
  if (s.type === 'array') return `[]${s.items ? goTypeName(s.items) : 'interface {}'}`;
  if (s.type === 'object' && !s.properties) {
    return s.additionalProperties ? `map[string]${goTypeName(s.additionalProperties)}` : 'map[string]interface {}';
  }
  switch (s.type) {
    case 'integer': return s.format === 'int32' ? 'int32' : 'int64';
    case 'number': return 'float64';
    case 'boolean': return 'bool';
    case 'string': return s.format === 'byte' ? '[]uint8' : 'string';
    default: return 'interface {}';
  }
}

function walkTypes(v: unknown, s: SchemaNode, fields: string[], struct: string): string | undefined {
  if (v === null || v === undefined || s.preserveUnknownFields) return undefined;
  const kind = jsonKind(v);
  const mismatch = (value = kind): string => {
    const where = fields.length ? `Go struct field ${struct}.${fields.join('.')}` : 'Go value';
    return `json: cannot unmarshal ${value} into ${where} of type ${goTypeName(s)}`;
  };

  // types with their own JSON decoding
  if (s.intOrString) {
    if (kind === 'string') return undefined;
    if (kind === 'number') return Number.isInteger(v) ? undefined : `json: cannot unmarshal number ${v} into Go value of type int32`;
    return `json: cannot unmarshal ${kind} into Go value of type int32`;
  }
  if (s.format === 'quantity') {
    if (kind === 'string' || kind === 'number') return undefined;
    return `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`;
  }
  if (s.ref === TIME || s.ref === MICRO_TIME) {
    return kind === 'string' ? undefined : `json: cannot unmarshal ${kind} into Go value of type string`;
  }

  switch (s.type) {
    case 'string':
      return kind === 'string' ? undefined : mismatch();
    case 'boolean':
      return kind === 'bool' ? undefined : mismatch();
    case 'integer': {
      if (kind !== 'number') return mismatch();
      const n = v as number;
      const limit = s.format === 'int32' ? 2 ** 31 : 2 ** 63;
      if (!Number.isInteger(n) || n < -limit || n >= limit) return mismatch(`number ${String(n)}`);
      return undefined;
    }
    case 'number':
      return kind === 'number' ? undefined : mismatch();
    case 'array': {
      if (kind !== 'array') return mismatch();
      if (!s.items) return undefined;
      for (const item of v as unknown[]) {
        const e = walkTypes(item, s.items, fields, struct);
        if (e) return e;
      }
      return undefined;
    }
    case 'object':
    case undefined: {
      if (s.type === undefined && !s.properties && !s.additionalProperties) return undefined;
      if (kind !== 'object') return mismatch();
      const o = v as Record<string, unknown>;
      if (s.properties) {
        const inner = s.ref ? structName(s.ref) : struct;
        for (const [k, val] of Object.entries(o)) {
          const ps = Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
          if (!ps) continue;
          const e = walkTypes(val, ps, [...fields, k], inner);
          if (e) return e;
        }
      } else if (s.additionalProperties) {
        for (const val of Object.values(o)) {
          const e = walkTypes(val, s.additionalProperties, fields, struct);
          if (e) return e;
        }
      }
      return undefined;
    }
    default:
      return undefined;
  }
}
