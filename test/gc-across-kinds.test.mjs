// Garbage collection across kinds (issue 6): owner references between built-in objects and custom
// resources in both directions, and foreground deletion of a Deployment through its ReplicaSet down
// to its pods: the Deployment keeps its deletionTimestamp and the foregroundDeletion finalizer until
// every blocking dependent is gone, and `kubectl delete --cascade=foreground` waits for that.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, sleep } from './cluster-helpers.mjs';

let c;
const NS = 'default';
const GROUP = 'gc.kumo.dev';
const gadgets = `/apis/${GROUP}/v1/namespaces/${NS}/gadgets`;
const deps = `/apis/apps/v1/namespaces/${NS}/deployments`;
const cms = `/api/v1/namespaces/${NS}/configmaps`;
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `gadgets.${GROUP}` },
  spec: {
    group: GROUP, scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } } }],
  },
};
const ref = (o, extra = {}) => ({ apiVersion: o.apiVersion, kind: o.kind, name: o.metadata.name, uid: o.metadata.uid, ...extra });
const gone = async (path) => (await c.s.request('GET', path)).status === 404;
const ownedBy = async (path, uid) => ((await c.get(path))?.items ?? []).filter((o) => o.metadata.ownerReferences?.some((r) => r.uid === uid));

before(async () => {
  // the CRD is there before the controller manager starts: a kind added later reaches the collector
  // only with its next discovery resync (30 s, as upstream's GC sync period)
  c = await startCluster({
    controllers: 'deployment,replicaset,garbagecollector', nodes: 1,
    setup: async (s) => {
      const r = await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(crd) });
      assert.equal(r.code, 0, r.stderr);
      const w = await s.kubectl(['wait', '--for=condition=Established', `crd/gadgets.${GROUP}`, '--timeout=20s']);
      assert.equal(w.code, 0, w.stderr);
    },
  });
});
after(async () => { await c?.stop(); });

test('a ConfigMap owned by a custom resource is collected when the custom resource is deleted', async () => {
  const owner = await c.create(gadgets, { apiVersion: `${GROUP}/v1`, kind: 'Gadget', metadata: { name: 'owner' } });
  await c.create(cms, { metadata: { name: 'owned-by-cr', ownerReferences: [ref(owner)] }, data: { a: 'b' } });
  await c.create(cms, { metadata: { name: 'bystander' } });
  await sleep(1000);
  assert.ok(await c.get(`${cms}/owned-by-cr`), 'kept while its owner exists');
  const r = await c.kubectl(['delete', `gadgets.${GROUP}`, 'owner']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /gadget.gc.kumo.dev "owner" deleted/);
  await c.eventually('owned-by-cr collected', () => gone(`${cms}/owned-by-cr`));
  assert.ok(await c.get(`${cms}/bystander`));
});

test('a custom resource owned by a Deployment goes with the Deployment', async () => {
  let r = await c.kubectl(['create', 'deployment', 'host', '--image=nginx', '--replicas=1']);
  assert.equal(r.code, 0, r.stderr);
  const d = await c.get(`${deps}/host`);
  await c.create(gadgets, { apiVersion: `${GROUP}/v1`, kind: 'Gadget', metadata: { name: 'rider', ownerReferences: [ref({ apiVersion: 'apps/v1', kind: 'Deployment', ...d })] } });
  await c.eventually('a pod of host', async () => (await c.get(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dhost`))?.items?.length === 1);
  r = await c.kubectl(['delete', 'deployment', 'host']);
  assert.equal(r.code, 0, r.stderr);
  await c.eventually('rider collected', () => gone(`${gadgets}/rider`));
  await c.eventually('pods of host collected', async () => (await c.get(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3Dhost`))?.items?.length === 0);
});

test('--cascade=foreground: the Deployment waits, marked, for its ReplicaSet and pods', async () => {
  let r = await c.kubectl(['create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
  assert.equal(r.code, 0, r.stderr);
  const d = await c.get(`${deps}/web`);
  const rs = await c.eventually('the ReplicaSet of web', async () => (await ownedBy(`/apis/apps/v1/namespaces/${NS}/replicasets`, d.metadata.uid))[0]);
  const pods = await c.eventually('2 Running pods of web', async () => {
    const p = await ownedBy(`/api/v1/namespaces/${NS}/pods`, rs.metadata.uid);
    return p.length === 2 && p.every((x) => x.status?.phase === 'Running') && p;
  });
  // one pod is held by a finalizer, so the chain cannot finish until the test lets it go
  const held = pods[0].metadata.name;
  await c.patch(`/api/v1/namespaces/${NS}/pods/${held}`, { metadata: { finalizers: ['example.com/hold'] } });
  r = await c.kubectl(['delete', 'deployment', 'web', '--cascade=foreground', '--wait=false']);
  assert.equal(r.code, 0, r.stderr);
  await c.eventually('the other pod gone', async () => (await ownedBy(`/api/v1/namespaces/${NS}/pods`, rs.metadata.uid)).length === 1, 30_000);
  await sleep(1000);
  const marked = await c.get(`${deps}/web`);
  assert.ok(marked, 'the Deployment stays while a dependent remains');
  assert.ok(marked.metadata.deletionTimestamp);
  assert.deepEqual(marked.metadata.finalizers, ['foregroundDeletion']);
  const markedRS = await c.get(`/apis/apps/v1/namespaces/${NS}/replicasets/${rs.metadata.name}`);
  assert.ok(markedRS?.metadata.deletionTimestamp, 'the ReplicaSet is being deleted too');
  assert.deepEqual(markedRS.metadata.finalizers, ['foregroundDeletion'], 'in the foreground, as it has dependents');
  const pod = await c.get(`/api/v1/namespaces/${NS}/pods/${held}`);
  assert.ok(pod.metadata.deletionTimestamp);
  // a second, waiting `kubectl delete --cascade=foreground` returns once the last pod lets go
  const waiting = c.kubectl(['delete', 'deployment', 'web', '--cascade=foreground', '--timeout=40s']);
  await sleep(1500);
  await c.patch(`/api/v1/namespaces/${NS}/pods/${held}`, { metadata: { finalizers: null } });
  r = await waiting;
  assert.equal(r.code, 0, r.stderr);
  assert.ok(await gone(`${deps}/web`));
  assert.ok(await gone(`/apis/apps/v1/namespaces/${NS}/replicasets/${rs.metadata.name}`));
  assert.deepEqual(await ownedBy(`/api/v1/namespaces/${NS}/pods`, rs.metadata.uid), []);
});

test('kubectl delete --cascade=foreground of an unblocked Deployment returns with everything gone', async () => {
  let r = await c.kubectl(['create', 'deployment', 'quick', '--image=nginx', '--replicas=2']);
  assert.equal(r.code, 0, r.stderr);
  const d = await c.get(`${deps}/quick`);
  const rs = await c.eventually('the ReplicaSet of quick', async () => (await ownedBy(`/apis/apps/v1/namespaces/${NS}/replicasets`, d.metadata.uid))[0]);
  await c.eventually('2 pods of quick', async () => (await ownedBy(`/api/v1/namespaces/${NS}/pods`, rs.metadata.uid)).length === 2);
  r = await c.kubectl(['delete', 'deployment', 'quick', '--cascade=foreground', '--timeout=40s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment.apps "quick" deleted/);
  // the owner goes last: when kubectl returns, its dependents are already gone
  assert.ok(await gone(`/apis/apps/v1/namespaces/${NS}/replicasets/${rs.metadata.name}`));
  assert.deepEqual(await ownedBy(`/api/v1/namespaces/${NS}/pods`, rs.metadata.uid), []);
});
