// Garbage collector and namespace controller end to end: a real cluster (server, one simulated node,
// scheduler, controller manager with garbagecollector, replicaset and namespace). Background,
// orphan and foreground deletion of a ReplicaSet, a ConfigMap whose owner never existed, an object
// with two owners, and `kubectl delete ns` of a namespace full of objects.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startCluster, sleep } from './cluster-helpers.mjs';

let c;
const NS = 'default';
const rsPath = (name, ns = NS) => `/apis/apps/v1/namespaces/${ns}/replicasets/${name}`;
const cmPath = (name, ns = NS) => `/api/v1/namespaces/${ns}/configmaps/${name}`;
const rsBody = (name, replicas = 2) => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
  spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});
const podsOwnedBy = async (uid, ns = NS) => ((await c.get(`/api/v1/namespaces/${ns}/pods`))?.items ?? [])
  .filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === uid));
const podsLabelled = async (app) => (await c.get(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`))?.items ?? [];

async function rsWithPods(name, replicas = 2) {
  const rs = await c.create(`/apis/apps/v1/namespaces/${NS}/replicasets`, rsBody(name, replicas));
  await c.eventually(`${replicas} pods of ${name}`, async () => (await podsOwnedBy(rs.metadata.uid)).length === replicas);
  return rs;
}

before(async () => {
  c = await startCluster({ controllers: 'garbagecollector,replicaset,namespace', nodes: 1 });
});
after(async () => { await c?.stop(); });

test('deleting a ReplicaSet (background) deletes its pods', async () => {
  const rs = await rsWithPods('bg');
  const r = await c.kubectl(['delete', 'rs', 'bg']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /replicaset.apps "bg" deleted/);
  await c.eventually('pods of bg gone', async () => (await podsOwnedBy(rs.metadata.uid)).length === 0);
});

test('--cascade=orphan keeps the pods and removes their owner references', async () => {
  const rs = await rsWithPods('orph');
  const r = await c.kubectl(['delete', 'rs', 'orph', '--cascade=orphan']);
  assert.equal(r.code, 0, r.stderr);
  // kubectl waits until the ReplicaSet is gone, which needs the orphan finalizer removed by the collector
  assert.equal(await c.get(rsPath('orph')), undefined);
  const pods = await podsLabelled('orph');
  assert.equal(pods.length, 2);
  for (const p of pods) {
    assert.equal(p.metadata.deletionTimestamp, undefined);
    assert.ok(!p.metadata.ownerReferences?.some((x) => x.uid === rs.metadata.uid), JSON.stringify(p.metadata.ownerReferences));
  }
  await sleep(1000);
  assert.equal((await podsLabelled('orph')).filter((p) => !p.metadata.deletionTimestamp).length, 2, 'orphans stay');
});

test('--cascade=foreground keeps the ReplicaSet, marked for deletion, until its pods are gone', async () => {
  const rs = await rsWithPods('fg');
  const r = await c.kubectl(['delete', 'rs', 'fg', '--cascade=foreground', '--wait=false']);
  assert.equal(r.code, 0, r.stderr);
  const marked = await c.get(rsPath('fg'));
  if (marked) {
    // still there: it must be waiting on its dependents
    assert.ok(marked.metadata.deletionTimestamp);
    assert.ok(marked.metadata.finalizers.includes('foregroundDeletion'));
  }
  await c.eventually('fg gone', async () => (await c.get(rsPath('fg'))) === undefined);
  // the owner goes last: by the time it is gone, so are the pods that blocked it
  assert.deepEqual((await podsOwnedBy(rs.metadata.uid)).map((p) => p.metadata.name), []);
});

test('a ConfigMap owned by a uid that does not exist is collected', async () => {
  await c.create(`/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'ghost-owner' } });
  // an owner with that name exists, but with another uid: still dangling
  await c.create(`/api/v1/namespaces/${NS}/configmaps`, {
    metadata: { name: 'orphaned', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'ghost-owner', uid: randomUUID() }] },
  });
  await c.create(`/api/v1/namespaces/${NS}/configmaps`, {
    metadata: { name: 'orphaned2', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'never-was', uid: randomUUID() }] },
  });
  await c.eventually('dangling dependents collected', async () =>
    (await c.get(cmPath('orphaned'))) === undefined && (await c.get(cmPath('orphaned2'))) === undefined);
  assert.ok(await c.get(cmPath('ghost-owner')), 'the unrelated object of the same name stays');
});

test('an object with two owners survives until both are gone', async () => {
  const a = await c.create(`/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'owner-a' } });
  const b = await c.create(`/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'owner-b' } });
  const ref = (o) => ({ apiVersion: 'v1', kind: 'ConfigMap', name: o.metadata.name, uid: o.metadata.uid });
  await c.create(`/api/v1/namespaces/${NS}/configmaps`, { metadata: { name: 'shared', ownerReferences: [ref(a), ref(b)] } });
  assert.equal((await c.kubectl(['delete', 'configmap', 'owner-a'])).code, 0);
  // the collector drops the reference to the deleted owner and keeps the object
  const kept = await c.eventually('reference to owner-a dropped', async () => {
    const s = await c.get(cmPath('shared'));
    assert.ok(s, 'shared must survive while owner-b exists');
    return s.metadata.ownerReferences?.length === 1 ? s : undefined;
  });
  assert.equal(kept.metadata.ownerReferences[0].uid, b.metadata.uid);
  assert.equal(kept.metadata.deletionTimestamp, undefined);
  assert.equal((await c.kubectl(['delete', 'configmap', 'owner-b'])).code, 0);
  await c.eventually('shared collected', async () => (await c.get(cmPath('shared'))) === undefined);
});

test('deleting a namespace empties and removes it', async () => {
  assert.equal((await c.kubectl(['create', 'namespace', 'doomed'])).code, 0);
  const rs = await c.create(`/apis/apps/v1/namespaces/doomed/replicasets`, rsBody('web', 2));
  await c.eventually('pods in doomed', async () => (await podsOwnedBy(rs.metadata.uid, 'doomed')).length === 2);
  await c.create('/api/v1/namespaces/doomed/services', { metadata: { name: 'web' }, spec: { selector: { app: 'web' }, ports: [{ port: 80 }] } });
  await c.create('/api/v1/namespaces/doomed/configmaps', { metadata: { name: 'cfg' }, data: { a: 'b' } });
  await c.create('/api/v1/namespaces/doomed/pods', { metadata: { name: 'loose' }, spec: { containers: [{ name: 'c', image: 'nginx' }] } });
  const started = Date.now();
  const r = await c.kubectl(['delete', 'ns', 'doomed']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /namespace "doomed" deleted/);
  assert.ok(Date.now() - started < 30_000);
  const g = await c.kubectl(['get', 'ns', 'doomed']);
  assert.notEqual(g.code, 0);
  assert.match(g.stderr, /Error from server \(NotFound\): namespaces "doomed" not found/);
  for (const p of ['/api/v1/namespaces/doomed/pods', '/api/v1/namespaces/doomed/configmaps', '/apis/apps/v1/namespaces/doomed/replicasets']) {
    assert.deepEqual((await c.get(p))?.items ?? [], [], p);
  }
});
