// Validation of a custom resource against its structural schema, worded as upstream: kube-openapi's
// validator messages ("spec.replicas in body must be of type integer: \"string\"") turned into
// field errors the way apiextensions-apiserver does (Required, NotSupported, TooLong, TooMany,
// TypeInvalid, else Invalid), plus x-kubernetes-list-type set/map uniqueness and embedded
// resources' apiVersion/kind.

import { field, type FieldError } from '../../machinery/errors.js';
import { additionalOf, isObject, itemsOf, jsonTypeName, type JSONSchemaProps } from './types.js';
import { checkFormat } from './formats.js';

const IN = 'in body';

/** Validates `value` (a whole object when path is '') against schema; no CEL rules here (cel.ts). */
export function validateValue(value: unknown, s: JSONSchemaProps, path = ''): FieldError[] {
  const errs: FieldError[] = [];
  walk(value, s, path, errs, path === '');
  return errs;
}

const child = (path: string, k: string) => (path ? `${path}.${k}` : k);
const nameOf = (path: string) => path || '.';

function typeMatches(v: unknown, s: JSONSchemaProps): boolean {
  if (s['x-kubernetes-int-or-string']) return typeof v === 'string' || (typeof v === 'number' && Number.isInteger(v));
  switch (s.type) {
    case undefined: case '': return true;
    case 'object': return isObject(v);
    case 'array': return Array.isArray(v);
    case 'string': return typeof v === 'string';
    case 'integer': return typeof v === 'number' && Number.isInteger(v);
    case 'number': return typeof v === 'number';
    case 'boolean': return typeof v === 'boolean';
    default: return true;
  }
}

function walk(v: unknown, s: JSONSchemaProps, path: string, errs: FieldError[], root: boolean): void {
  const name = nameOf(path);
  if (v === null) {
    if (s.nullable || (!s.type && !s['x-kubernetes-int-or-string'])) return;
    const t = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type!;
    errs.push(field.typeInvalid(name, 'null', `${name} ${IN} must be of type ${t}: "null"`));
    return;
  }
  if (!typeMatches(v, s)) {
    const t = s['x-kubernetes-int-or-string'] ? 'integer,string' : s.type!;
    const actual = jsonTypeName(v);
    errs.push(field.typeInvalid(name, actual, `${name} ${IN} must be of type ${t}: "${actual}"`));
    return;
  }
  if (s.enum && !s.enum.some((e) => jsonEqual(e, v))) {
    errs.push(field.notSupported(name, v, s.enum.map((e) => (typeof e === 'string' ? e : JSON.stringify(e)))));
  }
  if (typeof v === 'string') stringChecks(v, s, name, errs);
  if (typeof v === 'number') numberChecks(v, s, name, errs);
  if (Array.isArray(v)) arrayChecks(v, s, path, errs);
  if (isObject(v)) objectChecks(v, s, path, errs, root);
  for (const sub of s.allOf ?? []) walk(v, sub, path, errs, root);
  if (s.anyOf?.length && !s['x-kubernetes-int-or-string']) {
    if (!s.anyOf.some((sub) => validateValue(v, sub, path).length === 0)) {
      errs.push(field.invalid(name, v, `${name} ${IN} must validate at least one schema (anyOf)`));
    }
  }
  if (s.oneOf?.length) {
    const ok = s.oneOf.filter((sub) => validateValue(v, sub, path).length === 0).length;
    if (ok !== 1) errs.push(field.invalid(name, v, `${name} ${IN} must validate one and only one schema (oneOf)`));
  }
  if (s.not && validateValue(v, s.not, path).length === 0) {
    errs.push(field.invalid(name, v, `${name} ${IN} must not validate the schema (not)`));
  }
}

function stringChecks(v: string, s: JSONSchemaProps, name: string, errs: FieldError[]): void {
  const len = [...v].length;
  if (s.maxLength !== undefined && len > s.maxLength) errs.push(field.tooLong(name, s.maxLength));
  if (s.minLength !== undefined && len < s.minLength) errs.push(field.invalid(name, v, `${name} ${IN} should be at least ${s.minLength} chars long`));
  if (s.pattern !== undefined) {
    let re: RegExp | undefined;
    try { re = new RegExp(s.pattern, 'u'); } catch { re = undefined; }
    if (re && !re.test(v)) errs.push(field.invalid(name, v, `${name} ${IN} should match '${s.pattern}'`));
  }
  if (s.format && !s['x-kubernetes-int-or-string'] && !checkFormat(s.format, v)) {
    errs.push(field.invalid(name, v, `${name} ${IN} must be of type ${s.format}: ${JSON.stringify(v)}`));
  }
}

