import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Graph, type GraphNode, type ObjectMetadata, type OwnerReference } from './graph.js';
import { decide, unblocked, withoutOwners } from './decide.js';

function setup() {
  const del: string[] = [];
  const orphan: string[] = [];
  const g = new Graph({ attemptToDelete: (n: GraphNode) => del.push(n.uid), attemptToOrphan: (n: GraphNode) => orphan.push(n.uid) });
  return { g, del, orphan };
}
const rsRef = (uid: string, block = true): OwnerReference => ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: `rs-${uid}`, uid, controller: true, blockOwnerDeletion: block });
const pod = (uid: string, refs: OwnerReference[] = [], extra: Partial<ObjectMetadata['metadata']> = {}): ObjectMetadata =>
  ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `p-${uid}`, namespace: 'ns', uid, ownerReferences: refs, ...extra } });
const rs = (uid: string, extra: Partial<ObjectMetadata['metadata']> = {}): ObjectMetadata =>
  ({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `rs-${uid}`, namespace: 'ns', uid, ...extra } });

test('a dependent seen before its owner creates a virtual owner that is queued for verification', () => {
  const { g, del } = setup();
  g.observe(pod('p1', [rsRef('r1')]));
  const owner = g.get('r1')!;
  assert.equal(owner.virtual, true);
  assert.equal(owner.namespace, 'ns');
  assert.deepEqual(del, ['r1']);
  assert.deepEqual(owner.dependentList().map((d) => d.uid), ['p1']);
  // the owner observed later becomes a real node, keeping its dependents
  g.observe(rs('r1'));
  assert.equal(g.get('r1')!.virtual, false);
  assert.equal(g.get('r1')!.dependents?.size, 1);
});

test('an observed owner deletion queues its dependents and forgets the owner', () => {
  const { g, del } = setup();
  g.observe(rs('r1'));
  g.observe(pod('p1', [rsRef('r1')]));
  g.observe(pod('p2', [rsRef('r1')]));
  assert.deepEqual(del, []);
  g.remove(rs('r1'));
  assert.equal(g.get('r1'), undefined);
  assert.deepEqual(del.sort(), ['p1', 'p2']);
  assert.equal(g.isAbsent('ns', 'r1'), true);
  assert.equal(g.isAbsent('other', 'r1'), false);
});

test('a dependent deletion re-queues an owner that is deleting its dependents', () => {
  const { g, del } = setup();
  g.observe(rs('r1'));
  g.observe(pod('p1', [rsRef('r1')]));
  g.observe(rs('r1', { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['foregroundDeletion'] }), rs('r1'));
  assert.equal(g.get('r1')!.deletingDependents, true);
  assert.deepEqual(del, ['p1', 'r1']);
  del.length = 0;
  g.remove(pod('p1', [rsRef('r1')]));
  assert.deepEqual(del, ['r1']);
  assert.equal(g.get('r1')!.dependents, undefined);
});

test('an orphan finalizer on a deleted owner queues it for orphaning once', () => {
  const { g, orphan, del } = setup();
  g.observe(rs('r1'));
  const deleting = rs('r1', { deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['orphan'] });
  g.observe(deleting, rs('r1'));
  g.observe(deleting, deleting);
  assert.deepEqual(orphan, ['r1']);
  assert.deepEqual(del, []);
});

test('owner reference changes relink the graph and unblock owners waiting on the dependent', () => {
  const { g, del } = setup();
  g.observe(rs('r1'));
  g.observe(rs('r2'));
  g.observe(pod('p1', [rsRef('r1')]));
  g.observe(rs('r1', { deletionTimestamp: 'x', finalizers: ['foregroundDeletion'] }), rs('r1'));
  del.length = 0;
  // the pod stops blocking r1 and gains r2
  g.observe(pod('p1', [rsRef('r1', false), rsRef('r2')]));
  assert.deepEqual(del, ['r1']);
  assert.deepEqual(g.get('r1')!.blockingDependents(), []);
  assert.deepEqual(g.get('r2')!.dependentList().map((d) => d.uid), ['p1']);
  // r1 dropped entirely
  g.observe(pod('p1', [rsRef('r2')]));
  assert.equal(g.get('r1')!.dependents, undefined);
});

test('virtualDelete drops an unobserved owner and queues its dependents; an observed node stays', () => {
  const { g, del } = setup();
  g.observe(pod('p1', [rsRef('r9')]));
  del.length = 0;
  g.virtualDelete(g.get('r9')!, 'ns');
  assert.equal(g.get('r9'), undefined);
  assert.deepEqual(del, ['p1']);
  assert.equal(g.isAbsent('ns', 'r9'), true);
  g.observe(rs('r1'));
  g.observe(pod('p2', [rsRef('r1')]));
  g.virtualDelete(g.get('r1')!, 'ns');
  assert.ok(g.get('r1'));
});

test('the absent-owner cache is bounded', () => {
  const g = new Graph({ attemptToDelete() {}, attemptToOrphan() {} }, 3);
  for (const u of ['a', 'b', 'c', 'd']) g.markAbsent('', u);
  assert.equal(g.isAbsent('', 'a'), false);
  assert.equal(g.isAbsent('', 'd'), true);
});

test('objects without a uid are ignored', () => {
  const { g } = setup();
  g.observe({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'x' } });
  assert.equal(g.size, 0);
});

const c = (uid: string, state: 'solid' | 'dangling' | 'waitingForDependentsDeletion') => ({ ref: rsRef(uid), state });
const base = { hasDependents: false, dependentDeletingDependents: false };

test('decide: all owners dangling → background delete; finalizers pick the policy', () => {
  assert.deepEqual(decide([c('a', 'dangling')], base), { action: 'delete', policy: 'Background' });
  assert.deepEqual(decide([c('a', 'dangling')], { ...base, finalizers: ['orphan'] }), { action: 'delete', policy: 'Orphan' });
  assert.deepEqual(decide([c('a', 'dangling')], { ...base, finalizers: ['foregroundDeletion'] }), { action: 'delete', policy: 'Foreground' });
  assert.deepEqual(decide([], base), { action: 'none' });
});

test('decide: a solid owner keeps the object but drops dangling and waiting references', () => {
  assert.deepEqual(decide([c('a', 'solid')], base), { action: 'none' });
  assert.deepEqual(decide([c('a', 'solid'), c('b', 'dangling'), c('w', 'waitingForDependentsDeletion')], base),
    { action: 'removeOwnerReferences', uids: ['b', 'w'] });
});

test('decide: an owner waiting on an object with dependents deletes it in the foreground', () => {
  assert.deepEqual(decide([c('w', 'waitingForDependentsDeletion')], { ...base, hasDependents: true }), { action: 'delete', policy: 'Foreground' });
  assert.deepEqual(decide([c('w', 'waitingForDependentsDeletion')], { hasDependents: true, dependentDeletingDependents: true }),
    { action: 'unblockAndDeleteForeground', uids: ['w'] });
  // without dependents of its own it is simply deleted in the background
  assert.deepEqual(decide([c('w', 'waitingForDependentsDeletion')], base), { action: 'delete', policy: 'Background' });
});

test('withoutOwners and unblocked rewrite owner references', () => {
  const refs = [rsRef('a'), rsRef('b', false)];
  assert.deepEqual(withoutOwners(refs, ['a']).map((r) => r.uid), ['b']);
  assert.deepEqual(unblocked(refs, ['a', 'b']).map((r) => r.blockOwnerDeletion), [false, false]);
  assert.equal(refs[0].blockOwnerDeletion, true, 'input untouched');
});
