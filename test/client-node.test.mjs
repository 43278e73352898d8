// Acceptance flows through @kubernetes/client-node (v2.x, written by other people), against a real
// `kumo server`: typed APIs, the generic KubernetesObjectApi, Watch and informers, plus raw requests
// for the things client-node has no typed call for (Table and PartialObjectMetadata output).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

let k8s;
try {
  k8s = await import('@kubernetes/client-node');
} catch (e) {
  // client-node 2.x pulls undici 8, which needs Node >= 22.19; on Node 20 it fails at import.
  throw new Error(`cannot load @kubernetes/client-node on Node ${process.version} (undici 8 needs Node >= 22.19; ` +
    `pin undici ^7 via package.json "overrides"): ${e.message}`);
}
const { KubeConfig, CoreV1Api, AppsV1Api, VersionApi, KubernetesObjectApi, Watch, makeInformer, ApiException,
  PatchStrategy, setHeaderOptions } = k8s;

const TABLE = 'application/json;as=Table;v=v1;g=meta.k8s.io';
const PARTIAL_LIST = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io';

let s, kc, core, apps, objects;
before(async () => {
  // API semantics are checked object by object: only the per-namespace basics run, no workload
  // controllers rewriting the objects under test
  s = await startServer({ args: ['--controllers', 'serviceaccount,root-ca-cert-publisher,namespace', '--disable-scheduler'] });
  kc = new KubeConfig();
  kc.loadFromFile(s.kubeconfig);
  core = kc.makeApiClient(CoreV1Api);
  apps = kc.makeApiClient(AppsV1Api);
  objects = KubernetesObjectApi.makeApiClient(kc);
});
after(async () => { await s?.stop(); s?.cleanup(); });

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Awaits a call that must fail with an ApiException; returns { code, body } with the Status body parsed. */
async function apiError(promise) {
  let err;
  try { await promise; } catch (e) { err = e; }
  assert.ok(err, 'expected the call to fail');
  assert.ok(err instanceof ApiException, `expected ApiException, got ${err?.stack ?? err}`);
  let body = err.body;
  if (typeof body === 'string') { try { body = JSON.parse(body); } catch { /* keep text */ } }
  return { code: err.code, body };
}

/** Asserts a Status failure body with the given code and reason. */
function assertStatus(body, code, reason) {
  assert.equal(body?.kind, 'Status', `not a Status: ${JSON.stringify(body)}`);
  assert.equal(body.apiVersion, 'v1');
  assert.equal(body.status, 'Failure');
  assert.equal(body.code, code, JSON.stringify(body));
  assert.equal(body.reason, reason, JSON.stringify(body));
}

async function waitFor(what, fn, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) assert.fail(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

async function createNamespace(name) {
  await core.createNamespace({ body: { metadata: { name } } });
}

/** Pods need their namespace's default ServiceAccount (the serviceaccount controller makes it upstream). */
async function ensureDefaultServiceAccount(namespace) {
  const deadline = Date.now() + 2000;
  while (Date.now() < deadline) {
    try { await core.readNamespacedServiceAccount({ name: 'default', namespace }); return; } catch { await sleep(100); }
  }
  try {
    await core.createNamespacedServiceAccount({ namespace, body: { metadata: { name: 'default' } } });
  } catch (e) { if (e?.code !== 409) throw e; }
}

function deployment(name, labels, { replicas = 2, image = 'nginx:1.25' } = {}) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, labels },
    spec: {
      replicas,
      selector: { matchLabels: { app: labels.app } },
      template: { metadata: { labels: { app: labels.app } }, spec: { containers: [{ name: labels.app, image }] } },
    },
  };
}

