// matchConditions: CEL expressions over `object`, `oldObject` and `request` (the AdmissionRequest),
// evaluated with @marcbachmann/cel-js. As upstream's matchconditions.Matcher: any condition false →
// the webhook is skipped; an evaluation error → with failurePolicy Fail the request is refused,
// with Ignore the webhook is skipped. `authorizer` checks are not available (an error if used).

import { parse } from '@marcbachmann/cel-js';
import type { MatchCondition } from './types.js';

type Program = ReturnType<typeof parse>;
const programs = new Map<string, Program | Error>();

function compile(expr: string): Program | Error {
  let p = programs.get(expr);
  if (!p) {
    try { p = parse(expr); } catch (e) { p = e as Error; }
    if (programs.size > 4096) programs.clear();
    programs.set(expr, p);
  }
  return p;
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

export interface ConditionInput { object: unknown; oldObject: unknown; request: unknown }

export type MatchResult = { matches: true } | { matches: false; failedCondition?: string } | { error: string };

function firstLine(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0];
}

export function evaluateConditions(conditions: MatchCondition[], input: ConditionInput, failurePolicy: string | undefined): MatchResult {
  const vars = { object: toCEL(input.object), oldObject: toCEL(input.oldObject), request: toCEL(input.request) };
  const errors: string[] = [];
  for (const c of conditions) {
    const p = compile(c.expression);
    let result: unknown;
    if (p instanceof Error) { errors.push(`compilation failed: ERROR: <input>: ${firstLine(p)}`); continue; }
    try { result = p(vars); } catch (e) {
      errors.push(`expression '${c.expression}' resulted in error: ${firstLine(e)}`);
      continue;
    }
    if (result === false) return { matches: false, failedCondition: c.name };
    if (result !== true) errors.push(`expression '${c.expression}' resulted in error: cel expression must evaluate to a bool`);
  }
  if (errors.length === 0) return { matches: true };
  if (failurePolicy === 'Ignore') return { matches: false };
  return { error: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` };
}
