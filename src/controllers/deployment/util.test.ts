import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalJSON, computeHash, safeEncodeString } from './hash.js';
import type { Deployment, ReplicaSet } from './types.js';
import {
  equalIgnoreHash, findActiveOrLatest, findNewReplicaSet, findOldReplicaSets, lastRevision, maxSurge, maxUnavailable,
  newRSNewReplicas, proportionalSizes, resolveFenceposts, scaledValueFromIntOrPercent, setNewReplicaSetAnnotations,
  copyDeploymentAnnotationsToReplicaSet, isSaturated, setDeploymentAnnotationsTo,
} from './util.js';

const tmpl = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });
const dep = (o: Partial<Deployment['spec']> = {}, status: Deployment['status'] = {}, annotations?: Record<string, string>): Deployment => ({
  metadata: { name: 'web', namespace: 'd', uid: 'd-uid', generation: 1, annotations },
  spec: { replicas: 10, selector: { matchLabels: { app: 'web' } }, template: tmpl('v2'),
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } }, ...o },
  status,
});
const rs = (name: string, replicas: number, o: { image?: string; created?: string; ann?: Record<string, string>; available?: number } = {}): ReplicaSet => ({
  metadata: { name, namespace: 'd', uid: `${name}-uid`, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z', annotations: o.ann },
  spec: { replicas, template: { ...tmpl(o.image ?? 'v1'), metadata: { labels: { app: 'web', 'pod-template-hash': name } } } },
  status: { replicas, availableReplicas: o.available ?? replicas },
});

test('hash: stable, key-order independent, changes with the template and the collision count, safe alphabet', () => {
  const a = computeHash({ spec: { containers: [{ name: 'c', image: 'x' }] }, metadata: { labels: { app: 'w' } } });
  const b = computeHash({ metadata: { labels: { app: 'w' } }, spec: { containers: [{ image: 'x', name: 'c' }] } });
  assert.equal(a, b);
  assert.match(a, /^[bcdfghjklmnpqrstvwxz2456789]{1,10}$/);
  assert.notEqual(computeHash(tmpl('v1')), computeHash(tmpl('v2')));
  assert.notEqual(computeHash(tmpl('v1')), computeHash(tmpl('v1'), 1));
  assert.notEqual(computeHash(tmpl('v1'), 1), computeHash(tmpl('v1'), 2));
  assert.equal(computeHash(tmpl('v1'), 3), computeHash(tmpl('v1'), 3));
  // nil and empty are one value, as in Go; an emptyDir {} is not dropped
  assert.equal(canonicalJSON({ a: null, b: [], labels: {}, c: 1 }), '{"c":1}');
  assert.equal(canonicalJSON({ emptyDir: {} }), '{"emptyDir":{}}');
  assert.equal(safeEncodeString('0123'), '4567');
});

test('int-or-percent rounding and fenceposts as upstream', () => {
  assert.equal(scaledValueFromIntOrPercent('25%', 10, true), 3);
  assert.equal(scaledValueFromIntOrPercent('25%', 10, false), 2);
  assert.equal(scaledValueFromIntOrPercent(4, 10, false), 4);
  assert.throws(() => scaledValueFromIntOrPercent('5', 10, true), /invalid value for IntOrString: invalid type: string is not a percentage/);
  assert.throws(() => scaledValueFromIntOrPercent('x%', 10, true), /invalid value "x%"/);
  assert.deepEqual(resolveFenceposts('25%', '25%', 1), { surge: 1, unavailable: 0 });
  // both resolving to zero: one may be unavailable
  assert.deepEqual(resolveFenceposts(0, '10%', 5), { surge: 0, unavailable: 1 });
  assert.equal(maxSurge(dep()), 3);
  assert.equal(maxUnavailable(dep()), 2);
  assert.equal(maxUnavailable(dep({ strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 50 } } })), 10, 'capped at replicas');
  assert.equal(maxUnavailable(dep({ replicas: 0 })), 0);
  assert.equal(maxSurge(dep({ strategy: { type: 'Recreate' } })), 0);
  assert.equal(maxUnavailable(dep({ strategy: { type: 'Recreate' } })), 0);
});