test('version, built-in namespaces and the kubernetes Service', async () => {
  const v = await kc.makeApiClient(VersionApi).getCode();
  assert.equal(v.major, '1');
  assert.match(v.minor, /^\d+\+?$/);
  assert.match(v.gitVersion, /^v1\.\d+\.\d+/);
  assert.match(v.platform, /^linux\//);

  const nsList = await core.listNamespace();
  const names = nsList.items.map((n) => n.metadata.name);
  for (const n of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) assert.ok(names.includes(n), `missing namespace ${n}: ${names}`);
  for (const n of nsList.items) assert.equal(n.status?.phase, 'Active', n.metadata.name);

  const svc = await core.readNamespacedService({ name: 'kubernetes', namespace: 'default' });
  assert.equal(svc.spec.clusterIP, '10.96.0.1');
  assert.deepEqual(svc.spec.clusterIPs, ['10.96.0.1']);
  assert.equal(svc.spec.type, 'ClusterIP');
  assert.equal(svc.spec.ports[0].name, 'https');
  assert.equal(svc.spec.ports[0].port, 443);
  assert.equal(svc.spec.ports[0].protocol, 'TCP');
  assert.equal(svc.metadata.labels?.component, 'apiserver');
  assert.equal(svc.metadata.labels?.provider, 'kubernetes');
});

test('namespaces: create, list, read, AlreadyExists, invalid name', async () => {
  const created = await core.createNamespace({ body: { metadata: { name: 'cn-ns', labels: { team: 'a' } } } });
  assert.equal(created.metadata.name, 'cn-ns');
  assert.ok(created.metadata.uid);
  assert.ok(created.metadata.creationTimestamp instanceof Date);
  assert.equal(created.status.phase, 'Active');
  assert.deepEqual(created.spec.finalizers, ['kubernetes']);
  // the NamespaceDefaultLabelName admission labels every namespace with its own name
  assert.equal(created.metadata.labels['kubernetes.io/metadata.name'], 'cn-ns');

  const listed = await core.listNamespace({ labelSelector: 'team=a' });
  assert.deepEqual(listed.items.map((n) => n.metadata.name), ['cn-ns']);

  const read = await core.readNamespace({ name: 'cn-ns' });
  assert.equal(read.metadata.uid, created.metadata.uid);

  const dup = await apiError(core.createNamespace({ body: { metadata: { name: 'cn-ns' } } }));
  assert.equal(dup.code, 409);
  assertStatus(dup.body, 409, 'AlreadyExists');
  assert.equal(dup.body.message, 'namespaces "cn-ns" already exists');
  assert.deepEqual(dup.body.details, { name: 'cn-ns', kind: 'namespaces' });

  const bad = await apiError(core.createNamespace({ body: { metadata: { name: 'Not_Valid' } } }));
  assert.equal(bad.code, 422);
  assertStatus(bad.body, 422, 'Invalid');
  assert.equal(bad.body.details.causes[0].field, 'metadata.name');
});

test('namespaces: delete answers with the namespace Terminating; it refuses new content', async () => {
  await createNamespace('cn-ns-del');
  // deleting a namespace returns it in phase Terminating (it has the `kubernetes` finalizer)
  const del = await s.request('DELETE', '/api/v1/namespaces/cn-ns-del');
  assert.equal(del.json.kind, 'Namespace');
  assert.ok(del.json.metadata.deletionTimestamp);
  assert.equal(del.json.status.phase, 'Terminating');
  const terminating = await core.readNamespace({ name: 'cn-ns-del' });
  assert.equal(terminating.status.phase, 'Terminating');

  // creating into a terminating namespace is forbidden
  const into = await apiError(core.createNamespacedConfigMap({ namespace: 'cn-ns-del', body: { metadata: { name: 'x' } } }));
  assert.equal(into.code, 403);
  assertStatus(into.body, 403, 'Forbidden');
  assert.match(into.body.message, /because it is being terminated/);
  // upstream answers 200: 202 is only for orphanDependents=false (checked last so the rest is still reported)
  assert.equal(del.status, 200, del.text);
});

test('namespaces: a deleted namespace goes away (namespace controller)', async () => {
  await createNamespace('cn-ns-gone');
  await core.deleteNamespace({ name: 'cn-ns-gone' });
  await waitFor('namespace cn-ns-gone to disappear', async () => {
    try { await core.readNamespace({ name: 'cn-ns-gone' }); return false; } catch (e) { return e.code === 404; }
  }, 10_000);
});

test('deployment: create, read, list by label, scale, patch, stale replace', async () => {
  const ns = 'cn-deploy';
  await createNamespace(ns);
  const created = await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', { app: 'web', tier: 'front' }) });
  assert.equal(created.metadata.generation, 1);
  assert.equal(created.spec.strategy.type, 'RollingUpdate');
  assert.equal(created.spec.strategy.rollingUpdate.maxSurge, '25%');
  assert.equal(created.spec.strategy.rollingUpdate.maxUnavailable, '25%');
  assert.equal(created.spec.revisionHistoryLimit, 10);
  assert.equal(created.spec.progressDeadlineSeconds, 600);
  assert.equal(created.spec.template.spec.restartPolicy, 'Always');
  assert.equal(created.spec.template.spec.containers[0].imagePullPolicy, 'IfNotPresent');
  await apps.createNamespacedDeployment({ namespace: ns, body: deployment('api', { app: 'api', tier: 'back' }) });

  const read = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  assert.equal(read.metadata.uid, created.metadata.uid);
  assert.equal(read.metadata.resourceVersion, created.metadata.resourceVersion);

  const front = await apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'tier=front' });
  assert.deepEqual(front.items.map((d) => d.metadata.name), ['web']);
  const both = await apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'tier in (front,back)' });
  assert.deepEqual(both.items.map((d) => d.metadata.name).sort(), ['api', 'web']);
  const none = await apps.listNamespacedDeployment({ namespace: ns, labelSelector: '!tier' });
  assert.deepEqual(none.items, []);
  const badSel = await apiError(apps.listNamespacedDeployment({ namespace: ns, labelSelector: 'tier in (front' }));
  assert.equal(badSel.code, 400);
  assertStatus(badSel.body, 400, 'BadRequest');

  // scale subresource: read, JSON patch (client-node's default patch type), merge patch, replace
  const scale = await apps.readNamespacedDeploymentScale({ name: 'web', namespace: ns });
  assert.equal(scale.kind, 'Scale');
  assert.equal(scale.apiVersion, 'autoscaling/v1');
  assert.equal(scale.spec.replicas, 2);
  assert.equal(scale.status.selector, 'app=web');
  // matchExpressions are part of the Scale's selector string too (LabelSelectorAsSelector().String())
  await apps.createNamespacedReplicaSet({ namespace: ns, body: { metadata: { name: 'exprs' }, spec: { replicas: 0,
    selector: { matchLabels: { app: 'exprs' }, matchExpressions: [{ key: 'tier', operator: 'In', values: ['b', 'a'] }, { key: 'canary', operator: 'DoesNotExist' }] },
    template: { metadata: { labels: { app: 'exprs', tier: 'a' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } } } });
  assert.equal((await apps.readNamespacedReplicaSetScale({ name: 'exprs', namespace: ns })).status.selector, 'app=exprs,!canary,tier in (a,b)');
  const s3 = await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: ns, body: [{ op: 'replace', path: '/spec/replicas', value: 3 }] });
  assert.equal(s3.spec.replicas, 3);
  const s4 = await apps.patchNamespacedDeploymentScale({ name: 'web', namespace: ns, body: { spec: { replicas: 4 } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.equal(s4.spec.replicas, 4);
  const s5 = await apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: ns, body: { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: { name: 'web', namespace: ns }, spec: { replicas: 5 } } });
  assert.equal(s5.spec.replicas, 5);
  const negative = await apiError(apps.replaceNamespacedDeploymentScale({ name: 'web', namespace: ns, body: { metadata: { name: 'web', namespace: ns }, spec: { replicas: -1 } } }));
  assert.equal(negative.code, 422);
  assertStatus(negative.body, 422, 'Invalid');
  assert.equal(negative.body.details.causes[0].field, 'spec.replicas');
  const scaled = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  assert.equal(scaled.spec.replicas, 5);
  assert.equal(scaled.metadata.generation, 4, 'each replica change is a spec change');

  // label via merge patch, annotate + add a container via strategic merge patch
  const labelled = await apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body: { metadata: { labels: { release: 'stable' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.deepEqual(labelled.metadata.labels, { app: 'web', tier: 'front', release: 'stable' });
  assert.equal(labelled.metadata.generation, 4, 'labels are not spec');
  const annotated = await apps.patchNamespacedDeployment({
    name: 'web', namespace: ns,
    body: { metadata: { annotations: { owner: 'team-a' } }, spec: { template: { spec: { containers: [{ name: 'side', image: 'busybox:1.36' }] } } } },
  }, setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch));
  assert.equal(annotated.metadata.annotations.owner, 'team-a');
  assert.deepEqual(annotated.spec.template.spec.containers.map((c) => c.name), ['side', 'web'], 'SMP merges by name, new items first');
  assert.equal(annotated.metadata.generation, 5);
  // a merge patch replaces the list whole
  const merged = await apps.patchNamespacedDeployment({
    name: 'web', namespace: ns, body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.27' }] } } } },
  }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.deepEqual(merged.spec.template.spec.containers.map((c) => `${c.name}=${c.image}`), ['web=nginx:1.27']);
  const badPatch = await apiError(apps.patchNamespacedDeployment({ name: 'web', namespace: ns, body: [{ op: 'replace', path: '/spec/nope/x', value: 1 }] }));
  assert.equal(badPatch.code, 422, 'a JSON patch that does not apply is 422');
  assertStatus(badPatch.body, 422, 'Invalid');

  // replace with a stale resourceVersion → 409 Conflict
  const stale = { ...created, spec: { ...created.spec, replicas: 1 } };
  const conflict = await apiError(apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: stale }));
  assert.equal(conflict.code, 409);
  assertStatus(conflict.body, 409, 'Conflict');
  assert.equal(conflict.body.message,
    'Operation cannot be fulfilled on deployments.apps "web": the object has been modified; please apply your changes to the latest version and try again');
  assert.deepEqual(conflict.body.details, { name: 'web', group: 'apps', kind: 'deployments' });
  // the current one replaces fine
  const current = await apps.readNamespacedDeployment({ name: 'web', namespace: ns });
  current.spec.replicas = 1;
  const replaced = await apps.replaceNamespacedDeployment({ name: 'web', namespace: ns, body: current });
  assert.equal(replaced.spec.replicas, 1);
  assert.notEqual(replaced.metadata.resourceVersion, current.metadata.resourceVersion);

});

