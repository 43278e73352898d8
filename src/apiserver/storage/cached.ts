// One cached object version: parsed once, serialized once, shared by every list and watcher.

import type { KObject } from '../../api/types.js';
import type { KeyValue } from '../../storage/interface.js';
import { decodeFromStorage, markStale, withResourceVersion, type ValueTransformer } from './codec.js';

export interface CachedObject {
  key: string;
  obj: KObject;
  /** UTF-8 JSON of obj (resourceVersion included), serialized lazily once; kept off the JS heap */
  bytes(): Buffer;
  /** the same JSON as a string (not memoized: for single-object answers) */
  json(): string;
  rv: number;
}

/**
 * A cached object straight from the datastore: decrypted now (errors surface at once), parsed only
 * when something needs the object — lists and watches without selectors serve the bytes as they are,
 * so a cold start does not parse every stored object.
 */
export function cachedFromStorage(kv: KeyValue, t: ValueTransformer): CachedObject {
  const plain = t.fromStorage(kv.key, kv.value);
  const buf = withResourceVersion(Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength), kv.modRevision);
  if (!buf) return cachedObject(kv.key, decodeFromStorage(kv, t), kv.modRevision);
  const stale = t.isStale?.(kv.key, kv.value) ?? false;
  let obj: KObject | undefined;
  return {
    key: kv.key, rv: kv.modRevision,
    get obj() {
      if (obj === undefined) {
        obj = JSON.parse(buf.toString('utf8')) as KObject;
        if (stale) markStale(obj);
      }
      return obj;
    },
    bytes: () => buf,
    json: () => buf.toString('utf8'),
  };
}

export function cachedObject(key: string, obj: KObject, rv: number): CachedObject {
  let buf: Buffer | undefined;
  const bytes = () => (buf ??= Buffer.from(JSON.stringify(obj)));
  return { key, obj, rv, bytes, json: () => bytes().toString('utf8') };
}

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  /** the new object (for DELETED: the last state, with the delete's resourceVersion) */
  object: CachedObject;
  prev?: CachedObject;
  rv: number;
}
