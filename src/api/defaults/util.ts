// Small helpers for defaulters that work on plain JSON objects.

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** the object at parent[key], creating {} when absent (upstream: a nil pointer struct being defaulted) */
export function child(parent: Obj, key: string): Obj {
  const v = parent[key];
  if (isObj(v)) return v;
  const created: Obj = {};
  parent[key] = created;
  return created;
}

/** the object at parent[key] or undefined; never creates */
export function maybe(parent: Obj | undefined, key: string): Obj | undefined {
  const v = parent?.[key];
  return isObj(v) ? v : undefined;
}

/** objects of the list at parent[key] (non-objects are skipped; validation reports them) */
export function items(parent: Obj | undefined, key: string): Obj[] {
  const v = parent?.[key];
  return Array.isArray(v) ? v.filter(isObj) : [];
}

/** set parent[key] = value when the field is unset (undefined, null, or the empty string) */
export function setDefault(parent: Obj, key: string, value: unknown): void {
  const v = parent[key];
  if (v === undefined || v === null || v === '') parent[key] = value;
}
