import { test } from 'node:test';
import assert from 'node:assert/strict';
import { type ControllerRevision } from '../history/index.js';
import { completeRollingUpdate, StatefulSetControl, type RevisionWriter, type StatefulPodControl } from './control.js';
import { newVersionedStatefulSetPod } from './identity.js';
import { applyRevision, newRevision } from './revision.js';
import type { Pod, StatefulSet } from './types.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');

function mkSet(over: Partial<StatefulSet['spec']> = {}, image = 'nginx:1'): StatefulSet {
  return {
    metadata: { name: 'web', namespace: 'd', uid: 'sts-uid', generation: 1, resourceVersion: '1' },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'web' } }, serviceName: 'nginx', podManagementPolicy: 'OrderedReady',
      updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10,
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } },
      ...over,
    },
  };
}

function fakeHistory(): RevisionWriter & { created: ControllerRevision[]; deleted: string[]; renumbered: [string, number][] } {
  const h = {
    created: [] as ControllerRevision[], deleted: [] as string[], renumbered: [] as [string, number][],
    async create(_p: unknown, rev: ControllerRevision, collisionCount: number) {
      const r = { ...rev, metadata: { ...rev.metadata, uid: `rev-${h.created.length}` } };
      h.created.push(r);
      return { revision: r, collisionCount };
    },
    async updateRevision(rev: ControllerRevision, n: number) { h.renumbered.push([String(rev.metadata.name), n]); return { ...rev, revision: n }; },
    async delete(rev: ControllerRevision) { h.deleted.push(String(rev.metadata.name)); },
  };
  return h;
}

function fakePods(opts: { staleClaim?: boolean; createError?: Error } = {}) {
  const log: string[] = [];
  const pc: StatefulPodControl = {
    async createStatefulPod(_s, p) { if (opts.createError) throw opts.createError; log.push(`create ${p.metadata.name}`); },
    async updateStatefulPod(_s, p) { log.push(`update ${p.metadata.name}`); },
    async deleteStatefulPod(_s, p) { log.push(`delete ${p.metadata.name}`); },
    async createMissingPersistentVolumeClaims() {},
    claimsMatchRetentionPolicy: () => true,
    async updatePodClaimForRetentionPolicy(_s, p) { log.push(`claims ${p.metadata.name}`); },
    podClaimIsStale: () => Boolean(opts.staleClaim),
  };
  return { pc, log };
}

/** A created pod of `set` at `revision` in the given state. */
function pod(set: StatefulSet, ordinal: number, revision: string, state: 'ready' | 'pending' | 'failed' | 'terminating' = 'ready'): Pod {
  const p = newVersionedStatefulSetPod(set, set, revision, revision, ordinal);
  p.metadata.uid = `pod-${ordinal}`;
  p.metadata.creationTimestamp = '2024-05-01T11:00:00Z';
  p.status = state === 'ready' ? { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: '2024-05-01T11:00:00Z' }] }
    : state === 'failed' ? { phase: 'Failed' } : { phase: state === 'terminating' ? 'Running' : 'Pending' };
  if (state === 'terminating') p.metadata.deletionTimestamp = '2024-05-01T11:59:00Z';
  return p;
}

async function run(set: StatefulSet, pods: Pod[], revisions: ControllerRevision[] = [], opts = {}) {
  const { pc, log } = fakePods(opts);
  const h = fakeHistory();
  const res = await new StatefulSetControl(pc, h, () => NOW).sync(set, pods, revisions);
  return { res, log, h };
}

test('OrderedReady creates web-0 only, then waits for it to be Running and Ready', async () => {
  const set = mkSet();
  let r = await run(set, []);
  assert.deepEqual(r.log, ['create web-0']);
  assert.equal(r.h.created.length, 1);
  const rev = r.res.updateRevision!;
  assert.equal(r.res.status?.updateRevision, rev.metadata.name);
  assert.equal(r.res.status?.currentRevision, rev.metadata.name);
  r = await run(set, [pod(set, 0, String(rev.metadata.name), 'pending')], [rev]);
  assert.deepEqual(r.log, [], 'web-1 must not be created before web-0 is Ready');
  assert.equal(r.h.created.length, 0, 'an unchanged template reuses the newest revision');
  r = await run(set, [pod(set, 0, String(rev.metadata.name))], [rev]);
  assert.deepEqual(r.log, ['create web-1']);
  assert.equal(r.res.status?.replicas, 1);
  assert.equal(r.res.status?.readyReplicas, 1);
});

test('OrderedReady never proceeds past an unhealthy pod: a terminating web-0 blocks web-2', async () => {
  const set = mkSet();
  const rev = newRevision(set, 1, 0);
  const name = String(rev.metadata.name);
  const r = await run(set, [pod(set, 0, name, 'terminating'), pod(set, 1, name)], [rev]);
  assert.deepEqual(r.log, []);
});

