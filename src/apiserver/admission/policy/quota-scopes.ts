// ResourceQuota scopes (upstream pkg/quota/v1/evaluator/core/pods.go podMatchesScopeFunc): a quota
// with scopes counts only the pods that match all of them; non-pod resources match no scope.
import type { KObject } from '../../../api/types.js';

interface ScopedRequirement { scopeName: string; operator: string; values?: string[] }

export function quotaScopes(quota: KObject): ScopedRequirement[] {
  const spec = quota.spec as { scopes?: string[]; scopeSelector?: { matchExpressions?: ScopedRequirement[] } } | undefined;
  const out: ScopedRequirement[] = (spec?.scopes ?? []).map((s) => ({ scopeName: s, operator: 'Exists' }));
  for (const e of spec?.scopeSelector?.matchExpressions ?? []) out.push(e);
  return out;
}

function isBestEffort(pod: KObject): boolean {
  const spec = pod.spec as { containers?: { resources?: { requests?: object; limits?: object } }[]; initContainers?: { resources?: { requests?: object; limits?: object } }[] } | undefined;
  for (const c of [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])]) {
    if (Object.keys(c.resources?.requests ?? {}).length || Object.keys(c.resources?.limits ?? {}).length) return false;
  }
  return true;
}

function matchesOne(req: ScopedRequirement, resource: string, obj: KObject): boolean {
  if (resource !== 'pods') return false;
  const spec = obj.spec as { activeDeadlineSeconds?: number; priorityClassName?: string } | undefined;
  switch (req.scopeName) {
    case 'Terminating': return spec?.activeDeadlineSeconds !== undefined && spec.activeDeadlineSeconds >= 0;
    case 'NotTerminating': return spec?.activeDeadlineSeconds === undefined || spec.activeDeadlineSeconds < 0;
    case 'BestEffort': return isBestEffort(obj);
    case 'NotBestEffort': return !isBestEffort(obj);
    case 'PriorityClass': {
      const pc = spec?.priorityClassName;
      switch (req.operator) {
        case 'Exists': return Boolean(pc);
        case 'DoesNotExist': return !pc;
        case 'In': return pc !== undefined && (req.values ?? []).includes(pc);
        case 'NotIn': return pc === undefined || !(req.values ?? []).includes(pc);
      }
      return false;
    }
    default: return false;
  }
}

/** does the quota count this object at all? */
export function quotaMatches(quota: KObject, group: string, resource: string, obj: KObject): boolean {
  const scopes = quotaScopes(quota);
  if (scopes.length === 0) return true;
  return group === '' && scopes.every((s) => matchesOne(s, resource, obj));
}

/**
 * Best-effort pods cannot use compute resources: a BestEffort-scoped quota tracks only pod counts,
 * as upstream's evaluator limits the names it will count by scope.
 */
export function scopeAllowsName(quota: KObject, name: string): boolean {
  const scopes = quotaScopes(quota).map((s) => s.scopeName);
  if (scopes.includes('BestEffort')) return name === 'pods' || name === 'count/pods';
  return true;
}
