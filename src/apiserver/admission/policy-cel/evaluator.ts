// Evaluating one policy for one request and one param (upstream policy/validating/validator.go):
// matchConditions first (a false one skips the policy; an error is a failure subject to
// failurePolicy), then every validation — its expression false gives a denial with the
// messageExpression's result, the message, or "failed expression: <expr>", and the reason (Invalid
// by default) — and every auditAnnotation. `variables` are computed lazily, once, on first use.
// Expressions see object, oldObject, request, params, namespaceObject and variables; `authorizer` is
// not available (using it is an evaluation error).

import { celErrorLine, compileAdmissionCEL, toCEL, type AdmissionVariables, type CELProgram } from '../../../machinery/cel.js';
import type { Policy, Validation } from './types.js';

export type Action = 'admit' | 'deny';

export interface Decision {
  action: Action;
  /** 'error': the expression could not be evaluated (failurePolicy decided the action) */
  evaluation: 'admit' | 'deny' | 'error';
  message: string;
  /** StatusReason for a denial (validations only) */
  reason?: string;
}

export interface AuditAnnotationResult { key: string; action: 'publish' | 'exclude' | 'error'; value?: string; error?: string }

export interface ValidateResult { decisions: Decision[]; auditAnnotations: AuditAnnotationResult[] }

export interface EvaluationInput {
  object: unknown;
  oldObject: unknown;
  request: unknown;
  /** null when the policy has no params for this binding */
  params: unknown;
  namespaceObject: unknown;
}

interface Compiled { expression: string; program: CELProgram | Error }

export interface CompiledPolicy {
  failurePolicy: 'Fail' | 'Ignore';
  matchConditions: (Compiled & { name: string })[];
  variables: (Compiled & { name: string })[];
  validations: (Compiled & { v: Validation; message?: CELProgram | Error })[];
  auditAnnotations: (Compiled & { key: string })[];
}

const compiledPolicies = new WeakMap<Policy, CompiledPolicy>();

export function compilePolicy(policy: Policy): CompiledPolicy {
  let c = compiledPolicies.get(policy);
  if (c) return c;
  const spec = policy.spec ?? {};
  const vars: AdmissionVariables = { params: !!spec.paramKind, namespaceObject: true, variables: true };
  const compile = (expression: string, v = vars) => ({ expression, program: compileAdmissionCEL(expression, v) });
  c = {
    failurePolicy: spec.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail',
    matchConditions: (spec.matchConditions ?? []).map((m) => ({ name: m.name, ...compile(m.expression, { params: vars.params }) })),
    variables: (spec.variables ?? []).map((v) => ({ name: v.name, ...compile(v.expression) })),
    validations: (spec.validations ?? []).map((v) => ({
      v, ...compile(v.expression),
      message: v.messageExpression ? compileAdmissionCEL(v.messageExpression, vars) : undefined,
    })),
    auditAnnotations: (spec.auditAnnotations ?? []).map((a) => ({ key: a.key, ...compile(a.valueExpression) })),
  };
  compiledPolicies.set(policy, c);
  return c;
}

/** upstream's cel.Error detail for a compile or evaluation failure */
function run(c: Compiled, vars: Record<string, unknown>): { value: unknown } | { error: string } {
  if (c.program instanceof Error) return { error: `compilation error: ${celErrorLine(c.program)}` };
  try {
    return { value: c.program(vars) };
  } catch (e) {
    return { error: `expression '${c.expression}' resulted in error: ${celErrorLine(e)}` };
  }
}

/** `variables`: each computed on first use (its value or its error kept for the rest of the evaluation) */
function lazyVariables(defs: CompiledPolicy['variables'], vars: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const d of defs) {
    let done: { value: unknown } | { error: string } | undefined;
    Object.defineProperty(out, d.name, {
      enumerable: true,
      get() {
        done ??= run(d, vars);
        if ('error' in done) throw new Error(done.error);
        return done.value;
      },
    });
  }
  return out;
}

const MAX_MESSAGE_BYTES = 5 * 1024;

export function validate(c: CompiledPolicy, input: EvaluationInput): ValidateResult {
  const onError: Action = c.failurePolicy === 'Ignore' ? 'admit' : 'deny';
  const vars: Record<string, unknown> = {
    object: toCEL(input.object), oldObject: toCEL(input.oldObject), request: toCEL(input.request),
    params: toCEL(input.params), namespaceObject: toCEL(input.namespaceObject), authorizer: null,
  };
  vars.variables = lazyVariables(c.variables, vars);

  if (c.matchConditions.length) {
    const errors: string[] = [];
    for (const m of c.matchConditions) {
      const r = run(m, vars);
      if ('error' in r) { errors.push(r.error); continue; }
      if (r.value === false) return { decisions: [], auditAnnotations: [] };
      if (r.value !== true) errors.push(`expression '${m.expression}' resulted in error: cel expression must evaluate to a bool`);
    }
    if (errors.length) {
      if (c.failurePolicy === 'Ignore') return { decisions: [], auditAnnotations: [] };
      const message = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
      return { decisions: [{ action: 'deny', evaluation: 'error', message }], auditAnnotations: [] };
    }
  }

  const decisions: Decision[] = c.validations.map((v) => {
    const r = run(v, vars);
    if ('error' in r) return { action: onError, evaluation: 'error', message: r.error };
    if (r.value === true) return { action: 'admit', evaluation: 'admit', message: '' };
    let message = '';
    if (v.message && !(v.message instanceof Error)) {
      // a messageExpression that fails, or gives a non-string, blank, multi-line or too long message, falls back
      try {
        const m = v.message(vars);
        if (typeof m === 'string') {
          message = m.trim();
          if (Buffer.byteLength(message) > MAX_MESSAGE_BYTES || message.includes('\n')) message = '';
        }
      } catch { /* fall back */ }
    }
    if (!message && v.v.message) message = v.v.message.trim();
    if (!message) message = `failed expression: ${v.expression.trim()}`;
    return { action: 'deny', evaluation: 'deny', message, reason: v.v.reason || 'Invalid' };
  });

  const auditAnnotations: AuditAnnotationResult[] = c.auditAnnotations.map((a) => {
    const r = run(a, vars);
    if ('error' in r) return c.failurePolicy === 'Ignore' ? { key: a.key, action: 'exclude' } : { key: a.key, action: 'error', error: r.error };
    if (r.value === null || r.value === undefined) return { key: a.key, action: 'exclude' };
    if (typeof r.value === 'string') {
      const value = r.value.trim();
      return value ? { key: a.key, action: 'publish', value } : { key: a.key, action: 'exclude' };
    }
    return { key: a.key, action: 'error',
      error: `valueExpression '${a.expression}' resulted in unsupported return type: ${celType(r.value)}. Return type must be either string or null.` };
  });
  return { decisions, auditAnnotations };
}

function celType(v: unknown): string {
  if (typeof v === 'bigint') return 'int';
  if (typeof v === 'number') return 'double';
  if (typeof v === 'boolean') return 'bool';
  if (Array.isArray(v)) return 'list';
  if (v instanceof Uint8Array) return 'bytes';
  return typeof v === 'object' ? 'map' : typeof v;
}