test('deployment: delete with propagationPolicy', async () => {
  const ns = 'cn-deploy-del';
  await createNamespace(ns);
  const created = await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', { app: 'web' }) });
  await apps.createNamespacedDeployment({ namespace: ns, body: deployment('api', { app: 'api' }) });
  // an invalid propagationPolicy is refused
  const badPolicy = await apiError(apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, propagationPolicy: 'Sideways' }));
  assert.equal(badPolicy.code, 422);
  assertStatus(badPolicy.body, 422, 'Invalid');
  assert.equal(badPolicy.body.details.causes[0].field, 'propagationPolicy');

  // Foreground: the object stays, with the foregroundDeletion finalizer, until the garbage collector
  // has removed its dependents (200 with the object, as upstream)
  const fg = await s.request('DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/api`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } });
  assert.ok(fg.status === 200 || fg.status === 202, fg.text); // exactly 200: checked last
  assert.equal(fg.json.kind, 'Deployment');
  assert.ok(fg.json.metadata.deletionTimestamp);
  assert.deepEqual(fg.json.metadata.finalizers, ['foregroundDeletion']);

  // Background through client-node's typed delete: gone at once
  const st = await apps.deleteNamespacedDeployment({ name: 'web', namespace: ns, propagationPolicy: 'Background' });
  assert.equal(st.status, 'Success');
  const gone = await apiError(apps.readNamespacedDeployment({ name: 'web', namespace: ns }));
  assert.equal(gone.code, 404);
  assertStatus(gone.body, 404, 'NotFound');
  assert.equal(gone.body.message, 'deployments.apps "web" not found');
  assert.deepEqual(gone.body.details, { name: 'web', group: 'apps', kind: 'deployments' });

  // an immediate delete of a kind without ReturnDeletedObject answers a Success Status naming it
  const again = await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', { app: 'web' }) });
  assert.notEqual(again.metadata.uid, created.metadata.uid);
  const del = await s.request('DELETE', `/apis/apps/v1/namespaces/${ns}/deployments/web?propagationPolicy=Background`);
  assert.equal(del.status, 200, del.text);
  assert.equal(del.json.kind, 'Status', del.text);
  assert.equal(del.json.status, 'Success');
  assert.deepEqual(del.json.details, { name: 'web', group: 'apps', kind: 'deployments', uid: again.metadata.uid });

  // 202 is only for orphanDependents=false; a Foreground delete that waits answers 200
  assert.equal(fg.status, 200, `Foreground delete: ${fg.status}`);
});

test('deployment: invalid spec is 422 with field causes', async () => {
  const ns = 'cn-deploy-invalid';
  await createNamespace(ns);
  const d = deployment('bad', { app: 'bad' });
  d.spec.template.metadata.labels = { app: 'other' };
  const r = await apiError(apps.createNamespacedDeployment({ namespace: ns, body: d }));
  assert.equal(r.code, 422);
  assertStatus(r.body, 422, 'Invalid');
  assert.match(r.body.message, /^Deployment\.apps "bad" is invalid: /);
  assert.deepEqual(r.body.details.name, 'bad');
  assert.deepEqual(r.body.details.group, 'apps');
  assert.deepEqual(r.body.details.kind, 'Deployment');
  const fields = r.body.details.causes.map((c) => c.field);
  assert.ok(fields.includes('spec.template.metadata.labels'), JSON.stringify(r.body.details.causes));
  for (const c of r.body.details.causes) assert.equal(typeof c.reason, 'string');
});

