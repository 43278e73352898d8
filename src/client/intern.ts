import { trimManagedFields, type Obj } from './informer.js';

// String interning for informer caches. JSON.parse gives every string value of every object its
// own copy: 150,000 cached pods hold 150,000 copies of their image, namespace, toleration keys,
// volume mount paths, scheduler name… (about a quarter of a cached pod's memory). Replacing each
// string value with one canonical copy changes no value — strings are immutable, and === and every
// other comparison see the same text — so controllers cannot tell. Objects are never shared (a
// controller that mutated a shared one would corrupt others), only strings.

/**
 * A bounded intern table: two generations of at most `capacity` strings each. A string found in
 * the older generation moves to the newer one; when the newer one is full it becomes the older
 * one and the oldest is dropped. Strings that keep recurring therefore stay, while one-off values
 * (pod IPs, container IDs, generated volume names) pass through without growing the table.
 */
export class StringInterner {
  private young = new Map<string, string>();
  private old = new Map<string, string>();

  /**
   * @param capacity strings per generation
   * @param maxLength longer strings are returned as they are (annotations, certificates: rarely repeated, costly to hash)
   */
  constructor(readonly capacity = 16384, readonly maxLength = 128) {
    if (!(capacity >= 1)) throw new RangeError(`capacity must be at least 1, got ${capacity}`);
  }

  intern(s: string): string {
    if (s.length > this.maxLength) return s;
    const hit = this.young.get(s);
    if (hit !== undefined) return hit;
    const canonical = this.old.get(s) ?? s;
    if (this.young.size >= this.capacity) {
      this.old = this.young;
      this.young = new Map();
    }
    this.young.set(canonical, canonical);
    return canonical;
  }

  /** strings held (both generations; a string moved from the older generation may count twice) */
  get size(): number { return this.young.size + this.old.size; }
}

// metadata values unique to one object: interning them would only churn the table
const UNIQUE_METADATA = new Set(['name', 'uid', 'resourceVersion']);

/**
 * Replaces, in place, every string value inside `obj` (nested objects and arrays included) with
 * the interner's canonical copy, and returns `obj`. Meant for objects fresh from JSON.parse that
 * nobody else holds yet. Property names need nothing: V8 already keeps one copy of each.
 */
export function internStrings<T extends object>(obj: T, interner: StringInterner): T {
  const o = obj as Record<string, unknown>;
  for (const k in o) {
    const v = o[k];
    if (typeof v === 'string') o[k] = interner.intern(v);
    else if (v !== null && typeof v === 'object') walk(v as Record<string, unknown>, interner, k === 'metadata');
  }
  return obj;
}

function walk(v: Record<string, unknown> | unknown[], interner: StringInterner, objectMeta = false): void {
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) {
      const x = v[i];
      if (typeof x === 'string') v[i] = interner.intern(x);
      else if (x !== null && typeof x === 'object') walk(x as Record<string, unknown>, interner);
    }
    return;
  }
  for (const k in v) {
    if (objectMeta && UNIQUE_METADATA.has(k)) continue;
    const x = v[k];
    if (typeof x === 'string') v[k] = interner.intern(x);
    else if (x !== null && typeof x === 'object') walk(x as Record<string, unknown>, interner);
  }
}

/**
 * The transform for a component's caches (client-go's WithTransform as kube-scheduler and
 * kube-controller-manager use it): managedFields dropped, repeated strings kept once.
 */
export function cacheTransform(interner = new StringInterner()): (o: Obj) => Obj {
  return (o) => internStrings(trimManagedFields(o), interner);
}
