// The RBAC authorizer: ClusterRoleBindings, then RoleBindings of the request's namespace, whose
// subjects name the user, one of its groups or its service account; the bound Role/ClusterRole's
// rules decide. Bindings are indexed by subject; the index is rebuilt lazily after the watch
// cache reports a change to any binding, so a decision costs a few map lookups.
import type { AuthorizationAttributes, Authorizer, Decision } from '../../chain.js';
import type { UserInfo } from '../../http/types.js';
import { rulesAllow, type PolicyRule, type RoleRef, type Subject } from './rules.js';

export const RBAC_GROUP = 'rbac.authorization.k8s.io';

/** the parts of a served resource the authorizers read: its watch cache */
export interface CacheView {
  store: {
    key?(namespace: string, name: string): string;
    cache: { objects: Map<string, { obj: unknown }>; listeners?: Set<(ev: never) => void> };
  };
}
export type Lookup = (group: string, version: string, resource: string) => CacheView | undefined;

interface BindingObj {
  metadata?: { name?: string; namespace?: string };
  subjects?: Subject[];
  roleRef?: RoleRef;
}
interface RoleObj { rules?: PolicyRule[] | null }

/** one (binding, subject) pair, filed under the subject's key */
interface Entry {
  kind: 'ClusterRoleBinding' | 'RoleBinding';
  name: string;
  namespace: string;
  roleRef: RoleRef;
  subject: Subject;
}

function subjectKey(s: Subject, bindingNamespace: string): string | undefined {
  switch (s.kind) {
    case 'User': return `u:${s.name}`;
    case 'Group': return `g:${s.name}`;
    // a RoleBinding's service account subject defaults to the binding's namespace
    case 'ServiceAccount': return `u:system:serviceaccount:${s.namespace || bindingNamespace}:${s.name}`;
    default: return undefined;
  }
}

/** every index key a user's bindings can be filed under */
export function userKeys(u: UserInfo): string[] {
  const keys = [`u:${u.name}`];
  for (const g of u.groups ?? []) keys.push(`g:${g}`);
  return keys;
}

function describeSubject(s: Subject, ns: string): string {
  if (s.kind === 'ServiceAccount') return `ServiceAccount ${JSON.stringify(`${s.name}/${s.namespace || ns}`)}`;
  return `${s.kind} ${JSON.stringify(s.name)}`;
}

function describeBinding(e: Entry): string {
  const name = e.kind === 'RoleBinding' ? `${e.name}/${e.namespace}` : e.name;
  return `${e.kind} ${JSON.stringify(name)} of ${e.roleRef.kind} ${JSON.stringify(e.roleRef.name)} to ${describeSubject(e.subject, e.namespace)}`;
}

