// application/vnd.kubernetes.protobuf bodies: the 4-byte magic "k8s\0", then a runtime.Unknown
// whose typeMeta names the object and whose raw bytes are the object's own message.

import type * as PB from 'protobufjs';
import { StatusError, badRequest } from '../../machinery/errors.js';
import type { ProtoSchema } from './descriptors.js';
import { messageCandidates } from './kinds.js';
import { messageToJson, ProtoContentError } from './tojson.js';

export const PROTOBUF_CONTENT_TYPE = 'application/vnd.kubernetes.protobuf';
export const PROTOBUF_MAGIC = Uint8Array.of(0x6b, 0x38, 0x73, 0x00);
const UNKNOWN = 'k8s.io.apimachinery.pkg.runtime.Unknown';

/** RawExtensions may themselves hold protobuf objects; bound the recursion. */
const MAX_NESTING = 16;

function hasMagic(body: Uint8Array): boolean {
  return body.length >= PROTOBUF_MAGIC.length && PROTOBUF_MAGIC.every((b, i) => body[i] === b);
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

export class ProtobufCodec {
  private readonly unknownType: PB.Type;

  constructor(private readonly schema: ProtoSchema) {
    const t = schema.root.lookup(UNKNOWN);
    if (!t || !('fieldsArray' in t)) throw new Error(`descriptors lack ${UNKNOWN}`);
    this.unknownType = t as PB.Type;
  }

  /** The message type for apiVersion/kind, or null when these descriptors do not know it. */
  messageType(apiVersion: string, kind: string): PB.Type | null {
    for (const name of messageCandidates(apiVersion, kind)) {
      const t = this.schema.root.lookup(name);
      if (t && 'fieldsArray' in t) return t as PB.Type;
    }
    return null;
  }

  /** The object in JSON form, kind and apiVersion from the envelope; StatusError 400 on bad input. */
  decode(body: Uint8Array, depth = 0): Record<string, unknown> {
    // wording of the first three as upstream's protobuf serializer
    if (body.length === 0) throw badRequest('empty data');
    if (!hasMagic(body)) {
      throw badRequest(`provided data does not appear to be a protobuf message, expected prefix [${[...PROTOBUF_MAGIC].join(' ')}]`);
    }
    if (body.length === PROTOBUF_MAGIC.length) throw badRequest('empty body');
    if (depth > MAX_NESTING) throw badRequest('protobuf objects nested too deeply');

    let unk: Record<string, unknown>;
    try {
      unk = this.unknownType.decode(body.subarray(PROTOBUF_MAGIC.length)) as unknown as Record<string, unknown>;
    } catch (e) {
      throw badRequest(`unable to decode protobuf envelope: ${describe(e)}`);
    }
    const typeMeta = (unk.typeMeta ?? {}) as { apiVersion?: string; kind?: string };
    const apiVersion = typeMeta.apiVersion ?? '';
    const kind = typeMeta.kind ?? '';
    const shown = `runtime.TypeMeta{APIVersion:${JSON.stringify(apiVersion)}, Kind:${JSON.stringify(kind)}}`;
    if (!kind) throw badRequest(`Object 'Kind' is missing in '${shown}'`);
    if (!apiVersion) throw badRequest(`Object 'apiVersion' is missing in '${shown}'`);
    const encoding = typeof unk.contentEncoding === 'string' ? unk.contentEncoding : '';
    if (encoding !== '') throw badRequest(`unsupported protobuf content encoding "${encoding}"`);
    const contentType = typeof unk.contentType === 'string' ? unk.contentType : '';
    if (contentType !== '' && contentType !== PROTOBUF_CONTENT_TYPE) {
      throw badRequest(`unsupported content type "${contentType}" inside protobuf envelope`);
    }

    const type = this.messageType(apiVersion, kind);
    if (!type) throw badRequest(`no kind "${kind}" is registered for version "${apiVersion}"`);
    const raw = unk.raw instanceof Uint8Array ? unk.raw : new Uint8Array(0);

    let msg: Record<string, unknown>;
    try {
      msg = type.decode(raw) as unknown as Record<string, unknown>;
    } catch (e) {
      throw badRequest(`unable to decode ${kind} (${apiVersion}) from protobuf: ${describe(e)}`);
    }
    let obj: unknown;
    try {
      obj = messageToJson(type, msg, (nested) => this.decode(nested, depth + 1));
    } catch (e) {
      if (e instanceof StatusError) throw e;
      if (e instanceof ProtoContentError || e instanceof RangeError) {
        throw badRequest(`unable to decode ${kind} (${apiVersion}) from protobuf: ${e.message}`);
      }
      throw e;
    }
    // TypeMeta is not part of the message; Go's JSON writes kind first, then apiVersion
    return { kind, apiVersion, ...(obj as Record<string, unknown>) };
  }
}
