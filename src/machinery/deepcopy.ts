// Deep copy of JSON-shaped values (API objects). structuredClone goes through V8's serializer and
// costs ~7× more for a pod; API objects are plain objects, arrays and scalars, so a recursive copy
// is enough. Like structuredClone, it keeps undefined values and drops symbol-keyed properties.

export function deepCopyJSON<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const a = new Array(v.length);
    for (let i = 0; i < v.length; i++) a[i] = deepCopyJSON(v[i]);
    return a as T;
  }
  const o: Record<string, unknown> = {};
  for (const k of Object.keys(v)) {
    const x = deepCopyJSON((v as Record<string, unknown>)[k]);
    // "__proto__" is a valid data key (a ConfigMap may have one): define it, assignment would set the prototype
    if (k === '__proto__') Object.defineProperty(o, k, { value: x, enumerable: true, writable: true, configurable: true });
    else o[k] = x;
  }
  return o as T;
}