test('ConfigMap, Secret, Service applied twice via KubernetesObjectApi create/patch', async () => {
  const ns = 'cn-objects';
  await createNamespace(ns);
  const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: ns }, data: { color: 'blue' } };
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'creds', namespace: ns }, stringData: { password: 's3cret' } };
  const svc = {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', namespace: ns },
    spec: { selector: { app: 'web' }, ports: [{ port: 80, targetPort: 8080 }] },
  };

  const c1 = await objects.create(cm);
  assert.equal(c1.data.color, 'blue');
  const sec1 = await objects.create(secret);
  assert.equal(sec1.type, 'Opaque');
  assert.equal(sec1.stringData, undefined, 'stringData is folded into data');
  assert.equal(Buffer.from(sec1.data.password, 'base64').toString(), 's3cret');
  const svc1 = await objects.create(svc);
  const ip = svc1.spec.clusterIP;
  const [a, b, c, d] = ip.split('.').map(Number);
  assert.ok(a === 10 && b >= 96 && b <= 111 && c >= 0 && c <= 255 && d >= 0 && d <= 255, `clusterIP ${ip} outside 10.96.0.0/12`);
  assert.notEqual(ip, '10.96.0.1');
  assert.deepEqual(svc1.spec.clusterIPs, [ip]);
  assert.equal(svc1.spec.type, 'ClusterIP');
  assert.equal(svc1.spec.sessionAffinity, 'None');
  assert.deepEqual(svc1.spec.ipFamilies, ['IPv4']);
  assert.equal(svc1.spec.ipFamilyPolicy, 'SingleStack');
  assert.equal(svc1.spec.ports[0].protocol, 'TCP');
  assert.equal(svc1.spec.ports[0].targetPort, 8080);

  // second apply: create says AlreadyExists, so patch (client-node's default: strategic merge)
  const again = await apiError(objects.create(cm));
  assert.equal(again.code, 409);
  assertStatus(again.body, 409, 'AlreadyExists');
  assert.equal(again.body.message, 'configmaps "conf" already exists');
  const c2 = await objects.patch({ ...cm, data: { color: 'green', size: 'L' } });
  assert.deepEqual(c2.data, { color: 'green', size: 'L' });
  assert.notEqual(c2.metadata.resourceVersion, c1.metadata.resourceVersion);
  assert.equal(c2.metadata.uid, c1.metadata.uid);
  const sec2 = await objects.patch({ ...secret, stringData: { password: 'n3w', user: 'admin' } });
  assert.equal(Buffer.from(sec2.data.password, 'base64').toString(), 'n3w');
  assert.equal(Buffer.from(sec2.data.user, 'base64').toString(), 'admin');
  assert.equal(sec2.stringData, undefined);
  const svc2 = await objects.patch({ ...svc, spec: { ...svc.spec, ports: [{ port: 80, targetPort: 9090 }] } });
  assert.equal(svc2.spec.clusterIP, ip, 'clusterIP is kept across applies');
  assert.equal(svc2.spec.ports.length, 1, 'ports merge by port');
  assert.equal(svc2.spec.ports[0].targetPort, 9090);

  const readBack = await objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: ns } });
  assert.deepEqual(readBack.data, { color: 'green', size: 'L' });
  const listed = await objects.list('v1', 'Secret', ns);
  assert.ok(listed.items.some((x) => x.metadata.name === 'creds'));

  // a second Service asking for the kubernetes Service's IP is refused
  const taken = await apiError(objects.create({ ...svc, metadata: { name: 'thief', namespace: ns }, spec: { ...svc.spec, clusterIP: '10.96.0.1' } }));
  assert.equal(taken.code, 422);
  assertStatus(taken.body, 422, 'Invalid');
  assert.equal(taken.body.details.causes[0].field, 'spec.clusterIPs');
  assert.match(taken.body.details.causes[0].message, /provided IP is already allocated/);
  // the Secret's data must be base64
  const badSecret = await s.request('POST', `/api/v1/namespaces/${ns}/secrets`, { body: { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'b' }, data: { x: '%%%' } } });
  assert.equal(badSecret.status, 400, badSecret.text);
  assertStatus(badSecret.json, 400, 'BadRequest');

  await objects.delete(cm);
  const gone = await apiError(objects.read({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'conf', namespace: ns } }));
  assert.equal(gone.code, 404);
  assertStatus(gone.body, 404, 'NotFound');
  assert.equal(gone.body.message, 'configmaps "conf" not found');
});

test('list pagination: limit + continue returns every ConfigMap exactly once at one resourceVersion', async () => {
  const ns = 'cn-page';
  await createNamespace(ns);
  for (let i = 0; i < 25; i++) {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: `page-${String(i).padStart(2, '0')}` }, data: { i: String(i) } } });
  }
  const seen = [];
  const pages = [];
  let token;
  let rv;
  do {
    const page = await core.listNamespacedConfigMap({ namespace: ns, limit: 10, _continue: token });
    pages.push(page);
    assert.ok(page.items.length <= 10, `page of ${page.items.length}`);
    rv ??= page.metadata.resourceVersion;
    assert.equal(page.metadata.resourceVersion, rv, 'every page is served at the first page\'s resourceVersion');
    seen.push(...page.items.map((c) => c.metadata.name));
    token = page.metadata._continue;
    if (pages.length === 1) {
      // created after the first page: a consistent snapshot must not show it
      await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'page-99' } } });
    }
    assert.ok(pages.length < 10, 'pagination does not end');
  } while (token);
  const mine = seen.filter((n) => n.startsWith('page-'));
  assert.deepEqual(mine, Array.from({ length: 25 }, (_, i) => `page-${String(i).padStart(2, '0')}`));
  assert.equal(new Set(seen).size, seen.length, 'no duplicates');
  assert.equal(pages[0].items.length, 10);
  assert.equal(pages[0].metadata.remainingItemCount, seen.length - 10);
  assert.equal(pages.at(-1).metadata.remainingItemCount, undefined);

  const all = await core.listNamespacedConfigMap({ namespace: ns });
  assert.ok(all.items.some((c) => c.metadata.name === 'page-99'));
  assert.equal(all.metadata._continue, undefined);

});

test('list pagination: a malformed continue token is 400', async () => {
  const ns = 'cn-page';
  const bogus = await apiError(core.listNamespacedConfigMap({ namespace: ns, limit: 10, _continue: 'not-a-token' }));
  assert.equal(bogus.code, 400);
  assertStatus(bogus.body, 400, 'BadRequest');
  assert.match(bogus.body.message, /^invalid continue token/);
});

