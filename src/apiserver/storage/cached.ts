// One cached object version: parsed once, serialized once, shared by every list and watcher.

import type { KObject } from '../../api/types.js';

export interface CachedObject {
  key: string;
  obj: KObject;
  /** UTF-8 JSON of obj (resourceVersion included), serialized lazily once; kept off the JS heap */
  bytes(): Buffer;
  /** the same JSON as a string (not memoized: for single-object answers) */
  json(): string;
  rv: number;
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
