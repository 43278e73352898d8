// A served version's view of a cached object: the object itself when the served version is the
// storage version, else its conversion — computed once per object version and served version.
import type { KObject } from '../../api/types.js';
import type { Converter } from '../../api/conversion/index.js';
import { cachedObject, type CachedObject } from './cached.js';

const views = new WeakMap<Converter, WeakMap<CachedObject, CachedObject>>();

export function viewOf(convert: Converter | undefined, c: CachedObject): CachedObject {
  if (!convert) return c;
  let m = views.get(convert);
  if (!m) { m = new WeakMap(); views.set(convert, m); }
  let v = m.get(c);
  if (!v) {
    v = cachedObject(c.key, convert.fromStorage(c.obj), c.rv);
    m.set(c, v);
  }
  return v;
}

export function toServed(convert: Converter | undefined, obj: KObject): KObject {
  return convert ? convert.fromStorage(obj) : obj;
}

export function toStorage(convert: Converter | undefined, obj: KObject): KObject {
  return convert ? convert.toStorage(obj) : obj;
}
