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

test('queueing hints: only events a rejecting plugin registered for move a pod; in-flight events send it to backoff', async () => {
  const { eventsFor, worthRequeuing, nodeUpdateAction } = await import('./events.js');
  const { Action } = await import('./types.js');
  const registered = new Map(['NodeResourcesFit', 'InterPodAffinity', 'VolumeZone', 'NodeAffinity'].map((n) => [n, eventsFor({ name: n })]));
  let now = 1000;
  const sort = new PrioritySort();
  const q = new SchedulingQueue({ less: (a, b) => sort.less(a, b), now: () => now,
    worthRequeuing: (info, e) => worthRequeuing(info.unschedulablePlugins, registered, e) });
  for (const n of ['fit', 'affinity', 'none']) q.add(pod(n));
  const fit = (await q.pop())!, aff = (await q.pop())!, none = (await q.pop())!;
  q.addUnschedulable(fit, ['NodeResourcesFit']);
  q.addUnschedulable(aff, ['NodeAffinity']);
  q.addUnschedulable(none, []);
  // a node's label change: NodeAffinity registered for it, NodeResourcesFit did too (labels can change allocatable-relevant filters)
  assert.equal(q.moveAllToActiveOrBackoff({ resource: 'Node', action: Action.UpdateNodeCondition }), 1, 'only the pod with no rejector moves');
  assert.equal(q.where(none.pod), 'backoff');
  assert.equal(q.where(fit.pod), 'unschedulable');
  assert.equal(q.moveAllToActiveOrBackoff({ resource: 'PersistentVolume', action: Action.Add }), 0);
  assert.equal(q.moveAllToActiveOrBackoff({ resource: 'Pod', action: Action.Add }), 0, 'an assigned pod appearing does not free resources');
  assert.equal(q.moveAllToActiveOrBackoff({ resource: 'Pod', action: Action.Delete }), 1);
  assert.equal(q.where(fit.pod), 'backoff');
  assert.equal(q.where(aff.pod), 'unschedulable');
  assert.equal(q.moveAllToActiveOrBackoff({ resource: 'Node', action: Action.UpdateNodeLabel }), 1);
  // events while a pod is being scheduled: only a relevant one sends it to backoff instead of the pool
  now += 60_000;
  q.flush();
  const a = (await q.pop())!;
  q.moveAllToActiveOrBackoff({ resource: 'StorageClass', action: Action.Add });
  q.addUnschedulable(a, ['NodeResourcesFit']);
  assert.equal(q.where(a.pod), 'unschedulable');
  const b = (await q.pop())!;
  q.moveAllToActiveOrBackoff({ resource: 'Node', action: Action.Add });
  q.addUnschedulable(b, ['NodeAffinity']);
  assert.equal(q.where(b.pod), 'backoff');
  // node update classification
  const n = { metadata: { name: 'n', labels: { a: '1' } }, spec: {}, status: { allocatable: { cpu: '1' } } };
  assert.equal(nodeUpdateAction(n, { ...n, metadata: { name: 'n', labels: { a: '2' } } }), Action.UpdateNodeLabel);
  assert.equal(nodeUpdateAction(n, { ...n, spec: { unschedulable: true } }), Action.UpdateNodeTaint);
  assert.equal(nodeUpdateAction(n, { ...n, status: { allocatable: { cpu: '2' } } }), Action.UpdateNodeAllocatable);
  assert.equal(nodeUpdateAction(n, { ...n }), 0);
});

test('metrics: extension point and plugin histograms, SLI by attempts, pending pods by queue', async () => {
  const { Metrics, exponentialBuckets } = await import('./metrics.js');
  assert.deepEqual(exponentialBuckets(0.0001, 2, 3), [0.0001, 0.0002, 0.0004]);
  const m = new Metrics();
  m.pending = () => ({ active: 1, backoff: 2, unschedulable: 3, gated: 0 });
  m.extensionPointDone('Filter', 'Success', 'default-scheduler', 0.00015);
  m.extensionPointDone('Filter', 'Success', 'default-scheduler', 5);
  m.pluginDone('NodeResourcesFit', 'Filter', 'Success', 0.00002);
  m.podScheduled(2, 0.5);
  const t = m.render();
  assert.match(t, /scheduler_pending_pods\{queue="unschedulable"\} 3/);
  assert.match(t, /scheduler_framework_extension_point_duration_seconds_bucket\{extension_point="Filter",status="Success",profile="default-scheduler",le="0.0001"\} 0\n/);
  assert.match(t, /scheduler_framework_extension_point_duration_seconds_bucket\{extension_point="Filter",status="Success",profile="default-scheduler",le="0.0002"\} 1\n/);
  assert.match(t, /scheduler_framework_extension_point_duration_seconds_bucket\{extension_point="Filter",status="Success",profile="default-scheduler",le="\+Inf"\} 2\n/);
  assert.match(t, /scheduler_framework_extension_point_duration_seconds_count\{extension_point="Filter",status="Success",profile="default-scheduler"\} 2\n/);
  assert.match(t, /scheduler_plugin_execution_duration_seconds_count\{plugin="NodeResourcesFit",extension_point="Filter",status="Success"\} 1\n/);
  assert.match(t, /scheduler_pod_scheduling_sli_duration_seconds_bucket\{attempts="2",le="0.64"\} 1\n/);
});
