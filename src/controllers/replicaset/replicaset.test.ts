import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ControllerExpectations, EXPECTATIONS_TIMEOUT_MS } from './expectations.js';
import { slowStartBatch } from './slowstart.js';
import { deleteBefore, isPodAvailable, podsToDelete, type Pod } from './pods.js';
import { calculateStatus, type ReplicaSet } from './controller.js';

const NOW = Date.parse('2026-01-01T00:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();
function pod(name: string, o: { node?: string; phase?: string; ready?: boolean; readyAgo?: number; created?: number; restarts?: number; cost?: string; labels?: Record<string, string> } = {}): Pod {
  return {
    metadata: { name, namespace: 'd', uid: `u-${name}`, creationTimestamp: ago(o.created ?? 1000), labels: o.labels ?? { app: 'x' },
      ...(o.cost !== undefined ? { annotations: { 'controller.kubernetes.io/pod-deletion-cost': o.cost } } : {}) },
    spec: { nodeName: o.node },
    status: {
      phase: o.phase ?? 'Running',
      conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: ago(o.readyAgo ?? 500) }],
      containerStatuses: [{ restartCount: o.restarts ?? 0 }],
    },
  };
}
const order = (pods: Pod[], related = pods) => podsToDelete(pods, related, pods.length - 1, NOW).map((p) => p.metadata.name);

test('ranking: unassigned < assigned, Pending < Unknown < Running, not ready < ready', () => {
  assert.deepEqual(order([pod('assigned', { node: 'n1' }), pod('unassigned', { phase: 'Pending' }), pod('x', { node: 'n2' })]).slice(0, 1), ['unassigned']);
  assert.deepEqual(order([pod('run', { node: 'n' }), pod('unk', { node: 'n', phase: 'Unknown' }), pod('pend', { node: 'n', phase: 'Pending' }), pod('z', { node: 'n' })]).slice(0, 2), ['pend', 'unk']);
  assert.deepEqual(order([pod('ready', { node: 'n' }), pod('notready', { node: 'n', ready: false }), pod('z', { node: 'n' })])[0], 'notready');
});

test('ranking: deletion cost, then pods doubled up on a node first', () => {
  assert.equal(order([pod('cheap', { node: 'a', cost: '-5' }), pod('b', { node: 'a' }), pod('c', { node: 'b', cost: '100' })])[0], 'cheap');
  const pods = [pod('alone', { node: 'a' }), pod('dup1', { node: 'b' }), pod('dup2', { node: 'b' })];
  assert.match(String(podsToDelete(pods, pods, 1, NOW)[0]?.metadata.name), /^dup/);
});

test('ranking: ready more recently first (log2 buckets), more restarts first, newer first', () => {
  assert.equal(order([pod('old', { node: 'a', readyAgo: 10_000 }), pod('new', { node: 'b', readyAgo: 10 }), pod('mid', { node: 'c', readyAgo: 1000 })])[0], 'new');
  assert.equal(order([pod('calm', { node: 'a' }), pod('crashy', { node: 'b', restarts: 7 }), pod('z', { node: 'c' })])[0], 'crashy');
  assert.equal(order([pod('older', { node: 'a', created: 100_000 }), pod('newer', { node: 'b', created: 10 }), pod('z', { node: 'c', created: 100_000 })])[0], 'newer');
  // same bucket for both: neither is strictly first by time; uid breaks ties
  const a = { pod: pod('a', { node: 'x', readyAgo: 1000 }), rank: 1 }, b = { pod: pod('b', { node: 'y', readyAgo: 1001 }), rank: 1 };
  assert.equal(deleteBefore(a, b, NOW), true);
  assert.equal(deleteBefore(b, a, NOW), false);
});

test('podsToDelete returns every pod when all go, and only active related pods count on a node', () => {
  const pods = [pod('a', { node: 'n' }), pod('b', { node: 'm' })];
  assert.equal(podsToDelete(pods, pods, 5, NOW).length, 2);
  const done = pod('done', { node: 'm', phase: 'Succeeded' });
  const r = podsToDelete(pods, [...pods, pod('c', { node: 'n' }), done], 1, NOW);
  assert.equal(r[0].metadata.name, 'a', 'node n has two related active pods');
});

test('slow start: batches 1, 2, 4, … and stops after a failing batch', async () => {
  const sizes: number[] = [];
  let inFlight = 0;
  const r = await slowStartBatch(10, 1, async () => {
    if (inFlight++ === 0) sizes.push(0);
    sizes[sizes.length - 1]++;
    await new Promise((res) => setImmediate(res));
    inFlight--;
  });
  assert.deepEqual(sizes, [1, 2, 4, 3]);
  assert.equal(r.successes, 10);
  assert.equal(r.error, undefined);
  let calls = 0;
  const f = await slowStartBatch(20, 1, async (i) => { calls++; if (i === 4) throw new Error('quota exceeded'); });
  assert.equal(calls, 7, '1 + 2 + 4, then stop');
  assert.equal(f.successes, 6);
  assert.match(f.error!.message, /quota/);
  assert.deepEqual(await slowStartBatch(0, 1, async () => { throw new Error('never'); }), { successes: 0 });
});

test('expectations: block syncs until creations and deletions are observed, or expire', () => {
  let now = 0;
  const e = new ControllerExpectations(() => now);
  assert.equal(e.satisfiedExpectations('d/rs'), true, 'no record yet');
  e.expectCreations('d/rs', 2);
  assert.equal(e.satisfiedExpectations('d/rs'), false);
  e.creationObserved('d/rs');
  assert.equal(e.satisfiedExpectations('d/rs'), false);
  e.creationObserved('d/rs');
  assert.equal(e.satisfiedExpectations('d/rs'), true);
  e.expectDeletions('d/rs', ['d/p1', 'd/p2']);
  e.deletionObserved('d/rs', 'd/p1');
  e.deletionObserved('d/rs', 'd/p1'); // the same pod twice counts once
  e.deletionObserved('d/rs', 'd/other');
  assert.deepEqual(e.get('d/rs'), { add: 0, del: 1 });
  assert.equal(e.satisfiedExpectations('d/rs'), false);
  now += EXPECTATIONS_TIMEOUT_MS + 1;
  assert.equal(e.satisfiedExpectations('d/rs'), true, 'expired');
  e.delete('d/rs');
  assert.equal(e.get('d/rs'), undefined);
});

test('status: counts, availability with minReadySeconds, ReplicaFailure set and cleared', () => {
  const rs: ReplicaSet = { metadata: { name: 'rs', namespace: 'd', generation: 2 },
    spec: { replicas: 3, minReadySeconds: 60, template: { metadata: { labels: { app: 'x', tier: 'web' } } } } };
  const pods = [pod('a', { readyAgo: 120, labels: { app: 'x', tier: 'web' } }), pod('b', { readyAgo: 10, labels: { app: 'x' } })];
  const s = calculateStatus(rs, pods, new Error('pods "rs-" is forbidden: exceeded quota'), NOW);
  assert.deepEqual({ ...s, conditions: undefined }, { replicas: 2, fullyLabeledReplicas: 1, readyReplicas: 2, availableReplicas: 1, conditions: undefined });
  assert.equal(s.conditions?.[0].type, 'ReplicaFailure');
  assert.equal(s.conditions?.[0].reason, 'FailedCreate');
  const cleared = calculateStatus({ ...rs, status: { conditions: s.conditions } }, pods, undefined, NOW);
  assert.equal(cleared.conditions, undefined);
  assert.equal(isPodAvailable(pod('c', { ready: false }), 0, NOW), false);
});
