import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory, type Obj } from '../../client/informer.js';
import { APIError, type RESTClient } from '../../client/rest.js';
import { DisruptionController } from './controller.js';
import { rfc3339, type PDB } from './budget.js';
import type { Pod } from '../replicaset/pods.js';

type Call = { method: string; path: string; body?: Record<string, any> };
const NOW = Date.parse('2024-05-01T12:00:00Z');

const started: DisruptionController[] = [];
after(() => { for (const c of started) c.stop(); });

function setup(answer: (c: Call) => unknown = () => ({})) {
  const calls: Call[] = [];
  const events: string[] = [];
  const client = {
    request: async (method: string, path: string, body?: Record<string, any>) => {
      const c = { method, path, body };
      calls.push(c);
      return answer(c);
    },
  } as unknown as RESTClient;
  const factory = new SharedInformerFactory(client);
  const c = new DisruptionController(client, factory, {
    recorder: { event: (o, type, reason, msg) => events.push(`${o.kind}/${o.metadata.name} ${type} ${reason} ${msg}`) },
    now: () => NOW,
  });
  started.push(c);
  const inf = <T extends Obj>(p: string) => factory.forPath<T>(p);
  return {
    c, calls, events,
    pdbs: inf<PDB>('/apis/policy/v1/poddisruptionbudgets'), pods: inf<Pod>('/api/v1/pods'),
    rs: inf('/apis/apps/v1/replicasets'), deployments: inf('/apis/apps/v1/deployments'),
    statusPuts: () => calls.filter((x) => x.method === 'PUT' && x.path.endsWith('/status')),
  };
}

const budget = (spec: PDB['spec'], status?: PDB['status']): PDB =>
  ({ metadata: { name: 'web-pdb', namespace: 'd', uid: 'pdb-uid', generation: 1, resourceVersion: '10' }, spec: { selector: { matchLabels: { app: 'web' } }, ...spec }, status });
const owned = (name: string, ready: boolean, owner: { kind: string; apiVersion: string; name: string; uid: string } | undefined, extra: Record<string, unknown> = {}): Pod => ({
  metadata: { name, namespace: 'd', uid: `uid-${name}`, resourceVersion: '5', labels: { app: 'web' },
    ...(owner ? { ownerReferences: [{ ...owner, controller: true }] } : {}), ...extra },
  status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
});
const RS = { kind: 'ReplicaSet', apiVersion: 'apps/v1', name: 'web-rs', uid: 'rs-uid' };

test('minAvailable as a number: 3 ready pods, 2 needed → one disruption allowed', async () => {
  const t = setup();
  t.pdbs.handle('ADDED', budget({ minAvailable: 2 }));
  for (const n of ['a', 'b', 'c']) t.pods.handle('ADDED', owned(n, true, RS));
  await t.c.sync('d/web-pdb');
  const [put] = t.statusPuts();
  assert.equal(put.path, '/apis/policy/v1/namespaces/d/poddisruptionbudgets/web-pdb/status');
  assert.equal(put.body!.kind, 'PodDisruptionBudget');
  assert.equal(put.body!.metadata.resourceVersion, '10', 'a conditional write');
  assert.deepEqual(put.body!.status, {
    observedGeneration: 1, disruptionsAllowed: 1, currentHealthy: 3, desiredHealthy: 2, expectedPods: 3,
    conditions: [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: rfc3339(NOW) }],
  });
  // the RS informer was never asked: a number needs no scale
  assert.equal(t.calls.filter((x) => x.method === 'GET').length, 0);
});

test('percentage of a ReplicaSet scale; a Deployment ReplicaSet counts through its Deployment', async () => {
  const t = setup();
  t.rs.handle('ADDED', { metadata: { name: 'web-rs', namespace: 'd', uid: 'rs-uid', resourceVersion: '1' }, spec: { replicas: 5 } });
  t.pdbs.handle('ADDED', budget({ minAvailable: '50%' }));
  for (const n of ['a', 'b']) t.pods.handle('ADDED', owned(n, true, RS));
  await t.c.sync('d/web-pdb');
  assert.deepEqual(pick(t.statusPuts().at(-1)!.body!.status), { expectedPods: 5, desiredHealthy: 3, currentHealthy: 2, disruptionsAllowed: 0 });

  t.deployments.handle('ADDED', { metadata: { name: 'web', namespace: 'd', uid: 'dep-uid', resourceVersion: '2' }, spec: { replicas: 8 } });
  t.rs.handle('MODIFIED', { metadata: { name: 'web-rs', namespace: 'd', uid: 'rs-uid', resourceVersion: '3',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'dep-uid', controller: true }] }, spec: { replicas: 5 } });
  t.rs.handle('ADDED', { metadata: { name: 'web-rs2', namespace: 'd', uid: 'rs2-uid', resourceVersion: '4',
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'dep-uid', controller: true }] }, spec: { replicas: 3 } });
  t.pods.handle('ADDED', owned('c', true, { ...RS, name: 'web-rs2', uid: 'rs2-uid' }));
  await t.c.sync('d/web-pdb');
  assert.deepEqual(pick(t.statusPuts().at(-1)!.body!.status), { expectedPods: 8, desiredHealthy: 4, currentHealthy: 3, disruptionsAllowed: 0 },
    'the Deployment (8) counted once for pods of both its ReplicaSets');
});

