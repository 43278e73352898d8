import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError } from '../../client/rest.js';
import { DiscoveryResult, type DiscoveredResource } from '../garbagecollector/discovery.js';
import { NamespaceConditionUpdater } from './conditions.js';
import { NamespaceController } from './controller.js';
import { NamespacedResourcesDeleter, ResourcesRemainingError } from './deleter.js';
import { recordingClient } from '../common/testing.js';

const res = (group: string, resource: string, verbs: string[], namespaced = true): DiscoveredResource => ({
  group, version: 'v1', groupVersion: group ? `${group}/v1` : 'v1', resource, kind: resource, namespaced, preferred: true, verbs,
});
const ALL = ['delete', 'deletecollection', 'get', 'list', 'watch'];

function fake(state: { ns: any; items: Record<string, any[]>; failDelete?: string }) {
  const { client, calls } = recordingClient((method, path, body) => {
    if (path === '/api/v1/namespaces/t') {
      if (!state.ns) throw new APIError(404, undefined, '');
      return structuredClone(state.ns);
    }
    if (path === '/api/v1/namespaces/t/status' || path === '/api/v1/namespaces/t/finalize') { state.ns = body; return body; }
    const coll = Object.keys(state.items).find((k) => path === k || path.startsWith(`${k}/`));
    if (!coll) throw new APIError(404, undefined, '');
    if (method === 'GET') return { items: state.items[coll] };
    if (method === 'DELETE') {
      if (state.failDelete === coll) throw new APIError(500, { message: 'etcd is sad' }, '');
      if (path === coll) state.items[coll] = state.items[coll].filter((i) => i.metadata.finalizers?.length || i.keep);
      else state.items[coll] = state.items[coll].filter((i) => `${coll}/${i.metadata.name}` !== path || i.metadata.finalizers?.length);
      return {};
    }
    return {};
  });
  return { client, calls };
}
const terminating = (): any => ({ metadata: { name: 't', deletionTimestamp: '2024-01-01T00:00:00Z', resourceVersion: '1' }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });

test('an empty-able namespace is emptied (deletecollection, else list+delete) and finalized', async () => {
  const state = {
    ns: terminating(),
    items: {
      '/api/v1/namespaces/t/configmaps': [{ metadata: { name: 'a' } }, { metadata: { name: 'b' } }],
      '/apis/x/v1/namespaces/t/widgets': [{ metadata: { name: 'w' } }],
    } as Record<string, any[]>,
  };
  const { client, calls } = fake(state);
  const d = new NamespacedResourcesDeleter(client, async () => new DiscoveryResult([
    res('', 'configmaps', ALL), res('x', 'widgets', ['delete', 'get', 'list']), res('', 'nodes', ALL, false), res('', 'bindings', ['create']),
  ]));
  await d.delete('t');
  assert.ok(calls.some((c) => c.method === 'DELETE' && c.path === '/api/v1/namespaces/t/configmaps' && c.body.propagationPolicy === 'Background'));
  assert.ok(calls.some((c) => c.method === 'DELETE' && c.path === '/apis/x/v1/namespaces/t/widgets/w'));
  assert.ok(!calls.some((c) => c.path.includes('nodes') || c.path.includes('bindings')));
  const fin = calls.find((c) => c.path === '/api/v1/namespaces/t/finalize');
  assert.deepEqual(fin?.body.spec.finalizers, []);
  assert.equal(calls.find((c) => c.path === '/api/v1/namespaces/t/status')?.body.status.phase, 'Terminating');
  const conds = state.ns.status.conditions;
  assert.equal(conds.length, 5);
  assert.ok(conds.every((c: any) => c.status === 'False'));
});

test('content held by finalizers keeps the namespace with ContentRemaining and FinalizersRemaining', async () => {
  const state = { ns: terminating(), items: { '/api/v1/namespaces/t/configmaps': [{ metadata: { name: 'a', finalizers: ['example.com/hold'] } }] } as Record<string, any[]> };
  const { client, calls } = fake(state);
  const d = new NamespacedResourcesDeleter(client, async () => new DiscoveryResult([res('', 'configmaps', ALL)]));
  await assert.rejects(d.delete('t'), (e: unknown) => e instanceof ResourcesRemainingError && e.estimate === 5);
  assert.ok(!calls.some((c) => c.path.endsWith('/finalize')));
  const byType = Object.fromEntries(state.ns.status.conditions.map((c: any) => [c.type, c]));
  assert.equal(byType.NamespaceContentRemaining.status, 'True');
  assert.equal(byType.NamespaceContentRemaining.reason, 'SomeResourcesRemain');
  assert.equal(byType.NamespaceContentRemaining.message, 'Some resources are remaining: configmaps. has 1 resource instances');
  assert.equal(byType.NamespaceFinalizersRemaining.reason, 'SomeFinalizerRemain');
  assert.equal(byType.NamespaceFinalizersRemaining.message, 'Some finalizers are remaining: example.com/hold in 1 resource instances');
});

