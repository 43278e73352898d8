// One cached object version: parsed once, serialized once, shared by every list and watcher.

import type { KObject } from '../../api/types.js';

export interface CachedObject {
  key: string;
  obj: KObject;
  /** JSON of obj (resourceVersion included), computed lazily once */
  json(): string;
  rv: number;
}

export function cachedObject(key: string, obj: KObject, rv: number): CachedObject {
  let text: string | undefined;
  return {
    key, obj, rv,
    json() {
      if (text === undefined) text = JSON.stringify(obj);
      return text;
    },
  };
}

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  /** the new object (for DELETED: the last state, with the delete's resourceVersion) */
  object: CachedObject;
  prev?: CachedObject;
  rv: number;
}
