import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError, type RESTClient } from '../../client/rest.js';
import { GarbageCollector } from './controller.js';
import { DiscoveryResult, type DiscoveredResource } from './discovery.js';

const res = (group: string, version: string, resource: string, kind: string, namespaced = true): DiscoveredResource => ({
  group, version, groupVersion: group ? `${group}/${version}` : version, resource, kind, namespaced, preferred: true,
  verbs: ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'],
});
const DISCOVERY = new DiscoveryResult([res('', 'v1', 'pods', 'Pod'), res('', 'v1', 'configmaps', 'ConfigMap'),
  res('apps', 'v1', 'replicasets', 'ReplicaSet'), res('', 'v1', 'nodes', 'Node', false), res('', 'v1', 'events', 'Event')]);

/** A fake API: objects by path; records writes. */
function setup(objects: Record<string, any>) {
  const calls: { method: string; path: string; body?: any }[] = [];
  const client = {
    config: { server: 'https://127.0.0.1:1' }, userAgent: 'test',
    request: async (method: string, path: string, body?: any) => {
      calls.push({ method, path, body });
      if (method === 'GET') {
        if (objects[path]) return structuredClone(objects[path]);
        throw new APIError(404, { reason: 'NotFound', message: 'not found' }, '');
      }
      if (method === 'DELETE' && !objects[path]) throw new APIError(404, undefined, '');
      return {};
    },
    withAccept() { return client; },
  } as unknown as RESTClient;
  const gc = new GarbageCollector(client, undefined, { discover: async () => DISCOVERY });
  return { gc, calls, writes: () => calls.filter((c) => c.method !== 'GET') };
}
const rsRef = (uid: string, name = 'web') => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name, uid, controller: true, blockOwnerDeletion: true });
const cm = (name: string, uid: string, refs: any[], extra: any = {}) =>
  ({ metadata: { name, namespace: 'ns', uid, resourceVersion: '5', ownerReferences: refs, ...extra } });

/** Discovery as resync() would leave it, without starting monitors. */
async function prime(gc: GarbageCollector) {
  (gc as any).discovery = DISCOVERY;
}

