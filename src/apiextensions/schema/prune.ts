// Pruning as upstream's structuralpruning: fields a structural schema does not specify are dropped,
// except below x-kubernetes-preserve-unknown-fields, and except apiVersion/kind/metadata at the
// root and in embedded resources. metadata keeps only ObjectMeta's fields. Returns the pruned
// paths ("spec.foo") for fieldValidation warnings and strict errors.

import { additionalOf, isObject, itemsOf, type JSONSchemaProps } from './types.js';

const OBJECT_META = new Set([
  'name', 'generateName', 'namespace', 'selfLink', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
  'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations', 'ownerReferences', 'finalizers', 'managedFields',
]);

export function prune(obj: Record<string, unknown>, s: JSONSchemaProps): string[] {
  const pruned: string[] = [];
  pruneObject(obj, s, '', true, pruned);
  return pruned;
}

const child = (path: string, k: string) => (path ? `${path}.${k}` : k);

function pruneMeta(m: unknown, path: string, pruned: string[]): void {
  if (!isObject(m)) return;
  for (const k of Object.keys(m)) if (!OBJECT_META.has(k)) { delete m[k]; pruned.push(child(path, k)); }
}

function pruneObject(x: Record<string, unknown>, s: JSONSchemaProps, path: string, resource: boolean, pruned: string[]): void {
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const ap = additionalOf(s);
  for (const k of Object.keys(x)) {
    const p = child(path, k);
    if (resource && (k === 'apiVersion' || k === 'kind')) continue;
    if (resource && k === 'metadata') { pruneMeta(x[k], p, pruned); continue; }
    const sub = s.properties?.[k] ?? ap;
    if (sub) { pruneValue(x[k], sub, p, pruned); continue; }
    if (s.additionalProperties === true || preserve) continue;
    delete x[k];
    pruned.push(p);
  }
}

function pruneValue(v: unknown, s: JSONSchemaProps, path: string, pruned: string[]): void {
  if (isObject(v)) pruneObject(v, s, path, s['x-kubernetes-embedded-resource'] === true, pruned);
  else if (Array.isArray(v)) {
    const it = itemsOf(s);
    if (it) v.forEach((x, i) => pruneValue(x, it, `${path}[${i}]`, pruned));
  }
}
