// Core admission end to end against `kumo server`: the default ServiceAccount and kube-root-ca.crt
// appear in new namespaces (and come back when deleted), pods get the projected token volume,
// priority classes resolve, PVCs get the default class and protection finalizer, and a node
// identity may not touch another node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './harness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { issueCertificate } = await import(join(ROOT, 'dist/pki/index.js'));

let s;
before(async () => { s = await startServer(); });
after(async () => { await s?.stop(); s?.cleanup(); });

const pod = (name, spec = {}) => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...spec } });

async function eventually(fn, ms = 10_000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await fn();
    if (r) return r;
    if (Date.now() > end) assert.fail('condition not met in time');
    await new Promise((res) => setTimeout(res, 100));
  }
}

test('a pod created right after its namespace gets the default ServiceAccount and the projected token volume', async () => {
  assert.equal((await s.request('POST', '/api/v1/namespaces', { body: { metadata: { name: 'quick' } } })).status, 201);
  const r = await s.request('POST', '/api/v1/namespaces/quick/pods', { body: pod('web', { initContainers: [{ name: 'i', image: 'busybox' }] }) });
  assert.equal(r.status, 201, r.text);
  const spec = r.json.spec;
  assert.equal(spec.serviceAccountName, 'default');
  const vol = spec.volumes.find((v) => v.name.startsWith('kube-api-access-'));
  assert.match(vol.name, /^kube-api-access-[a-z0-9]{5}$/);
  assert.deepEqual(vol.projected.sources.map((x) => Object.keys(x)[0]), ['serviceAccountToken', 'configMap', 'downwardAPI']);
  assert.equal(vol.projected.sources[0].serviceAccountToken.expirationSeconds, 3607);
  for (const c of [...spec.containers, ...spec.initContainers]) {
    assert.deepEqual(c.volumeMounts, [{ name: vol.name, readOnly: true, mountPath: '/var/run/secrets/kubernetes.io/serviceaccount' }]);
  }
  assert.equal(spec.priority, 0);
  assert.equal(spec.preemptionPolicy, 'PreemptLowerPriority');
  const tolerations = spec.tolerations.map((t) => `${t.key}:${t.effect}:${t.tolerationSeconds}`).sort();
  assert.deepEqual(tolerations, ['node.kubernetes.io/not-ready:NoExecute:300', 'node.kubernetes.io/unreachable:NoExecute:300']);
  // the CA bundle the volume refers to is published in the namespace
  const cm = await eventually(async () => { const x = await s.request('GET', '/api/v1/namespaces/quick/configmaps/kube-root-ca.crt'); return x.status === 200 && x.json; });
  assert.equal(cm.data['ca.crt'], readFileSync(join(s.dir, 'pki/ca.crt'), 'utf8'));
  assert.match(cm.metadata.annotations['kubernetes.io/description'], /^Contains a CA bundle/);
});