test('a dependent whose owner uid does not exist is deleted after a live lookup by name', async () => {
  const dep = cm('c1', 'c-uid', [rsRef('gone-uid')]);
  const { gc, calls, writes } = setup({ '/api/v1/namespaces/ns/configmaps/c1': dep });
  await prime(gc);
  gc.graph.observe({ apiVersion: 'v1', kind: 'ConfigMap', metadata: dep.metadata });
  // the virtual owner is verified first: missing → its dependents are re-examined
  await gc.attemptToDeleteItem('gone-uid');
  assert.equal(gc.graph.get('gone-uid'), undefined);
  await gc.attemptToDeleteItem('c-uid');
  assert.ok(calls.some((c) => c.method === 'GET' && c.path === '/apis/apps/v1/namespaces/ns/replicasets/web'));
  const [del] = writes();
  assert.equal(del.method, 'DELETE');
  assert.equal(del.path, '/api/v1/namespaces/ns/configmaps/c1');
  assert.deepEqual(del.body, { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background', preconditions: { uid: 'c-uid' } });
});

test('an owner that exists under the same name but another uid is dangling; one with the right uid keeps the dependent', async () => {
  const dep = cm('c1', 'c-uid', [rsRef('old-uid')]);
  const { gc, writes } = setup({
    '/api/v1/namespaces/ns/configmaps/c1': dep,
    '/apis/apps/v1/namespaces/ns/replicasets/web': { metadata: { name: 'web', namespace: 'ns', uid: 'new-uid' } },
  });
  await prime(gc);
  gc.graph.observe({ apiVersion: 'v1', kind: 'ConfigMap', metadata: dep.metadata });
  gc.graph.observe({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'new-uid' } });
  await gc.attemptToDeleteItem('c-uid');
  assert.equal(writes()[0]?.method, 'DELETE');

  const kept = cm('c2', 'c2-uid', [rsRef('new-uid')]);
  const s2 = setup({ '/api/v1/namespaces/ns/configmaps/c2': kept, '/apis/apps/v1/namespaces/ns/replicasets/web': { metadata: { name: 'web', namespace: 'ns', uid: 'new-uid' } } });
  await prime(s2.gc);
  s2.gc.graph.observe({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web', namespace: 'ns', uid: 'new-uid' } });
  s2.gc.graph.observe({ apiVersion: 'v1', kind: 'ConfigMap', metadata: kept.metadata });
  await s2.gc.attemptToDeleteItem('c2-uid');
  assert.deepEqual(s2.writes(), []);
});

test('with one owner gone and one alive, only the dangling reference is removed', async () => {
  const dep = cm('c1', 'c-uid', [rsRef('gone', 'a'), rsRef('alive', 'b')]);
  const { gc, writes } = setup({
    '/api/v1/namespaces/ns/configmaps/c1': dep,
    '/apis/apps/v1/namespaces/ns/replicasets/b': { metadata: { name: 'b', namespace: 'ns', uid: 'alive' } },
  });
  await prime(gc);
  gc.graph.observe({ apiVersion: 'v1', kind: 'ConfigMap', metadata: dep.metadata });
  await gc.attemptToDeleteItem('c-uid');
  const [patch] = writes();
  assert.equal(patch.method, 'PATCH');
  assert.deepEqual(patch.body.metadata.ownerReferences.map((r: any) => r.uid), ['alive']);
  assert.equal(patch.body.metadata.resourceVersion, '5');
});

test('a foreground-deleted owner loses its finalizer only when no blocking dependent remains', async () => {
  const owner = { metadata: { name: 'web', namespace: 'ns', uid: 'r1', resourceVersion: '9', deletionTimestamp: 'x', finalizers: ['foregroundDeletion', 'other'] } };
  const objects: Record<string, any> = { '/apis/apps/v1/namespaces/ns/replicasets/web': owner };
  const { gc, writes } = setup(objects);
  await prime(gc);
  gc.graph.observe({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: owner.metadata });
  gc.graph.observe({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'p1', ownerReferences: [rsRef('r1')] } });
  await gc.attemptToDeleteItem('r1');
  assert.deepEqual(writes(), [], 'a blocking pod remains');
  gc.graph.remove({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p', namespace: 'ns', uid: 'p1' } });
  await gc.attemptToDeleteItem('r1');
  const [patch] = writes();
  assert.equal(patch.method, 'PATCH');
  assert.deepEqual(patch.body.metadata.finalizers, ['other']);
});

test('orphaning removes the owner reference from every dependent, then the orphan finalizer', async () => {
  const owner = { metadata: { name: 'web', namespace: 'ns', uid: 'r1', resourceVersion: '9', deletionTimestamp: 'x', finalizers: ['orphan'] } };
  const p1 = { metadata: { name: 'p1', namespace: 'ns', uid: 'u1', resourceVersion: '3', ownerReferences: [rsRef('r1')] } };
  const { gc, writes } = setup({ '/apis/apps/v1/namespaces/ns/replicasets/web': owner, '/api/v1/namespaces/ns/pods/p1': p1 });
  await prime(gc);
  gc.graph.observe({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: owner.metadata });
  gc.graph.observe({ apiVersion: 'v1', kind: 'Pod', metadata: p1.metadata });
  await gc.attemptToOrphanItem('r1');
  const w = writes();
  assert.equal(w.length, 2);
  assert.equal(w[0].path, '/api/v1/namespaces/ns/pods/p1');
  assert.equal(w[0].body.metadata.ownerReferences, null);
  assert.equal(w[1].path, '/apis/apps/v1/namespaces/ns/replicasets/web');
  assert.deepEqual(w[1].body.metadata.finalizers, []);
});

test('an owner kind the server does not serve is an error (retried), not a deletion', async () => {
  const dep = cm('c1', 'c-uid', [{ apiVersion: 'example.com/v1', kind: 'Widget', name: 'w', uid: 'w1' }]);
  const { gc, writes } = setup({ '/api/v1/namespaces/ns/configmaps/c1': dep });
  await prime(gc);
  gc.graph.observe({ apiVersion: 'v1', kind: 'ConfigMap', metadata: dep.metadata });
  await assert.rejects(gc.attemptToDeleteItem('c-uid'), /unable to get REST mapping for example.com\/v1\/Widget/);
  assert.deepEqual(writes(), []);
});

test('a cluster-scoped object naming a namespaced owner is left alone', async () => {
  const node = { metadata: { name: 'n1', uid: 'n-uid', ownerReferences: [rsRef('r1')] } };
  const { gc, writes } = setup({ '/api/v1/nodes/n1': node });
  await prime(gc);
  gc.graph.observe({ apiVersion: 'v1', kind: 'Node', metadata: node.metadata });
  await gc.attemptToDeleteItem('n-uid');
  assert.deepEqual(writes(), []);
});

test('resync watches deletable resources except events', async () => {
  const { gc } = setup({});
  const started: string[] = [];
  (gc as any).startMonitor = (r: DiscoveredResource) => { started.push(`${r.group}/${r.resource}`); return { resource: r, stop() {}, synced: Promise.resolve() }; };
  await gc.resync();
  assert.deepEqual(started.sort(), ['/configmaps', '/nodes', '/pods', 'apps/replicasets']);
  assert.deepEqual(gc.monitored(), ['/configmaps', '/nodes', '/pods', 'apps/replicasets']);
  gc.stop();
});

test('re-discovery starts monitors for new resources (custom resources) and stops vanished ones', async () => {
  const { gc } = setup({});
  let current = DISCOVERY;
  (gc as any).opts.discover = async () => current;
  const stopped: string[] = [];
  (gc as any).startMonitor = (r: DiscoveredResource) => ({ resource: r, stop() { stopped.push(`${r.group}/${r.resource}`); }, synced: Promise.resolve() });
  await gc.resync();
  current = new DiscoveryResult([res('', 'v1', 'pods', 'Pod'), res('example.com', 'v1', 'widgets', 'Widget')]);
  await gc.resync();
  assert.deepEqual(gc.monitored(), ['/pods', 'example.com/widgets']);
  assert.deepEqual(stopped.sort(), ['/configmaps', '/nodes', 'apps/replicasets']);
  // a group whose discovery failed keeps its monitor
  current = new DiscoveryResult([res('', 'v1', 'pods', 'Pod')], [{ groupVersion: 'example.com/v1', message: 'unavailable' }]);
  await gc.resync();
  assert.deepEqual(gc.monitored(), ['/pods', 'example.com/widgets']);
  gc.stop();
});
