import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SchedulingQueue } from './queue.js';
import { PrioritySort } from './plugins/simple.js';
import type { Pod } from './types.js';

const pod = (name: string, priority = 0, extra: Partial<Pod['spec']> = {}): Pod => ({ metadata: { name, namespace: 'd' }, spec: { containers: [{ name: 'c' }], priority, ...extra } });

function setup() {
  let now = 1000;
  const sort = new PrioritySort();
  const q = new SchedulingQueue({ less: (a, b) => sort.less(a, b), now: () => now, preEnqueue: (p) => !(p.spec.schedulingGates?.length) });
  return { q, advance: (ms: number) => { now += ms; }, };
}

test('activeQ pops by priority, then by time queued', async () => {
  const { q, advance } = setup();
  q.add(pod('low-old', 1)); advance(1);
  q.add(pod('high', 10)); advance(1);
  q.add(pod('low-new', 1));
  assert.deepEqual([(await q.pop())!.pod.metadata.name, (await q.pop())!.pod.metadata.name, (await q.pop())!.pod.metadata.name], ['high', 'low-old', 'low-new']);
});

test('backoff doubles from 1s to a 10s cap', () => {
  const { q } = setup();
  const info = { pod: pod('a'), timestamp: 0, attempts: 1, unschedulablePlugins: new Set<string>() };
  assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => q.backoffDuration({ ...info, attempts: n })), [1000, 2000, 4000, 8000, 10000, 10000]);
});

test('unschedulable pods move on cluster events (via backoff) and are flushed after 5 minutes', async () => {
  const { q, advance } = setup();
  q.add(pod('a'));
  const a = (await q.pop())!;
  q.addUnschedulable(a, ['NodeResourcesFit']);
  assert.equal(q.where(a.pod), 'unschedulable');
  q.flush();
  assert.equal(q.where(a.pod), 'unschedulable', 'no event, no move');
  q.moveAllToActiveOrBackoff('NodeAdd');
  assert.equal(q.where(a.pod), 'backoff', 'still backing off');
  advance(1000); q.flush();
  assert.equal(q.where(a.pod), 'active');
  const again = (await q.pop())!;
  assert.equal(again.attempts, 2);
  q.addUnschedulable(again);
  advance(4 * 60_000); q.flush();
  assert.equal(q.where(a.pod), 'unschedulable');
  advance(60_000); q.flush();
  assert.equal(q.where(a.pod), 'active', 'flushed after 5 minutes');
});

test('an event during the attempt sends the failed pod to backoff, not the unschedulable pool', async () => {
  const { q } = setup();
  q.add(pod('a'));
  const a = (await q.pop())!;
  q.moveAllToActiveOrBackoff('NodeAdd');
  q.addUnschedulable(a);
  assert.equal(q.where(a.pod), 'backoff');
});

test('gated pods wait until their gates are removed; status-only updates do not requeue', async () => {
  const { q } = setup();
  q.add(pod('g', 0, { schedulingGates: [{ name: 'x' }] }));
  assert.equal(q.where(pod('g')), 'gated');
  q.moveAllToActiveOrBackoff('NodeAdd');
  assert.equal(q.where(pod('g')), 'gated');
  q.update(pod('g'));
  assert.equal(q.where(pod('g')), 'active');
  const g = (await q.pop())!;
  q.addUnschedulable(g);
  q.update({ ...pod('g'), status: { phase: 'Pending' } });
  assert.equal(q.where(pod('g')), 'unschedulable', 'status change alone');
  q.update(pod('g', 0, { nodeSelector: { a: 'b' } }));
  assert.equal(q.where(pod('g')), 'backoff');
  q.delete(pod('g'));
  assert.equal(q.where(pod('g')), undefined);
  assert.deepEqual(q.pending(), { active: 0, backoff: 0, unschedulable: 0, gated: 0 });
});