test('pods still terminating give upstream estimate from their grace period', async () => {
  const state = { ns: terminating(), items: { '/api/v1/namespaces/t/pods': [{ metadata: { name: 'p' }, keep: true, spec: { terminationGracePeriodSeconds: 30 }, status: { phase: 'Running' } }] } as Record<string, any[]> };
  const { client } = fake(state);
  const d = new NamespacedResourcesDeleter(client, async () => new DiscoveryResult([res('', 'pods', ALL)]));
  await assert.rejects(d.delete('t'), (e: unknown) => e instanceof ResourcesRemainingError && e.estimate === 30);
});

test('delete and discovery failures become conditions and errors', async () => {
  const state = { ns: terminating(), items: { '/api/v1/namespaces/t/configmaps': [{ metadata: { name: 'a' } }] } as Record<string, any[]>, failDelete: '/api/v1/namespaces/t/configmaps' };
  const { client } = fake(state);
  const d = new NamespacedResourcesDeleter(client, async () => new DiscoveryResult([res('', 'configmaps', ALL)], [{ groupVersion: 'x/v1', message: 'boom' }]));
  await assert.rejects(d.delete('t'), /etcd is sad/);
  const byType = Object.fromEntries(state.ns.status.conditions.map((c: any) => [c.type, c]));
  assert.equal(byType.NamespaceDeletionDiscoveryFailure.reason, 'DiscoveryFailed');
  assert.equal(byType.NamespaceDeletionDiscoveryFailure.message, 'Discovery failed for some groups, 1 failing: unable to retrieve the complete list of server APIs: x/v1: boom');
  assert.equal(byType.NamespaceDeletionContentFailure.reason, 'ContentDeletionFailed');
  assert.equal(byType.NamespaceDeletionContentFailure.message, 'Failed to delete all resource types, 1 remaining: etcd is sad');
});

test('a namespace not being deleted, or already gone, is left alone', async () => {
  const { client, calls } = fake({ ns: { metadata: { name: 't' }, spec: { finalizers: ['kubernetes'] } }, items: {} });
  await new NamespacedResourcesDeleter(client, async () => new DiscoveryResult([])).delete('t');
  assert.deepEqual(calls.map((c) => c.method), ['GET']);
  const gone = fake({ ns: undefined, items: {} });
  await new NamespacedResourcesDeleter(gone.client, async () => new DiscoveryResult([])).delete('t');
  assert.equal(gone.calls.length, 1);
});

test('conditions keep their transition time unless the status flips', () => {
  const status: { conditions?: any[] } = {};
  const u1 = new NamespaceConditionUpdater(() => 'T1');
  assert.equal(u1.update(status), true);
  const u2 = new NamespaceConditionUpdater(() => 'T2');
  assert.equal(u2.update(status), false);
  const u3 = new NamespaceConditionUpdater(() => 'T3');
  u3.contentTotals({ remaining: new Map([['pods.', 2]]), finalizers: new Map() });
  assert.equal(u3.update(status), true);
  const cr = status.conditions!.find((c) => c.type === 'NamespaceContentRemaining');
  assert.equal(cr.lastTransitionTime, 'T3');
  assert.equal(status.conditions!.find((c) => c.type === 'NamespaceDeletionContentFailure').lastTransitionTime, 'T1');
});

test('the controller requeues a namespace with remaining content after a growing delay', async () => {
  const state = { ns: terminating(), items: { '/api/v1/namespaces/t/configmaps': [{ metadata: { name: 'a', finalizers: ['x'] } }] } as Record<string, any[]> };
  const { client } = fake(state);
  const c = new NamespaceController(client, () => {}, { discover: async () => new DiscoveryResult([res('', 'configmaps', ALL)]), remainingBaseMs: 20 });
  const delays: number[] = [];
  const orig = c.queue.addAfter.bind(c.queue);
  c.queue.addAfter = (k: string, ms: number) => { delays.push(ms); orig(k, ms); };
  await c.sync('t');
  await c.sync('t');
  assert.deepEqual(delays, [20, 40]);
  state.items['/api/v1/namespaces/t/configmaps'] = [];
  await c.sync('t');
  assert.deepEqual(delays, [20, 40]);
  assert.deepEqual(state.ns.spec.finalizers, []);
  c.stop();
});
