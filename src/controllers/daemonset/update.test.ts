import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from './backoff.js';
import { calculateStatus, podsShouldBeOnNode, unscheduledPodsWithoutNode, type FailedPodBackoff } from './nodepods.js';
import { allowsSurge, desiredCounts, findUpdatedPodsOnNode, isPodUpdated, planRollingUpdate, scaledValue } from './update.js';
import type { DaemonSet, Node, Pod } from './types.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (s: number) => new Date(NOW - s * 1000).toISOString();

const ds = (ru: { maxUnavailable?: number | string; maxSurge?: number | string } = { maxUnavailable: 1, maxSurge: 0 }, extra: Partial<DaemonSet['spec']> = {}, annotations?: Record<string, string>): DaemonSet => ({
  metadata: { name: 'agent', namespace: 'ns', uid: 'ds1', ...(annotations ? { annotations } : {}) },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'x' }] } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: ru },
    ...extra,
  },
});
const pod = (name: string, node: string, hash: string, o: { ready?: boolean; readySince?: number; created?: number; phase?: string; deleting?: boolean; bound?: boolean } = {}): Pod => ({
  metadata: { name, namespace: 'ns', uid: name, labels: { app: 'agent', 'controller-revision-hash': hash },
    creationTimestamp: ago(o.created ?? 100), ...(o.deleting ? { deletionTimestamp: ago(0) } : {}) },
  spec: o.bound === false ? {} : { nodeName: node },
  status: { phase: o.phase ?? 'Running', conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: ago(o.readySince ?? 60) }] },
});
const node = (name: string, taints?: { key: string; effect: string }[]): Node => ({ metadata: { name }, spec: taints ? { taints } : {} });

test('int-or-percent scaling rounds percentages up and rejects what upstream rejects', () => {
  assert.equal(scaledValue(2, 10), 2);
  assert.equal(scaledValue('25%', 10), 3);
  assert.equal(scaledValue('25%', 10, false), 2);
  assert.equal(scaledValue('100%', 3), 3);
  assert.equal(scaledValue('0%', 5), 0);
  assert.throws(() => scaledValue('5', 10), /string is not a percentage/);
  assert.throws(() => scaledValue('x%', 10), /invalid value "x"/);
  assert.throws(() => scaledValue(undefined, 10), /nil value for IntOrString/);
});

test('maxSurge/maxUnavailable counts: percentages of desired nodes, 0/0 falls back to one unavailable, OnDelete has none', () => {
  assert.deepEqual(desiredCounts(ds({ maxUnavailable: '50%', maxSurge: 0 }), 5), { maxSurge: 0, maxUnavailable: 3 });
  assert.deepEqual(desiredCounts(ds({ maxUnavailable: 0, maxSurge: '10%' }), 5), { maxSurge: 1, maxUnavailable: 0 });
  assert.deepEqual(desiredCounts(ds({ maxUnavailable: 0, maxSurge: 0 }), 4), { maxSurge: 0, maxUnavailable: 1 });
  assert.deepEqual(desiredCounts(ds({ maxUnavailable: 0, maxSurge: 0 }), 0), { maxSurge: 0, maxUnavailable: 0 });
  assert.throws(() => desiredCounts(ds({ maxUnavailable: 'lots', maxSurge: 0 }), 3), /invalid value for MaxUnavailable/);
  const onDelete = ds();
  onDelete.spec.updateStrategy = { type: 'OnDelete' };
  assert.equal(allowsSurge(onDelete), false);
  assert.equal(allowsSurge(ds({ maxUnavailable: 0, maxSurge: 1 })), true);
  assert.equal(allowsSurge(ds({ maxUnavailable: 1, maxSurge: '0%' })), false);
});

test('a pod is updated by hash, or by the deprecated template generation label', () => {
  const p = pod('p', 'n', 'h1');
  assert.equal(isPodUpdated(p, 'h1', undefined), true);
  assert.equal(isPodUpdated(p, 'h2', undefined), false);
  p.metadata.labels!['pod-template-generation'] = '3';
  assert.equal(isPodUpdated(p, 'h2', 3), true);
  assert.equal(isPodUpdated(p, 'h2', 4), false);
  const d = ds(undefined, {}, { 'deprecated.daemonset.template.generation': '3' });
  assert.equal(findUpdatedPodsOnNode(d, [p], 'h2').newPod, p);
  assert.equal(findUpdatedPodsOnNode(d, [pod('a', 'n', 'old'), pod('b', 'n', 'old')], 'h2').ok, false);
  const r = findUpdatedPodsOnNode(d, [pod('a', 'n', 'old'), pod('b', 'n', 'old', { deleting: true })], 'h2');
  assert.equal(r.ok, true);
  assert.equal(r.oldPod?.metadata.name, 'a');
});

