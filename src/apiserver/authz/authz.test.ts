import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCache } from './testutil.js';
import { buildAuthorizer } from './index.js';
import { RBACAuthorizer } from './rbac/authorizer.js';
import { clusterRoleBindings, clusterRoles } from './bootstrappolicy.js';
import { aggregatedRules } from './aggregation.js';
import { EscalationChecker, uncovered } from './escalation.js';
import { StatusError } from '../../machinery/errors.js';
import type { AuthorizationAttributes } from '../chain.js';
import type { UserInfo } from '../http/types.js';

const G = 'rbac.authorization.k8s.io';

function attrs(user: UserInfo, verb: string, resource: string, namespace = '', extra: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes {
  return { user, verb, isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', namespace, resource, subresource: '', name: '', ...extra };
}

/** a cache holding the bootstrap policy with aggregation applied */
function bootstrapped(): FakeCache {
  const c = new FakeCache();
  const roles = clusterRoles();
  // aggregate to a fixed point, as the controller does
  for (let i = 0; i < 4; i++) {
    for (const r of roles) {
      const rules = aggregatedRules(r, roles);
      if (rules) r.rules = rules;
    }
  }
  for (const r of roles) c.put('clusterroles', r);
  for (const b of clusterRoleBindings()) c.put('clusterrolebindings', b);
  return c;
}

const alice: UserInfo = { name: 'alice', groups: ['system:authenticated'] };
const admin: UserInfo = { name: 'admin', groups: ['system:masters', 'system:authenticated'] };

test('RBAC: RoleBinding to admin grants the namespace only; reasons name the binding', async () => {
  const c = bootstrapped();
  c.put('rolebindings', { metadata: { name: 'alice-admin', namespace: 'team' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'admin' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: G }] });
  const z = new RBACAuthorizer(c.lookup);
  const ok = z.authorize(attrs(alice, 'create', 'pods', 'team'));
  assert.equal(ok.decision, 'allow');
  assert.equal(ok.reason, 'RBAC: allowed by RoleBinding "alice-admin/team" of ClusterRole "admin" to User "alice"');
  assert.equal(z.authorize(attrs(alice, 'create', 'pods', 'other')).decision, 'noOpinion');
  assert.equal(z.authorize(attrs(alice, 'list', 'nodes')).decision, 'noOpinion');
  assert.equal(z.authorize(attrs(alice, 'create', 'roles', 'team', { apiGroup: G })).decision, 'allow', 'admin aggregates system:aggregate-to-admin');
  assert.equal(z.authorize(attrs(alice, 'update', 'resourcequotas', 'team')).decision, 'noOpinion');
  assert.equal(z.authorize(attrs(alice, 'get', 'pods', 'team', { subresource: 'log' })).decision, 'allow', 'view aggregates pods/log');
  // the index follows changes
  c.remove('rolebindings', 'team', 'alice-admin');
  assert.equal(z.authorize(attrs(alice, 'create', 'pods', 'team')).decision, 'noOpinion');
});

test('RBAC: groups, service accounts (with defaulted namespace) and missing roles', () => {
  const c = bootstrapped();
  c.put('roles', { metadata: { name: 'reader', namespace: 'ns1' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['configmaps'], resourceNames: ['cfg'] }] });
  c.put('rolebindings', { metadata: { name: 'sa', namespace: 'ns1' }, roleRef: { apiGroup: G, kind: 'Role', name: 'reader' }, subjects: [{ kind: 'ServiceAccount', name: 'bot' }] });
  c.put('rolebindings', { metadata: { name: 'gone', namespace: 'ns1' }, roleRef: { apiGroup: G, kind: 'Role', name: 'missing' }, subjects: [{ kind: 'Group', name: 'devs', apiGroup: G }] });
  const z = new RBACAuthorizer(c.lookup);
  const bot: UserInfo = { name: 'system:serviceaccount:ns1:bot', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'] };
  assert.equal(z.authorize(attrs(bot, 'get', 'configmaps', 'ns1', { name: 'cfg' })).decision, 'allow');
  assert.equal(z.authorize(attrs(bot, 'get', 'configmaps', 'ns1', { name: 'other' })).decision, 'noOpinion');
  const otherBot: UserInfo = { name: 'system:serviceaccount:ns2:bot', groups: ['system:authenticated'] };
  assert.equal(z.authorize(attrs(otherBot, 'get', 'configmaps', 'ns1', { name: 'cfg' })).decision, 'noOpinion');
  const dev: UserInfo = { name: 'dev', groups: ['devs'] };
  const d = z.authorize(attrs(dev, 'get', 'pods', 'ns1'));
  assert.equal(d.decision, 'noOpinion');
  assert.equal(d.reason, 'RBAC: role.rbac.authorization.k8s.io "missing" not found');
  // non-resource: discovery for authenticated users, public info for anonymous
  const path = (user: UserInfo, p: string) => ({ ...attrs(user, 'get', ''), isResourceRequest: false, path: p });
  assert.equal(z.authorize(path(alice, '/apis/apps/v1')).decision, 'allow');
  const anon: UserInfo = { name: 'system:anonymous', groups: ['system:unauthenticated'] };
  assert.equal(z.authorize(path(anon, '/version')).decision, 'allow');
  assert.equal(z.authorize(path(anon, '/apis')).decision, 'noOpinion');
  assert.equal(z.authorize(attrs(anon, 'create', 'selfsubjectaccessreviews', '', { apiGroup: 'authorization.k8s.io' })).decision, 'noOpinion');
  assert.equal(z.authorize(attrs(alice, 'create', 'selfsubjectaccessreviews', '', { apiGroup: 'authorization.k8s.io' })).decision, 'allow');
});

test('buildAuthorizer: order, system:masters, AlwaysDeny reason, bad modes', async () => {
  const c = bootstrapped();
  const z = buildAuthorizer(['Node', 'RBAC'], { lookup: c.lookup });
  assert.equal((await z.authorize(attrs(admin, 'delete', 'nodes'))).decision, 'allow');
  const no = await z.authorize(attrs(alice, 'list', 'pods', 'x'));
  assert.equal(no.decision, 'noOpinion');
  const deny = buildAuthorizer(['AlwaysDeny'], { lookup: c.lookup });
  assert.deepEqual(await deny.authorize(attrs(alice, 'get', 'pods')), { decision: 'noOpinion', reason: 'Everything is forbidden.' });
  assert.equal((await buildAuthorizer(['AlwaysAllow'], { lookup: c.lookup }).authorize(attrs(alice, 'get', 'pods'))).decision, 'allow');
  assert.throws(() => buildAuthorizer(['ABAC'], { lookup: c.lookup }), /unknown authorization mode "ABAC"/);
  assert.throws(() => buildAuthorizer(['RBAC', 'RBAC'], { lookup: c.lookup }), /more than once/);
  assert.throws(() => buildAuthorizer([], { lookup: c.lookup }));
});

test('aggregation: admin ⊇ edit ⊇ view, rules deduplicated and ordered by source role name', () => {
  const roles = clusterRoles();
  const view = roles.find((r) => r.metadata!.name === 'view')!;
  const rules = aggregatedRules(view, roles)!;
  assert.ok(rules.length > 5);
  assert.equal(aggregatedRules(roles.find((r) => r.metadata!.name === 'cluster-admin')!, roles), undefined);
  const extra = { metadata: { name: 'zz-extra', labels: { 'rbac.authorization.k8s.io/aggregate-to-view': 'true' } }, rules: [{ verbs: ['get'], apiGroups: ['x.io'], resources: ['widgets'] }, rules[0]] };
  const more = aggregatedRules(view, [...roles, extra])!;
  assert.equal(more.length, rules.length + 1, 'duplicate rule dropped');
  assert.deepEqual(more.at(-1), extra.rules[0]);
});

test('escalation: uncovered rules and upstream 403 wording', async () => {
  assert.deepEqual(uncovered([{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }]), []);
  assert.deepEqual(uncovered([{ verbs: ['get'], apiGroups: [''], resources: ['*/scale'] }], [{ verbs: ['get'], apiGroups: [''], resources: ['deployments/scale'] }]), []);
  assert.deepEqual(uncovered([{ verbs: ['get'], apiGroups: [''], resources: ['pods'], resourceNames: ['a'] }], [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]),
    [{ verbs: ['get', 'list'], apiGroups: [''], resources: ['pods'] }]);
  assert.deepEqual(uncovered([{ verbs: ['get'], nonResourceURLs: ['/logs/*'] }], [{ verbs: ['get'], nonResourceURLs: ['/logs/a', '/metrics'] }]),
    [{ verbs: ['get'], nonResourceURLs: ['/metrics'] }]);

  const c = bootstrapped();
  c.put('rolebindings', { metadata: { name: 'alice-edit', namespace: 'team' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'edit' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: G }] });
  const union = buildAuthorizer(['RBAC'], { lookup: c.lookup });
  const chk = new EscalationChecker({ rbac: union.rbac!, authorizer: union });
  // a role within edit's rules is fine
  await chk.checkRole(alice, 'roles', 'team', { metadata: { name: 'ok' }, rules: [{ verbs: ['get'], apiGroups: [''], resources: ['pods'] }] }, false);
  await assert.rejects(chk.checkRole(alice, 'roles', 'team', { metadata: { name: 'bad' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] }, false), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 403);
    assert.equal(e.message, 'roles.rbac.authorization.k8s.io "bad" is forbidden: user "alice" (groups=["system:authenticated"]) is attempting to grant RBAC permissions not currently held:\n{APIGroups:["*"], Resources:["*"], Verbs:["*"]}');
    return true;
  });
  await assert.rejects(chk.checkBinding(alice, 'rolebindings', 'team', { metadata: { name: 'b' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'cluster-admin' } }), /rolebindings.rbac.authorization.k8s.io "b" is forbidden: user "alice".*not currently held/s);
  await assert.rejects(chk.checkBinding(alice, 'clusterrolebindings', '', { metadata: { name: 'b' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'view' } }), /forbidden/);
  // binding view in her namespace is fine: edit covers view
  await chk.checkBinding(alice, 'rolebindings', 'team', { metadata: { name: 'v' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'view' } });
  await assert.rejects(chk.checkRole(alice, 'clusterroles', '', { metadata: { name: 'agg' }, aggregationRule: { clusterRoleSelectors: [] } }, false), /aggregationRule/);
  // the bind and escalate verbs lift the checks
  c.put('roles', { metadata: { name: 'binder', namespace: 'team' }, rules: [{ verbs: ['bind'], apiGroups: [G], resources: ['clusterroles'], resourceNames: ['cluster-admin'] }, { verbs: ['escalate'], apiGroups: [G], resources: ['roles'] }] });
  c.put('rolebindings', { metadata: { name: 'alice-binder', namespace: 'team' }, roleRef: { apiGroup: G, kind: 'Role', name: 'binder' }, subjects: [{ kind: 'User', name: 'alice', apiGroup: G }] });
  await chk.checkBinding(alice, 'rolebindings', 'team', { metadata: { name: 'b' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'cluster-admin' } });
  await chk.checkRole(alice, 'roles', 'team', { metadata: { name: 'bad' }, rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }] }, false);
  // system:masters may do anything
  await chk.checkBinding(admin, 'clusterrolebindings', '', { metadata: { name: 'x' }, roleRef: { apiGroup: G, kind: 'ClusterRole', name: 'cluster-admin' } });
});
