import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../../client/informer.js';
import { APIError } from '../../../client/rest.js';
import { checkVolumeSatisfyClaim, findBestMatchForClaim } from './match.js';
import { PersistentVolumeController } from './binder.js';
import { PVCProtectionController, PVProtectionController, podUsesPVC } from './protection.js';
import type { PersistentVolume, PersistentVolumeClaim } from './types.js';
import { recordingClient, eventLog } from '../../common/testing.js';

let rv = 10;
const pv = (name: string, storage: string, o: { modes?: string[]; cls?: string; phase?: string; claimRef?: PersistentVolume['spec']['claimRef']; labels?: Record<string, string>; mode?: string; policy?: string; annotations?: Record<string, string> } = {}): PersistentVolume => ({
  metadata: { name, uid: `uid-${name}`, resourceVersion: String(rv++), labels: o.labels, annotations: o.annotations },
  spec: { capacity: { storage }, accessModes: o.modes ?? ['ReadWriteOnce'], storageClassName: o.cls ?? 'manual', claimRef: o.claimRef, volumeMode: o.mode,
    persistentVolumeReclaimPolicy: o.policy ?? 'Retain' },
  status: { phase: o.phase ?? 'Available' },
});
const pvc = (name: string, storage: string, spec: Partial<PersistentVolumeClaim['spec']> = {}, annotations?: Record<string, string>): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: String(rv++), annotations },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, storageClassName: 'manual', ...spec },
  status: { phase: 'Pending' },
});

test('findBestMatchForClaim: smallest fitting volume, never a too-small one', () => {
  const vols = [pv('small', '1Gi'), pv('big', '5Gi'), pv('mid', '3Gi')];
  assert.equal(findBestMatchForClaim(pvc('c', '2Gi'), vols, false)?.metadata.name, 'mid');
  assert.equal(findBestMatchForClaim(pvc('c', '1Gi'), vols, false)?.metadata.name, 'small');
  assert.equal(findBestMatchForClaim(pvc('c', '6Gi'), vols, false), undefined);
});

test('findBestMatchForClaim: class, phase, selector, volume mode and deletion filter volumes', () => {
  const claim = pvc('c', '1Gi', { selector: { matchLabels: { tier: 'gold' } } });
  const vols = [
    pv('other-class', '1Gi', { cls: 'fast', labels: { tier: 'gold' } }),
    pv('released', '1Gi', { phase: 'Released', labels: { tier: 'gold' } }),
    pv('silver', '1Gi', { labels: { tier: 'silver' } }),
    pv('block', '1Gi', { labels: { tier: 'gold' }, mode: 'Block' }),
  ];
  assert.equal(findBestMatchForClaim(claim, vols, false), undefined);
  const gold = pv('gold', '2Gi', { labels: { tier: 'gold' } });
  assert.equal(findBestMatchForClaim(claim, [...vols, gold], false)?.metadata.name, 'gold');
  gold.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  assert.equal(findBestMatchForClaim(claim, [...vols, gold], false), undefined);
  assert.throws(() => findBestMatchForClaim(pvc('c', '1Gi', { selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } }), [gold], false),
    /error creating internal label selector for claim: ns\/c/);
});

test('findBestMatchForClaim: access modes — the group with the fewest extra modes first, even if larger', () => {
  const rwoRox = pv('rwo-rox', '1Gi', { modes: ['ReadWriteOnce', 'ReadOnlyMany'] });
  const rwo = pv('rwo', '10Gi', { modes: ['ReadWriteOnce'] });
  const rwx = pv('rwx', '1Gi', { modes: ['ReadWriteMany'] });
  assert.equal(findBestMatchForClaim(pvc('c', '1Gi'), [rwoRox, rwo, rwx], false)?.metadata.name, 'rwo');
  assert.equal(findBestMatchForClaim(pvc('c', '1Gi', { accessModes: ['ReadOnlyMany'] }), [rwoRox, rwo, rwx], false)?.metadata.name, 'rwo-rox');
  assert.equal(findBestMatchForClaim(pvc('c', '1Gi', { accessModes: ['ReadWriteMany', 'ReadOnlyMany'] }), [rwoRox, rwo, rwx], false), undefined);
});