/** Starts a Watch and collects its events (bookmarks left out). */
async function startWatch(path, query) {
  const events = [];
  let ended;
  const done = new Promise((r) => { ended = r; });
  const ctl = await new Watch(kc).watch(path, query, (type, obj) => {
    if (type !== 'BOOKMARK') events.push({ type, name: obj?.metadata?.name, rv: obj?.metadata?.resourceVersion, obj });
  }, (err) => ended(err));
  return { events, done, stop: () => ctl.abort() };
}

test('watch: ADDED/MODIFIED/DELETED with a label selector, and resume from a resourceVersion', async () => {
  const ns = 'cn-watch';
  await createNamespace(ns);
  const path = `/api/v1/namespaces/${ns}/configmaps`;
  const start = (await core.listNamespacedConfigMap({ namespace: ns })).metadata.resourceVersion;
  const w = await startWatch(path, { labelSelector: 'watch=yes', resourceVersion: start, allowWatchBookmarks: true });
  try {
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'a', labels: { watch: 'yes' } }, data: { v: '1' } } });
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'b', labels: { watch: 'no' } } } });
    await core.patchNamespacedConfigMap({ namespace: ns, name: 'a', body: { data: { v: '2' } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    // relabelled out of the selector → DELETED; b relabelled in → ADDED
    await core.patchNamespacedConfigMap({ namespace: ns, name: 'a', body: { metadata: { labels: { watch: 'no' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await core.patchNamespacedConfigMap({ namespace: ns, name: 'b', body: { metadata: { labels: { watch: 'yes' } } } }, setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'a' }); // outside the selector now: no event
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'b' });
    await waitFor('5 watch events', () => w.events.length >= 5);
    await sleep(200); // nothing more must arrive
    assert.deepEqual(w.events.map((e) => `${e.type} ${e.name}`), ['ADDED a', 'MODIFIED a', 'DELETED a', 'ADDED b', 'DELETED b']);
    assert.equal(w.events[1].obj.data.v, '2');
    // upstream's cacher sends the last state that matched, stamped with the new resourceVersion
    assert.equal(w.events[2].obj.metadata.labels.watch, 'yes', 'DELETED carries the last matching state');
    assert.equal(w.events[2].obj.data.v, '2');
    const rvs = w.events.map((e) => Number(e.rv));
    for (let i = 1; i < rvs.length; i++) assert.ok(rvs[i] > rvs[i - 1], `resourceVersions increase: ${rvs}`);
  } finally { w.stop(); }

  // resume after the first event: everything after it, nothing before it
  const resumed = await startWatch(path, { labelSelector: 'watch=yes', resourceVersion: w.events[0].rv });
  try {
    await waitFor('4 resumed events', () => resumed.events.length >= 4);
    await sleep(200);
    assert.deepEqual(resumed.events.map((e) => `${e.type} ${e.name}`), ['MODIFIED a', 'DELETED a', 'ADDED b', 'DELETED b']);
  } finally { resumed.stop(); }

  // a watch without resourceVersion starts with the current state as ADDED events
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'c', labels: { watch: 'yes' } } } });
  const fresh = await startWatch(path, { labelSelector: 'watch=yes' });
  try {
    await waitFor('initial ADDED', () => fresh.events.length >= 1);
    await sleep(200);
    assert.deepEqual(fresh.events.map((e) => `${e.type} ${e.name}`), ['ADDED c']);
  } finally { fresh.stop(); }

  // a bad selector fails the watch request itself
  const bad = await s.request('GET', `${path}?watch=true&labelSelector=${encodeURIComponent('watch in (yes')}`);
  assert.equal(bad.status, 400);
  assertStatus(bad.json, 400, 'BadRequest');
});

test('informer: initial list, add/update/delete callbacks, cache matches the server', async () => {
  const ns = 'cn-informer';
  await createNamespace(ns);
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'one' }, data: { n: '1' } } });
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'two' }, data: { n: '2' } } });
  const informer = makeInformer(kc, `/api/v1/namespaces/${ns}/configmaps`, () => core.listNamespacedConfigMap({ namespace: ns }));
  const seen = [];
  const errors = [];
  informer.on('add', (o) => seen.push(`add ${o.metadata.name}`));
  informer.on('update', (o) => seen.push(`update ${o.metadata.name} ${o.data?.n}`));
  informer.on('delete', (o) => seen.push(`delete ${o.metadata.name}`));
  informer.on('error', (e) => errors.push(e));
  await informer.start();
  try {
    await waitFor('initial adds', () => seen.includes('add one') && seen.includes('add two'));
    await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'three' }, data: { n: '3' } } });
    await core.replaceNamespacedConfigMap({ namespace: ns, name: 'one', body: { metadata: { name: 'one' }, data: { n: '11' } } });
    await core.deleteNamespacedConfigMap({ namespace: ns, name: 'two' });
    await waitFor('informer callbacks', () => seen.includes('add three') && seen.includes('update one 11') && seen.includes('delete two'));
    assert.ok(seen.indexOf('add three') < seen.indexOf('update one 11'));
    assert.ok(seen.indexOf('update one 11') < seen.indexOf('delete two'));

    const server = await core.listNamespacedConfigMap({ namespace: ns });
    const key = (o) => `${o.metadata.name}@${o.metadata.resourceVersion}`;
    await waitFor('cache to match', () => informer.list(ns).length === server.items.length);
    assert.deepEqual(informer.list(ns).map(key).sort(), server.items.map(key).sort());
    assert.equal(informer.get('one', ns).data.n, '11');
    assert.equal(informer.get('two', ns), undefined);
    assert.deepEqual(errors, []);
  } finally {
    await informer.stop();
  }
});

