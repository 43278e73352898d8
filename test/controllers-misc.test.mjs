// The remaining kube-controller-manager controllers end to end (src/controllers/misc): PVC↔PV binding
// by class and size, the external provisioner hand-off, pvc-protection holding a claim a pod uses,
// kubelet client CSR auto-approval after a SubjectAccessReview, node TTL annotations, and event
// correlation (a repeated event is one Event whose count grows).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCluster } from './cluster-helpers.mjs';

let c;
const NS = 'default';
const pvcPath = (name = '') => `/api/v1/namespaces/${NS}/persistentvolumeclaims${name ? `/${name}` : ''}`;
const pv = (name, storage, extra = {}) => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
  spec: { capacity: { storage }, accessModes: ['ReadWriteOnce'], storageClassName: 'manual', hostPath: { path: `/data/${name}` },
    persistentVolumeReclaimPolicy: 'Retain', ...extra },
});
const pvc = (name, storage, spec = {}) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage } }, storageClassName: 'manual', ...spec },
});

before(async () => {
  c = await startCluster({
    controllers: 'persistentvolume-binder,pvc-protection,pv-protection,csrapproving,ttl', nodes: 1,
    cmArgs: ['--pvclaimbinder-sync-period', '1s'],
  });
});
after(async () => { await c?.stop(); });

test('a claim binds to the smallest matching volume, not to one too small; the volume is released after the claim goes', async () => {
  await c.create('/api/v1/persistentvolumes', pv('pv-small', '1Gi'));
  await c.create('/api/v1/persistentvolumes', pv('pv-big', '5Gi'));
  await c.create('/api/v1/persistentvolumes', pv('pv-huge', '50Gi'));
  await c.eventually('volumes Available', async () => (await c.get('/api/v1/persistentvolumes/pv-small'))?.status?.phase === 'Available');
  await c.create(pvcPath(), pvc('claim1', '2Gi'));
  const bound = await c.eventually('claim1 Bound', async () => {
    const p = await c.get(pvcPath('claim1'));
    return p?.status?.phase === 'Bound' && p;
  });
  assert.equal(bound.spec.volumeName, 'pv-big');
  assert.equal(bound.metadata.annotations['pv.kubernetes.io/bind-completed'], 'yes');
  assert.equal(bound.metadata.annotations['pv.kubernetes.io/bound-by-controller'], 'yes');
  assert.equal(bound.status.capacity.storage, '5Gi');
  assert.deepEqual(bound.status.accessModes, ['ReadWriteOnce']);
  const big = await c.eventually('pv-big Bound', async () => {
    const v = await c.get('/api/v1/persistentvolumes/pv-big');
    return v?.status?.phase === 'Bound' && v;
  });
  assert.equal(big.spec.claimRef.name, 'claim1');
  assert.equal(big.spec.claimRef.uid, bound.metadata.uid);
  assert.equal((await c.get('/api/v1/persistentvolumes/pv-small')).status.phase, 'Available');
  assert.equal((await c.get('/api/v1/persistentvolumes/pv-small')).spec.claimRef, undefined);
  assert.ok((await c.get('/api/v1/persistentvolumes/pv-small')).metadata.finalizers.includes('kubernetes.io/pv-protection'));
  const out = await c.kubectl(['get', 'pvc', 'claim1']);
  assert.match(out.stdout, /claim1\s+Bound\s+pv-big\s+5Gi\s+RWO\s+manual/);

  // a claim nothing fits stays Pending, and says why
  await c.create(pvcPath(), pvc('claim-nofit', '100Gi', { storageClassName: '' }));
  await c.eventually('FailedBinding event', async () => {
    const evs = (await c.get(`/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent('involvedObject.name=claim-nofit')}`)).items;
    return evs.some((e) => e.reason === 'FailedBinding' && e.message === 'no persistent volumes available for this claim and no storage class is set'
      && e.source.component === 'persistentvolume-controller');
  });
  assert.equal((await c.get(pvcPath('claim-nofit'))).status.phase, 'Pending');

  // a claim naming a volume too small for it gets VolumeMismatch and stays Pending
  await c.create(pvcPath(), pvc('claim-named', '2Gi', { volumeName: 'pv-small' }));
  await c.eventually('VolumeMismatch event', async () => {
    const evs = (await c.get(`/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent('involvedObject.name=claim-named')}`)).items;
    return evs.some((e) => e.reason === 'VolumeMismatch' && e.type === 'Warning' && e.message === 'Cannot bind to requested volume "pv-small": requested PV is too small');
  });
  await c.s.request('DELETE', pvcPath('claim-named'));
  await c.s.request('DELETE', pvcPath('claim-nofit'));
});