test('maxUnavailable with an arbitrary owner reads its /scale found by discovery', async () => {
  const t = setup((c) => {
    if (c.path === '/apis/example.com/v1') {
      return { resources: [{ name: 'foos', kind: 'Foo' }, { name: 'foos/scale', kind: 'Scale', group: 'autoscaling', version: 'v1' }] };
    }
    if (c.path === '/apis/example.com/v1/namespaces/d/foos/f1/scale') return { metadata: { uid: 'foo-uid' }, spec: { replicas: 4 } };
    return {};
  });
  t.pdbs.handle('ADDED', budget({ maxUnavailable: '25%' }));
  for (const n of ['a', 'b', 'c', 'd']) t.pods.handle('ADDED', owned(n, n !== 'd', { kind: 'Foo', apiVersion: 'example.com/v1', name: 'f1', uid: 'foo-uid' }));
  await t.c.sync('d/web-pdb');
  assert.deepEqual(pick(t.statusPuts()[0].body!.status), { expectedPods: 4, desiredHealthy: 3, currentHealthy: 3, disruptionsAllowed: 0 });
  assert.equal(t.calls.filter((x) => x.path.endsWith('/scale')).length, 1, 'the scale is read once for all four pods');
});

test('an owner without /scale fails the sync safe: CalculateExpectedPodCountFailed and SyncFailed', async () => {
  const t = setup((c) => {
    if (c.path === '/apis/example.com/v1') return { resources: [{ name: 'foos', kind: 'Foo' }] };
    if (c.path.endsWith('/scale')) throw new APIError(404, { message: 'not found' }, '');
    return {};
  });
  t.pdbs.handle('ADDED', budget({ minAvailable: '50%' }, { disruptionsAllowed: 2, currentHealthy: 3, desiredHealthy: 1, expectedPods: 3, observedGeneration: 1 }));
  t.pods.handle('ADDED', owned('a', true, { kind: 'Foo', apiVersion: 'example.com/v1', name: 'f1', uid: 'foo-uid' }));
  await t.c.sync('d/web-pdb');
  assert.deepEqual(t.events, ['PodDisruptionBudget/web-pdb Warning CalculateExpectedPodCountFailed Failed to calculate the number of expected pods: foos.example.com does not implement the scale subresource']);
  const st = t.statusPuts()[0].body!.status;
  assert.equal(st.disruptionsAllowed, 0);
  assert.equal(st.currentHealthy, 3, 'the rest of the status is kept');
  assert.deepEqual(st.conditions.map((c: any) => [c.status, c.reason, c.message]), [['False', 'SyncFailed', 'foos.example.com does not implement the scale subresource']]);
});

test('a pod whose owner is gone: "found no controllers"; an unknown kind: no matches', async () => {
  const t = setup((c) => {
    if (c.path === '/apis/apps/v1') return { resources: [{ name: 'replicasets', kind: 'ReplicaSet' }, { name: 'replicasets/scale', kind: 'Scale', group: 'autoscaling', version: 'v1' }] };
    if (c.path.endsWith('/scale')) throw new APIError(404, { message: 'not found' }, '');
    if (c.path === '/apis/nope.io/v1') throw new APIError(404, { message: 'not found' }, '');
    return {};
  });
  t.pdbs.handle('ADDED', budget({ maxUnavailable: 1 }));
  t.pods.handle('ADDED', owned('a', true, RS));
  await t.c.sync('d/web-pdb');
  assert.match(t.events[0], /Failed to calculate the number of expected pods: found no controllers for pod "a"$/);
  t.pods.handle('MODIFIED', owned('a', true, { kind: 'Thing', apiVersion: 'nope.io/v1', name: 'x', uid: 'x' }, { resourceVersion: '6' }));
  await t.c.sync('d/web-pdb');
  assert.match(t.events[1], /no matches for kind "Thing" in version "nope.io\/v1"$/);
});

test('no matching pods: a NoPods event and nothing allowed; unmanaged pods warn with the Go selector', async () => {
  const t = setup();
  t.pdbs.handle('ADDED', budget({ minAvailable: 1 }));
  await t.c.sync('d/web-pdb');
  assert.deepEqual(t.events, ['PodDisruptionBudget/web-pdb Normal NoPods No matching pods found']);
  assert.deepEqual(pick(t.statusPuts()[0].body!.status), { expectedPods: 0, desiredHealthy: 1, currentHealthy: 0, disruptionsAllowed: 0 });

  const u = setup();
  u.pdbs.handle('ADDED', budget({ maxUnavailable: 1 }));
  u.pods.handle('ADDED', owned('bare', true, undefined));
  await u.c.sync('d/web-pdb');
  assert.equal(u.events.length, 1);
  assert.ok(u.events[0].startsWith('PodDisruptionBudget/web-pdb Warning UnmanagedPods Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: web,},MatchExpressions:[]LabelSelectorRequirement{},}) were found to be unmanaged.'), u.events[0]);
  assert.deepEqual(pick(u.statusPuts()[0].body!.status), { expectedPods: 0, desiredHealthy: 0, currentHealthy: 1, disruptionsAllowed: 0 });
});