test('Table output for pods and deployments uses kubectl\'s columns', async () => {
  const ns = 'cn-table';
  await createNamespace(ns);
  await ensureDefaultServiceAccount(ns);
  await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'p1', labels: { app: 't' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } });
  await apps.createNamespacedDeployment({ namespace: ns, body: deployment('web', { app: 'web' }) });

  const pods = await s.request('GET', `/api/v1/namespaces/${ns}/pods`, { headers: { accept: TABLE } });
  assert.equal(pods.status, 200, pods.text);
  assert.match(pods.headers['content-type'], /^application\/json/);
  assert.equal(pods.json.kind, 'Table');
  assert.equal(pods.json.apiVersion, 'meta.k8s.io/v1');
  assert.ok(pods.json.metadata.resourceVersion);
  assert.deepEqual(pods.json.columnDefinitions.map((c) => c.name),
    ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates']);
  assert.deepEqual(pods.json.columnDefinitions.map((c) => c.priority ?? 0), [0, 0, 0, 0, 0, 1, 1, 1, 1]);
  assert.equal(pods.json.columnDefinitions[0].format, 'name');
  assert.equal(pods.json.rows.length, 1);
  const prow = pods.json.rows[0];
  assert.equal(prow.cells.length, 9);
  assert.deepEqual(prow.cells.slice(0, 4), ['p1', '0/1', 'Pending', '0'], 'Restarts is a string cell ("0", or "2 (5m ago)")');
  assert.match(prow.cells[4], /^\d+s$/);
  assert.deepEqual(prow.cells.slice(5), ['<none>', '<none>', '<none>', '<none>']);
  // rows carry PartialObjectMetadata by default
  assert.equal(prow.object.kind, 'PartialObjectMetadata');
  assert.equal(prow.object.apiVersion, 'meta.k8s.io/v1');
  assert.equal(prow.object.metadata.name, 'p1');
  assert.equal(prow.object.spec, undefined);

  const deps = await s.request('GET', `/apis/apps/v1/namespaces/${ns}/deployments`, { headers: { accept: TABLE } });
  assert.equal(deps.status, 200, deps.text);
  assert.equal(deps.json.kind, 'Table');
  assert.deepEqual(deps.json.columnDefinitions.map((c) => c.name),
    ['Name', 'Ready', 'Up-to-date', 'Available', 'Age', 'Containers', 'Images', 'Selector']);
  assert.equal(deps.json.rows.length, 1);
  const drow = deps.json.rows[0].cells;
  assert.equal(drow.length, 8);
  assert.deepEqual([drow[0], drow[1], drow[2], drow[3]], ['web', '0/2', 0, 0]);
  assert.deepEqual(drow.slice(5), ['web', 'nginx:1.25', 'app=web']);

  // a single object as Table, with the full object on request
  const one = await s.request('GET', `/api/v1/namespaces/${ns}/pods/p1?includeObject=Object`, { headers: { accept: TABLE } });
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.rows.length, 1);
  assert.equal(one.json.rows[0].object.kind, 'Pod');
  assert.equal(one.json.rows[0].object.spec.containers[0].name, 'c');
  const noObj = await s.request('GET', `/api/v1/namespaces/${ns}/pods?includeObject=None`, { headers: { accept: TABLE } });
  assert.equal(noObj.json.rows[0].object, undefined);
});

test('Table: an unknown `as` is 406, a bad includeObject is 400', async () => {
  const ns = 'cn-table';
  const bogus = await s.request('GET', `/api/v1/namespaces/${ns}/pods`, { headers: { accept: 'application/json;as=Nonsense;v=v1;g=meta.k8s.io' } });
  assert.equal(bogus.status, 406, bogus.text);
  assertStatus(bogus.json, 406, 'NotAcceptable');
  // PartialObjectMetadata (singular) of a list is not acceptable either
  const single = await s.request('GET', `/api/v1/namespaces/${ns}/pods`, { headers: { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' } });
  assert.equal(single.status, 406, single.text);
  assertStatus(single.json, 406, 'NotAcceptable');

  const badInclude = await s.request('GET', `/api/v1/namespaces/${ns}/pods?includeObject=Everything`, { headers: { accept: TABLE } });
  assert.equal(badInclude.status, 400, badInclude.text);
  assertStatus(badInclude.json, 400, 'BadRequest');
  assert.equal(badInclude.json.message,
    'Unable to convert to Table as requested: includeObject: Invalid value: "Everything": must be \'Metadata\', \'Object\', \'None\', or empty');
});

test('PartialObjectMetadataList output', async () => {
  const ns = 'cn-partial';
  await createNamespace(ns);
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'm1', labels: { k: 'v' }, annotations: { a: 'b' } }, data: { secret: 'x' } } });
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'm2' }, data: { secret: 'y' } } });
  const r = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps?labelSelector=k%3Dv`, { headers: { accept: PARTIAL_LIST } });
  assert.equal(r.status, 200, r.text);
  assert.match(r.headers['content-type'], /^application\/json/);
  assert.equal(r.json.kind, 'PartialObjectMetadataList');
  assert.equal(r.json.apiVersion, 'meta.k8s.io/v1');
  assert.ok(r.json.metadata.resourceVersion);
  assert.equal(r.json.items.length, 1);
  const item = r.json.items[0];
  assert.equal(item.kind, 'PartialObjectMetadata');
  assert.equal(item.apiVersion, 'meta.k8s.io/v1');
  assert.equal(item.metadata.name, 'm1');
  assert.equal(item.metadata.namespace, ns);
  assert.deepEqual(item.metadata.labels, { k: 'v' });
  assert.deepEqual(item.metadata.annotations, { a: 'b' });
  assert.ok(item.metadata.uid && item.metadata.resourceVersion);
  assert.equal(item.data, undefined, 'no data in metadata-only output');

  const one = await s.request('GET', `/api/v1/namespaces/${ns}/configmaps/m2`, { headers: { accept: 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io' } });
  assert.equal(one.status, 200, one.text);
  assert.equal(one.json.kind, 'PartialObjectMetadata');
  assert.equal(one.json.metadata.name, 'm2');
  assert.equal(one.json.data, undefined);
});

test('dryRun=All on create, update, patch and delete changes nothing', async () => {
  const ns = 'cn-dryrun';
  await createNamespace(ns);
  const made = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dry', labels: { x: '1' } }, data: { v: 'real' } }, dryRun: 'All' });
  assert.equal(made.metadata.name, 'dry');
  assert.equal(made.data.v, 'real');
  assert.equal((await apiError(core.readNamespacedConfigMap({ namespace: ns, name: 'dry' }))).code, 404, 'dry-run create stored nothing');
  const before = await core.listNamespacedConfigMap({ namespace: ns, labelSelector: 'x=1' });
  assert.equal(before.items.length, 0);

  const real = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'dry' }, data: { v: 'real' } } });
  const upd = await core.replaceNamespacedConfigMap({ namespace: ns, name: 'dry', body: { metadata: { name: 'dry' }, data: { v: 'changed' } }, dryRun: 'All' });
  assert.equal(upd.data.v, 'changed', 'dry-run update answers with the would-be object');
  const pat = await core.patchNamespacedConfigMap({ namespace: ns, name: 'dry', body: { data: { v: 'patched' } }, dryRun: 'All' },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.equal(pat.data.v, 'patched');
  const del = await s.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/dry?dryRun=All`);
  assert.equal(del.status, 200, del.text);
  const after1 = await core.readNamespacedConfigMap({ namespace: ns, name: 'dry' });
  assert.equal(after1.data.v, 'real');
  assert.equal(after1.metadata.resourceVersion, real.metadata.resourceVersion, 'resourceVersion unchanged');

});

