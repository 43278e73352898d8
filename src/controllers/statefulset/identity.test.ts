import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  claimOwnerRefs, claimsFor, identityMatches, maxUnavailableOf, newStatefulSetPod, newVersionedStatefulSetPod,
  parentAndOrdinal, storageMatches, wantedClaimOwners,
} from './identity.js';
import type { Pod, StatefulSet } from './types.js';

const set = (over: Partial<StatefulSet['spec']> = {}): StatefulSet => ({
  metadata: { name: 'web', namespace: 'd', uid: 'sts-uid' },
  spec: {
    replicas: 3, selector: { matchLabels: { app: 'web' } }, serviceName: 'nginx',
    template: { metadata: { labels: { app: 'web' }, annotations: { a: 'b' } }, spec: { containers: [{ name: 'c' }], volumes: [{ name: 'cfg', configMap: { name: 'x' } }] } },
    volumeClaimTemplates: [{ metadata: { name: 'www', labels: { tier: 'data' } }, spec: { accessModes: ['ReadWriteOnce'] }, status: { phase: 'Pending' } }],
    ...over,
  },
});

test('parentAndOrdinal parses <parent>-<ordinal> and rejects other names', () => {
  assert.deepEqual(parentAndOrdinal({ metadata: { name: 'my-web-12' } }), { parent: 'my-web', ordinal: 12 });
  assert.equal(parentAndOrdinal({ metadata: { name: 'web' } }).ordinal, -1);
  assert.equal(parentAndOrdinal({ metadata: { name: 'web-x' } }).ordinal, -1);
  assert.equal(parentAndOrdinal({ metadata: { name: 'web-99999999999' } }).ordinal, -1);
});

test('newStatefulSetPod: name, labels, hostname/subdomain, owner, claim volumes', () => {
  const p = newStatefulSetPod(set(), 2);
  assert.equal(p.metadata.name, 'web-2');
  assert.deepEqual(p.metadata.labels, { app: 'web', 'statefulset.kubernetes.io/pod-name': 'web-2', 'apps.kubernetes.io/pod-index': '2' });
  assert.deepEqual(p.metadata.annotations, { a: 'b' });
  assert.equal(p.spec?.hostname, 'web-2');
  assert.equal(p.spec?.subdomain, 'nginx');
  assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(p.spec?.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-2' } }, { name: 'cfg', configMap: { name: 'x' } }]);
  assert.ok(identityMatches(set(), p));
  assert.ok(storageMatches(set(), p));
  const noSvc = newStatefulSetPod(set({ serviceName: '' }), 0);
  assert.equal(noSvc.spec?.subdomain, undefined);
});

test('identity and storage mismatches are detected', () => {
  const p = newStatefulSetPod(set(), 1);
  const wrongLabel: Pod = { ...p, metadata: { ...p.metadata, labels: { app: 'web' } } };
  assert.ok(!identityMatches(set(), wrongLabel));
  const otherSet: StatefulSet = { ...set(), metadata: { ...set().metadata, name: 'db' } };
  assert.ok(!identityMatches(otherSet, p));
  const noVol: Pod = { ...p, spec: { ...p.spec, volumes: [] } };
  assert.ok(!storageMatches(set(), noVol));
});

test('claimsFor names claims <template>-<set>-<ordinal> with the selector labels, no status', () => {
  const c = claimsFor(set(), 4).get('www')!;
  assert.equal(c.metadata.name, 'www-web-4');
  assert.equal(c.metadata.namespace, 'd');
  assert.deepEqual(c.metadata.labels, { tier: 'data', app: 'web' });
  assert.equal(c.status, undefined);
  assert.equal(c.kind, 'PersistentVolumeClaim');
});

test('newVersionedStatefulSetPod: below the partition at the current revision, else the update revision', () => {
  const s = set({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } });
  assert.equal(newVersionedStatefulSetPod(s, s, 'cur', 'upd', 1).metadata.labels?.['controller-revision-hash'], 'cur');
  assert.equal(newVersionedStatefulSetPod(s, s, 'cur', 'upd', 2).metadata.labels?.['controller-revision-hash'], 'upd');
  const od = set({ updateStrategy: { type: 'OnDelete' } });
  assert.equal(newVersionedStatefulSetPod(od, od, 'cur', 'upd', 0).metadata.labels?.['controller-revision-hash'], 'upd');
});

test('maxUnavailable: ints, percentages rounded up, at least 1, bad strings rejected', () => {
  const mu = (v: number | string | undefined, replicas = 10) => maxUnavailableOf(set({ replicas, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: v } } }));
  assert.equal(mu(undefined), 1);
  assert.equal(mu(3), 3);
  assert.equal(mu(0), 1);
  assert.equal(mu('25%'), 3);
  assert.equal(mu('1%', 3), 1);
  assert.throws(() => mu('abc'), /invalid value for IntOrString/);
});

test('retention policy owners: whenDeleted → set, whenScaled → pod once scaled away', () => {
  const inRange = { metadata: { name: 'web-1', uid: 'p1' } } as Pod;
  const away = { metadata: { name: 'web-5', uid: 'p5' } } as Pod;
  const pol = (whenDeleted: 'Retain' | 'Delete', whenScaled: 'Retain' | 'Delete') => set({ persistentVolumeClaimRetentionPolicy: { whenDeleted, whenScaled } });
  assert.deepEqual(wantedClaimOwners(pol('Retain', 'Retain'), away), { set: false, pod: false });
  assert.deepEqual(wantedClaimOwners(pol('Delete', 'Retain'), away), { set: true, pod: false });
  assert.deepEqual(wantedClaimOwners(pol('Retain', 'Delete'), inRange), { set: false, pod: false });
  assert.deepEqual(wantedClaimOwners(pol('Retain', 'Delete'), away), { set: false, pod: true });
  assert.deepEqual(wantedClaimOwners(pol('Delete', 'Delete'), inRange), { set: true, pod: false });
  assert.deepEqual(wantedClaimOwners(pol('Delete', 'Delete'), away), { set: false, pod: true });
  const claim = { metadata: { name: 'www-web-5', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid' }, { apiVersion: 'v1', kind: 'X', name: 'keep', uid: 'k' }] } };
  assert.deepEqual(claimOwnerRefs(claim, pol('Delete', 'Delete'), away), [
    { apiVersion: 'v1', kind: 'X', name: 'keep', uid: 'k' }, { apiVersion: 'v1', kind: 'Pod', name: 'web-5', uid: 'p5' }]);
});
