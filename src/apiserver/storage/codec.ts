// Objects are stored as JSON without metadata.resourceVersion: the datastore's modRevision is the
// resourceVersion, as with upstream's etcd3 store. A value transformer (encryption at rest) sits
// between the codec and the datastore.

import type { KObject } from '../../api/types.js';
import type { KeyValue } from '../../storage/interface.js';

/** Encrypts/decrypts stored bytes per key; identity by default. */
export interface ValueTransformer {
  toStorage(key: string, plain: Uint8Array): Uint8Array;
  fromStorage(key: string, stored: Uint8Array): Uint8Array;
  /**
   * true when a readable value was not written by the current write provider/key (e.g. after a key
   * rotation): an update must then rewrite it even when the object is unchanged, as upstream does.
   */
  isStale?(key: string, stored: Uint8Array): boolean;
}

const STALE = Symbol('kumo.storage.stale');

/** Whether the decoded object's stored bytes want rewriting with the current encryption key. */
export function isStaleObject(obj: KObject): boolean {
  return (obj as { [STALE]?: boolean })[STALE] === true;
}

export const identityTransformer: ValueTransformer = {
  toStorage: (_k, v) => v,
  fromStorage: (_k, v) => v,
};

export function encodeForStorage(obj: KObject, key: string, t: ValueTransformer): Uint8Array {
  const meta = obj.metadata ?? {};
  const { resourceVersion: _rv, selfLink: _sl, ...rest } = meta;
  // metadata first: a reader can add the resourceVersion to the bytes without parsing them
  const { metadata: _m, ...others } = obj;
  const stored = { metadata: rest, ...others };
  return t.toStorage(key, Buffer.from(JSON.stringify(stored)));
}

const META_HEAD = Buffer.from('{"metadata":{');

/**
 * The stored JSON with metadata.resourceVersion spliced in, without parsing; undefined when the
 * value was not written metadata-first (older data), so the caller parses it.
 */
export function withResourceVersion(raw: Buffer, rv: number): Buffer | undefined {
  if (raw.length <= META_HEAD.length || !raw.subarray(0, META_HEAD.length).equals(META_HEAD)) return undefined;
  const empty = raw[META_HEAD.length] === 0x7d; // '}'
  const field = Buffer.from(`"resourceVersion":"${rv}"${empty ? '' : ','}`);
  return Buffer.concat([META_HEAD, field, raw.subarray(META_HEAD.length)]);
}

/** mark an object decoded from stale bytes (see isStaleObject) */
export function markStale(obj: KObject): void {
  Object.defineProperty(obj, STALE, { value: true });
}

export function decodeFromStorage(kv: KeyValue, t: ValueTransformer, rv = kv.modRevision): KObject {
  const bytes = t.fromStorage(kv.key, kv.value);
  const obj = JSON.parse(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8')) as KObject;
  obj.metadata = { ...(obj.metadata ?? {}), resourceVersion: String(rv) };
  // a symbol property: invisible to JSON, dropped by structuredClone copies
  if (t.isStale?.(kv.key, kv.value)) markStale(obj);
  return obj;
}