function numberChecks(v: number, s: JSONSchemaProps, name: string, errs: FieldError[]): void {
  if (s.maximum !== undefined && (s.exclusiveMaximum ? v >= s.maximum : v > s.maximum)) {
    errs.push(field.invalid(name, v, `${name} ${IN} should be less than ${s.exclusiveMaximum ? '' : 'or equal to '}${s.maximum}`));
  }
  if (s.minimum !== undefined && (s.exclusiveMinimum ? v <= s.minimum : v < s.minimum)) {
    errs.push(field.invalid(name, v, `${name} ${IN} should be greater than ${s.exclusiveMinimum ? '' : 'or equal to '}${s.minimum}`));
  }
  if (s.multipleOf !== undefined && s.multipleOf > 0) {
    const q = v / s.multipleOf;
    if (Math.abs(q - Math.round(q)) > 1e-9) errs.push(field.invalid(name, v, `${name} ${IN} should be a multiple of ${s.multipleOf}`));
  }
}

function arrayChecks(v: unknown[], s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const name = nameOf(path);
  if (s.maxItems !== undefined && v.length > s.maxItems) errs.push(field.tooMany(name, v.length, s.maxItems));
  if (s.minItems !== undefined && v.length < s.minItems) errs.push(field.invalid(name, v.length, `${name} ${IN} should have at least ${s.minItems} items`));
  if (s.uniqueItems) {
    for (let i = 0; i < v.length; i++) {
      if (v.slice(0, i).some((x) => jsonEqual(x, v[i]))) { errs.push(field.invalid(name, '', `${name} ${IN} shouldn't contain duplicates`)); break; }
    }
  }
  const items = itemsOf(s);
  if (items) v.forEach((x, i) => walk(x, items, `${path}[${i}]`, errs, false));
  const lt = s['x-kubernetes-list-type'];
  if (lt === 'set') {
    v.forEach((x, i) => { if (v.slice(0, i).some((y) => jsonEqual(x, y))) errs.push(field.duplicate(`${path}[${i}]`, x)); });
  } else if (lt === 'map') {
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    const seen: Record<string, unknown>[] = [];
    v.forEach((x, i) => {
      if (!isObject(x)) return;
      const k: Record<string, unknown> = {};
      for (const kk of keys) if (x[kk] !== undefined) k[kk] = x[kk];
      if (seen.some((o) => jsonEqual(o, k))) errs.push({ type: 'FieldValueDuplicate', field: `${path}[${i}]`, message: `Duplicate value: ${goMapLiteral(k)}` });
      else seen.push(k);
    });
  }
}

function objectChecks(v: Record<string, unknown>, s: JSONSchemaProps, path: string, errs: FieldError[], root: boolean): void {
  const name = nameOf(path);
  const n = Object.keys(v).length;
  if (s.maxProperties !== undefined && n > s.maxProperties) errs.push(field.tooMany(name, n, s.maxProperties));
  if (s.minProperties !== undefined && n < s.minProperties) errs.push(field.invalid(name, s.minProperties, `${name} ${IN} should have at least ${s.minProperties} properties`));
  for (const r of s.required ?? []) if (v[r] === undefined) errs.push(field.required(child(path, r)));
  const ap = additionalOf(s);
  for (const [k, x] of Object.entries(v)) {
    // metadata is ObjectMeta: checked by the generic object-meta validation, not the schema
    if ((root || s['x-kubernetes-embedded-resource']) && k === 'metadata') continue;
    const p = s.properties?.[k] ?? ap;
    if (p) walk(x, p, child(path, k), errs, false);
  }
  if (s['x-kubernetes-embedded-resource']) {
    if (typeof v.apiVersion !== 'string' || v.apiVersion === '') errs.push(field.required(child(path, 'apiVersion'), 'must not be empty'));
    if (typeof v.kind !== 'string' || v.kind === '') errs.push(field.required(child(path, 'kind'), 'must not be empty'));
  }
}

/** Go's %#v of the map of list-map keys upstream reports in a duplicate error */
function goMapLiteral(k: Record<string, unknown>): string {
  const body = Object.keys(k).sort().map((kk) => `${JSON.stringify(kk)}:${typeof k[kk] === 'string' ? JSON.stringify(k[kk]) : `${Number.isInteger(k[kk]) ? 'int64' : typeof k[kk] === 'number' ? 'float64' : typeof k[kk]}(${JSON.stringify(k[kk])})`}`);
  return `map[string]interface {}{${body.join(', ')}}`;
}

export function jsonEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null || typeof a !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => jsonEqual(x, (b as unknown[])[i]));
  const ao = a as Record<string, unknown>, bo = b as Record<string, unknown>;
  const ak = Object.keys(ao), bk = Object.keys(bo);
  return ak.length === bk.length && ak.every((k) => k in bo && jsonEqual(ao[k], bo[k]));
}
