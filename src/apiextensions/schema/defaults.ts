// Defaulting as upstream's structuraldefaulting: a missing field (or a null in a non-nullable
// field) whose schema has a default gets a copy of it, top-down, so defaults inside a defaulted
// object apply too. Nulls in non-nullable fields without a default are dropped. Runs on decode of
// every write and on every read from storage (defaults added to a CRD later show up on old objects).

import { additionalOf, isObject, itemsOf, type JSONSchemaProps } from './types.js';

export function applyDefaults(x: unknown, s: JSONSchemaProps | undefined): void {
  if (!s) return;
  if (isObject(x)) {
    for (const [k, p] of Object.entries(s.properties ?? {})) {
      const nonNullableNull = x[k] === null && !p.nullable;
      if (p.default !== undefined && (!(k in x) || nonNullableNull)) x[k] = structuredClone(p.default);
      else if (nonNullableNull) delete x[k];
    }
    const ap = additionalOf(s);
    for (const [k, v] of Object.entries(x)) {
      const p = s.properties?.[k] ?? ap;
      if (p) applyDefaults(v, p);
    }
  } else if (Array.isArray(x)) {
    const it = itemsOf(s);
    for (const v of x) applyDefaults(v, it);
  }
}