test('rolling update without surge deletes at most maxUnavailable available old pods, unavailable old ones always', () => {
  const m = new Map([['n1', [pod('a', 'n1', 'old')]], ['n2', [pod('b', 'n2', 'old')]], ['n3', [pod('c', 'n3', 'old')]]]);
  assert.deepEqual(planRollingUpdate(ds(), m, 'new', 0, 1, NOW), { podsToDelete: ['a'], nodesToCreate: [] });
  assert.deepEqual(planRollingUpdate(ds(), m, 'new', 0, 2, NOW).podsToDelete, ['a', 'b']);
  // a node already replaced but not yet available uses up the budget
  const busy = new Map(m);
  busy.set('n1', [pod('a2', 'n1', 'new', { ready: false })]);
  assert.deepEqual(planRollingUpdate(ds(), busy, 'new', 0, 1, NOW).podsToDelete, []);
  // a node with no pod at all (being recreated) also counts as unavailable
  const empty = new Map(m);
  empty.set('n1', []);
  assert.deepEqual(planRollingUpdate(ds(), empty, 'new', 0, 1, NOW).podsToDelete, []);
  // an old pod that is not available anyway is replaced regardless of the budget
  const broken = new Map(busy);
  broken.set('n3', [pod('c', 'n3', 'old', { ready: false })]);
  assert.deepEqual(planRollingUpdate(ds(), broken, 'new', 0, 1, NOW).podsToDelete, ['c']);
  // minReadySeconds: a new pod ready for 30 s of 60 is not available yet
  const young = new Map(m);
  young.set('n1', [pod('a2', 'n1', 'new', { readySince: 30 })]);
  assert.deepEqual(planRollingUpdate(ds(undefined, { minReadySeconds: 60 }), young, 'new', 0, 1, NOW).podsToDelete, []);
  assert.deepEqual(planRollingUpdate(ds(undefined, { minReadySeconds: 10 }), young, 'new', 0, 1, NOW).podsToDelete, ['b']);
  // all updated: nothing to do
  const done = new Map([['n1', [pod('a', 'n1', 'new')]], ['n2', [pod('b', 'n2', 'new')]]]);
  assert.deepEqual(planRollingUpdate(ds(), done, 'new', 0, 1, NOW), { podsToDelete: [], nodesToCreate: [] });
});

test('rolling update with surge creates up to maxSurge new pods beside old ones, deletes the old once the new is available', () => {
  const m = new Map([['n1', [pod('a', 'n1', 'old')]], ['n2', [pod('b', 'n2', 'old')]], ['n3', [pod('c', 'n3', 'old')]]]);
  const surge = ds({ maxUnavailable: 0, maxSurge: 1 });
  assert.deepEqual(planRollingUpdate(surge, m, 'new', 1, 0, NOW), { podsToDelete: [], nodesToCreate: ['n1'] });
  assert.deepEqual(planRollingUpdate(surge, m, 'new', 2, 0, NOW).nodesToCreate, ['n1', 'n2']);
  // n1 surged, new pod not available yet: budget used, nothing else
  const inflight = new Map(m);
  inflight.set('n1', [pod('a', 'n1', 'old'), pod('a2', 'n1', 'new', { ready: false })]);
  assert.deepEqual(planRollingUpdate(surge, inflight, 'new', 1, 0, NOW), { podsToDelete: [], nodesToCreate: [] });
  // new pod available: the old one goes, and the next node surges
  const ready = new Map(m);
  ready.set('n1', [pod('a', 'n1', 'old'), pod('a2', 'n1', 'new')]);
  assert.deepEqual(planRollingUpdate(surge, ready, 'new', 1, 0, NOW), { podsToDelete: ['a'], nodesToCreate: ['n2'] });
  // an unavailable old pod gets its replacement beyond the surge budget
  const sick = new Map(inflight);
  sick.set('n3', [pod('c', 'n3', 'old', { ready: false })]);
  assert.deepEqual(planRollingUpdate(surge, sick, 'new', 1, 0, NOW).nodesToCreate, ['n3']);
});

const noBackoff: FailedPodBackoff = { inBackoff: () => undefined, next: () => {} };

test('podsShouldBeOnNode: create when missing, delete on an ineligible node, keep the oldest of duplicates', () => {
  assert.deepEqual(podsShouldBeOnNode(node('n1'), undefined, ds(), 'h', noBackoff, NOW).create, true);
  assert.deepEqual(podsShouldBeOnNode(node('n1'), [], ds(), 'h', noBackoff, NOW).create, true);
  const evict = podsShouldBeOnNode(node('n1', [{ key: 'k', effect: 'NoExecute' }]), [pod('a', 'n1', 'h'), pod('gone', 'n1', 'h', { deleting: true })], ds(), 'h', noBackoff, NOW);
  assert.deepEqual(evict, { create: false, podsToDelete: ['a'], failed: [], succeeded: [] });
  const keep = podsShouldBeOnNode(node('n1', [{ key: 'k', effect: 'NoSchedule' }]), [pod('a', 'n1', 'h')], ds(), 'h', noBackoff, NOW);
  assert.deepEqual(keep.podsToDelete, []);
  assert.equal(keep.create, false);
  const dup = podsShouldBeOnNode(node('n1'), [pod('young', 'n1', 'h', { created: 10 }), pod('old', 'n1', 'h', { created: 500 })], ds(), 'h', noBackoff, NOW);
  assert.deepEqual(dup.podsToDelete, ['young']);
});

