// Shared checks for per-kind validators: label selectors, non-negative numbers, IntOrString
// percentages, enum values, and Go-style value rendering where upstream's messages print Go values.

import { field, type FieldError } from '../../machinery/errors.js';
import { isQualifiedName, isValidLabelValue, isValidPercent, validateLabels } from '../../machinery/validation.js';
import { quantityError, tryParseQuantity } from '../../machinery/quantity.js';

export type Obj = Record<string, unknown>;

export function isObj(v: unknown): v is Obj {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}
export function obj(v: unknown): Obj {
  return isObj(v) ? v : {};
}
export function list(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}
export function str(v: unknown): string {
  return typeof v === 'string' ? v : v === undefined || v === null ? '' : String(v);
}
export const isSet = (v: unknown): boolean => v !== undefined && v !== null;

/** a FieldError whose value is printed verbatim (upstream prints Go values with %#v there) */
export function invalidRaw(f: string, valueText: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: f, message: `Invalid value: ${valueText}: ${detail}` };
}

/** Go's %#v of a map[string]string: keys sorted */
export function goStringMap(m: unknown): string {
  if (!isObj(m)) return 'map[string]string(nil)';
  const keys = Object.keys(m).sort();
  return `map[string]string{${keys.map((k) => `${JSON.stringify(k)}:${JSON.stringify(str(m[k]))}`).join(', ')}}`;
}

/** Go's %#v of a metav1.LabelSelector */
export function goLabelSelector(sel: unknown, pointer = false): string {
  const s = obj(sel);
  const exprs = Array.isArray(s.matchExpressions)
    ? `[]v1.LabelSelectorRequirement{${s.matchExpressions.map((e) => {
      const r = obj(e);
      const vals = Array.isArray(r.values) ? `[]string{${r.values.map((v) => JSON.stringify(str(v))).join(', ')}}` : '[]string(nil)';
      return `v1.LabelSelectorRequirement{Key:${JSON.stringify(str(r.key))}, Operator:${JSON.stringify(str(r.operator))}, Values:${vals}}`;
    }).join(', ')}}`
    : '[]v1.LabelSelectorRequirement(nil)';
  return `${pointer ? '&' : ''}v1.LabelSelector{MatchLabels:${goStringMap(s.matchLabels)}, MatchExpressions:${exprs}}`;
}

/** Go's %#v of an intstr.IntOrString value */
export function goIntOrString(v: unknown): string {
  return typeof v === 'string'
    ? `intstr.IntOrString{Type:1, IntVal:0, StrVal:${JSON.stringify(v)}}`
    : `intstr.IntOrString{Type:0, IntVal:${Number(v) || 0}, StrVal:""}`;
}

export function nonNegative(v: unknown, path: string): FieldError[] {
  if (typeof v === 'number' && v < 0) return [field.invalid(path, v, 'must be greater than or equal to 0')];
  return [];
}
export function positive(v: unknown, path: string): FieldError[] {
  if (typeof v === 'number' && v <= 0) return [field.invalid(path, v, 'must be greater than 0')];
  return [];
}

/** value must be one of valid (Required when empty and required is set) */
export function oneOf(v: unknown, valid: string[], path: string, required = false): FieldError[] {
  if (v === undefined || v === null || v === '') return required ? [field.required(path)] : [];
  return valid.includes(str(v)) ? [] : [field.notSupported(path, v, valid)];
}

/** upstream ValidatePositiveIntOrPercent + IsNotMoreThan100Percent */
export function intOrPercent(v: unknown, path: string): FieldError[] {
  if (!isSet(v)) return [];
  if (typeof v === 'string') {
    const msgs = isValidPercent(v);
    if (msgs.length) return [invalidRaw(path, goIntOrString(v), msgs.join(', '))];
    if (Number(v.slice(0, -1)) > 100) return [invalidRaw(path, goIntOrString(v), 'must not be greater than 100%')];
    return [];
  }
  return nonNegative(v, path);
}
/** the numeric part of an IntOrString (percent or count) */
export function intOrPercentValue(v: unknown): number {
  if (typeof v === 'string') return v.endsWith('%') ? Number(v.slice(0, -1)) || 0 : Number(v) || 0;
  return typeof v === 'number' ? v : 0;
}

