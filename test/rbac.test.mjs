// RBAC end to end against `kumo server --authorization-mode=Node,RBAC`: a matrix of
// `kubectl auth can-i` answers for several identities (client certificates signed by the
// cluster CA), 403 wording, anonymous access, aggregation and escalation prevention.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './harness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { issueCertificate } = await import(join(ROOT, 'dist/pki/index.js'));

let s;
const kubeconfigs = {};

async function identity(id, user, groups) {
  const ca = { certPem: readFileSync(join(s.dir, 'pki/ca.crt'), 'utf8'), keyPem: readFileSync(join(s.dir, 'pki/ca.key'), 'utf8') };
  const cert = await issueCertificate(ca, { commonName: user, organizations: groups, usages: ['client'], days: 1 });
  const b64 = (x) => Buffer.from(x).toString('base64');
  const kc = `apiVersion: v1
kind: Config
clusters: [{name: kumo, cluster: {server: ${s.url}, certificate-authority-data: ${b64(ca.certPem)}}}]
users: [{name: ${id}, user: {client-certificate-data: ${b64(cert.certPem)}, client-key-data: ${b64(cert.keyPem)}}}]
contexts: [{name: ${id}, context: {cluster: kumo, user: ${id}}}]
current-context: ${id}
`;
  const path = join(s.dir, `${id}.kubeconfig`);
  writeFileSync(path, kc, { mode: 0o600 });
  kubeconfigs[id] = path;
  return { ...cert, ca: Buffer.from(ca.certPem) };
}

const as = (id, argv, opts = {}) => s.kubectl(argv, { ...opts, env: { KUBECONFIG: kubeconfigs[id] } });

async function ok(argv, opts) {
  const r = await s.kubectl(argv, opts);
  assert.equal(r.code, 0, `kubectl ${argv.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

before(async () => {
  s = await startServer({ args: ['--authorization-mode=Node,RBAC'] });
  await ok(['create', 'namespace', 'team']);
  await ok(['create', 'rolebinding', 'alice-admin', '--clusterrole=admin', '--user=alice', '-n', 'team']);
  await ok(['create', 'rolebinding', 'bob-view', '--clusterrole=view', '--user=bob', '-n', 'team']);
  await ok(['create', 'rolebinding', 'bot-edit', '--clusterrole=edit', '--serviceaccount=team:bot', '-n', 'team']);
  await ok(['apply', '-f', '-'], { input: `
apiVersion: v1
kind: Pod
metadata: {name: web, namespace: team}
spec:
  nodeName: n1
  containers: [{name: c, image: nginx, env: [{name: X, valueFrom: {secretKeyRef: {name: tls, key: k}}}]}]
` });
  await identity('alice', 'alice', []);
  await identity('bob', 'bob', []);
  await identity('bot', 'system:serviceaccount:team:bot', ['system:serviceaccounts', 'system:serviceaccounts:team']);
  await identity('node', 'system:node:n1', ['system:nodes']);
});
after(async () => { await s?.stop(); s?.cleanup(); });

// [identity (undefined = admin), can-i args, expected answer] — what upstream answers for the same bindings
const MATRIX = [
  [undefined, ['*', '*'], 'yes'],
  [undefined, ['create', 'clusterrolebindings'], 'yes'],
  ['alice', ['create', 'pods', '-n', 'team'], 'yes'],
  ['alice', ['get', 'pods', '--subresource=log', '-n', 'team'], 'yes'],
  ['alice', ['create', 'rolebindings.rbac.authorization.k8s.io', '-n', 'team'], 'yes'],
  ['alice', ['get', 'secrets', '-n', 'team'], 'yes'],
  ['alice', ['create', 'pods', '-n', 'default'], 'no'],
  ['alice', ['list', 'nodes'], 'no'],
  ['alice', ['update', 'resourcequotas', '-n', 'team'], 'no'],
  ['alice', ['create', 'clusterroles'], 'no'],
  ['bob', ['get', 'pods', '-n', 'team'], 'yes'],
  ['bob', ['list', 'deployments.apps', '-n', 'team'], 'yes'],
  ['bob', ['create', 'pods', '-n', 'team'], 'no'],
  ['bob', ['get', 'secrets', '-n', 'team'], 'no'],
  ['bob', ['get', 'pods', '-n', 'default'], 'no'],
  ['bot', ['create', 'deployments.apps', '-n', 'team'], 'yes'],
  ['bot', ['get', 'secrets', '-n', 'team'], 'yes'],
  ['bot', ['create', 'rolebindings.rbac.authorization.k8s.io', '-n', 'team'], 'no'],
  ['bot', ['delete', 'namespaces'], 'no'],
  ['node', ['get', 'secret/tls', '-n', 'team'], 'yes'],
  ['node', ['get', 'secret/other', '-n', 'team'], 'no'],
  ['node', ['get', 'nodes/n1'], 'yes'],
  ['node', ['get', 'nodes/n2'], 'no'],
  ['node', ['update', 'leases.coordination.k8s.io/n1', '-n', 'kube-node-lease'], 'yes'],
  ['node', ['update', 'leases.coordination.k8s.io/n2', '-n', 'kube-node-lease'], 'no'],
  ['node', ['list', 'pods'], 'yes'],
  ['node', ['delete', 'deployments.apps', '-n', 'team'], 'no'],
];

test('kubectl auth can-i matrix', async () => {
  const wrong = [];
  for (const [id, args, want] of MATRIX) {
    const argv = ['auth', 'can-i', ...args];
    const r = id ? await as(id, argv) : await s.kubectl(argv);
    const got = r.stdout.trim().split(" - ")[0];
    if (got !== want) wrong.push(`${id ?? 'admin'} can-i ${args.join(' ')}: got ${JSON.stringify(got)} (${r.stderr.trim()}), want ${want}`);
  }
  assert.deepEqual(wrong, []);
});

test('kubectl auth can-i --list shows the namespace admin its rules', async () => {
  const r = await as('alice', ['auth', 'can-i', '--list', '-n', 'team']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^pods\s+\[\]\s+\[\]\s+\[.*create.*\]/m);
  assert.match(r.stdout, /selfsubjectaccessreviews\.authorization\.k8s\.io/);
  const b = await as('bob', ['auth', 'can-i', '--list', '-n', 'team']);
  assert.doesNotMatch(b.stdout, /^secrets\s/m);
});

test('anonymous: public info only; 403 body wording', async () => {
  const v = await s.request('GET', '/version', { anonymous: true });
  assert.equal(v.status, 200);
  const api = await s.request('GET', '/api', { anonymous: true });
  assert.equal(api.status, 403);
  assert.equal(api.json.message, 'forbidden: User "system:anonymous" cannot get path "/api"');
  const pods = await s.request('GET', '/api/v1/namespaces/default/pods', { anonymous: true });
  assert.equal(pods.status, 403);
  const st = pods.json;
  assert.equal(st.reason, 'Forbidden');
  assert.equal(st.message, 'pods is forbidden: User "system:anonymous" cannot list resource "pods" in API group "" in the namespace "default"');
  const r = await as('bob', ['get', 'secrets', '-n', 'team']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /secrets is forbidden: User "bob" cannot list resource "secrets" in API group "" in the namespace "team"/);
});

test('SubjectAccessReview as admin for other users', async () => {
  const sar = (spec) => s.request('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews', {
    body: JSON.stringify({ apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec }), headers: { 'content-type': 'application/json' },
  });
  const a = await sar({ user: 'system:anonymous', groups: ['system:unauthenticated'], nonResourceAttributes: { path: '/healthz', verb: 'get' } });
  assert.equal(a.status, 201);
  assert.equal(a.json.status.allowed, true);
  const b = await sar({ user: 'bob', resourceAttributes: { namespace: 'team', verb: 'delete', resource: 'pods' } });
  assert.equal(b.json.status.allowed, false);
  const c = await sar({ user: 'alice', resourceAttributes: { namespace: 'team', verb: 'delete', resource: 'pods' } });
  assert.deepEqual(c.json.status, { allowed: true, reason: 'RBAC: allowed by RoleBinding "alice-admin/team" of ClusterRole "admin" to User "alice"' });
  const bad = await sar({ resourceAttributes: { verb: 'get' } });
  assert.equal(bad.status, 422);
});

test('aggregation: a new aggregate-to-view role extends view', async () => {
  await ok(['apply', '-f', '-'], { input: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata:
  name: widgets-view
  labels: {rbac.authorization.k8s.io/aggregate-to-view: "true"}
rules: [{apiGroups: [example.com], resources: [widgets], verbs: [get, list]}]
` });
  let view;
  for (let i = 0; i < 50; i++) {
    view = JSON.parse(await ok(['get', 'clusterrole', 'view', '-o', 'json']));
    if (view.rules.some((r) => r.apiGroups?.includes('example.com'))) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(view.rules.some((r) => r.apiGroups?.includes('example.com')), 'view aggregated the new rule');
  const admin = JSON.parse(await ok(['get', 'clusterrole', 'admin', '-o', 'json']));
  assert.equal(admin.metadata.annotations['rbac.authorization.kubernetes.io/autoupdate'], 'true');
  assert.equal(admin.metadata.labels['kubernetes.io/bootstrapping'], 'rbac-defaults');
  assert.ok(admin.rules.length > 20);
});