/** upstream utilerrors.NewAggregate(...).Error() */
export function aggregate(errs: string[]): string {
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

export class RBACAuthorizer implements Authorizer {
  private cluster = new Map<string, Entry[]>();
  private namespaced = new Map<string, Map<string, Entry[]>>();
  private dirty = true;
  private watching = false;

  constructor(private readonly lookup: Lookup) {}

  private view(resource: string): CacheView | undefined {
    return this.lookup(RBAC_GROUP, 'v1', resource);
  }

  /** subscribe once the server's caches exist; any binding change marks the index stale */
  private refresh(): void {
    if (!this.watching) {
      const crb = this.view('clusterrolebindings');
      const rb = this.view('rolebindings');
      if (crb && rb) {
        const mark = () => { this.dirty = true; };
        crb.store.cache.listeners?.add(mark);
        rb.store.cache.listeners?.add(mark);
        this.watching = !!(crb.store.cache.listeners && rb.store.cache.listeners);
        this.dirty = true;
      }
    }
    if (this.dirty || !this.watching) this.rebuild();
  }

  private rebuild(): void {
    this.dirty = false;
    const cluster = new Map<string, Entry[]>();
    const namespaced = new Map<string, Map<string, Entry[]>>();
    const file = (into: Map<string, Entry[]>, b: BindingObj, kind: Entry['kind'], ns: string) => {
      if (!b.roleRef) return;
      for (const s of b.subjects ?? []) {
        const k = subjectKey(s, ns);
        if (!k) continue;
        let list = into.get(k);
        if (!list) into.set(k, list = []);
        list.push({ kind, name: b.metadata?.name ?? '', namespace: ns, roleRef: b.roleRef, subject: s });
      }
    };
    for (const { obj } of this.view('clusterrolebindings')?.store.cache.objects.values() ?? []) {
      file(cluster, obj as BindingObj, 'ClusterRoleBinding', '');
    }
    for (const { obj } of this.view('rolebindings')?.store.cache.objects.values() ?? []) {
      const b = obj as BindingObj;
      const ns = b.metadata?.namespace ?? '';
      let m = namespaced.get(ns);
      if (!m) namespaced.set(ns, m = new Map());
      file(m, b, 'RoleBinding', ns);
    }
    this.cluster = cluster;
    this.namespaced = namespaced;
  }

  /** the rules of a roleRef, or the NotFound message upstream's listers give */
  roleRules(ref: RoleRef, namespace: string): { rules: PolicyRule[]; error?: string } {
    if (ref.kind === 'ClusterRole') {
      const v = this.view('clusterroles');
      const key = v?.store.key ? v.store.key('', ref.name) : `/registry/clusterroles/${ref.name}`;
      const o = v?.store.cache.objects.get(key)?.obj as RoleObj | undefined;
      if (!o) return { rules: [], error: `clusterrole.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
      return { rules: o.rules ?? [] };
    }
    if (ref.kind === 'Role') {
      const v = this.view('roles');
      const key = v?.store.key ? v.store.key(namespace, ref.name) : `/registry/roles/${namespace}/${ref.name}`;
      const o = v?.store.cache.objects.get(key)?.obj as RoleObj | undefined;
      if (!o) return { rules: [], error: `role.rbac.authorization.k8s.io ${JSON.stringify(ref.name)} not found` };
      return { rules: o.rules ?? [] };
    }
    return { rules: [], error: `unsupported role reference kind: ${JSON.stringify(ref.kind)}` };
  }

  /**
   * Visit the (binding, rules) pairs that apply to a user in a namespace ('' = cluster scope
   * only), cluster bindings first. Stop when the visitor returns false.
   */
  visit(user: UserInfo, namespace: string, visitor: (e: Entry | undefined, rules: PolicyRule[], error?: string) => boolean): void {
    this.refresh();
    const keys = userKeys(user);
    for (const k of keys) {
      for (const e of this.cluster.get(k) ?? []) {
        // a ClusterRoleBinding may only reference a ClusterRole
        if (e.roleRef.kind !== 'ClusterRole') continue;
        const r = this.roleRules(e.roleRef, '');
        if (!visitor(e, r.rules, r.error)) return;
      }
    }
    if (!namespace) return;
    const m = this.namespaced.get(namespace);
    if (!m) return;
    for (const k of keys) {
      for (const e of m.get(k) ?? []) {
        const r = this.roleRules(e.roleRef, namespace);
        if (!visitor(e, r.rules, r.error)) return;
      }
    }
  }

  /** all rules a user holds in a namespace, with resolution errors (SelfSubjectRulesReview, escalation) */
  rulesFor(user: UserInfo, namespace: string): { rules: PolicyRule[]; errors: string[] } {
    const rules: PolicyRule[] = [];
    const errors: string[] = [];
    this.visit(user, namespace, (_e, rs, err) => {
      if (err) errors.push(err);
      rules.push(...rs);
      return true;
    });
    return { rules, errors };
  }

  authorize(a: AuthorizationAttributes): { decision: Decision; reason?: string } {
    let allowedBy: Entry | undefined;
    const errors: string[] = [];
    this.visit(a.user, a.namespace, (e, rules, err) => {
      if (err) { errors.push(err); return true; }
      if (rulesAllow(a, rules)) { allowedBy = e; return false; }
      return true;
    });
    if (allowedBy) return { decision: 'allow', reason: `RBAC: allowed by ${describeBinding(allowedBy)}` };
    return { decision: 'noOpinion', reason: errors.length ? `RBAC: ${aggregate(errors)}` : '' };
  }
}
