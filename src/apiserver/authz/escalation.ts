// Privilege-escalation prevention for RBAC writes (upstream pkg/registry/rbac/*/policybased and
// validation.ConfirmNoEscalation): a user may only write a Role/ClusterRole whose rules it already
// holds, or bind a role whose rules it holds, unless it may `escalate` (roles) or `bind` (bindings).
// Served as a validating admission plugin, so it sees the final object of a create, update or patch.
import { StatusError } from '../../machinery/errors.js';
import type { AdmissionAttributes, AdmissionPlugin, Authorizer } from '../chain.js';
import type { UserInfo } from '../http/types.js';
import { aggregate, RBAC_GROUP, type RBACAuthorizer } from './rbac/authorizer.js';
import { compactString, type PolicyRule, type RoleRef } from './rbac/rules.js';

const has = (xs: readonly string[] | undefined, x: string) => !!xs && xs.includes(x);

/** one requested permission: a single verb on a single group/resource(/name), or a single URL */
function breakdown(rule: PolicyRule): PolicyRule[] {
  const out: PolicyRule[] = [];
  for (const group of rule.apiGroups ?? []) {
    for (const resource of rule.resources ?? []) {
      for (const verb of rule.verbs ?? []) {
        if (rule.resourceNames?.length) {
          for (const n of rule.resourceNames) out.push({ apiGroups: [group], resources: [resource], resourceNames: [n], verbs: [verb] });
        } else {
          out.push({ apiGroups: [group], resources: [resource], verbs: [verb] });
        }
      }
    }
  }
  for (const url of rule.nonResourceURLs ?? []) {
    for (const verb of rule.verbs ?? []) out.push({ nonResourceURLs: [url], verbs: [verb] });
  }
  return out;
}

function resourceCovers(owner: string[] | undefined, resource: string): boolean {
  if (has(owner, '*') || has(owner, resource)) return true;
  const slash = resource.indexOf('/');
  return slash >= 0 && has(owner, `*/${resource.slice(slash + 1)}`);
}

function urlCovers(owner: string[] | undefined, url: string): boolean {
  for (const o of owner ?? []) {
    if (o === '*' || o === url) return true;
    if (o.endsWith('*') && url.startsWith(o.slice(0, -1))) return true;
  }
  return false;
}

/** upstream ruleCovers for an atomic requested rule */
function ruleCovers(owner: PolicyRule, req: PolicyRule): boolean {
  const verb = req.verbs[0];
  if (!has(owner.verbs, '*') && !has(owner.verbs, verb)) return false;
  if (req.nonResourceURLs?.length) return urlCovers(owner.nonResourceURLs, req.nonResourceURLs[0]);
  const group = req.apiGroups![0];
  if (!has(owner.apiGroups, '*') && !has(owner.apiGroups, group)) return false;
  if (!resourceCovers(owner.resources, req.resources![0])) return false;
  if (!owner.resourceNames?.length) return true;
  return !!req.resourceNames?.length && has(owner.resourceNames, req.resourceNames[0]);
}

/** upstream validation.Covers: the requested permissions no owner rule covers (compacted, sorted) */
export function uncovered(ownerRules: readonly PolicyRule[], requested: readonly PolicyRule[]): PolicyRule[] {
  const missing: PolicyRule[] = [];
  for (const r of requested) {
    for (const sub of breakdown(r)) {
      if (!ownerRules.some((o) => ruleCovers(o, sub))) missing.push(sub);
    }
  }
  return compact(missing);
}

/** merge atomic resource rules that differ only in verb, as upstream CompactRules; sort by text */
function compact(rules: PolicyRule[]): PolicyRule[] {
  const byKey = new Map<string, PolicyRule>();
  const out: PolicyRule[] = [];
  for (const r of rules) {
    if (r.nonResourceURLs?.length) { out.push(r); continue; }
    const k = JSON.stringify([r.apiGroups, r.resources, r.resourceNames ?? []]);
    const prev = byKey.get(k);
    if (prev) { if (!prev.verbs.includes(r.verbs[0])) prev.verbs.push(r.verbs[0]); continue; }
    const copy = { ...r, verbs: [...r.verbs] };
    byKey.set(k, copy);
    out.push(copy);
  }
  return out.sort((a, b) => (compactString(a) < compactString(b) ? -1 : compactString(a) > compactString(b) ? 1 : 0));
}

function forbiddenRBAC(resource: string, name: string, message: string): StatusError {
  return new StatusError(403, 'Forbidden', `${resource}.${RBAC_GROUP} ${JSON.stringify(name)} is forbidden: ${message}`,
    { name, group: RBAC_GROUP, kind: resource });
}

const q = (xs: string[]) => `[${xs.map((x) => JSON.stringify(x)).join(' ')}]`;