test('podsShouldBeOnNode: failed pods are deleted with per-node backoff, succeeded ones too', () => {
  const clock = { t: NOW };
  const b = new Backoff(1000, 60_000, () => clock.t);
  const bo: FailedPodBackoff = { inBackoff: (n) => (b.isInBackOffSinceUpdate(n) ? b.get(n) : undefined), next: (n) => b.next(n) };
  const failed = [pod('f', 'n1', 'h', { phase: 'Failed' })];
  const first = podsShouldBeOnNode(node('n1'), failed, ds(), 'h', bo, NOW);
  assert.deepEqual(first.podsToDelete, ['f']);
  assert.equal(first.failed.length, 1);
  assert.equal(first.create, false, 'the replacement comes on the next sync');
  const again = podsShouldBeOnNode(node('n1'), failed, ds(), 'h', bo, NOW);
  assert.deepEqual(again.podsToDelete, []);
  assert.equal(again.retryAfterMs, 1000);
  clock.t += 1500;
  assert.deepEqual(podsShouldBeOnNode(node('n1'), failed, ds(), 'h', bo, NOW).podsToDelete, ['f']);
  assert.equal(b.get('n1'), 2000, 'the delay doubles');
  const done = podsShouldBeOnNode(node('n1'), [pod('s', 'n1', 'h', { phase: 'Succeeded' })], ds(), 'h', noBackoff, NOW);
  assert.deepEqual([done.podsToDelete, done.succeeded.length], [['s'], 1]);
});

test('podsShouldBeOnNode with surge keeps one old and one new pod until the new one is available', () => {
  const surge = ds({ maxUnavailable: 0, maxSurge: 1 });
  const both = [pod('old', 'n1', 'h0', { created: 500 }), pod('new', 'n1', 'h1', { ready: false, created: 5 })];
  assert.deepEqual(podsShouldBeOnNode(node('n1'), both, surge, 'h1', noBackoff, NOW).podsToDelete, []);
  const avail = [pod('old', 'n1', 'h0', { created: 500 }), pod('new', 'n1', 'h1', { created: 5 })];
  assert.deepEqual(podsShouldBeOnNode(node('n1'), avail, surge, 'h1', noBackoff, NOW).podsToDelete, ['old']);
  const extra = [...both, pod('new2', 'n1', 'h1', { created: 1 })];
  assert.deepEqual(podsShouldBeOnNode(node('n1'), extra, surge, 'h1', noBackoff, NOW).podsToDelete, ['new2']);
  // without surge the same pair loses the younger pod
  assert.deepEqual(podsShouldBeOnNode(node('n1'), both, ds(), 'h1', noBackoff, NOW).podsToDelete, ['new']);
});

test('unscheduled pods of vanished nodes are deleted, bound ones are left to pod GC', () => {
  const m = new Map([['gone', [pod('waiting', 'gone', 'h', { bound: false }), pod('bound', 'gone', 'h')]], ['n1', [pod('x', 'n1', 'h', { bound: false })]]]);
  assert.deepEqual(unscheduledPodsWithoutNode([node('n1')], m), ['waiting']);
});

test('status counts desired, current, misscheduled, ready, available, updated and unavailable', () => {
  const nodes = [node('n1'), node('n2'), node('n3'), node('tainted', [{ key: 'k', effect: 'NoSchedule' }])];
  const m = new Map([
    ['n1', [pod('a', 'n1', 'new')]],
    ['n2', [pod('b', 'n2', 'old', { ready: false })]],
    ['tainted', [pod('t', 'tainted', 'new')]],
  ]);
  assert.deepEqual(calculateStatus(ds(), nodes, m, 'new', NOW), {
    desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1,
    updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 2,
  });
  const slow = calculateStatus(ds(undefined, { minReadySeconds: 120 }), nodes, m, 'new', NOW);
  assert.equal(slow.numberReady, 1);
  assert.equal(slow.numberAvailable, 0);
});

test('backoff forgets idle keys', () => {
  const clock = { t: 0 };
  const b = new Backoff(1000, 4000, () => clock.t);
  b.next('k');
  b.next('k');
  b.next('k');
  b.next('k');
  assert.equal(b.get('k'), 4000, 'capped');
  clock.t = 9000;
  b.gc();
  assert.equal(b.size, 0);
  b.next('k');
  assert.equal(b.get('k'), 1000);
});
