// Rule matching (upstream admission/plugin/webhook/predicates/rules): operation, API group, version,
// resource with subresource ("*", "*/*", "pods/*", "*/status") and scope.

import type { RuleWithOperations } from './types.js';

/** what a rule is checked against: the request, possibly with an equivalent resource substituted */
export interface RuleSubject {
  operation: string;
  group: string;
  version: string;
  resource: string;
  subresource: string;
  /** the request's namespace ('' for cluster-scoped; a namespace's own name for namespace requests) */
  namespace: string;
}

const exactOrWildcard = (items: string[] | undefined, v: string) => (items ?? []).some((i) => i === '*' || i === v);

function scopeMatches(scope: string | undefined, s: RuleSubject): boolean {
  if (!scope || scope === '*') return true;
  const isNamespaceObject = s.group === '' && s.resource === 'namespaces';
  // namespaces are cluster-scoped even though their requests carry a namespace (their own name)
  if (scope === 'Namespaced') return !isNamespaceObject && s.namespace !== '';
  if (scope === 'Cluster') return isNamespaceObject || s.namespace === '';
  return false;
}

function resourceMatches(resources: string[] | undefined, s: RuleSubject): boolean {
  for (const r of resources ?? []) {
    const slash = r.indexOf('/');
    const res = slash < 0 ? r : r.slice(0, slash);
    const sub = slash < 0 ? '' : r.slice(slash + 1);
    if ((res === '*' || res === s.resource) && (sub === '*' || sub === s.subresource)) return true;
  }
  return false;
}

export function ruleMatches(rule: RuleWithOperations, s: RuleSubject): boolean {
  return scopeMatches(rule.scope, s)
    && (rule.operations ?? []).some((o) => o === '*' || o === s.operation)
    && exactOrWildcard(rule.apiGroups, s.group)
    && exactOrWildcard(rule.apiVersions, s.version)
    && resourceMatches(rule.resources, s);
}

/** the admission configuration kinds themselves never go to webhooks (a bad webhook could not be removed) */
export function isExemptAdmissionConfigurationResource(group: string, resource: string): boolean {
  return group === 'admissionregistration.k8s.io' && [
    'validatingwebhookconfigurations', 'mutatingwebhookconfigurations',
    'validatingadmissionpolicies', 'validatingadmissionpolicybindings',
    'mutatingadmissionpolicies', 'mutatingadmissionpolicybindings',
  ].includes(resource);
}