test('Parallel creates every missing pod at once', async () => {
  const set = mkSet({ podManagementPolicy: 'Parallel' });
  const r = await run(set, []);
  assert.deepEqual([...r.log].sort(), ['create web-0', 'create web-1', 'create web-2']);
});

test('scale down: OrderedReady deletes the highest ordinal only; Parallel all condemned at once', async () => {
  const set = mkSet({ replicas: 1 });
  const rev = newRevision(set, 1, 0);
  const n = String(rev.metadata.name);
  const pods = [pod(set, 0, n), pod(set, 1, n), pod(set, 2, n), pod(set, 3, n)];
  let r = await run(set, pods, [rev]);
  assert.deepEqual(r.log, ['delete web-3']);
  r = await run(mkSet({ replicas: 1, podManagementPolicy: 'Parallel' }), pods, [rev]);
  assert.deepEqual([...r.log].sort(), ['delete web-1', 'delete web-2', 'delete web-3']);
});

test('scale down waits while a pod in range is unhealthy, and while the condemned pod above is terminating', async () => {
  const set = mkSet({ replicas: 1 });
  const rev = newRevision(set, 1, 0);
  const n = String(rev.metadata.name);
  let r = await run(set, [pod(set, 0, n, 'pending'), pod(set, 1, n), pod(set, 2, n)], [rev]);
  assert.deepEqual(r.log, []);
  r = await run(set, [pod(set, 0, n), pod(set, 1, n), pod(set, 2, n, 'terminating')], [rev]);
  assert.deepEqual(r.log, [], 'web-1 goes only after web-2 is gone');
});

test('an unhealthy condemned pod may be deleted when it is the first unhealthy one', async () => {
  const set = mkSet({ replicas: 1 });
  const rev = newRevision(set, 1, 0);
  const n = String(rev.metadata.name);
  const r = await run(set, [pod(set, 0, n), pod(set, 1, n, 'pending')], [rev]);
  assert.deepEqual(r.log, ['delete web-1']);
});

test('a failed pod is deleted (to be recreated next round)', async () => {
  const set = mkSet({ replicas: 2 });
  const rev = newRevision(set, 1, 0);
  const n = String(rev.metadata.name);
  const r = await run(set, [pod(set, 0, n, 'failed'), pod(set, 1, n)], [rev]);
  assert.deepEqual(r.log, ['delete web-0']);
});

test('a stale claim (being deleted) holds back creation', async () => {
  const r = await run(mkSet(), [], [], { staleClaim: true });
  assert.deepEqual(r.log, []);
});

test('creation errors are returned with the status', async () => {
  const r = await run(mkSet(), [], [], { createError: new Error('quota') });
  assert.equal(r.res.error?.message, 'quota');
  assert.equal(r.res.status?.replicas, 0);
});

test('spec.ordinals.start shifts the names', async () => {
  const r = await run(mkSet({ replicas: 2, ordinals: { start: 5 }, podManagementPolicy: 'Parallel' }), []);
  assert.deepEqual([...r.log].sort(), ['create web-5', 'create web-6']);
});

test('RollingUpdate replaces from the highest ordinal down to the partition, one at a time', async () => {
  const old = mkSet({}, 'nginx:1');
  const oldRev = newRevision(old, 1, 0);
  const o = String(oldRev.metadata.name);
  const set = { ...mkSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 1 } } }, 'nginx:2'),
    status: { replicas: 3, currentRevision: o, currentReplicas: 3 } } as StatefulSet;
  // first round: a new revision, web-2 deleted
  let r = await run(set, [pod(old, 0, o), pod(old, 1, o), pod(old, 2, o)], [oldRev]);
  assert.equal(r.h.created.length, 1);
  const newRev = r.h.created[0];
  const nn = String(newRev.metadata.name);
  assert.notEqual(nn, o);
  assert.equal(newRev.revision, 2);
  assert.deepEqual(r.log, ['delete web-2']);
  assert.equal(r.res.status?.currentRevision, o);
  assert.equal(r.res.status?.updateRevision, nn);
  // web-2 recreated at the new revision but not ready yet: wait
  r = await run(set, [pod(old, 0, o), pod(old, 1, o), pod(set, 2, nn, 'pending')], [oldRev, newRev]);
  assert.deepEqual(r.log, []);
  // ready: web-1 next; web-0 is below the partition and stays
  r = await run(set, [pod(old, 0, o), pod(old, 1, o), pod(set, 2, nn)], [oldRev, newRev]);
  assert.deepEqual(r.log, ['delete web-1']);
  r = await run(set, [pod(old, 0, o), pod(set, 1, nn), pod(set, 2, nn)], [oldRev, newRev]);
  assert.deepEqual(r.log, []);
  assert.equal(r.res.status?.updatedReplicas, 2);
  assert.equal(r.res.status?.currentReplicas, 1);
});