test('findBestMatchForClaim: pre-bound volumes win; WaitForFirstConsumer matches only those; others\' volumes are skipped', () => {
  const claim = pvc('c', '1Gi');
  const mine = pv('mine', '9Gi', { claimRef: { namespace: 'ns', name: 'c' }, phase: 'Available' });
  const theirs = pv('theirs', '1Gi', { claimRef: { namespace: 'ns', name: 'other', uid: 'x' }, phase: 'Bound' });
  const free = pv('free', '1Gi');
  assert.equal(findBestMatchForClaim(claim, [free, theirs, mine], false)?.metadata.name, 'mine');
  assert.equal(findBestMatchForClaim(claim, [free, theirs], true), undefined);
  assert.equal(findBestMatchForClaim(claim, [free, mine], true)?.metadata.name, 'mine');
});

test('checkVolumeSatisfyClaim: upstream reasons', () => {
  assert.equal(checkVolumeSatisfyClaim(pv('v', '1Gi'), pvc('c', '2Gi')), 'requested PV is too small');
  assert.equal(checkVolumeSatisfyClaim(pv('v', '2Gi', { cls: 'x' }), pvc('c', '2Gi')), 'storageClassName does not match');
  assert.equal(checkVolumeSatisfyClaim(pv('v', '2Gi', { mode: 'Block' }), pvc('c', '2Gi')), 'incompatible volumeMode');
  assert.equal(checkVolumeSatisfyClaim(pv('v', '2Gi', { modes: ['ReadOnlyMany'] }), pvc('c', '2Gi')), 'incompatible accessMode');
  assert.equal(checkVolumeSatisfyClaim(pv('v', '2Gi'), pvc('c', '2Gi')), undefined);
});

function setup(opts: { failPut?: number } = {}) {
  const { recorder, events } = eventLog();
  let next = 1000;
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'PUT' && opts.failPut) throw new APIError(opts.failPut, { message: 'conflict' }, '');
    if (method === 'PUT') return { ...structuredClone(body), metadata: { ...body.metadata, resourceVersion: String(next++) } };
    if (method === 'GET' && path.includes('/persistentvolumeclaims/')) throw new APIError(404, { message: 'not found' }, '');
    if (method === 'GET') return { items: [] };
    return {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new PersistentVolumeController(client, factory, { recorder });
  return { c, calls, events, factory, pvs: factory.forPath<any>('/api/v1/persistentvolumes'), pvcs: factory.forPath<any>('/api/v1/persistentvolumeclaims'),
    classes: factory.forPath<any>('/apis/storage.k8s.io/v1/storageclasses'), pods: factory.forPath<any>('/api/v1/pods') };
}