export interface EscalationDeps {
  rbac: RBACAuthorizer;
  /** the server's whole authorizer (escalate/bind checks go through every mode, as upstream) */
  authorizer: Authorizer;
}

export class EscalationChecker {
  constructor(private readonly deps: EscalationDeps) {}

  private async may(user: UserInfo, verb: string, resource: string, namespace: string, name: string): Promise<boolean> {
    const d = await this.deps.authorizer.authorize({
      user, verb, isResourceRequest: true, path: '', apiGroup: RBAC_GROUP, apiVersion: '*',
      namespace, resource, subresource: '', name,
    });
    return d.decision === 'allow';
  }

  /** ConfirmNoEscalation: throws the upstream 403 when the user lacks any of the rules */
  private confirm(user: UserInfo, namespace: string, rules: readonly PolicyRule[], resource: string, name: string): void {
    const owner = this.deps.rbac.rulesFor(user, namespace);
    const missing = uncovered(owner.rules, rules);
    if (missing.length === 0) return;
    let msg = `user ${JSON.stringify(user.name)} (groups=${q(user.groups ?? [])}) is attempting to grant RBAC permissions not currently held:\n${missing.map(compactString).join('\n')}`;
    if (owner.errors.length) msg += `; resolution errors: [${owner.errors.join(' ')}]`;
    throw forbiddenRBAC(resource, name, msg);
  }

  /** a Role/ClusterRole create or update */
  async checkRole(user: UserInfo, resource: 'roles' | 'clusterroles', namespace: string, obj: Record<string, unknown>, isUpdate: boolean): Promise<void> {
    if ((user.groups ?? []).includes('system:masters')) return;
    const name = (obj.metadata as { name?: string } | undefined)?.name ?? '';
    // upstream asks with the request's name: none on create
    if (await this.may(user, 'escalate', resource, namespace, isUpdate ? name : '')) return;
    if (resource === 'clusterroles' && obj.aggregationRule) {
      throw forbiddenRBAC(resource, name, 'must have cluster-admin privileges to use an aggregationRule');
    }
    this.confirm(user, namespace, (obj.rules as PolicyRule[] | undefined) ?? [], resource, name);
  }

  /** a RoleBinding/ClusterRoleBinding create or update */
  async checkBinding(user: UserInfo, resource: 'rolebindings' | 'clusterrolebindings', namespace: string, obj: Record<string, unknown>): Promise<void> {
    if ((user.groups ?? []).includes('system:masters')) return;
    const name = (obj.metadata as { name?: string } | undefined)?.name ?? '';
    const ref = obj.roleRef as RoleRef | undefined;
    if (!ref) return; // validation reports the missing roleRef
    const refResource = ref.kind === 'ClusterRole' ? 'clusterroles' : 'roles';
    if (await this.may(user, 'bind', refResource, namespace, ref.name)) return;
    const r = this.deps.rbac.roleRules(ref, namespace);
    if (r.error) throw forbiddenRBAC(resource, name, aggregate([r.error]));
    this.confirm(user, namespace, r.rules, resource, name);
  }
}

/** the validating admission plugin that runs the checks on RBAC writes */
export function escalationAdmission(checker: EscalationChecker): AdmissionPlugin {
  return {
    name: 'RBACEscalation',
    async validate(a: AdmissionAttributes) {
      if (a.type.group !== RBAC_GROUP || (a.operation !== 'CREATE' && a.operation !== 'UPDATE') || a.subresource || !a.object) return;
      const obj = a.object as Record<string, unknown>;
      const ns = a.type.namespaced ? a.namespace : '';
      switch (a.type.resource) {
        case 'roles':
        case 'clusterroles':
          return checkUnlessOnlyMeta(a, () => checker.checkRole(a.user, a.type.resource as 'roles', ns, obj, a.operation === 'UPDATE'));
        case 'rolebindings':
        case 'clusterrolebindings':
          return checkUnlessOnlyMeta(a, () => checker.checkBinding(a.user, a.type.resource as 'rolebindings', ns, obj));
      }
    },
  };
}

/** upstream IsOnlyMutatingGCFields: an update touching only ownerReferences/finalizers is not checked */
async function checkUnlessOnlyMeta(a: AdmissionAttributes, check: () => Promise<void>): Promise<void> {
  if (a.operation === 'UPDATE' && a.oldObject && a.object) {
    const strip = (o: unknown) => {
      const c = structuredClone(o) as Record<string, Record<string, unknown> | undefined>;
      if (c.metadata) { delete c.metadata.ownerReferences; delete c.metadata.finalizers; delete c.metadata.resourceVersion; delete c.metadata.managedFields; delete c.metadata.generation; }
      return JSON.stringify(c);
    };
    if (strip(a.object) === strip(a.oldObject)) return;
  }
  await check();
}