test('deleting a claim a pod uses leaves it Terminating until the pod is gone; its Retain volume becomes Released', async () => {
  await c.create(`/api/v1/namespaces/${NS}/pods`, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'user' },
    spec: { containers: [{ name: 'c', image: 'busybox' }], volumes: [{ name: 'd', persistentVolumeClaim: { claimName: 'claim1' } }] },
  });
  await c.eventually('pod scheduled', async () => (await c.get(`/api/v1/namespaces/${NS}/pods/user`))?.spec?.nodeName);
  const del = await c.s.request('DELETE', pvcPath('claim1'));
  assert.equal(del.status, 200, del.text);
  await new Promise((r) => setTimeout(r, 1500));
  const held = await c.get(pvcPath('claim1'));
  assert.ok(held?.metadata?.deletionTimestamp, 'the claim is still there, being deleted');
  assert.deepEqual(held.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  const out = await c.kubectl(['get', 'pvc', 'claim1']);
  assert.match(out.stdout, /claim1\s+Terminating\s+pv-big/);
  await c.s.request('DELETE', `/api/v1/namespaces/${NS}/pods/user?gracePeriodSeconds=0`);
  await c.eventually('claim1 gone', async () => (await c.s.request('GET', pvcPath('claim1'))).status === 404);
  const released = await c.eventually('pv-big Released', async () => {
    const v = await c.get('/api/v1/persistentvolumes/pv-big');
    return v?.status?.phase === 'Released' && v;
  });
  assert.equal(released.spec.claimRef.name, 'claim1', 'Retain keeps the old claimRef');
  // a Released volume is not handed to a new claim
  await c.create(pvcPath(), pvc('claim2', '2Gi'));
  const claim2 = await c.eventually('claim2 Bound', async () => {
    const p = await c.get(pvcPath('claim2'));
    return p?.status?.phase === 'Bound' && p;
  });
  assert.equal(claim2.spec.volumeName, 'pv-huge');
  // a bound volume's deletion waits for pv-protection
  const delPv = await c.s.request('DELETE', '/api/v1/persistentvolumes/pv-huge');
  assert.equal(delPv.status, 200, delPv.text);
  await new Promise((r) => setTimeout(r, 500));
  assert.ok((await c.get('/api/v1/persistentvolumes/pv-huge'))?.metadata?.deletionTimestamp);
});

test('a claim of a class with a provisioner is handed to it: annotations and a counted ExternalProvisioning event', async () => {
  await c.create('/apis/storage.k8s.io/v1/storageclasses', {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'example.com/fast',
  });
  await c.create(pvcPath(), pvc('dyn', '1Gi', { storageClassName: 'fast' }));
  const claim = await c.eventually('provisioner annotations', async () => {
    const p = await c.get(pvcPath('dyn'));
    return p?.metadata?.annotations?.['volume.kubernetes.io/storage-provisioner'] && p;
  });
  assert.equal(claim.metadata.annotations['volume.kubernetes.io/storage-provisioner'], 'example.com/fast');
  assert.equal(claim.metadata.annotations['volume.beta.kubernetes.io/storage-provisioner'], 'example.com/fast');
  assert.equal(claim.status.phase, 'Pending');
  const msg = "Waiting for a volume to be created either by the external provisioner 'example.com/fast' or manually by the system administrator. "
    + 'If volume creation is delayed, please verify that the provisioner is running and correctly registered.';
  // the controller re-syncs every second (--pvclaimbinder-sync-period 1s): the repeats are counted on one Event
  const ev = await c.eventually('ExternalProvisioning counted 3 times', async () => {
    const evs = (await c.get(`/api/v1/namespaces/${NS}/events?fieldSelector=${encodeURIComponent('involvedObject.name=dyn,reason=ExternalProvisioning')}`)).items;
    return evs.length === 1 && evs[0].count >= 3 && evs[0];
  });
  assert.equal(ev.message, msg);
  assert.equal(ev.type, 'Normal');
  assert.equal(ev.source.component, 'persistentvolume-controller');
  assert.ok(ev.lastTimestamp >= ev.firstTimestamp);
  const out = await c.kubectl(['get', 'events', '--field-selector', 'involvedObject.name=dyn,reason=ExternalProvisioning',
    '-o', 'custom-columns=REASON:.reason,COUNT:.count']);
  const m = /ExternalProvisioning\s+(\d+)/.exec(out.stdout);
  assert.ok(m && Number(m[1]) >= 3, out.stdout + out.stderr);
  assert.equal(out.stdout.trim().split('\n').length, 2, 'one Event, counted');
  const wide = await c.kubectl(['describe', 'pvc', 'dyn']);
  assert.match(wide.stdout, /ExternalProvisioning\s+\S+ \(x\d+ over \S+\)\s+persistentvolume-controller\s+Waiting for a volume/);
});