test('binder: binds volume first (claimRef, bound-by-controller, phase), then the claim (volumeName, annotations, status)', async () => {
  const { c, calls, pvs, pvcs } = setup();
  pvs.handle('ADDED', pv('small', '1Gi'));
  pvs.handle('ADDED', pv('big', '5Gi'));
  pvcs.handle('ADDED', pvc('claim', '2Gi'));
  await c.syncClaimKey('ns/claim');
  assert.deepEqual(calls.map((x) => `${x.method} ${x.path}`), [
    'PUT /api/v1/persistentvolumes/big',
    'PUT /api/v1/persistentvolumes/big/status',
    'PUT /api/v1/namespaces/ns/persistentvolumeclaims/claim',
    'PUT /api/v1/namespaces/ns/persistentvolumeclaims/claim/status',
  ]);
  assert.deepEqual(calls[0].body.spec.claimRef, { kind: 'PersistentVolumeClaim', namespace: 'ns', name: 'claim', uid: 'uid-claim', apiVersion: 'v1', resourceVersion: calls[2].body.metadata.resourceVersion });
  assert.equal(calls[0].body.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal(calls[1].body.status.phase, 'Bound');
  assert.ok(calls[1].body.status.lastPhaseTransitionTime);
  assert.equal(calls[2].body.spec.volumeName, 'big');
  assert.deepEqual(calls[2].body.metadata.annotations, { 'pv.kubernetes.io/bound-by-controller': 'yes', 'pv.kubernetes.io/bind-completed': 'yes' });
  assert.deepEqual(calls[3].body.status, { phase: 'Bound', accessModes: ['ReadWriteOnce'], capacity: { storage: '5Gi' } });
  // our writes are remembered: a repeat sync of the (stale) cache writes nothing more
  calls.length = 0;
  await c.syncClaimKey('ns/claim');
  assert.equal(calls.length, 0);
});

test('binder: no match — FailedBinding without a class, provisioner hand-off with one, WaitForFirstConsumer when delayed', async () => {
  const { c, calls, events, pvcs, classes, pods } = setup();
  pvcs.handle('ADDED', pvc('none', '1Gi', { storageClassName: '' }));
  await c.syncClaimKey('ns/none');
  assert.deepEqual(events, ['Normal FailedBinding no persistent volumes available for this claim and no storage class is set']);
  assert.equal(calls.length, 0, 'already Pending: nothing to write');

  events.length = 0;
  classes.handle('ADDED', { metadata: { name: 'fast', resourceVersion: '1' }, provisioner: 'example.com/fast', volumeBindingMode: 'Immediate' });
  pvcs.handle('ADDED', pvc('dyn', '1Gi', { storageClassName: 'fast' }));
  await c.syncClaimKey('ns/dyn');
  const put = calls.find((x) => x.path.endsWith('/persistentvolumeclaims/dyn'));
  assert.equal(put?.body.metadata.annotations['volume.kubernetes.io/storage-provisioner'], 'example.com/fast');
  assert.equal(put?.body.metadata.annotations['volume.beta.kubernetes.io/storage-provisioner'], 'example.com/fast');
  assert.match(events[0], /^Normal ExternalProvisioning Waiting for a volume to be created either by the external provisioner 'example.com\/fast' or manually/);

  events.length = 0;
  classes.handle('ADDED', { metadata: { name: 'local', resourceVersion: '2' }, provisioner: 'kubernetes.io/no-provisioner', volumeBindingMode: 'WaitForFirstConsumer' });
  pvcs.handle('ADDED', pvc('late', '1Gi', { storageClassName: 'local' }));
  await c.syncClaimKey('ns/late');
  assert.deepEqual(events, ['Normal WaitForFirstConsumer waiting for first consumer to be created before binding']);
  events.length = 0;
  pods.handle('ADDED', { metadata: { name: 'p', namespace: 'ns', uid: 'p', resourceVersion: '3' }, spec: { volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'late' } }] } });
  await c.syncClaimKey('ns/late');
  assert.deepEqual(events, ['Normal WaitForPodScheduled waiting for pod p to be scheduled']);
  // once the scheduler picked a node, the in-tree provisioner name fails as upstream
  events.length = 0;
  pvcs.handle('MODIFIED', { ...pvc('late', '1Gi', { storageClassName: 'local' }, { 'volume.kubernetes.io/selected-node': 'n1' }), metadata: { ...pvc('late', '1Gi').metadata, uid: 'uid-late', annotations: { 'volume.kubernetes.io/selected-node': 'n1' } } });
  await c.syncClaimKey('ns/late');
  assert.deepEqual(events, ['Warning ProvisioningFailed no volume plugin matched name: kubernetes.io/no-provisioner']);
});

