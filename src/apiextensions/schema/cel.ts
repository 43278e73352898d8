// x-kubernetes-validations: CEL rules evaluated with @marcbachmann/cel-js. `self` is the value at the
// rule's node, `oldSelf` the previous value on update (transition rules run only when an old value
// is correlated: same field, same map key, same list-map keys), messageExpression builds the message,
// reason picks the field error type and fieldPath moves it. Integers become CEL ints (BigInt) where
// the schema says integer.

import { compileCEL as compile } from '../../machinery/cel.js';
import { field, type FieldError } from '../../machinery/errors.js';
import { additionalOf, isObject, itemsOf, jsonTypeName, type JSONSchemaProps, type ValidationRule } from './types.js';

const usesOldSelf = (rule: string) => /\boldSelf\b/.test(rule);

/** CRD-time check: every rule and messageExpression compiles. */
export function compileRules(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const walk = (n: JSONSchemaProps, p: string) => {
    (n['x-kubernetes-validations'] ?? []).forEach((r, i) => {
      const rp = `${p}.x-kubernetes-validations[${i}]`;
      if (typeof r.rule !== 'string' || r.rule.trim() === '') { errs.push(field.required(`${rp}.rule`)); return; }
      const c = compile(r.rule);
      if (c instanceof Error) errs.push(field.invalid(`${rp}.rule`, r.rule, `compilation failed: ERROR: <input>: ${c.message.split('\n')[0]}`));
      if (r.messageExpression !== undefined) {
        const m = compile(r.messageExpression);
        if (m instanceof Error) errs.push(field.invalid(`${rp}.messageExpression`, r.messageExpression, `messageExpression compilation failed: ERROR: <input>: ${m.message.split('\n')[0]}`));
      }
      if (r.reason !== undefined && !['FieldValueInvalid', 'FieldValueForbidden', 'FieldValueRequired', 'FieldValueDuplicate'].includes(r.reason)) {
        errs.push(field.notSupported(`${rp}.reason`, r.reason, ['FieldValueDuplicate', 'FieldValueForbidden', 'FieldValueInvalid', 'FieldValueRequired']));
      }
    });
    for (const [k, c] of Object.entries(n.properties ?? {})) walk(c, `${p}.properties[${k}]`);
    const it = itemsOf(n); if (it) walk(it, `${p}.items`);
    const ap = additionalOf(n); if (ap) walk(ap, `${p}.additionalProperties`);
  };
  walk(s, path);
  return errs;
}

export function hasRules(s: JSONSchemaProps): boolean {
  if (s['x-kubernetes-validations']?.length) return true;
  if (Object.values(s.properties ?? {}).some(hasRules)) return true;
  const it = itemsOf(s); if (it && hasRules(it)) return true;
  const ap = additionalOf(s); return !!ap && hasRules(ap);
}

/** JSON → CEL values: integers where the schema says integer become ints */
function toCEL(v: unknown, s: JSONSchemaProps | undefined): unknown {
  if (typeof v === 'number') {
    const intish = s?.type === 'integer' || (s?.['x-kubernetes-int-or-string'] && Number.isInteger(v)) || (!s?.type && Number.isInteger(v));
    return intish && Number.isInteger(v) ? BigInt(v) : v;
  }
  if (Array.isArray(v)) { const it = s ? itemsOf(s) : undefined; return v.map((x) => toCEL(x, it)); }
  if (isObject(v)) {
    const out: Record<string, unknown> = {};
    const ap = s ? additionalOf(s) : undefined;
    for (const [k, x] of Object.entries(v)) out[k] = toCEL(x, s?.properties?.[k] ?? ap);
    return out;
  }
  return v;
}

const child = (path: string, k: string) => (path ? `${path}.${k}` : k);

export function validateRules(obj: unknown, old: unknown, s: JSONSchemaProps): FieldError[] {
  const errs: FieldError[] = [];
  walk(obj, old, s, '', errs);
  return errs;
}

function walk(v: unknown, old: unknown, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  if (v === undefined) return;
  const rules = s['x-kubernetes-validations'];
  if (rules?.length) for (const r of rules) evalRule(r, v, old, s, path, errs);
  if (isObject(v)) {
    const ap = additionalOf(s);
    for (const [k, x] of Object.entries(v)) {
      const sub = s.properties?.[k] ?? ap;
      if (sub) walk(x, isObject(old) ? old[k] : undefined, sub, child(path, k), errs);
    }
  } else if (Array.isArray(v)) {
    const it = itemsOf(s);
    if (!it) return;
    const keys = s['x-kubernetes-list-type'] === 'map' ? s['x-kubernetes-list-map-keys'] ?? [] : undefined;
    v.forEach((x, i) => {
      let o: unknown;
      // only list-map (and set, by value) items correlate with their old selves
      if (keys && Array.isArray(old) && isObject(x)) o = old.find((y) => isObject(y) && keys.every((k) => y[k] === x[k]));
      walk(x, o, it, `${path}[${i}]`, errs);
    });
  }
}

function evalRule(r: ValidationRule, v: unknown, old: unknown, s: JSONSchemaProps, path: string, errs: FieldError[]): void {
  const transition = usesOldSelf(r.rule);
  if (transition && old === undefined && !r.optionalOldSelf) return;
  const prog = compile(r.rule);
  const fieldPath = path + (r.fieldPath ?? '');
  const name = fieldPath || '<nil>';
  if (prog instanceof Error) { errs.push(field.invalid(name, jsonTypeName(v), `rule compile error: ${prog.message.split('\n')[0]}`)); return; }
  const self = toCEL(v, s);
  const ctx: Record<string, unknown> = { self };
  if (transition) ctx.oldSelf = old === undefined ? undefined : toCEL(old, s);
  let ok: unknown;
  try { ok = prog(ctx); } catch (e) {
    errs.push(field.invalid(name, jsonTypeName(v), `rule evaluation error: ${(e as Error).message.split('\n')[0]}`));
    return;
  }
  if (ok === true) return;
  let message = r.message ?? `failed rule: ${r.rule.trim()}`;
  if (r.messageExpression) {
    const m = compile(r.messageExpression);
    if (!(m instanceof Error)) {
      try { const out = m(ctx); if (typeof out === 'string' && out.trim() !== '' && !out.includes('\n')) message = out; } catch { /* fall back to message */ }
    }
  }
  // upstream shows the schema type as the value ("object", "string", …)
  const shown = s.type ?? jsonTypeName(v);
  switch (r.reason) {
    case 'FieldValueForbidden': errs.push(field.forbidden(name, message)); break;
    case 'FieldValueRequired': errs.push(field.required(name, message)); break;
    case 'FieldValueDuplicate': errs.push({ type: 'FieldValueDuplicate', field: name, message: `Duplicate value: ${JSON.stringify(shown)}` }); break;
    default: errs.push(field.invalid(name, shown, message));
  }
}
