import { test } from 'node:test';
import assert from 'node:assert/strict';
import { convertDesiredReplicasWithRules, Normalizer, type Behavior } from './normalize.js';

test('rules without behavior: min, max and the max(2×current, 4) scale-up limit', () => {
  assert.deepEqual(convertDesiredReplicasWithRules(1, 10, 1, 20), [4, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']);
  assert.deepEqual(convertDesiredReplicasWithRules(5, 30, 1, 20), [10, 'ScaleUpLimit', 'the desired replica count is increasing faster than the maximum scale rate']);
  assert.deepEqual(convertDesiredReplicasWithRules(3, 10, 1, 5), [5, 'TooManyReplicas', 'the desired replica count is more than the maximum replica count']);
  assert.deepEqual(convertDesiredReplicasWithRules(3, 0, 2, 5), [2, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count']);
  assert.deepEqual(convertDesiredReplicasWithRules(3, 4, 1, 5), [4, 'DesiredWithinRange', 'the desired count is within the acceptable range']);
});

test('downscale stabilization keeps the highest recommendation of the window', () => {
  let now = 0;
  const n = new Normalizer(300_000, () => now);
  n.recordInitial('ns/a', 5);
  now = 10_000;
  const held = n.normalize('ns/a', 5, 2, 1, 10);
  assert.equal(held.replicas, 5);
  assert.deepEqual(held.conditions[0], { type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
  assert.equal(held.conditions[1].reason, 'DesiredWithinRange');
  now = 311_000; // the initial 5 has left the window; the 2 recorded at 10 s is still in it
  const down = n.normalize('ns/a', 5, 2, 1, 10);
  assert.equal(down.replicas, 2);
  assert.equal(down.conditions[0].reason, 'ReadyForNewScale');
  n.forget('ns/a');
  now = 312_000;
  assert.equal(n.normalize('ns/a', 5, 1, 1, 10).replicas, 1, 'forgotten: no history');
});

const rules = (o: Partial<Behavior> = {}): Behavior => ({
  scaleUp: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }, { type: 'Percent', value: 100, periodSeconds: 60 }] },
  scaleDown: { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 50, periodSeconds: 60 }] },
  ...o,
});

test('behavior: scale-up policies, selectPolicy Max/Min/Disabled', () => {
  const n = new Normalizer(300_000, () => 1000);
  const max = n.normalizeWithBehavior('a', rules(), 10, 50, 1, 100);
  assert.equal(max.replicas, 20);
  assert.deepEqual(max.conditions[1], { type: 'ScalingLimited', status: 'True', reason: 'ScaleUpLimit', message: 'the desired replica count is increasing faster than the maximum scale rate' });
  const b = rules();
  b.scaleUp!.selectPolicy = 'Min';
  assert.equal(n.normalizeWithBehavior('b', b, 10, 50, 1, 100).replicas, 14);
  b.scaleUp!.selectPolicy = 'Disabled';
  assert.equal(n.normalizeWithBehavior('c', b, 10, 50, 1, 100).replicas, 10);
  const capped = n.normalizeWithBehavior('d', rules(), 10, 50, 1, 12);
  assert.deepEqual([capped.replicas, capped.conditions[1].reason], [12, 'TooManyReplicas']);
});

test('behavior: scale events of the period count against the policies', () => {
  let now = 0;
  const n = new Normalizer(300_000, () => now);
  const b = rules();
  n.storeScaleEvent('a', b, 10, 20);
  now = 30_000;
  // the period began at 10 replicas: +4 pods or +100% → 20 at most, already reached
  assert.equal(n.normalizeWithBehavior('a', b, 20, 50, 1, 100).replicas, 20);
  now = 61_000; // the event left the 60 s period
  assert.equal(n.normalizeWithBehavior('a', b, 20, 50, 1, 100).replicas, 40);
  // scale down: at most 50% per minute
  const down = n.normalizeWithBehavior('x', b, 10, 1, 1, 100);
  assert.deepEqual([down.replicas, down.conditions[1].reason], [5, 'ScaleDownLimit']);
  n.storeScaleEvent('x', b, 10, 5);
  now = 70_000;
  assert.equal(n.normalizeWithBehavior('x', b, 5, 1, 1, 100).replicas, 5, 'the period started at 10: 50% of 10 is already spent');
  assert.equal(n.normalizeWithBehavior('y', b, 10, 0, 2, 100).replicas, 5);
  const few = n.normalizeWithBehavior('z', { ...b, scaleDown: { ...b.scaleDown, policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } }, 10, 0, 2, 100);
  assert.deepEqual([few.replicas, few.conditions[1].reason], [2, 'TooFewReplicas']);
});

test('behavior: stabilization windows take the lowest recent (up) and highest recent (down) recommendation', () => {
  let now = 0;
  const n = new Normalizer(300_000, () => now);
  const b = rules({ scaleUp: { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 1000, periodSeconds: 15 }] } });
  n.recordInitial('a', 2);
  now = 5_000;
  const up = n.normalizeWithBehavior('a', b, 2, 8, 1, 100);
  assert.equal(up.replicas, 2);
  assert.deepEqual(up.conditions[0], { type: 'AbleToScale', status: 'True', reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' });
  now = 61_000; // the initial 2 is out of the window; 8 (recorded at 5 s) is the lowest left
  assert.equal(n.normalizeWithBehavior('a', b, 2, 9, 1, 100).replicas, 8);
  // scaleDown window missing: the --horizontal-pod-autoscaler-downscale-stabilization value applies
  const d = new Normalizer(100_000, () => now);
  d.recordInitial('b', 6);
  const held = d.normalizeWithBehavior('b', { scaleUp: b.scaleUp, scaleDown: { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] } }, 6, 1, 1, 10);
  assert.deepEqual([held.replicas, held.conditions[0].reason], [6, 'ScaleDownStabilized']);
});