const SELECTOR_OPS = ['In', 'NotIn', 'Exists', 'DoesNotExist'];

/** unversioned ValidateLabelSelector */
export function validateLabelSelector(sel: unknown, path: string): FieldError[] {
  if (!isSet(sel)) return [];
  const s = obj(sel);
  const errs: FieldError[] = [];
  list(s.matchExpressions).forEach((e, i) => {
    const r = obj(e);
    const p = `${path}.matchExpressions[${i}]`;
    const values = list(r.values);
    switch (r.operator) {
      case 'In': case 'NotIn':
        if (values.length === 0) errs.push(field.required(`${p}.values`, "must be specified when `operator` is 'In' or 'NotIn'"));
        break;
      case 'Exists': case 'DoesNotExist':
        if (values.length > 0) errs.push(field.forbidden(`${p}.values`, "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
        break;
      default:
        errs.push(field.invalid(`${p}.operator`, str(r.operator), 'not a valid selector operator'));
    }
    for (const m of isQualifiedName(str(r.key))) errs.push(field.invalid(`${p}.key`, str(r.key), m));
    values.forEach((v, j) => { for (const m of isValidLabelValue(str(v))) errs.push(field.invalid(`${p}.values[${j}]`, str(v), m)); });
  });
  errs.push(...validateLabels(s.matchLabels, `${path}.matchLabels`));
  return errs;
}

export function selectorIsEmpty(sel: unknown): boolean {
  const s = obj(sel);
  return Object.keys(obj(s.matchLabels)).length + list(s.matchExpressions).length === 0;
}

/** does a LabelSelector select these labels */
export function selectorMatches(sel: unknown, labels: unknown): boolean {
  const s = obj(sel);
  const l = obj(labels);
  for (const [k, v] of Object.entries(obj(s.matchLabels))) if (str(l[k]) !== str(v) || !(k in l)) return false;
  for (const e of list(s.matchExpressions)) {
    const r = obj(e);
    const key = str(r.key);
    const has = key in l;
    const values = list(r.values).map(str);
    switch (r.operator) {
      case 'In': if (!has || !values.includes(str(l[key]))) return false; break;
      case 'NotIn': if (has && values.includes(str(l[key]))) return false; break;
      case 'Exists': if (!has) return false; break;
      case 'DoesNotExist': if (has) return false; break;
      default: return false;
    }
  }
  return true;
}

/** a map selector (ReplicationController, Service) matches when every pair is present */
export function mapSelectorMatches(sel: unknown, labels: unknown): boolean {
  const l = obj(labels);
  return Object.entries(obj(sel)).every(([k, v]) => k in l && str(l[k]) === str(v));
}

/** quantity syntax and sign; path is the keyed path, e.g. spec.containers[0].resources.limits[cpu] */
export function validateQuantity(v: unknown, path: string, opts: { positive?: boolean } = {}): FieldError[] {
  const bad = quantityError(v);
  if (bad) return [field.invalid(path, v, bad)];
  const q = tryParseQuantity(v)!;
  if (q.sign() < 0) return [field.invalid(path, q.toString(), 'must be greater than or equal to 0')];
  if (opts.positive && q.isZero()) return [field.invalid(path, q.toString(), 'must be greater than zero')];
  return [];
}

/** the type of an object-typed field (a map where a list was expected shows up here) */
export function mustBeList(v: unknown, path: string): FieldError[] {
  return v === undefined || v === null || Array.isArray(v) ? [] : [field.typeInvalid(path, v, 'must be a list')];
}
