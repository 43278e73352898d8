// Turns a decoded protobuf message into the JSON a Go client would have sent for the same object:
// Go decodes the wire into structs and encoding/json writes them back out, so we follow Go's rules —
//  * pointer fields (nullable) appear exactly when set, zero values included (replicas: 0);
//  * non-pointer scalars are always on the wire; their zero is dropped unless the JSON tag lacks
//    omitempty (OpenAPI "required"), e.g. ContainerStatus.restartCount: 0 stays;
//  * non-pointer structs are always written ("status": {}), embedded ones are inlined;
//  * empty lists and maps are left out;
//  * types with their own MarshalJSON (Time, IntOrString, Quantity, RawExtension, …) use it.

import type * as PB from 'protobufjs';
import { formatDuration, formatMicroTime, formatTime, toNumber, type Int64Like } from './gotypes.js';

/** Raised for content Go's unmarshalling would reject; the codec turns it into a 400. */
export class ProtoContentError extends Error {}

type Msg = Record<string, unknown>;

/** Decodes nested k8s\0-prefixed bodies found in RawExtension (set by the codec). */
export type NestedDecoder = (raw: Uint8Array) => unknown;

const META = '.k8s.io.apimachinery.pkg.apis.meta.v1';
const TIME = `${META}.Time`;
const MICROTIME = `${META}.MicroTime`;
const DURATION = `${META}.Duration`;
const FIELDSV1 = `${META}.FieldsV1`;
const VERBS = `${META}.Verbs`;
const INTORSTRING = '.k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const QUANTITY = '.k8s.io.apimachinery.pkg.api.resource.Quantity';
const QUANTITY_VALUE = '.k8s.io.apimachinery.pkg.api.resource.QuantityValue';
const RAW_EXTENSION = '.k8s.io.apimachinery.pkg.runtime.RawExtension';
const PROTO_MAGIC = [0x6b, 0x38, 0x73, 0x00];

const INT64_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);

function has(msg: Msg | undefined, name: string): boolean {
  return msg !== undefined && Object.prototype.hasOwnProperty.call(msg, name);
}

function isType(t: PB.ReflectionObject | null): t is PB.Type {
  return t !== null && 'fieldsArray' in t;
}

function hasAnyField(msg: Msg | undefined): boolean {
  return msg !== undefined && Object.keys(msg).some((k) => {
    const v = msg[k];
    return !(Array.isArray(v) && v.length === 0);
  });
}

function parseRawJson(raw: Uint8Array, what: string, nested: NestedDecoder): unknown {
  if (raw.length >= 4 && PROTO_MAGIC.every((b, i) => raw[i] === b)) return nested(raw);
  try {
    return JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch (e) {
    throw new ProtoContentError(`${what} does not hold JSON: ${(e as Error).message}`);
  }
}

/** JSON for message types that implement their own MarshalJSON; undefined for ordinary structs. */
function specialToJson(type: PB.Type, msg: Msg | undefined, nested: NestedDecoder): { value: unknown } | undefined {
  switch (type.fullName) {
    case TIME:
      // Time.Unmarshal: empty bytes are the zero time; nanos are ignored
      return { value: hasAnyField(msg) ? formatTime(msg!.seconds as Int64Like) : null };
    case MICROTIME:
      return { value: hasAnyField(msg) ? formatMicroTime(msg!.seconds as Int64Like, (msg!.nanos ?? 0) as Int64Like) : null };
    case DURATION:
      return { value: formatDuration((msg?.duration ?? 0) as Int64Like) };
    case INTORSTRING: {
      const kind = toNumber((msg?.type ?? 0) as Int64Like);
      if (kind === 0) return { value: toNumber((msg?.intVal ?? 0) as Int64Like) };
      if (kind === 1) return { value: String(msg?.strVal ?? '') };
      throw new ProtoContentError(`impossible IntOrString.Type ${kind}`);
    }
    case QUANTITY:
    case QUANTITY_VALUE: {
      const s = msg?.string;
      return { value: typeof s === 'string' && s !== '' ? s : '0' };
    }
    case RAW_EXTENSION:
    case FIELDSV1: {
      const raw = msg?.raw ?? msg?.Raw;
      if (!(raw instanceof Uint8Array) || raw.length === 0) return { value: null };
      return { value: parseRawJson(raw, type.name, nested) };
    }
    case VERBS:
      return { value: [...((msg?.items as unknown[]) ?? [])] };
    default:
      // authentication/authorization/certificates ExtraValue: a Go []string
      if (type.name === 'ExtraValue' && type.fieldsArray.length === 1 && type.fieldsArray[0].name === 'items') {
        return { value: [...((msg?.items as unknown[]) ?? [])] };
      }
      return undefined;
  }
}

function scalarToJson(field: PB.Field, v: unknown): unknown {
  if (field.type === 'bytes') return Buffer.from(v as Uint8Array).toString('base64');
  if (INT64_TYPES.has(field.type)) return toNumber(v as Int64Like);
  return v;
}

function zeroScalar(field: PB.Field): unknown {
  if (field.type === 'string' || field.type === 'bytes') return '';
  if (field.type === 'bool') return false;
  return 0;
}

function isZero(v: unknown): boolean {
  return v === '' || v === 0 || v === false;
}

function valueToJson(field: PB.Field, v: unknown, nested: NestedDecoder): unknown {
  const rt = field.resolvedType;
  if (isType(rt)) return messageToJson(rt, v as Msg, nested);
  return scalarToJson(field, v);
}

/** The JSON form of msg (undefined: the field was absent, i.e. Go's zero value of the struct). */
export function messageToJson(type: PB.Type, msg: Msg | undefined, nested: NestedDecoder): unknown {
  const special = specialToJson(type, msg, nested);
  if (special) return special.value;
  const out: Msg = {};
  for (const field of type.fieldsArray) fieldToJson(out, field, msg, nested);
  return out;
}

function fieldToJson(out: Msg, field: PB.Field, msg: Msg | undefined, nested: NestedDecoder): void {
  const opts = (field.options ?? {}) as Record<string, unknown>;
  const json = typeof opts['kumo.json'] === 'string' ? opts['kumo.json'] : field.name;
  const nullable = opts['(gogoproto.nullable)'] !== false;
  const required = opts['kumo.required'] === true;
  const present = has(msg, field.name);
  const value = present ? msg![field.name] : undefined;

  if (field.map) {
    const entries = value && typeof value === 'object' ? Object.entries(value as Msg) : [];
    if (entries.length === 0) return;
    const m: Msg = {};
    for (const [k, v] of entries) m[k] = valueToJson(field, v, nested);
    out[json] = m;
    return;
  }
  if (field.repeated) {
    if (!Array.isArray(value) || value.length === 0) return;
    out[json] = value.map((v) => valueToJson(field, v, nested));
    return;
  }
  const rt = field.resolvedType;
  if (isType(rt)) {
    if (!present && nullable) return;
    const v = messageToJson(rt, value as Msg | undefined, nested);
    if (opts['kumo.inline'] === true && v && typeof v === 'object' && !Array.isArray(v)) Object.assign(out, v);
    else out[json] = v;
    return;
  }
  if (present) {
    const v = scalarToJson(field, value);
    if (nullable || required || !isZero(v)) out[json] = v;
  } else if (!nullable && required) {
    out[json] = zeroScalar(field);
  }
}
