// FlowSchema matching (upstream apf matching.go): the first schema, by matchingPrecedence then
// name, with a rule whose subjects match the user and whose resource or non-resource rule matches
// the request. "*" is a wildcard everywhere; "/prefix/*" matches a non-resource URL prefix.
import type { FlowSchema, NonResourcePolicyRule, ResourcePolicyRule, Subject } from './types.js';

export interface RequestDigest {
  user: { name: string; groups: string[] };
  isResourceRequest: boolean;
  verb: string;
  apiGroup: string;
  resource: string;
  subresource: string;
  namespace: string;
  path: string;
}

const has = (list: string[] | undefined, v: string) => !!list && (list.includes('*') || list.includes(v));

export function matchesSubject(s: Subject, user: RequestDigest['user']): boolean {
  switch (s.kind) {
    case 'User': return s.user?.name === '*' || s.user?.name === user.name;
    case 'Group': return s.group?.name === '*' || (!!s.group && user.groups.includes(s.group.name));
    case 'ServiceAccount': {
      const sa = s.serviceAccount;
      if (!sa) return false;
      const m = /^system:serviceaccount:([^:]+):([^:]+)$/.exec(user.name);
      return !!m && m[1] === sa.namespace && (sa.name === '*' || sa.name === m[2]);
    }
    default: return false;
  }
}

export function matchesResourceRule(r: ResourcePolicyRule, d: RequestDigest): boolean {
  if (!has(r.verbs, d.verb) || !has(r.apiGroups, d.apiGroup)) return false;
  const res = d.subresource ? `${d.resource}/${d.subresource}` : d.resource;
  if (!has(r.resources, res)) return false;
  if (!d.namespace) return !!r.clusterScope;
  return has(r.namespaces, d.namespace);
}

export function matchesNonResourceRule(r: NonResourcePolicyRule, d: RequestDigest): boolean {
  if (!has(r.verbs, d.verb)) return false;
  return r.nonResourceURLs.some((u) => u === '*' || u === d.path || (u.endsWith('/*') && d.path.startsWith(u.slice(0, -1))));
}

export function matchesFlowSchema(fs: FlowSchema, d: RequestDigest): boolean {
  for (const rule of fs.spec.rules ?? []) {
    if (!rule.subjects.some((s) => matchesSubject(s, d.user))) continue;
    if (d.isResourceRequest ? (rule.resourceRules ?? []).some((r) => matchesResourceRule(r, d))
      : (rule.nonResourceRules ?? []).some((r) => matchesNonResourceRule(r, d))) return true;
  }
  return false;
}

/** Sorted as upstream evaluates them: lower matchingPrecedence first, then by name. */
export function sortFlowSchemas(list: FlowSchema[]): FlowSchema[] {
  return [...list].sort((a, b) => (a.spec.matchingPrecedence ?? 1000) - (b.spec.matchingPrecedence ?? 1000)
    || (a.metadata.name < b.metadata.name ? -1 : a.metadata.name > b.metadata.name ? 1 : 0));
}

/** The flow distinguisher: the user for ByUser, the namespace for ByNamespace, none otherwise. */
export function flowDistinguisher(fs: FlowSchema, d: RequestDigest): string {
  const t = fs.spec.distinguisherMethod?.type;
  return t === 'ByUser' ? d.user.name : t === 'ByNamespace' ? d.namespace : '';
}
