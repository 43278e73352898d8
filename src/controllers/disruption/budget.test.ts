import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  buildDisruptedPodMap, conditionsAreUpToDate, countHealthyPods, expectedPodCount, failSafeStatus, goSelectorString, nextStatus,
  rfc3339, scaledValue, setStatusCondition, staleDisruptionWait, type PDB,
} from './budget.js';
import type { Pod } from '../replicaset/pods.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const pdb = (spec: PDB['spec'], status?: PDB['status'], generation = 1): PDB =>
  ({ metadata: { name: 'b', namespace: 'd', generation }, spec, status });
const pod = (name: string, ready: boolean, extra: Partial<Pod['metadata']> = {}): Pod =>
  ({ metadata: { name, namespace: 'd', ...extra }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] } });

test('scaledValue: integers as they are, percentages of the total rounded up', () => {
  assert.equal(scaledValue(2, 10), 2);
  assert.equal(scaledValue('50%', 3), 2);
  assert.equal(scaledValue('10%', 7), 1);
  assert.equal(scaledValue('0%', 7), 0);
  assert.equal(scaledValue('100%', 7), 7);
  assert.equal(scaledValue('34%', 3), 2, '1.02 rounds up');
  assert.equal(scaledValue('33%', 100), 33);
});

test('scaledValue: bad values fail with upstream wording', () => {
  assert.throws(() => scaledValue('5', 10), /^Error: invalid value for IntOrString: invalid type: string is not a percentage$/);
  assert.throws(() => scaledValue('x%', 10), /invalid value for IntOrString: invalid value "x%": strconv.Atoi: parsing "x": invalid syntax/);
  assert.throws(() => scaledValue(undefined, 10), /nil value for IntOrString/);
});

test('expectedPodCount: minAvailable as a number counts the matching pods, percentages use the scale', () => {
  assert.deepEqual(expectedPodCount(pdb({ minAvailable: 2 }), 3, 99), { expectedCount: 3, desiredHealthy: 2 });
  assert.deepEqual(expectedPodCount(pdb({ minAvailable: '50%' }), 3, 5), { expectedCount: 5, desiredHealthy: 3 });
  assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: 1 }), 2, 4), { expectedCount: 4, desiredHealthy: 3 });
  assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: '25%' }), 2, 10), { expectedCount: 10, desiredHealthy: 7 }, 'ceil(2.5) = 3 unavailable');
  assert.deepEqual(expectedPodCount(pdb({ maxUnavailable: 5 }), 2, 3), { expectedCount: 3, desiredHealthy: 0 }, 'never below zero');
  assert.deepEqual(expectedPodCount(pdb({}), 2, 3), { expectedCount: 0, desiredHealthy: 0 });
});

test('countHealthyPods skips unready, terminating and recently evicted pods', () => {
  const pods = [pod('a', true), pod('b', false), pod('c', true, { deletionTimestamp: rfc3339(NOW) }), pod('d', true), pod('e', true)];
  const disrupted = { d: rfc3339(NOW - 60_000), e: rfc3339(NOW - 3 * 60_000) };
  assert.equal(countHealthyPods(pods, disrupted, NOW), 2, 'a, and e whose eviction record expired');
});

test('buildDisruptedPodMap keeps live entries, reports expired ones and the next recheck', () => {
  const pods = [pod('a', true), pod('b', true), pod('c', true, { deletionTimestamp: rfc3339(NOW) })];
  const budget = pdb({ minAvailable: 1 }, { disruptedPods: {
    a: rfc3339(NOW - 30_000), b: rfc3339(NOW - 5 * 60_000), c: rfc3339(NOW), gone: rfc3339(NOW),
  } });
  const r = buildDisruptedPodMap(pods, budget, NOW);
  assert.deepEqual(r.disruptedPods, { a: rfc3339(NOW - 30_000) });
  assert.deepEqual(r.notDeleted.map((p) => p.metadata.name), ['b']);
  assert.equal(r.recheckAt, NOW - 30_000 + 120_000);
  assert.deepEqual(buildDisruptedPodMap(pods, pdb({}), NOW), { disruptedPods: {}, notDeleted: [] });
});