test('dryRun with a value other than All is 422 Invalid CreateOptions', async () => {
  const ns = 'cn-dryrun';
  const bad = await s.request('POST', `/api/v1/namespaces/${ns}/configmaps?dryRun=Bogus`, { body: { metadata: { name: 'nope' } } });
  assert.equal(bad.status, 422, bad.text);
  assertStatus(bad.json, 422, 'Invalid');
  assert.equal(bad.json.message, 'CreateOptions.meta.k8s.io "" is invalid: dryRun: Unsupported value: []string{"Bogus"}: supported values: "All"');
  assert.equal(bad.json.details.kind, 'CreateOptions');
  assert.equal(bad.json.details.group, 'meta.k8s.io');
  assert.equal(bad.json.details.causes[0].field, 'dryRun');
  assert.equal((await apiError(core.readNamespacedConfigMap({ namespace: ns, name: 'nope' }))).code, 404);
});

test('finalizers hold an object after delete until a patch removes them', async () => {
  const ns = 'cn-final';
  await createNamespace(ns);
  const cm = await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'held', finalizers: ['example.com/hold'] }, data: { v: '1' } } });
  const del = await s.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/held`);
  assert.ok(del.status === 200 || del.status === 202, del.text); // the exact code is checked below
  assert.equal(del.json.kind, 'ConfigMap', 'a delete that cannot finish returns the object');
  assert.ok(del.json.metadata.deletionTimestamp);
  assert.equal(del.json.metadata.deletionGracePeriodSeconds, 0);
  assert.deepEqual(del.json.metadata.finalizers, ['example.com/hold']);

  const still = await core.readNamespacedConfigMap({ namespace: ns, name: 'held' });
  assert.ok(still.metadata.deletionTimestamp);
  assert.equal(still.metadata.uid, cm.metadata.uid);
  // deleting again is fine and changes nothing
  const again = await s.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/held`);
  assert.ok(again.status < 300, again.text);
  assert.equal(again.json.metadata.deletionTimestamp, del.json.metadata.deletionTimestamp);
  // no new finalizers on an object being deleted
  const add = await apiError(core.patchNamespacedConfigMap({ namespace: ns, name: 'held', body: { metadata: { finalizers: ['example.com/hold', 'example.com/more'] } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
  assert.equal(add.code, 422);
  assertStatus(add.body, 422, 'Invalid');
  assert.equal(add.body.details.causes[0].field, 'metadata.finalizers');
  // other fields can still change while it waits
  const edited = await core.patchNamespacedConfigMap({ namespace: ns, name: 'held', body: { data: { v: '2' } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.equal(edited.data.v, '2');

  const released = await core.patchNamespacedConfigMap({ namespace: ns, name: 'held', body: { metadata: { finalizers: null } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.equal(released.metadata.name, 'held');
  assert.equal(released.metadata.finalizers, undefined);
  const gone = await apiError(core.readNamespacedConfigMap({ namespace: ns, name: 'held' }));
  assert.equal(gone.code, 404);
  assertStatus(gone.body, 404, 'NotFound');

});

test('delete status codes: 200 with the object while finalizers hold it, 202 for orphanDependents=false', async () => {
  const ns = 'cn-final-codes';
  await createNamespace(ns);
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'held', finalizers: ['example.com/hold'] } } });
  const held = await s.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/held`);
  assert.equal(held.json.kind, 'ConfigMap');
  // a finalizer-free object is deleted at once: 200 with a Success Status
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'plain' } } });
  const plain = await s.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/plain`);
  assert.equal(plain.status, 200, plain.text);
  assert.equal(plain.json.kind, 'Status');
  assert.equal(plain.json.status, 'Success');
  const { uid, ...details } = plain.json.details;
  assert.ok(uid);
  assert.deepEqual(details, { name: 'plain', kind: 'configmaps' }, 'the core group is omitted (omitempty)');
  // orphanDependents=false asks for cascading deletion: not deleted at once → 202 Accepted
  await core.createNamespacedConfigMap({ namespace: ns, body: { metadata: { name: 'cascade' } } });
  const cascade = await s.request('DELETE', `/api/v1/namespaces/${ns}/configmaps/cascade?orphanDependents=false`);
  assert.equal(cascade.status, 202, cascade.text);
  assert.equal(cascade.json.kind, 'ConfigMap');
  assert.ok(cascade.json.metadata.deletionTimestamp);
  assert.deepEqual(cascade.json.metadata.finalizers, ['foregroundDeletion']);
  // checked last so the cases above are still reported
  assert.equal(held.status, 200, `pending finalizers without orphanDependents=false: 200, got ${held.status}`);
});

test('generation bumps on spec changes only; status and main resource do not overwrite each other', async () => {
  const ns = 'cn-gen';
  await createNamespace(ns);
  const d0 = await apps.createNamespacedDeployment({ namespace: ns, body: deployment('gen', { app: 'gen' }) });
  assert.equal(d0.metadata.generation, 1);
  assert.equal(d0.status?.replicas, undefined, 'status is cleared on create');

  const labelled = await apps.patchNamespacedDeployment({ namespace: ns, name: 'gen', body: { metadata: { labels: { app: 'gen', extra: 'y' } } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.equal(labelled.metadata.generation, 1, 'labels do not bump generation');

  const specChanged = await apps.patchNamespacedDeployment({ namespace: ns, name: 'gen', body: { spec: { minReadySeconds: 5 } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.equal(specChanged.metadata.generation, 2);

  // status subresource: status changes, spec edits in the same body are ignored, generation stays
  const cur = await apps.readNamespacedDeployment({ namespace: ns, name: 'gen' });
  cur.spec.replicas = 9;
  cur.status = { replicas: 2, updatedReplicas: 2, readyReplicas: 1, availableReplicas: 1, observedGeneration: 2 };
  const st = await apps.replaceNamespacedDeploymentStatus({ namespace: ns, name: 'gen', body: cur });
  assert.equal(st.status.replicas, 2);
  assert.equal(st.status.readyReplicas, 1);
  assert.equal(st.spec.replicas, 2, 'status writes do not change spec');
  assert.equal(st.metadata.generation, 2, 'status writes do not bump generation');
  const patchedStatus = await apps.patchNamespacedDeploymentStatus({ namespace: ns, name: 'gen', body: { status: { availableReplicas: 2, readyReplicas: 2 }, spec: { replicas: 7 } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch));
  assert.equal(patchedStatus.status.availableReplicas, 2);
  assert.equal(patchedStatus.spec.replicas, 2);
  assert.equal(patchedStatus.metadata.generation, 2);

  // main resource: status edits are ignored
  const cur2 = await apps.readNamespacedDeployment({ namespace: ns, name: 'gen' });
  cur2.status = { replicas: 100 };
  cur2.metadata.annotations = { touched: 'yes' };
  const main = await apps.replaceNamespacedDeployment({ namespace: ns, name: 'gen', body: cur2 });
  assert.equal(main.status.replicas, 2, 'main-resource writes do not change status');
  assert.equal(main.status.availableReplicas, 2);
  assert.equal(main.metadata.annotations.touched, 'yes');
  // a Deployment's annotations are copied to its ReplicaSets: upstream bumps generation for them
  assert.equal(main.metadata.generation, 3);

});

test('status subresource writes are validated', async () => {
  const ns = 'cn-gen';
  const badStatus = await apiError(apps.patchNamespacedDeploymentStatus({ namespace: ns, name: 'gen', body: { status: { replicas: -3 } } },
    setHeaderOptions('Content-Type', PatchStrategy.MergePatch)));
  assert.equal(badStatus.code, 422);
  assertStatus(badStatus.body, 422, 'Invalid');
  assert.ok(badStatus.body.details.causes.some((c) => c.field === 'status.replicas'), JSON.stringify(badStatus.body.details));
});

test('pods/binding sets nodeName and PodScheduled; binding again is 409', async () => {
  const ns = 'cn-bind';
  await createNamespace(ns);
  await ensureDefaultServiceAccount(ns);
  const pod = await core.createNamespacedPod({ namespace: ns, body: { metadata: { name: 'p' }, spec: { containers: [{ name: 'c', image: 'busybox:1.36' }] } } });
  assert.equal(pod.spec.nodeName, undefined);
  assert.equal(pod.status.phase, 'Pending');
  assert.equal(pod.status.qosClass, 'BestEffort');
  // the QoS class follows requests and limits as upstream computes it
  const qos = async (name, resources) => (await core.createNamespacedPod({ namespace: ns, body: {
    metadata: { name }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', resources }] } } })).status.qosClass;
  assert.equal(await qos('burstable', { requests: { cpu: '100m' } }), 'Burstable');
  assert.equal(await qos('guaranteed', { limits: { cpu: '100m', memory: '64Mi' } }), 'Guaranteed');
  assert.equal(await qos('burstable2', { requests: { cpu: '100m', memory: '64Mi' }, limits: { cpu: '200m', memory: '64Mi' } }), 'Burstable');

  const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name: 'p' }, target: { apiVersion: 'v1', kind: 'Node', name: 'node-1' } };
  const r = await s.request('POST', `/api/v1/namespaces/${ns}/pods/p/binding`, { body: binding });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.kind, 'Status');
  assert.equal(r.json.status, 'Success');

  const bound = await core.readNamespacedPod({ namespace: ns, name: 'p' });
  assert.equal(bound.spec.nodeName, 'node-1');
  const cond = bound.status.conditions?.find((c) => c.type === 'PodScheduled');
  assert.ok(cond, `no PodScheduled condition: ${JSON.stringify(bound.status)}`);
  assert.equal(cond.status, 'True');
  assert.ok(cond.lastTransitionTime instanceof Date);

  const again = await apiError(core.createNamespacedPodBinding({ namespace: ns, name: 'p', body: { ...binding, target: { kind: 'Node', name: 'node-2' } } }));
  assert.equal(again.code, 409);
  assertStatus(again.body, 409, 'Conflict');
  assert.equal(again.body.message, 'Operation cannot be fulfilled on pods/binding "p": pod p is already assigned to node "node-1"');
  assert.deepEqual(again.body.details, { name: 'p', kind: 'pods/binding' });
  assert.equal((await core.readNamespacedPod({ namespace: ns, name: 'p' })).spec.nodeName, 'node-1');

  // binding a pod that does not exist
  const missing = await s.request('POST', `/api/v1/namespaces/${ns}/pods/ghost/binding`, { body: { ...binding, metadata: { name: 'ghost' } } });
  assert.equal(missing.status, 404, missing.text);
  assertStatus(missing.json, 404, 'NotFound');
  assert.equal(missing.json.message, 'pods "ghost" not found');

  // the create handler fills in the Status code (checked last so the rest above is still reported)
  assert.equal(r.json.code, 201, `binding Status has code 201: ${r.text}`);
});