test('new RS replicas: rolling stays within replicas + maxSurge; recreate takes everything', () => {
  const d = dep();
  const old = rs('old', 10);
  const fresh = rs('new', 0, { image: 'v2' });
  assert.equal(newRSNewReplicas(d, [old, fresh], fresh), 3);
  assert.equal(newRSNewReplicas(d, [rs('old', 8), rs('new', 3)], rs('new', 3)), 5);
  assert.equal(newRSNewReplicas(d, [rs('old', 10), rs('new', 3)], rs('new', 3)), 3, 'at the surge limit');
  assert.equal(newRSNewReplicas(d, [rs('old', 0), rs('new', 9)], rs('new', 9)), 10, 'never above replicas');
  assert.equal(newRSNewReplicas(dep({ strategy: { type: 'Recreate' } }), [old, fresh], fresh), 10);
  assert.throws(() => newRSNewReplicas(dep({ strategy: { type: 'Bogus' } }), [fresh], fresh), /isn't supported/);
});

test('proportional scaling mid-rollout follows max-replicas annotations, leftovers to the largest', () => {
  // 10 replicas, surge 3: old 8 + new 5 = 13 with max-replicas 13; scaled to 20 (surge 5 → 25)
  const ann = { 'deployment.kubernetes.io/max-replicas': '13', 'deployment.kubernetes.io/desired-replicas': '10' };
  const d = dep({ replicas: 20 });
  const old = rs('old', 8, { ann, created: '2024-01-01T00:00:00Z' });
  const fresh = rs('new', 5, { ann, image: 'v2', created: '2024-01-02T00:00:00Z' });
  const { sizes, operation, order } = proportionalSizes(d, [old, fresh]);
  assert.equal(operation, 'up');
  assert.equal(order[0].metadata.name, 'old', 'largest first');
  // old: round(8*25/13)=15, new: round(5*25/13)=10 → 25 exactly
  assert.equal(sizes.get('old'), 15);
  assert.equal(sizes.get('new'), 10);
  // scale down to 5 (surge 2 → 7): old round(8*7/13)=4 (-4), new round(5*7/13)=3 (-2): 7
  const down = proportionalSizes(dep({ replicas: 5 }), [old, fresh]);
  assert.equal(down.operation, 'down');
  assert.equal(down.sizes.get('old')! + down.sizes.get('new')!, 7);
  assert.equal(down.sizes.get('old'), 4);
  // to zero: everything goes
  const zero = proportionalSizes(dep({ replicas: 0 }), [old, fresh]);
  assert.equal(zero.sizes.get('old'), 0);
  assert.equal(zero.sizes.get('new'), 0);
  // no annotation: falls back to status.replicas; rounding leftovers land on the largest RS
  const odd = proportionalSizes(dep({ replicas: 4, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 0, maxUnavailable: 1 } } }, { replicas: 3 }),
    [rs('a', 1, { created: '2024-01-01T00:00:00Z' }), rs('b', 1, { created: '2024-01-02T00:00:00Z' }), rs('c', 1, { created: '2024-01-03T00:00:00Z' })]);
  assert.equal([...odd.sizes.values()].reduce((x, y) => x + y, 0), 4);
  assert.equal(odd.sizes.get('c'), 2, 'ties: newest first when scaling up');
});

