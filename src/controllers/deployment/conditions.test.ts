import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  calculateStatus, deploymentTimedOut, getCondition, newCondition, rolloutStatus, setCondition, statusEqual, stuckRequeueDelay,
} from './conditions.js';
import type { Deployment, ReplicaSet } from './types.js';

const T0 = Date.parse('2024-05-01T10:00:00Z');
const dep = (status: Deployment['status'] = {}, o: Partial<Deployment['spec']> = {}): Deployment => ({
  metadata: { name: 'web', namespace: 'd', generation: 2 },
  spec: { replicas: 4, progressDeadlineSeconds: 60, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }, ...o },
  status,
});
const rs = (name: string, replicas: number, available: number, ready = available, conditions?: ReplicaSet['status'] extends infer S ? S extends { conditions?: infer C } ? C : never : never): ReplicaSet => ({
  metadata: { name, namespace: 'd' }, spec: { replicas }, status: { replicas, availableReplicas: available, readyReplicas: ready, conditions },
});

test('calculateStatus counts ReplicaSets and sets Available against maxUnavailable', () => {
  const s = calculateStatus([rs('old', 2, 2), rs('new', 2, 1)], rs('new', 2, 1), dep(), T0);
  assert.equal(s.replicas, 4);
  assert.equal(s.updatedReplicas, 2);
  assert.equal(s.availableReplicas, 3);
  assert.equal(s.unavailableReplicas, 1);
  assert.equal(s.observedGeneration, 2);
  assert.deepEqual(getCondition(s, 'Available'), newCondition('Available', 'True', 'MinimumReplicasAvailable', 'Deployment has minimum availability.', T0));
  const low = calculateStatus([rs('new', 4, 2)], rs('new', 4, 2), dep(), T0);
  assert.equal(getCondition(low, 'Available')?.reason, 'MinimumReplicasUnavailable');
  assert.equal(getCondition(low, 'Available')?.message, 'Deployment does not have minimum availability.');
  // more available than desired is not negative unavailability
  assert.equal(calculateStatus([rs('new', 2, 5)], undefined, dep(), T0).unavailableReplicas, 0);
});

test('setCondition keeps lastTransitionTime when only the reason changes and ignores no-op updates', () => {
  const s = {};
  setCondition(s, newCondition('Progressing', 'True', 'A', 'a', T0));
  setCondition(s, newCondition('Progressing', 'True', 'A', 'other', T0 + 5000));
  assert.equal(getCondition(s, 'Progressing')?.message, 'a', 'same status and reason: untouched');
  setCondition(s, newCondition('Progressing', 'True', 'B', 'b', T0 + 5000));
  assert.equal(getCondition(s, 'Progressing')?.lastTransitionTime, '2024-05-01T10:00:00Z');
  assert.equal(getCondition(s, 'Progressing')?.lastUpdateTime, '2024-05-01T10:00:05Z');
  setCondition(s, newCondition('Progressing', 'False', 'C', 'c', T0 + 9000));
  assert.equal(getCondition(s, 'Progressing')?.lastTransitionTime, '2024-05-01T10:00:09Z');
});

test('rolloutStatus: progressing, complete, timed out; ReplicaFailure copied from the new RS', () => {
  const started = newCondition('Progressing', 'True', 'NewReplicaSetCreated', 'Created new replica set "web-1"', T0);
  const d = dep({ replicas: 4, updatedReplicas: 1, availableReplicas: 3, readyReplicas: 3, conditions: [started] });
  const newRS = rs('web-1', 2, 1, 2);
  const s = rolloutStatus([rs('web-0', 3, 3), newRS], newRS, d, T0 + 10_000);
  const p = getCondition(s, 'Progressing')!;
  assert.equal(p.reason, 'ReplicaSetUpdated');
  assert.equal(p.message, 'ReplicaSet "web-1" is progressing.');
  assert.equal(p.lastTransitionTime, '2024-05-01T10:00:00Z');
  assert.equal(p.lastUpdateTime, '2024-05-01T10:00:10Z');

  // no progress for longer than the deadline
  const still = dep({ replicas: 5, updatedReplicas: 2, availableReplicas: 3, readyReplicas: 3, observedGeneration: 2, conditions: [started] });
  const stuckRS = rs('web-1', 2, 0, 0);
  const late = rolloutStatus([rs('web-0', 3, 3), stuckRS], stuckRS, still, T0 + 61_000);
  assert.equal(getCondition(late, 'Progressing')?.status, 'False');
  assert.equal(getCondition(late, 'Progressing')?.reason, 'ProgressDeadlineExceeded');
  assert.equal(getCondition(late, 'Progressing')?.message, 'ReplicaSet "web-1" has timed out progressing.');
  assert.ok(!deploymentTimedOut(still, { conditions: [started] }, T0 + 59_000));
  // before the deadline: requeue for the remaining time (+1 s)
  assert.equal(stuckRequeueDelay(still, rolloutStatus([rs('web-0', 3, 3), stuckRS], stuckRS, still, T0 + 20_000), T0 + 20_000), 41_000);
  assert.equal(stuckRequeueDelay(dep({}, { progressDeadlineSeconds: undefined }), {}, T0), undefined);

  // complete
  const done = rs('web-1', 4, 4);
  const complete = rolloutStatus([rs('web-0', 0, 0), done], done, dep({ conditions: [started] }), T0 + 30_000);
  assert.equal(getCondition(complete, 'Progressing')?.reason, 'NewReplicaSetAvailable');
  assert.equal(getCondition(complete, 'Progressing')?.message, 'ReplicaSet "web-1" has successfully progressed.');

  // ReplicaFailure from the RS, removed again once gone
  const failing = rs('web-1', 4, 0, 0, [{ type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota', lastTransitionTime: '2024-05-01T10:00:01Z' }]);
  const f = rolloutStatus([failing], failing, dep({ conditions: [started] }), T0 + 1000);
  assert.deepEqual(getCondition(f, 'ReplicaFailure'), { type: 'ReplicaFailure', status: 'True', reason: 'FailedCreate', message: 'quota',
    lastTransitionTime: '2024-05-01T10:00:01Z', lastUpdateTime: '2024-05-01T10:00:01Z' });
  const healed = rolloutStatus([rs('web-1', 4, 0)], rs('web-1', 4, 0), dep({ conditions: f.conditions }), T0 + 2000);
  assert.equal(getCondition(healed, 'ReplicaFailure'), undefined);

  // no deadline: no Progressing condition at all
  const none = rolloutStatus([done], done, dep({ conditions: [started] }, { progressDeadlineSeconds: undefined }), T0);
  assert.equal(getCondition(none, 'Progressing'), undefined);
});

test('statusEqual ignores key order and zero counts (Go omitempty)', () => {
  assert.ok(statusEqual({ replicas: 0, conditions: [{ type: 'A', status: 'True' }] }, { conditions: [{ status: 'True', type: 'A' }] }));
  assert.ok(!statusEqual({ replicas: 1 }, {}));
  assert.ok(!statusEqual({ collisionCount: 0 }, {}), 'collisionCount 0 is meaningful');
});
