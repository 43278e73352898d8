// Cases from upstream's replica_calculator_test.go (same inputs and expected replicas/utilization).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { CalcError, plainMetricReplicas, resourceReplicas, type PodLike, type PodMetricsInfo } from './replicas.js';
import { milli } from './metricsclient.js';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const O = { tolerance: 0.1, cpuInitializationPeriod: 2 * 60_000, delayOfInitialReadinessStatus: 10_000, now: () => NOW };
const iso = (ms: number) => new Date(ms).toISOString();

interface PodOpts { request?: string; ready?: 'True' | 'False'; phase?: string; deleting?: boolean; hot?: boolean }
function pods(n: number, o: PodOpts[] | PodOpts = {}): PodLike[] {
  return Array.from({ length: n }, (_, i) => {
    const p = Array.isArray(o) ? o[i] ?? {} : o;
    // "cool" pods started long ago; a "hot" one is inside the CPU initialization period and became ready 10 s ago
    const start = p.hot ? NOW - 60_000 : NOW - 10 * 60_000;
    const transition = p.hot ? NOW - 10_000 : start; // as upstream's tests: the condition last moved at start
    return {
      metadata: { name: `p${i}`, ...(p.deleting ? { deletionTimestamp: iso(NOW) } : {}) },
      spec: { containers: [{ name: 'c', resources: { requests: (p.request === '' ? {} : { cpu: p.request ?? '1', memory: '1' }) as Record<string, string> } }] },
      status: { phase: p.phase ?? 'Running', startTime: iso(start), conditions: [{ type: 'Ready', status: p.ready ?? 'True', lastTransitionTime: iso(transition) }] },
    };
  });
}
function metrics(levels: number[], window = 30_000): PodMetricsInfo {
  return new Map(levels.map((v, i) => [`p${i}`, { value: v, timestamp: NOW, window }]));
}

const table: { name: string; current: number; pods: PodLike[]; levels: number[]; target: number; replicas: number; utilization: number; raw: number }[] = [
  { name: 'ScaleUp', current: 3, pods: pods(3), levels: [300, 500, 700], target: 30, replicas: 5, utilization: 50, raw: 500 },
  { name: 'ScaleUpUnreadyLessScale', current: 3, pods: pods(3, [{ ready: 'False' }, {}, {}]), levels: [300, 500, 700], target: 30, replicas: 4, utilization: 60, raw: 600 },
  { name: 'ScaleUpHotCpuLessScale', current: 3, pods: pods(3, [{ hot: true }, {}, {}]), levels: [300, 500, 700], target: 30, replicas: 4, utilization: 60, raw: 600 },
  { name: 'ScaleUpUnreadyNoScale', current: 3, pods: pods(3, [{}, { ready: 'False' }, { ready: 'False' }]), levels: [400, 500, 700], target: 30, replicas: 3, utilization: 40, raw: 400 },
  { name: 'ScaleUpIgnoresFailedPods', current: 2, pods: pods(4, [{}, {}, { phase: 'Failed' }, { phase: 'Failed' }]), levels: [500, 700, 100, 100], target: 30, replicas: 4, utilization: 60, raw: 600 },
  { name: 'ScaleUpIgnoresDeletionPods', current: 2, pods: pods(4, [{}, {}, { deleting: true }, { deleting: true }]), levels: [500, 700, 100, 100], target: 30, replicas: 4, utilization: 60, raw: 600 },
  { name: 'ScaleDown', current: 5, pods: pods(5), levels: [100, 300, 500, 250, 250], target: 50, replicas: 3, utilization: 28, raw: 280 },
  { name: 'ScaleDownIgnoresUnreadyPods', current: 5, pods: pods(5, [{}, {}, {}, { ready: 'False' }, { ready: 'False' }]), levels: [100, 300, 500, 250, 250], target: 50, replicas: 2, utilization: 30, raw: 300 },
  { name: 'ScaleDownIgnoresFailedPods', current: 5, pods: pods(7, [{}, {}, {}, {}, {}, { phase: 'Failed' }, { phase: 'Failed' }]), levels: [100, 300, 500, 250, 250, 0, 0], target: 50, replicas: 3, utilization: 28, raw: 280 },
  { name: 'Tolerance', current: 3, pods: pods(3, [{ request: '900m' }, { request: '1' }, { request: '1100m' }]), levels: [1010, 1030, 1020], target: 100, replicas: 3, utilization: 102, raw: 1020 },
  { name: 'MissingMetrics (scale down: missing pods count as their request)', current: 4, pods: pods(4), levels: [400, 95], target: 100, replicas: 3, utilization: 24, raw: 247 },
  { name: 'MissingMetricsNoChangeEq', current: 2, pods: pods(2), levels: [1000], target: 100, replicas: 2, utilization: 100, raw: 1000 },
  { name: 'Pending pods count as unready on a scale up', current: 2, pods: pods(3, [{}, {}, { phase: 'Pending' }]), levels: [900, 900], target: 30, replicas: 6, utilization: 90, raw: 900 },
];

for (const t of table) {
  test(`resource replicas: ${t.name}`, () => {
    const r = resourceReplicas(t.current, t.target, 'cpu', '', t.pods, metrics(t.levels), O, milli);
    assert.deepEqual(r, { replicas: t.replicas, utilization: t.utilization, rawAverage: t.raw });
  });
}

test('resource replicas: errors as upstream', () => {
  assert.throws(() => resourceReplicas(1, 50, 'cpu', '', [], metrics([100]), O, milli), new CalcError('no pods returned by selector while calculating replica count'));
  assert.throws(() => resourceReplicas(2, 50, 'cpu', '', pods(2, [{}, { request: '' }]), metrics([100, 100]), O, milli),
    { message: 'missing request for cpu in container c of Pod p1' });
  assert.throws(() => resourceReplicas(2, 50, 'cpu', '', pods(2, { ready: 'False' }), metrics([100, 100]), O, milli),
    { message: 'did not receive metrics for targeted pods (pods might be unready)' });
  // memory ignores readiness: unready pods still count
  const r = resourceReplicas(2, 50, 'memory', '', pods(2, { ready: 'False', request: '1' }), metrics([1000, 1000]), O, milli);
  assert.equal(r.replicas, 4);
});

test('resource replicas: a single container of each pod', () => {
  const ps: PodLike[] = [{ metadata: { name: 'p0' }, spec: { containers: [{ name: 'a', resources: { requests: { cpu: '100m' } } }, { name: 'b' }] },
    status: { phase: 'Running', startTime: iso(NOW - 600_000), conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(NOW - 600_000) }] } }];
  const r = resourceReplicas(1, 50, 'cpu', 'a', ps, metrics([100]), O, milli);
  assert.deepEqual(r, { replicas: 2, utilization: 100, rawAverage: 100 });
});

test('plain (AverageValue) replicas: scale up, tolerance, missing pods', () => {
  assert.deepEqual(plainMetricReplicas(3, 15_000, 'memory', pods(3), metrics([20_000, 10_000, 30_000]), O), { replicas: 4, usage: 20_000 });
  assert.deepEqual(plainMetricReplicas(3, 20_000, 'memory', pods(3), metrics([20_000, 21_000, 19_500]), O), { replicas: 3, usage: 20_166 });
  // scale down with a missing pod: it counts as at target → ratio (5000+5000+20000)/3 / 20000 = 0.5 → 2
  assert.deepEqual(plainMetricReplicas(3, 20_000, 'memory', pods(3), metrics([5_000, 5_000]), O), { replicas: 2, usage: 5_000 });
});