test('maxUnavailable lets several pods roll at once, highest ordinals first', async () => {
  const old = mkSet({}, 'nginx:1');
  const oldRev = newRevision(old, 1, 0);
  const o = String(oldRev.metadata.name);
  const set = { ...mkSet({ replicas: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0, maxUnavailable: 2 } } }, 'nginx:2'),
    status: { replicas: 4, currentRevision: o } } as StatefulSet;
  const pods = [0, 1, 2, 3].map((i) => pod(old, i, o));
  const r = await run(set, pods, [oldRev]);
  assert.deepEqual(r.log, ['delete web-3', 'delete web-2']);
  // percentages round up: 50% of 3 is 2
  const set3 = { ...set, spec: { ...set.spec, replicas: 3, updateStrategy: { type: 'RollingUpdate' as const, rollingUpdate: { maxUnavailable: '50%' } } } };
  const r3 = await run(set3, pods.slice(0, 3), [oldRev]);
  assert.deepEqual(r3.log, ['delete web-2', 'delete web-1']);
});

test('OnDelete never deletes pods for an update', async () => {
  const old = mkSet({}, 'nginx:1');
  const oldRev = newRevision(old, 1, 0);
  const o = String(oldRev.metadata.name);
  const set = { ...mkSet({ updateStrategy: { type: 'OnDelete' } }, 'nginx:2'), status: { replicas: 3, currentRevision: o } } as StatefulSet;
  const r = await run(set, [0, 1, 2].map((i) => pod(old, i, o)), [oldRev]);
  assert.deepEqual(r.log, []);
  assert.equal(r.res.status?.updatedReplicas, 0);
});

test('going back to an older template renumbers that revision instead of creating one (rollback)', async () => {
  const v1 = mkSet({}, 'nginx:1'), v2 = mkSet({}, 'nginx:2');
  const r1 = newRevision(v1, 1, 0), r2 = newRevision(v2, 2, 0);
  const { res, h } = await run({ ...v1, status: { replicas: 0, currentRevision: String(r2.metadata.name) } }, [], [r1, r2]);
  assert.equal(h.created.length, 0);
  assert.deepEqual(h.renumbered, [[String(r1.metadata.name), 3]]);
  assert.equal(res.updateRevision?.revision, 3);
  assert.equal(res.currentRevision?.metadata.name, r2.metadata.name);
});

test('history is truncated to revisionHistoryLimit, never deleting live revisions', async () => {
  const sets = [1, 2, 3, 4, 5].map((i) => mkSet({ revisionHistoryLimit: 1 }, `nginx:${i}`));
  const revs = sets.map((s, i) => newRevision(s, i + 1, 0));
  const names = revs.map((r) => String(r.metadata.name));
  // current = rev 2 (status), update = rev 5, a pod still runs rev 1
  const set = { ...sets[4], status: { replicas: 1, currentRevision: names[1] } } as StatefulSet;
  const { h } = await run(set, [pod(sets[0], 0, names[0])], revs);
  assert.deepEqual(h.deleted, [names[2]]);
});

test('a set being deleted only reports status', async () => {
  const set = { ...mkSet(), metadata: { ...mkSet().metadata, deletionTimestamp: '2024-05-01T11:00:00Z' } };
  const r = await run(set, []);
  assert.deepEqual(r.log, []);
});

test('completeRollingUpdate promotes the update revision once all pods are updated and ready', () => {
  const set = mkSet();
  const st = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
  completeRollingUpdate(set, st);
  assert.equal(st.currentRevision, 'b');
  assert.equal(st.currentReplicas, 3);
  const partial = { replicas: 3, readyReplicas: 2, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
  completeRollingUpdate(set, partial);
  assert.equal(partial.currentRevision, 'a');
  const onDelete = { replicas: 3, readyReplicas: 3, updatedReplicas: 3, currentReplicas: 0, currentRevision: 'a', updateRevision: 'b' };
  completeRollingUpdate(mkSet({ updateStrategy: { type: 'OnDelete' } }), onDelete);
  assert.equal(onDelete.currentRevision, 'a');
});

test('applyRevision swaps in the revision template without the $patch directive', () => {
  const rev = newRevision(mkSet({}, 'nginx:1'), 1, 0);
  assert.equal((rev.data as any).spec.template.$patch, 'replace');
  const applied = applyRevision(mkSet({}, 'nginx:9'), rev);
  assert.deepEqual(applied.spec.template, mkSet({}, 'nginx:1').spec.template);
});
