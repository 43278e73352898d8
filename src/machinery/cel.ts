// The one CEL setup Kumo uses (@marcbachmann/cel-js): compiled programs cached by expression, JSON
// turned into CEL values, and the admission environments (webhook matchConditions and
// ValidatingAdmissionPolicy) with their declared variables, checked at write time as upstream's
// plugin/cel compiler does: syntax errors and undeclared references are compilation failures, and a
// result type that can never be the wanted one is "must evaluate to <type>".

import { Environment, parse } from '@marcbachmann/cel-js';

/** a compiled expression: call it with the variables */
export type CELProgram = (vars: Record<string, unknown>) => unknown;

const MAX_CACHED = 4096;

function memo(cache: Map<string, CELProgram | Error>, expr: string, build: (e: string) => CELProgram): CELProgram | Error {
  let p = cache.get(expr);
  if (!p) {
    try { p = build(expr); } catch (e) { p = e instanceof Error ? e : new Error(String(e)); }
    if (cache.size > MAX_CACHED) cache.clear();
    cache.set(expr, p);
  }
  return p;
}

const untyped = new Map<string, CELProgram | Error>();

/** an expression over undeclared (any) variables, e.g. CRD x-kubernetes-validations' `self` */
export function compileCEL(expr: string): CELProgram | Error {
  return memo(untyped, expr, (e) => parse(e) as CELProgram);
}

/** JSON → CEL values: integral numbers are CEL ints (BigInt), as upstream's typed objects give */
export function toCEL(v: unknown): unknown {
  if (typeof v === 'number') return Number.isInteger(v) ? BigInt(v) : v;
  if (Array.isArray(v)) return v.map(toCEL);
  if (v && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k] = toCEL(x);
    return out;
  }
  return v ?? null;
}

/** the first line of a cel-js error (the rest is a source excerpt) */
export function celErrorLine(e: unknown): string {
  const err = e as { summary?: string; message?: string };
  return String(err?.summary ?? err?.message ?? e).split('\n')[0];
}

/** the variables an admission expression may use */
export interface AdmissionVariables {
  /** policies with a paramKind */
  params?: boolean;
  /** ValidatingAdmissionPolicy expressions (not webhook matchConditions) */
  namespaceObject?: boolean;
  variables?: boolean;
}

interface AdmissionEnv { env: Environment; programs: Map<string, CELProgram | Error> }
const envs = new Map<string, AdmissionEnv>();

function admissionEnv(v: AdmissionVariables): AdmissionEnv {
  const names = ['object', 'oldObject', 'request', 'authorizer'];
  if (v.params) names.push('params');
  if (v.namespaceObject) names.push('namespaceObject');
  if (v.variables) names.push('variables');
  const key = names.join(',');
  let e = envs.get(key);
  if (!e) {
    const env = new Environment({ enableOptionalTypes: true, homogeneousAggregateLiterals: false });
    for (const n of names) env.registerVariable(n, 'dyn');
    e = { env, programs: new Map() };
    envs.set(key, e);
  }
  return e;
}

/** an admission expression compiled in its environment (cached); undeclared variables fail here */
export function compileAdmissionCEL(expr: string, vars: AdmissionVariables = {}): CELProgram | Error {
  const e = admissionEnv(vars);
  return memo(e.programs, expr, (x) => {
    const checked = e.env.check(x);
    if (!checked.valid && checked.error && isCompileError(checked.error)) throw checked.error;
    return e.env.parse(x) as CELProgram;
  });
}

/** check errors that upstream's compiler also reports; an unknown function may be one of upstream's
 * Kubernetes CEL libraries that cel-js lacks, so it is left to fail at evaluation */
function isCompileError(err: Error): boolean {
  return err.name === 'ParseError' || /^Unknown variable: /.test(celErrorLine(err));
}

function position(expr: string, err: Error): string {
  const pos = (err as { range?: { start?: number } }).range?.start ?? (err as { node?: { pos?: number } }).node?.pos;
  if (typeof pos !== 'number') return '';
  const before = expr.slice(0, pos).split('\n');
  return `${before.length}:${before[before.length - 1].length + 1}:`;
}

/** the compile error in upstream's wording ("compilation failed: ERROR: <input>:1:1: …"), or undefined */
export function admissionCompileError(expr: string, vars: AdmissionVariables = {}, returnType?: 'bool' | 'string'): string | undefined {
  const p = compileAdmissionCEL(expr, vars);
  if (p instanceof Error) {
    let msg = celErrorLine(p);
    const unknown = /^Unknown variable: (.*)$/.exec(msg);
    if (unknown) msg = `undeclared reference to '${unknown[1]}' (in container '')`;
    else if (p.name === 'ParseError') msg = `Syntax error: ${msg}`;
    const at = position(expr, p);
    return `compilation failed: ERROR: <input>:${at} ${msg}`;
  }
  if (returnType) {
    const checked = admissionEnv(vars).env.check(expr);
    if (checked.valid && checked.type && checked.type !== 'dyn' && checked.type !== returnType) return `must evaluate to ${returnType}`;
  }
  return undefined;
}
