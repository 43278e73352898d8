// End-to-end: server-side apply and managedFields against a real `kumo server`, with raw requests
// and kubectl (default and 1.27). Expected texts are kube-apiserver's.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer, kubectlBinary } from './harness.mjs';

let srv;
const NS = 'default';
const depPath = (name = '') => `/apis/apps/v1/namespaces/${NS}/deployments${name ? `/${name}` : ''}`;
const cmPath = (name = '') => `/api/v1/namespaces/${NS}/configmaps${name ? `/${name}` : ''}`;

before(async () => { srv = await startServer({ args: ['--controllers', 'serviceaccount,root-ca-cert-publisher,namespace'] }); });
after(async () => { if (srv) { await srv.stop(); srv.cleanup(); } });

function apply(path, body, { manager, force, dryRun, query = '' } = {}) {
  const q = new URLSearchParams(query);
  if (manager) q.set('fieldManager', manager);
  if (force) q.set('force', 'true');
  if (dryRun) q.set('dryRun', 'All');
  const qs = q.toString();
  return srv.request('PATCH', path + (qs ? `?${qs}` : ''), {
    body: typeof body === 'string' ? body : JSON.stringify(body), headers: { 'content-type': 'application/apply-patch+yaml' },
  });
}

const get = async (path) => (await srv.request('GET', path)).json;
const entries = (obj) => (obj.metadata.managedFields ?? []).map((e) => `${e.manager}/${e.operation}${e.subresource ? `/${e.subresource}` : ''}`);

function deployment(name, spec = {}) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'main', image: 'nginx' }] } },
      ...spec,
    },
  };
}