test('automountServiceAccountToken false on the pod or the account means no volume', async () => {
  await s.request('POST', '/api/v1/namespaces', { body: { metadata: { name: 'noauto' } } });
  let r = await s.request('POST', '/api/v1/namespaces/noauto/pods', { body: pod('a', { automountServiceAccountToken: false }) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.spec.volumes, undefined);
  assert.equal(r.json.spec.containers[0].volumeMounts, undefined);
  await s.request('POST', '/api/v1/namespaces/noauto/serviceaccounts', { body: { metadata: { name: 'robot' }, automountServiceAccountToken: false } });
  r = await s.request('POST', '/api/v1/namespaces/noauto/pods', { body: pod('b', { serviceAccountName: 'robot' }) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.spec.volumes, undefined);
  r = await s.request('POST', '/api/v1/namespaces/noauto/pods', { body: pod('c', { serviceAccountName: 'ghost' }) });
  assert.equal(r.status, 403);
  assert.equal(r.json.message, 'pods "c" is forbidden: error looking up service account noauto/ghost: serviceaccount "ghost" not found');
});

test('the default ServiceAccount and kube-root-ca.crt come back when deleted', async () => {
  await eventually(async () => (await s.request('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200);
  assert.equal((await s.request('DELETE', '/api/v1/namespaces/default/serviceaccounts/default')).status, 200);
  const sa = await eventually(async () => { const x = await s.request('GET', '/api/v1/namespaces/default/serviceaccounts/default'); return x.status === 200 && x.json; });
  assert.equal(sa.metadata.name, 'default');
  assert.equal((await s.request('DELETE', '/api/v1/namespaces/kube-system/configmaps/kube-root-ca.crt')).status, 200);
  await eventually(async () => (await s.request('GET', '/api/v1/namespaces/kube-system/configmaps/kube-root-ca.crt')).status === 200);
});

test('priority classes: built-ins exist, names resolve, unknown names are rejected', async () => {
  const pcs = await s.request('GET', '/apis/scheduling.k8s.io/v1/priorityclasses');
  const byName = Object.fromEntries(pcs.json.items.map((p) => [p.metadata.name, p.value]));
  assert.equal(byName['system-node-critical'], 2000001000);
  assert.equal(byName['system-cluster-critical'], 2000000000);
  let r = await s.request('POST', '/api/v1/namespaces/kube-system/pods', { body: pod('crit', { priorityClassName: 'system-cluster-critical' }) });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.spec.priority, 2000000000);
  r = await s.request('POST', '/api/v1/namespaces/default/pods', { body: pod('nope', { priorityClassName: 'no-such-class' }) });
  assert.equal(r.status, 403);
  assert.equal(r.json.reason, 'Forbidden');
  assert.equal(r.json.message, 'pods "nope" is forbidden: no PriorityClass with name no-such-class was found');
});

test('a PVC gets the default StorageClass and the protection finalizer; a PV its finalizer', async () => {
  let r = await s.request('POST', '/apis/storage.k8s.io/v1/storageclasses', { body: {
    metadata: { name: 'standard', annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } }, provisioner: 'kumo.io/local',
  } });
  assert.equal(r.status, 201, r.text);
  r = await s.request('POST', '/api/v1/namespaces/default/persistentvolumeclaims', { body: {
    metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } },
  } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.spec.storageClassName, 'standard');
  assert.deepEqual(r.json.metadata.finalizers, ['kubernetes.io/pvc-protection']);
  r = await s.request('POST', '/api/v1/persistentvolumes', { body: {
    metadata: { name: 'pv1' }, spec: { capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], hostPath: { path: '/tmp/pv1' } },
  } });
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.metadata.finalizers, ['kubernetes.io/pv-protection']);
});

test('a node identity may change its own Node but not another one', async () => {
  const ca = { certPem: readFileSync(join(s.dir, 'pki/ca.crt'), 'utf8'), keyPem: readFileSync(join(s.dir, 'pki/ca.key'), 'utf8') };
  const cert = await issueCertificate(ca, { commonName: 'system:node:n1', organizations: ['system:nodes'], usages: ['client'], days: 1 });
  const tls = { ca: Buffer.from(ca.certPem), cert: cert.certPem, key: cert.keyPem };
  for (const n of ['n1', 'n2']) {
    const r = await s.request('POST', '/api/v1/nodes', { body: { metadata: { name: n } } });
    assert.equal(r.status, 201, r.text);
  }
  const patch = { metadata: { labels: { 'example.com/x': 'y' } } };
  const headers = { 'content-type': 'application/merge-patch+json' };
  let r = await s.request('PATCH', '/api/v1/nodes/n1', { body: patch, headers, tls });
  assert.equal(r.status, 200, r.text);
  r = await s.request('PATCH', '/api/v1/nodes/n2', { body: patch, headers, tls });
  assert.equal(r.status, 403, r.text);
  // Kumo's Node authorizer already refuses this (upstream leaves it to NodeRestriction, whose
  // message is 'node "n1" is not allowed to modify node "n2"'); either way it is forbidden
  assert.match(r.json.message, /^nodes "n2" is forbidden: .*n1.*n2/);
  r = await s.request('PATCH', '/api/v1/nodes/n1', { body: { metadata: { labels: { 'node-restriction.kubernetes.io/pool': 'a' } } }, headers, tls });
  assert.equal(r.status, 403, r.text);
  assert.equal(r.json.message, 'nodes "n1" is forbidden: is not allowed to modify labels: node-restriction.kubernetes.io/pool');
  const n2 = await s.request('GET', '/api/v1/nodes/n2');
  assert.equal(n2.json.metadata.labels?.['example.com/x'], undefined, 'n2 unchanged');
});
