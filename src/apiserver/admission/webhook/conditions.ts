// matchConditions: CEL expressions over `object`, `oldObject` and `request` (the AdmissionRequest),
// evaluated with the shared CEL setup (machinery/cel.ts). As upstream's matchconditions.Matcher: any condition false →
// the webhook is skipped; an evaluation error → with failurePolicy Fail the request is refused,
// with Ignore the webhook is skipped. `authorizer` checks are not available (an error if used).

import { celErrorLine, compileAdmissionCEL, toCEL } from '../../../machinery/cel.js';
import type { MatchCondition } from './types.js';

export { toCEL };

export interface ConditionInput { object: unknown; oldObject: unknown; request: unknown }

export type MatchResult = { matches: true } | { matches: false; failedCondition?: string } | { error: string };

export function evaluateConditions(conditions: MatchCondition[], input: ConditionInput, failurePolicy: string | undefined): MatchResult {
  const vars = { object: toCEL(input.object), oldObject: toCEL(input.oldObject), request: toCEL(input.request) };
  const errors: string[] = [];
  for (const c of conditions) {
    const p = compileAdmissionCEL(c.expression);
    let result: unknown;
    if (p instanceof Error) { errors.push(`compilation failed: ERROR: <input>: ${celErrorLine(p)}`); continue; }
    try { result = p(vars); } catch (e) {
      errors.push(`expression '${c.expression}' resulted in error: ${celErrorLine(e)}`);
      continue;
    }
    if (result === false) return { matches: false, failedCondition: c.name };
    if (result !== true) errors.push(`expression '${c.expression}' resulted in error: cel expression must evaluate to a bool`);
  }
  if (errors.length === 0) return { matches: true };
  if (failurePolicy === 'Ignore') return { matches: false };
  return { error: errors.length === 1 ? errors[0] : `[${errors.join(', ')}]` };
}