test('apply creates (201) with an Apply entry; an unchanged re-apply writes nothing', async () => {
  const r = await apply(depPath('create-me'), deployment('create-me', { replicas: 2 }), { manager: 'alice' });
  assert.equal(r.status, 201, r.text);
  const mf = r.json.metadata.managedFields;
  assert.equal(mf.length, 1);
  assert.equal(mf[0].manager, 'alice');
  assert.equal(mf[0].operation, 'Apply');
  assert.equal(mf[0].apiVersion, 'apps/v1');
  assert.equal(mf[0].fieldsType, 'FieldsV1');
  assert.match(mf[0].time, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  assert.deepEqual(mf[0].fieldsV1['f:spec']['f:replicas'], {});
  assert.ok(mf[0].fieldsV1['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"main"}']['.']);
  // defaults belong to nobody
  assert.equal(mf[0].fieldsV1['f:spec']['f:progressDeadlineSeconds'], undefined);
  const again = await apply(depPath('create-me'), deployment('create-me', { replicas: 2 }), { manager: 'alice' });
  assert.equal(again.status, 200);
  assert.equal(again.json.metadata.resourceVersion, r.json.metadata.resourceVersion);
  assert.deepEqual(again.json.metadata.managedFields, mf);
});

test('two managers: conflict with the upstream message, nothing stored changes, then force takes ownership', async () => {
  await apply(depPath('shared'), deployment('shared', { replicas: 1 }), { manager: 'alice' });
  const before = await get(depPath('shared'));
  const r = await apply(depPath('shared'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shared' }, spec: { replicas: 3 } }, { manager: 'bob' });
  assert.equal(r.status, 409, r.text);
  assert.equal(r.json.reason, 'Conflict');
  assert.equal(r.json.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
  assert.deepEqual(r.json.details.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);
  assert.deepEqual(await get(depPath('shared')), before);
  // an Update manager is named with its apiVersion
  const put = structuredClone(before);
  put.spec.replicas = 4;
  const u = await srv.request('PUT', depPath('shared') + '?fieldManager=carol', { body: put });
  assert.equal(u.status, 200, u.text);
  const r2 = await apply(depPath('shared'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shared' }, spec: { replicas: 3 } }, { manager: 'bob' });
  assert.equal(r2.status, 409);
  assert.equal(r2.json.message, 'Apply failed with 1 conflict: conflict with "carol" using apps/v1: .spec.replicas');
  const f = await apply(depPath('shared'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'shared' }, spec: { replicas: 3 } }, { manager: 'bob', force: true });
  assert.equal(f.status, 200, f.text);
  assert.equal(f.json.spec.replicas, 3);
  const bob = f.json.metadata.managedFields.find((e) => e.manager === 'bob');
  assert.deepEqual(bob.fieldsV1, { 'f:spec': { 'f:replicas': {} } });
  // alice keeps her other fields, carol's only field moved: her entry is gone
  assert.deepEqual(entries(f.json).sort(), ['alice/Apply', 'bob/Apply']);
  assert.equal(f.json.metadata.managedFields.find((e) => e.manager === 'alice').fieldsV1['f:spec']['f:replicas'], undefined);
});

test('list-map merge: containers by name, ports by containerPort+protocol', async () => {
  const a = deployment('lists');
  a.spec.template.spec.containers = [{ name: 'main', image: 'nginx', ports: [{ containerPort: 53, protocol: 'UDP' }] }];
  assert.equal((await apply(depPath('lists'), a, { manager: 'alice' })).status, 201);
  const b = {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'lists' },
    spec: { template: { spec: { containers: [{ name: 'main', ports: [{ containerPort: 53, protocol: 'TCP' }] }, { name: 'sidecar', image: 'busybox' }] } } },
  };
  const r = await apply(depPath('lists'), b, { manager: 'bob' });
  assert.equal(r.status, 200, r.text);
  const cs = r.json.spec.template.spec.containers;
  assert.deepEqual(cs.map((c) => c.name), ['main', 'sidecar']);
  assert.equal(cs[0].image, 'nginx');
  assert.deepEqual(cs[0].ports.map((p) => `${p.containerPort}/${p.protocol}`), ['53/UDP', '53/TCP']);
  const bob = r.json.metadata.managedFields.find((e) => e.manager === 'bob').fieldsV1;
  assert.ok(bob['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"sidecar"}']['.']);
  assert.ok(bob['f:spec']['f:template']['f:spec']['f:containers']['k:{"name":"main"}']['f:ports']['k:{"containerPort":53,"protocol":"TCP"}']);
  // ports without protocol are keyed with the TCP default
  const c = await apply(depPath('lists'), { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'lists' }, spec: { template: { spec: { containers: [{ name: 'main', ports: [{ containerPort: 53 }] }] } } } }, { manager: 'bob' });
  assert.equal(c.status, 200, c.text);
  assert.deepEqual(c.json.spec.template.spec.containers[0].ports.map((p) => `${p.containerPort}/${p.protocol}`), ['53/UDP', '53/TCP']);
  // bob no longer applies the sidecar: it goes
  assert.deepEqual(c.json.spec.template.spec.containers.map((x) => x.name), ['main']);
});

test('a manager dropping a field removes it, unless another manager owns it', async () => {
  const cm = (data, labels) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'drop', ...(labels ? { labels } : {}) }, data });
  assert.equal((await apply(cmPath('drop'), cm({ a: '1', b: '2', c: '3' }, { x: '1', y: '2' }), { manager: 'alice' })).status, 201);
  assert.equal((await apply(cmPath('drop'), cm({ c: '3' }), { manager: 'bob' })).status, 200);
  const r = await apply(cmPath('drop'), cm({ a: '1' }, { x: '1' }), { manager: 'alice' });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.json.data, { a: '1', c: '3' });
  assert.deepEqual(r.json.metadata.labels, { x: '1' });
  const r2 = await apply(cmPath('drop'), cm({ a: '1' }), { manager: 'alice' });
  assert.equal(r2.json.metadata.labels, undefined);
});