test('new/old ReplicaSet selection ignores the hash label; active-or-latest; saturation', () => {
  const d = dep();
  const a = rs('a', 3, { image: 'v2', created: '2024-01-02T00:00:00Z' });
  const b = rs('b', 0, { image: 'v2', created: '2024-01-01T00:00:00Z' });
  const o = rs('o', 2);
  assert.equal(findNewReplicaSet(d, [a, o, b])?.metadata.name, 'b', 'the oldest match');
  assert.equal(findNewReplicaSet(d, [o]), undefined);
  const { all, required } = findOldReplicaSets(d, [a, o, b]);
  assert.deepEqual(all.map((r) => r.metadata.name), ['a', 'o']);
  assert.deepEqual(required.map((r) => r.metadata.name), ['a', 'o']);
  assert.ok(equalIgnoreHash(a.spec.template, d.spec.template));
  assert.ok(!equalIgnoreHash(o.spec.template, d.spec.template));
  assert.equal(findActiveOrLatest(a, [o])?.metadata.name, undefined, 'two active: none');
  assert.equal(findActiveOrLatest(rs('n', 0), [o])?.metadata.name, 'o');
  assert.equal(findActiveOrLatest(undefined, [rs('x', 0, { created: '2024-01-01T00:00:00Z' }), rs('y', 0, { created: '2024-02-01T00:00:00Z' })])?.metadata.name, 'y');
  const sat = rs('s', 10, { image: 'v2', ann: { 'deployment.kubernetes.io/desired-replicas': '10' } });
  assert.ok(isSaturated(d, sat));
  assert.ok(!isSaturated(d, rs('s', 10, { image: 'v2' })), 'no annotation');
  assert.ok(!isSaturated(d, { ...sat, status: { availableReplicas: 9 } }));
});

test('annotations: copied without last-applied and revision ones; revision raised with history on rollback', () => {
  const d = dep({}, {}, {
    'kubectl.kubernetes.io/last-applied-configuration': '{}', 'deployment.kubernetes.io/revision': '7', 'kubernetes.io/change-cause': 'x',
  });
  const fresh = rs('n', 0);
  fresh.metadata.annotations = undefined;
  assert.ok(setNewReplicaSetAnnotations(d, fresh, '3', false));
  assert.deepEqual(fresh.metadata.annotations, {
    'kubernetes.io/change-cause': 'x', 'deployment.kubernetes.io/revision': '3',
    'deployment.kubernetes.io/desired-replicas': '10', 'deployment.kubernetes.io/max-replicas': '13',
  });
  assert.ok(!copyDeploymentAnnotationsToReplicaSet(d, fresh), 'nothing new to copy');
  // an existing RS becoming the new one again (rollback): its old revision goes to the history
  const back = rs('b', 0, { ann: { 'deployment.kubernetes.io/revision': '1' } });
  assert.ok(setNewReplicaSetAnnotations(d, back, '3', true));
  assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision'], '3');
  assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1');
  assert.equal(back.metadata.annotations!['deployment.kubernetes.io/desired-replicas'], undefined, 'replica annotations only on creation');
  assert.ok(setNewReplicaSetAnnotations(d, back, '5', true));
  assert.equal(back.metadata.annotations!['deployment.kubernetes.io/revision-history'], '1,3');
  // a lower revision never replaces a higher one
  assert.ok(!setNewReplicaSetAnnotations(d, back, '4', true));
  // history is bounded in characters, dropping the oldest
  const long = rs('l', 0, { ann: { 'deployment.kubernetes.io/revision': '9', 'deployment.kubernetes.io/revision-history': '1,2,3,4' } });
  setNewReplicaSetAnnotations(d, long, '10', true, 8);
  assert.equal(long.metadata.annotations!['deployment.kubernetes.io/revision-history'], '2,3,4,9');
  // a non-numeric revision on the RS: left alone
  assert.ok(!setNewReplicaSetAnnotations(dep(), rs('z', 0, { ann: { 'deployment.kubernetes.io/revision': 'abc' } }), '2', true));
  assert.equal(lastRevision([rs('a', 0, { ann: { 'deployment.kubernetes.io/revision': '4' } }), rs('b', 0, { ann: { 'deployment.kubernetes.io/revision': '6' } }),
    rs('c', 0, { ann: { 'deployment.kubernetes.io/revision': 'x' } })]), 4);
  // rollback takes the RS's annotations but keeps the Deployment's own revision ones
  const target = dep({}, {}, { 'deployment.kubernetes.io/revision': '5', 'kubernetes.io/change-cause': 'new' });
  setDeploymentAnnotationsTo(target, rs('r', 0, { ann: { 'deployment.kubernetes.io/revision': '2', 'kubernetes.io/change-cause': 'old' } }));
  assert.deepEqual(target.metadata.annotations, { 'deployment.kubernetes.io/revision': '5', 'kubernetes.io/change-cause': 'old' });
});