test('evicted pods count as gone for two minutes; expired entries are dropped with NotDeleted', async () => {
  const t = setup();
  t.pdbs.handle('ADDED', budget({ minAvailable: 1 }, { disruptedPods: { a: rfc3339(NOW - 30_000), b: rfc3339(NOW - 10 * 60_000) } }));
  for (const n of ['a', 'b', 'c']) t.pods.handle('ADDED', owned(n, true, RS));
  await t.c.sync('d/web-pdb');
  const st = t.statusPuts()[0].body!.status;
  assert.deepEqual(st.disruptedPods, { a: rfc3339(NOW - 30_000) });
  assert.equal(st.currentHealthy, 2);
  assert.equal(st.disruptionsAllowed, 1);
  assert.deepEqual(t.events, ["Pod/b Warning NotDeleted Pod was expected by PDB d/d to be deleted but it wasn't"]);
});

test('an up-to-date status is not rewritten; a conflict is returned without failing safe', async () => {
  const t = setup((c) => { if (c.method === 'PUT') throw new APIError(409, { message: 'conflict' }, ''); return {}; });
  t.pdbs.handle('ADDED', budget({ minAvailable: 1 }));
  t.pods.handle('ADDED', owned('a', true, RS));
  await assert.rejects(t.c.sync('d/web-pdb'), (e: unknown) => e instanceof APIError && e.code === 409);
  assert.equal(t.statusPuts().length, 1, 'no fail-safe write after a conflict');

  const u = setup();
  u.pdbs.handle('ADDED', budget({ minAvailable: 1 }));
  u.pods.handle('ADDED', owned('a', true, RS));
  await u.c.sync('d/web-pdb');
  const written = u.statusPuts()[0].body!;
  u.pdbs.handle('MODIFIED', { ...written, metadata: { ...written.metadata, resourceVersion: '11' } } as PDB);
  await u.c.sync('d/web-pdb');
  assert.equal(u.statusPuts().length, 1);
  await u.c.sync('d/missing');
});

test('a pod matching two budgets warns MultiplePodDisruptionBudgets', () => {
  const t = setup();
  t.pdbs.handle('ADDED', budget({ minAvailable: 1 }));
  t.pdbs.handle('ADDED', { ...budget({ minAvailable: 1 }), metadata: { name: 'another', namespace: 'd', uid: 'u2', resourceVersion: '12' } });
  t.pods.handle('ADDED', owned('a', true, RS));
  assert.deepEqual(t.events, ['Pod/a Warning MultiplePodDisruptionBudgets Pod "d"/"a" matches multiple PodDisruptionBudgets.  Chose "another" arbitrarily.']);
  assert.deepEqual(t.c.budgetsForPod(owned('z', true, RS)).map((p) => p.metadata.name), ['another', 'web-pdb']);
  assert.deepEqual(t.c.budgetsForPod({ ...owned('z', true, RS), metadata: { name: 'z', namespace: 'other', labels: { app: 'web' } } }), []);
});

test('a stale DisruptionTarget on a live pod is reset to False after the timeout', async () => {
  const t = setup();
  const cond = (at: number) => ({ type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting', lastTransitionTime: rfc3339(at) });
  const p = owned('a', true, RS);
  p.status!.conditions!.push(cond(NOW - 3 * 60_000) as never);
  t.pods.handle('ADDED', p);
  await t.c.syncStalePodDisruption('d/a');
  const put = t.calls.find((x) => x.method === 'PUT')!;
  assert.equal(put.path, '/api/v1/namespaces/d/pods/a/status');
  assert.deepEqual(put.body!.status.conditions.find((c: any) => c.type === 'DisruptionTarget'),
    { type: 'DisruptionTarget', status: 'False', lastProbeTime: null, lastTransitionTime: rfc3339(NOW) });
  // a fresh condition waits; a terminating pod is left alone
  const u = setup();
  const q = owned('b', true, RS);
  q.status!.conditions!.push(cond(NOW - 1000) as never);
  u.pods.handle('ADDED', q);
  await u.c.syncStalePodDisruption('d/b');
  u.pods.handle('MODIFIED', { ...q, metadata: { ...q.metadata, resourceVersion: '9', deletionTimestamp: rfc3339(NOW) } });
  await u.c.syncStalePodDisruption('d/b');
  assert.equal(u.calls.length, 0);
});

function pick(st: Record<string, unknown>) {
  return { expectedPods: st.expectedPods, desiredHealthy: st.desiredHealthy, currentHealthy: st.currentHealthy, disruptionsAllowed: st.disruptionsAllowed };
}