test('escalation attempts are 403 and change nothing', async () => {
  const bind = await as('alice', ['create', 'rolebinding', 'sneaky', '--clusterrole=cluster-admin', '--user=alice', '-n', 'team']);
  assert.notEqual(bind.code, 0);
  assert.match(bind.stderr, /rolebindings\.rbac\.authorization\.k8s\.io "sneaky" is forbidden: user "alice" \(groups=\["system:authenticated"\]\) is attempting to grant RBAC permissions not currently held/);
  const role = await as('alice', ['create', 'role', 'godlike', '--verb=*', '--resource=*.*', '-n', 'team']);
  assert.notEqual(role.code, 0);
  assert.match(role.stderr, /roles\.rbac\.authorization\.k8s\.io "godlike" is forbidden: .*not currently held:\n\{APIGroups:\["\*"\], Resources:\["\*"\], Verbs:\["\*"\]\}/);
  const crb = await as('alice', ['create', 'clusterrolebinding', 'sneaky', '--clusterrole=cluster-admin', '--user=alice']);
  assert.notEqual(crb.code, 0);
  assert.match(crb.stderr, /cannot create resource "clusterrolebindings"/);
  for (const [kind, ns] of [['rolebinding/sneaky', 'team'], ['role/godlike', 'team'], ['clusterrolebinding/sneaky', '']]) {
    const r = await s.kubectl(['get', kind, ...(ns ? ['-n', ns] : [])]);
    assert.notEqual(r.code, 0, `${kind} must not exist`);
    assert.match(r.stderr, /NotFound|not found/);
  }
  // within her own rules she may create roles and bind them
  const fine = await as('alice', ['create', 'role', 'pod-reader', '--verb=get', '--resource=pods', '-n', 'team']);
  assert.equal(fine.code, 0, fine.stderr);
  const fineBind = await as('alice', ['create', 'rolebinding', 'bob-reads', '--role=pod-reader', '--user=bob', '-n', 'team']);
  assert.equal(fineBind.code, 0, fineBind.stderr);
});