test('nextStatus: disruptionsAllowed = healthy - desired, never negative, zero without expected pods', () => {
  const s = nextStatus(pdb({ minAvailable: 2 }), 3, 2, 3, {}, NOW)!;
  assert.equal(s.disruptionsAllowed, 1);
  assert.equal(s.observedGeneration, 1);
  assert.deepEqual(s.conditions, [{ type: 'DisruptionAllowed', status: 'True', reason: 'SufficientPods', message: '', observedGeneration: 1, lastTransitionTime: rfc3339(NOW) }]);
  assert.equal(nextStatus(pdb({}), 1, 3, 3, {}, NOW)!.disruptionsAllowed, 0);
  const none = nextStatus(pdb({}), 5, 0, 0, {}, NOW)!;
  assert.equal(none.disruptionsAllowed, 0);
  assert.equal(none.conditions![0].reason, 'InsufficientPods');
  assert.equal(none.conditions![0].status, 'False');
});

test('nextStatus is undefined when the status is already right, and notices a new generation', () => {
  const first = nextStatus(pdb({ minAvailable: 1 }), 2, 1, 2, {}, NOW)!;
  assert.equal(nextStatus(pdb({ minAvailable: 1 }, first), 2, 1, 2, {}, NOW + 1000), undefined);
  assert.ok(nextStatus(pdb({ minAvailable: 1 }, first, 2), 2, 1, 2, {}, NOW), 'generation 2 not observed yet');
  assert.ok(nextStatus(pdb({ minAvailable: 1 }, first), 2, 1, 2, { x: rfc3339(NOW) }, NOW), 'disruptedPods changed');
  const second = nextStatus(pdb({ minAvailable: 1 }, first), 1, 1, 2, {}, NOW + 5000)!;
  assert.equal(second.conditions![0].lastTransitionTime, rfc3339(NOW + 5000), 'status changed: transition time moves');
});

test('failSafeStatus zeroes disruptions with SyncFailed and the error; conditions then are not up to date', () => {
  const ok = pdb({ minAvailable: 1 }, nextStatus(pdb({ minAvailable: 1 }), 3, 1, 3, {}, NOW));
  assert.equal(conditionsAreUpToDate(ok), true);
  const failed = failSafeStatus(ok, new Error('found no controllers for pod "x"'), NOW + 1000);
  assert.equal(failed.disruptionsAllowed, 0);
  assert.equal(failed.currentHealthy, 3);
  assert.deepEqual(failed.conditions, [{ type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: 'found no controllers for pod "x"',
    observedGeneration: 1, lastTransitionTime: rfc3339(NOW + 1000) }]);
  assert.equal(conditionsAreUpToDate(pdb({}, failed)), false);
});

test('setStatusCondition keeps the transition time when only the reason changes', () => {
  const c = setStatusCondition([{ type: 'X', status: 'False', reason: 'A', lastTransitionTime: 'T0' }], { type: 'X', status: 'False', reason: 'B' }, NOW);
  assert.deepEqual(c, [{ type: 'X', status: 'False', reason: 'B', message: undefined, observedGeneration: undefined, lastTransitionTime: 'T0' }]);
});

test('staleDisruptionWait: only live, non-terminal pods with a DisruptionTarget not set by the kubelet', () => {
  const withCond = (reason: string, at: number, extra: Record<string, unknown> = {}): Pod => ({
    metadata: { name: 'p', namespace: 'd', ...extra },
    status: { phase: 'Running', conditions: [{ type: 'DisruptionTarget', status: 'True', reason, lastTransitionTime: rfc3339(at) } as never] },
  });
  assert.equal(staleDisruptionWait(withCond('EvictionByEvictionAPI', NOW - 30_000), NOW), 90_000);
  assert.equal(staleDisruptionWait(withCond('EvictionByEvictionAPI', NOW - 300_000), NOW), 0);
  assert.equal(staleDisruptionWait(withCond('TerminationByKubelet', NOW - 300_000), NOW), undefined);
  assert.equal(staleDisruptionWait(withCond('EvictionByEvictionAPI', NOW, { deletionTimestamp: rfc3339(NOW) }), NOW), undefined);
  assert.equal(staleDisruptionWait(pod('p', true), NOW), undefined);
});

test('goSelectorString prints the selector as Go does', () => {
  assert.equal(goSelectorString({ matchLabels: { b: '2', a: '1' } }),
    '&LabelSelector{MatchLabels:map[string]string{a: 1,b: 2,},MatchExpressions:[]LabelSelectorRequirement{},}');
  assert.equal(goSelectorString({ matchExpressions: [{ key: 'k', operator: 'In', values: ['x', 'y'] }] }),
    '&LabelSelector{MatchLabels:map[string]string{},MatchExpressions:[]LabelSelectorRequirement{LabelSelectorRequirement{Key:k,Operator:In,Values:[x y],},},}');
  assert.equal(goSelectorString(undefined), 'nil');
});
