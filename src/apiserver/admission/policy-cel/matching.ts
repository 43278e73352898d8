// matchConstraints / matchResources (upstream policy/matching): namespaceSelector (cluster-scoped
// requests other than namespaces always pass it), objectSelector (object or old object), then
// excludeResourceRules and resourceRules — each a webhook rule plus resourceNames — with matchPolicy
// Equivalent trying the other served versions of the resource. No resourceRules (a binding's
// matchResources) matches every resource.

import { StatusError, internalError } from '../../../machinery/errors.js';
import { LabelSelector, selectorFromLabelSelector } from '../../../machinery/labels/selector.js';
import type { KObject } from '../../../api/types.js';
import type { ServedVersion } from '../webhook/dispatcher.js';
import { ruleMatches } from '../webhook/rules.js';
import type { LabelSelectorJSON } from '../webhook/types.js';
import type { PolicyRequest } from './request.js';
import type { MatchResources, NamedRuleWithOperations } from './types.js';

interface Parsed { namespaceSelector: LabelSelector | Error; objectSelector: LabelSelector | Error }
const parsed = new WeakMap<MatchResources, Parsed>();

function selector(s: LabelSelectorJSON | undefined): LabelSelector | Error {
  try { return selectorFromLabelSelector((s ?? {}) as never); } catch (e) { return e as Error; }
}

function parsedOf(m: MatchResources): Parsed {
  let p = parsed.get(m);
  if (!p) {
    p = { namespaceSelector: selector(m.namespaceSelector), objectSelector: selector(m.objectSelector) };
    parsed.set(m, p);
  }
  return p;
}

const labelsOf = (o: KObject | undefined) => o?.metadata?.labels ?? {};

function nameMatches(rule: NamedRuleWithOperations, name: string): boolean {
  return !rule.resourceNames?.length || rule.resourceNames.includes(name);
}

/** the served version a rule list matches the request in, or undefined */
function matchRules(rules: NamedRuleWithOperations[], matchPolicy: string | undefined, r: PolicyRequest): ServedVersion | undefined {
  for (const rule of rules) {
    if (ruleMatches(rule, r.subject(r.requestVersion)) && nameMatches(rule, r.a.name)) return r.requestVersion;
  }
  if (matchPolicy !== 'Equivalent') return undefined;
  for (const rule of rules) {
    for (const v of r.versions) {
      if (v === r.requestVersion) continue;
      if (ruleMatches(rule, r.subject(v)) && nameMatches(rule, r.a.name)) return v;
    }
  }
  return undefined;
}

/**
 * The version the request is matched in (its own, or an equivalent one), or undefined when the
 * criteria do not select the request. Throws when deciding failed for a request the rules select
 * (its namespace is missing, a selector cannot be parsed).
 */
export function matchResources(m: MatchResources, r: PolicyRequest): ServedVersion | undefined {
  const p = parsedOf(m);
  let err: StatusError | undefined;
  if (r.namespace !== '' || r.isNamespace) {
    if (p.namespaceSelector instanceof Error) err = internalError(p.namespaceSelector);
    else if (!p.namespaceSelector.isEmpty()) {
      try {
        if (!p.namespaceSelector.matches(r.namespaceLabels())) return undefined;
      } catch (e) { err = e instanceof StatusError ? e : internalError(e); }
    }
  }
  if (p.objectSelector instanceof Error) err ??= internalError(p.objectSelector);
  else if (!p.objectSelector.isEmpty()
    && !p.objectSelector.matches(labelsOf(r.a.object)) && !(r.a.oldObject && p.objectSelector.matches(labelsOf(r.a.oldObject)))) {
    return undefined;
  }
  if (m.excludeResourceRules?.length && matchRules(m.excludeResourceRules, m.matchPolicy, r)) return undefined;
  const version = m.resourceRules?.length ? matchRules(m.resourceRules, m.matchPolicy, r) : r.requestVersion;
  if (!version) return undefined;
  if (err) throw err;
  return version;
}