test('managedFields after create, update and patch by other clients (manager from fieldManager or User-Agent)', async () => {
  const c = await srv.request('POST', cmPath(), { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'updates' }, data: { a: '1' } }, headers: { 'user-agent': 'my-tool/1.2.3 (linux)' } });
  assert.equal(c.status, 201, c.text);
  assert.deepEqual(c.json.metadata.managedFields.map((e) => [e.manager, e.operation, e.apiVersion]), [['my-tool', 'Update', 'v1']]);
  assert.deepEqual(c.json.metadata.managedFields[0].fieldsV1, { 'f:data': { '.': {}, 'f:a': {} } });
  const p = await srv.request('PATCH', cmPath('updates') + '?fieldManager=patcher', { body: { data: { b: '2' } }, headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(p.status, 200, p.text);
  assert.deepEqual(entries(p.json), ['my-tool/Update', 'patcher/Update']);
  assert.deepEqual(p.json.metadata.managedFields[1].fieldsV1, { 'f:data': { 'f:b': {} } });
  const obj = p.json;
  obj.data.a = 'changed';
  const u = await srv.request('PUT', cmPath('updates') + '?fieldManager=patcher', { body: obj });
  assert.equal(u.status, 200, u.text);
  // my-tool lost data.a (still owns the data map itself); patcher's entries merged into one
  assert.deepEqual(entries(u.json), ['my-tool/Update', 'patcher/Update']);
  assert.deepEqual(u.json.metadata.managedFields[0].fieldsV1, { 'f:data': {} });
  assert.deepEqual(u.json.metadata.managedFields[1].fieldsV1, { 'f:data': { 'f:a': {}, 'f:b': {} } });
  // kubectl names its own managers
  const k = await srv.kubectl(['label', 'configmap', 'updates', 'tier=web']);
  assert.equal(k.code, 0, k.stderr);
  const after = await get(cmPath('updates'));
  assert.ok(entries(after).includes('kubectl-label/Update'), entries(after).join());
  // a force option on a non-apply patch is refused as upstream
  const bad = await srv.request('PATCH', cmPath('updates') + '?force=true', { body: { data: { z: '1' } }, headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(bad.status, 422);
  assert.equal(bad.json.message, 'PatchOptions.meta.k8s.io "" is invalid: force: Forbidden: may not be specified for non-apply patch');
});

test('bad apply input → upstream errors, nothing stored changes', async () => {
  await apply(cmPath('bad'), { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { a: '1' } }, { manager: 'alice' });
  const before = await get(cmPath('bad'));
  const body = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'bad' }, data: { a: '2' } };
  const noManager = await apply(cmPath('bad'), body);
  assert.equal(noManager.status, 422);
  assert.equal(noManager.json.message, 'PatchOptions.meta.k8s.io "" is invalid: fieldManager: Required value: is required for apply patch');
  const yaml = await apply(cmPath('bad'), 'data: [unclosed\n', { manager: 'alice' });
  assert.equal(yaml.status, 400);
  assert.match(yaml.json.message, /^error decoding YAML: /);
  const kind = await apply(cmPath('bad'), { ...body, kind: 'Secret' }, { manager: 'alice' });
  assert.equal(kind.status, 400);
  assert.equal(kind.json.message, 'invalid object type: /v1, Kind=Secret');
  const version = await apply(depPath('create-me'), { apiVersion: 'apps/v1beta1', kind: 'Deployment', metadata: { name: 'create-me' } }, { manager: 'alice' });
  assert.equal(version.json.message, 'invalid object type: apps/v1beta1, Kind=Deployment');
  const unknown = await apply(cmPath('bad'), { ...body, spec: { x: 1 } }, { manager: 'alice' });
  assert.equal(unknown.status, 500);
  assert.equal(unknown.json.message, 'failed to create typed patch object (/bad; /v1, Kind=ConfigMap): .spec: field not declared in schema');
  const mf = await apply(cmPath('bad'), { ...body, metadata: { name: 'bad', managedFields: [] } }, { manager: 'alice' });
  assert.equal(mf.status, 400);
  assert.equal(mf.json.message, 'metadata.managedFields must be nil');
  const dry = await apply(cmPath('bad'), body, { manager: 'alice', dryRun: true });
  assert.equal(dry.status, 200);
  assert.equal(dry.json.data.a, '2');
  const badValidation = await apply(cmPath('bad'), body, { manager: 'alice', query: 'fieldValidation=Bogus' });
  assert.equal(badValidation.status, 422);
  assert.deepEqual(await get(cmPath('bad')), before);
  // apply to a missing object's subresource does not create it
  const st = await apply(depPath('missing') + '/status', { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'missing' }, status: { replicas: 1 } }, { manager: 'alice' });
  assert.equal(st.status, 404);
});

