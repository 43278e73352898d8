// Test helper: builds k8s\0 protobuf bodies with protobufjs from the same descriptors the decoder uses.

import type * as PB from 'protobufjs';
import type { ProtoSchema } from './descriptors.js';
import { PROTOBUF_MAGIC } from './codec.js';

export function messageBytes(schema: ProtoSchema, typeName: string, obj: Record<string, unknown>): Uint8Array {
  const t = schema.root.lookupType(typeName);
  const err = t.verify(obj);
  if (err) throw new Error(`test object does not fit ${typeName}: ${err}`);
  return t.encode(t.fromObject(obj)).finish();
}

export function envelope(schema: ProtoSchema, unknown: Record<string, unknown>): Uint8Array {
  const t = schema.root.lookupType('k8s.io.apimachinery.pkg.runtime.Unknown');
  const inner = t.encode(t.fromObject(unknown)).finish();
  const out = new Uint8Array(PROTOBUF_MAGIC.length + inner.length);
  out.set(PROTOBUF_MAGIC, 0);
  out.set(inner, PROTOBUF_MAGIC.length);
  return out;
}

/** A full body as client-go sends it for apiVersion/kind. */
export function body(schema: ProtoSchema, apiVersion: string, kind: string, typeName: string, obj: Record<string, unknown>): Uint8Array {
  return envelope(schema, { typeMeta: { apiVersion, kind }, raw: messageBytes(schema, typeName, obj) });
}

export type { PB };