test('binder: a claim with no class gets the newest default class', async () => {
  const { c, calls, pvcs, classes } = setup();
  classes.handle('ADDED', { metadata: { name: 'old', resourceVersion: '1', creationTimestamp: '2020-01-01T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'x' });
  classes.handle('ADDED', { metadata: { name: 'new', resourceVersion: '2', creationTimestamp: '2023-01-01T00:00:00Z', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'x' });
  const claim = pvc('c', '1Gi');
  delete claim.spec.storageClassName;
  pvcs.handle('ADDED', claim);
  await c.syncClaimKey('ns/c');
  assert.equal(calls.length, 1);
  assert.equal(calls[0].body.spec.storageClassName, 'new');
});

test('binder: a named volume that does not fit gives VolumeMismatch; a bound claim whose volume vanished is Lost', async () => {
  const { c, calls, events, pvs, pvcs } = setup();
  pvs.handle('ADDED', pv('tiny', '1Gi'));
  pvcs.handle('ADDED', pvc('named', '2Gi', { volumeName: 'tiny' }));
  await c.syncClaimKey('ns/named');
  assert.deepEqual(events, ['Warning VolumeMismatch Cannot bind to requested volume "tiny": requested PV is too small']);
  events.length = 0;
  pvcs.handle('ADDED', { ...pvc('lost', '1Gi', { volumeName: 'gone' }, { 'pv.kubernetes.io/bind-completed': 'yes' }), status: { phase: 'Bound', capacity: { storage: '1Gi' } } });
  await c.syncClaimKey('ns/lost');
  assert.deepEqual(events, ['Warning ClaimLost Bound claim has lost its PersistentVolume. Data on the volume is lost!']);
  const st = calls.find((x) => x.path.endsWith('/lost/status'));
  assert.deepEqual(st?.body.status, { phase: 'Lost' });
});

test('binder: a volume whose claim is gone is Released; Delete fails without a deleter, deletes hostPath /tmp, leaves provisioned ones', async () => {
  const { c, calls, events, pvs } = setup();
  const ref = { namespace: 'ns', name: 'gone', uid: 'old-uid' };
  pvs.handle('ADDED', pv('keep', '1Gi', { claimRef: ref, phase: 'Bound', annotations: { 'pv.kubernetes.io/bound-by-controller': 'yes' } }));
  await c.syncVolumeKey('keep');
  assert.ok(calls.some((x) => x.method === 'GET' && x.path === '/api/v1/namespaces/ns/persistentvolumeclaims/gone'), 'double-checks with the API server');
  assert.equal(calls.find((x) => x.path.endsWith('/keep/status'))?.body.status.phase, 'Released');
  calls.length = 0;
  pvs.handle('ADDED', pv('nfs', '1Gi', { claimRef: ref, phase: 'Released', policy: 'Delete' }));
  await c.syncVolumeKey('nfs');
  assert.equal(calls.find((x) => x.path.endsWith('/nfs/status'))?.body.status.phase, 'Failed');
  assert.deepEqual(events, ['Warning VolumeFailedDelete error getting deleter volume plugin for volume "nfs": no deletable volume plugin matched']);
  calls.length = 0;
  const tmp = pv('tmp', '1Gi', { claimRef: ref, phase: 'Released', policy: 'Delete' });
  tmp.spec.hostPath = { path: '/tmp/x' };
  pvs.handle('ADDED', tmp);
  await c.syncVolumeKey('tmp');
  assert.deepEqual(calls.map((x) => `${x.method} ${x.path}`), ['DELETE /api/v1/persistentvolumes/tmp']);
  calls.length = 0;
  pvs.handle('ADDED', pv('csi', '1Gi', { claimRef: ref, phase: 'Released', policy: 'Delete', annotations: { 'pv.kubernetes.io/provisioned-by': 'example.com/fast' } }));
  await c.syncVolumeKey('csi');
  assert.deepEqual(calls, [], 'the external provisioner deletes what it made');
});

test('binder: write conflicts propagate so the queue retries', async () => {
  const { c, pvs, pvcs } = setup({ failPut: 409 });
  pvs.handle('ADDED', pv('v', '1Gi'));
  pvcs.handle('ADDED', pvc('claim', '1Gi'));
  await assert.rejects(c.syncClaimKey('ns/claim'), /conflict/);
});

test('podUsesPVC: only scheduled pods hold a claim', () => {
  const pod = (nodeName?: string) => ({ metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName, volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'data' } }] } });
  assert.equal(podUsesPVC(pod('n1'), 'data'), true);
  assert.equal(podUsesPVC(pod(), 'data'), false);
  assert.equal(podUsesPVC(pod('n1'), 'other'), false);
  const eph = { metadata: { name: 'p', namespace: 'ns' }, spec: { nodeName: 'n1', volumes: [{ name: 'scratch', ephemeral: {} }] } };
  assert.equal(podUsesPVC(eph, 'p-scratch'), true);
});