const manifest = (replicas, image = 'nginx') => `apiVersion: apps/v1
kind: Deployment
metadata:
  name: kc
  namespace: default
spec:
  replicas: ${replicas}
  selector:
    matchLabels: {app: kc}
  template:
    metadata:
      labels: {app: kc}
    spec:
      containers:
      - name: main
        image: ${image}
`;

for (const minor of [undefined, 27]) {
  const tag = minor ? `kubectl 1.${minor}` : 'kubectl';
  test(`${tag}: client-side apply, then apply --server-side migrates; conflicts and --force-conflicts`, { skip: minor && kubectlBinary(minor) === 'kubectl' ? 'kubectl 1.27 not installed' : false }, async () => {
    const run = (argv, input) => srv.kubectl(argv, { input, minor });
    await run(['delete', 'deployment', 'kc', '--ignore-not-found']);
    let r = await run(['apply', '-f', '-'], manifest(1));
    assert.equal(r.code, 0, r.stderr);
    let d = await get(depPath('kc'));
    assert.deepEqual(entries(d), ['kubectl-client-side-apply/Update']);
    r = await run(['apply', '--server-side', '-f', '-'], manifest(2));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /deployment.apps\/kc serverside-applied/);
    d = await get(depPath('kc'));
    assert.equal(d.spec.replicas, 2);
    // kubectl moved the client-side manager's fields to its Apply entries (kubectl 1.26+ keeps the
    // annotation under "kubectl-last-applied"); the annotation follows the new config
    assert.ok(entries(d).includes('kubectl/Apply'), entries(d).join());
    assert.ok(!entries(d).includes('kubectl-client-side-apply/Update'), entries(d).join());
    const last = JSON.parse(d.metadata.annotations['kubectl.kubernetes.io/last-applied-configuration']);
    assert.equal(last.spec.replicas, 2);
    // another writer takes replicas; the next apply conflicts, --force-conflicts wins
    r = await run(['scale', 'deployment', 'kc', '--replicas=5']);
    assert.equal(r.code, 0, r.stderr);
    r = await run(['apply', '--server-side', '-f', '-'], manifest(2, 'nginx:2'));
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /Apply failed with 1 conflict: conflict with "kubectl[^"]*"[^:]*: \.spec\.replicas/);
    assert.equal((await get(depPath('kc'))).spec.template.spec.containers[0].image, 'nginx');
    r = await run(['apply', '--server-side', '--force-conflicts', '-f', '-'], manifest(2, 'nginx:2'));
    assert.equal(r.code, 0, r.stderr);
    d = await get(depPath('kc'));
    assert.equal(d.spec.replicas, 2);
    assert.equal(d.spec.template.spec.containers[0].image, 'nginx:2');
    r = await run(['get', 'deployment', 'kc', '-o', 'yaml', '--show-managed-fields']);
    assert.match(r.stdout, /managedFields:/);
    assert.match(r.stdout, /manager: kubectl\n\s+operation: Apply/);
    r = await run(['get', 'deployment', 'kc', '-o', 'yaml']);
    assert.doesNotMatch(r.stdout, /managedFields:/);
  });
}