function opensslCSR(subj) {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-csr-'));
  try {
    const key = join(dir, 'key.pem');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    return execFileSync('openssl', ['req', '-new', '-key', key, '-subj', subj], { encoding: 'utf8' });
  } finally { rmSync(dir, { recursive: true, force: true }); }
}
const csrBody = (name, pem) => ({
  apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name },
  spec: { request: Buffer.from(pem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'] },
});
const asUser = (user, groups) => ({ 'Impersonate-User': user, 'Impersonate-Group': groups });

test('kubelet client CSRs are auto-approved after a SubjectAccessReview; others stay pending', async () => {
  const bind = (name, role, group) => c.create('/apis/rbac.authorization.k8s.io/v1/clusterrolebindings', {
    apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name },
    roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role },
    subjects: [{ apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: group }],
  });
  await bind('node-autorenew', 'system:certificates.k8s.io:certificatesigningrequests:selfnodeclient', 'system:nodes');
  await bind('bootstrap-autoapprove', 'system:certificates.k8s.io:certificatesigningrequests:nodeclient', 'system:bootstrappers');
  await bind('bootstrap-create', 'system:node-bootstrapper', 'system:bootstrappers');

  // a node renewing its own client certificate
  let r = await c.s.request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests',
    { body: csrBody('node-renew', opensslCSR('/O=system:nodes/CN=system:node:n1')), headers: asUser('system:node:n1', 'system:nodes') });
  assert.equal(r.status, 201, r.text);
  // a bootstrapping kubelet asking for a node identity
  r = await c.s.request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests',
    { body: csrBody('node-join', opensslCSR('/O=system:nodes/CN=system:node:n2')), headers: asUser('system:bootstrap:abcdef', 'system:bootstrappers') });
  assert.equal(r.status, 201, r.text);
  // a node asking for another node's identity with no nodeclient permission
  r = await c.s.request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests',
    { body: csrBody('node-steal', opensslCSR('/O=system:nodes/CN=system:node:n3')), headers: asUser('system:node:n1', 'system:nodes') });
  assert.equal(r.status, 201, r.text);

  const approved = async (name) => (await c.get(`/apis/certificates.k8s.io/v1/certificatesigningrequests/${name}`))?.status?.conditions?.find((x) => x.type === 'Approved');
  const self = await c.eventually('node-renew approved', () => approved('node-renew'));
  assert.equal(self.reason, 'AutoApproved');
  assert.equal(self.status, 'True');
  assert.equal(self.message, 'Auto approving self kubelet client certificate after SubjectAccessReview.');
  const join = await c.eventually('node-join approved', () => approved('node-join'));
  assert.equal(join.message, 'Auto approving kubelet client certificate after SubjectAccessReview.');
  const out = await c.kubectl(['get', 'csr', 'node-join']);
  assert.match(out.stdout, /node-join\s+\S+\s+kubernetes.io\/kube-apiserver-client-kubelet\s+system:bootstrap:abcdef\s+\S+\s+Approved/);
  await new Promise((res) => setTimeout(res, 500));
  assert.equal(await approved('node-steal'), undefined, 'not approved without the nodeclient permission');
});

test('nodes get the node.alpha.kubernetes.io/ttl annotation for a small cluster (0)', async () => {
  const nodes = await c.eventually('ttl annotations', async () => {
    const items = (await c.get('/api/v1/nodes')).items;
    return items.length && items.every((n) => n.metadata.annotations?.['node.alpha.kubernetes.io/ttl'] !== undefined) && items;
  });
  for (const n of nodes) assert.equal(n.metadata.annotations['node.alpha.kubernetes.io/ttl'], '0');
});
