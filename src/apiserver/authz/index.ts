// Authorization: --authorization-mode as upstream (a comma list tried in order; the first allow or
// deny decides). STUB until RBAC lands: AlwaysAllow for authenticated users.
import type { Authorizer } from '../chain.js';

export interface AuthzDeps {
  /** read access to the watch cache (roles, bindings, pods, nodes …) */
  lookup: (group: string, version: string, resource: string) => { store: { cache: { objects: Map<string, { obj: unknown }> } } } | undefined;
}

export function buildAuthorizer(modes: string[], _deps: AuthzDeps): Authorizer {
  for (const m of modes) {
    if (m !== 'AlwaysAllow') throw new Error(`--authorization-mode ${m} is not supported yet (supported: AlwaysAllow)`);
  }
  return { authorize: () => ({ decision: 'allow' }) };
}

/**
 * Serve authorization.k8s.io (SubjectAccessReview, SelfSubjectAccessReview,
 * LocalSubjectAccessReview, SelfSubjectRulesReview). STUB until RBAC lands.
 */
export function registerAuthorizationAPIs(_server: import('../server.js').APIServer): void {}