function protectionSetup(livePods: unknown[] = []) {
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'GET') return { items: livePods };
    return body;
  });
  const factory = new SharedInformerFactory(client);
  return { client, factory, calls };
}

test('pvc-protection: adds the finalizer; removes it on deletion only when no scheduled pod uses the claim (cache, then live list)', async () => {
  const usingPod = { metadata: { name: 'p', namespace: 'ns', uid: 'p', resourceVersion: '1' }, spec: { nodeName: 'n1', volumes: [{ name: 'v', persistentVolumeClaim: { claimName: 'c' } }] } };
  const { factory, calls, client } = protectionSetup([usingPod]);
  const ctl = new PVCProtectionController(client, factory);
  const pvcs = factory.forPath<any>('/api/v1/persistentvolumeclaims');
  const pods = factory.forPath<any>('/api/v1/pods');
  pvcs.handle('ADDED', pvc('c', '1Gi'));
  await ctl.sync('ns/c');
  assert.deepEqual(calls.at(-1)?.body.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  calls.length = 0;
  const deleting = { ...pvc('c', '1Gi'), metadata: { ...pvc('c', '1Gi').metadata, uid: 'uid-c', deletionTimestamp: '2024-01-01T00:00:00Z', finalizers: ['kubernetes.io/pvc-protection', 'other'] } };
  pvcs.handle('MODIFIED', deleting);
  pods.handle('ADDED', usingPod);
  await ctl.sync('ns/c');
  assert.equal(calls.length, 0, 'held while the cached pod uses it');
  pods.handle('DELETED', usingPod);
  await ctl.sync('ns/c');
  assert.deepEqual(calls.map((x) => x.method), ['GET'], 'the live list still shows the pod');
  ctl.stop();
  const fresh = protectionSetup([]);
  const ctl2 = new PVCProtectionController(fresh.client, fresh.factory);
  fresh.factory.forPath<any>('/api/v1/persistentvolumeclaims').handle('ADDED', deleting);
  await ctl2.sync('ns/c');
  assert.deepEqual(fresh.calls.at(-1)?.body.metadata.finalizers, ['other']);
});

test('pv-protection: a Bound volume keeps its finalizer; an Available one loses it', async () => {
  const { factory, calls, client } = protectionSetup();
  const ctl = new PVProtectionController(client, factory);
  const pvs = factory.forPath<any>('/api/v1/persistentvolumes');
  const v = pv('v', '1Gi', { phase: 'Bound' });
  v.metadata.deletionTimestamp = '2024-01-01T00:00:00Z';
  v.metadata.finalizers = ['kubernetes.io/pv-protection'];
  pvs.handle('ADDED', v);
  await ctl.sync('v');
  assert.equal(calls.length, 0);
  pvs.handle('MODIFIED', { ...v, metadata: { ...v.metadata, resourceVersion: '999' }, status: { phase: 'Released' } });
  await ctl.sync('v');
  assert.deepEqual(calls[0].body.metadata.finalizers, []);
  calls.length = 0;
  pvs.handle('ADDED', pv('w', '1Gi'));
  await ctl.sync('w');
  assert.deepEqual(calls[0].body.metadata.finalizers, ['kubernetes.io/pv-protection']);
});
