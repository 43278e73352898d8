// `kumo scheduler` with PersistentVolumeClaims, end to end: a real server (its own scheduler
// disabled), Node objects, and the scheduler as a child process. A claim bound to a PV with node
// affinity pins the pod to that node; an unbound claim of an Immediate class keeps the pod pending
// with upstream's message; a WaitForFirstConsumer claim gets volume.kubernetes.io/selected-node and
// the pod binds once the (simulated) provisioner and PV controller have bound the claim.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { node, schedulerFixture, stopSchedulerAndServer } from './scheduler-helpers.mjs';

let s, sched, fx;
const NS = 'default';
const pod = (name, claim) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx' }], volumes: [{ name: 'data', persistentVolumeClaim: { claimName: claim } }] },
});
const pvc = (name, o = {}) => ({
  apiVersion: 'v1', kind: 'PersistentVolumeClaim',
  metadata: { name, annotations: o.annotations },
  spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } }, storageClassName: o.cls ?? '', volumeName: o.volumeName },
});
const pv = (name, o = {}) => ({
  apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name },
  spec: {
    capacity: { storage: '1Gi' }, accessModes: ['ReadWriteOnce'], storageClassName: o.cls ?? '', hostPath: { path: `/tmp/${name}` },
    ...(o.claimRef ? { claimRef: o.claimRef } : {}),
    ...(o.host ? { nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.host] }] }] } } } : {}),
  },
});
const ok = (r, what) => assert.ok(r.status < 300, `${what}: ${r.status} ${r.text}`);
const post = (path, body) => s.request('POST', path, { body });
const mergePatch = (path, body) => s.request('PATCH', path, { body, headers: { 'content-type': 'application/merge-patch+json' } });

before(async () => {
  s = await startServer({ args: ['--disable-scheduler'] });
  fx = schedulerFixture(s);
  for (const n of ['n1', 'n2', 'n3']) await fx.createNode(node(n, { labels: { 'topology.kubernetes.io/zone': n === 'n3' ? 'z2' : 'z1' } }));
  const kc = await fx.schedulerKubeconfig();
  sched = await fx.startScheduler(['--kubeconfig', kc, '--secure-port', '0', '--leader-elect=false']);
});
after(() => stopSchedulerAndServer(sched, s));

test('a pod whose claim is bound to a PV with node affinity lands on that node', async () => {
  const claim = (await post(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, pvc('pinned', { volumeName: 'pv-n2', annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }))).json;
  ok(await post('/api/v1/persistentvolumes', pv('pv-n2', { host: 'n2', claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: NS, name: 'pinned', uid: claim.metadata.uid } })), 'pv');
  for (const i of [1, 2, 3]) ok(await post(`/api/v1/namespaces/${NS}/pods`, pod(`pinned-${i}`, 'pinned')), 'pod');
  for (const i of [1, 2, 3]) assert.equal(await fx.boundNode(NS, `pinned-${i}`), 'n2');
});

test('an unbound claim of an Immediate class keeps the pod pending with upstream\'s message; binding it lets the pod schedule', async () => {
  ok(await post('/apis/storage.k8s.io/v1/storageclasses', { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'immediate' }, provisioner: 'example.com/csi', volumeBindingMode: 'Immediate' }), 'sc');
  ok(await post(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, pvc('waiting', { cls: 'immediate' })), 'pvc');
  ok(await post(`/api/v1/namespaces/${NS}/pods`, pod('needs-waiting', 'waiting')), 'pod');
  const ev = await fx.eventually(async () => (await s.request('GET', `/api/v1/namespaces/${NS}/events`)).json.items
    .find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'needs-waiting'));
  assert.equal(ev.message, '0/3 nodes are available: pod has unbound immediate PersistentVolumeClaims. preemption: 0/3 nodes are available: 3 Preemption is not helpful for scheduling.');
  ok(await post(`/api/v1/namespaces/${NS}/pods`, pod('needs-missing', 'no-such-claim')), 'pod');
  const ev2 = await fx.eventually(async () => (await s.request('GET', `/api/v1/namespaces/${NS}/events`)).json.items
    .find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'needs-missing'));
  assert.match(ev2.message, /^0\/3 nodes are available: persistentvolumeclaim "no-such-claim" not found\./);
  // the PV controller's part, by hand: a PV in zone z2 (n3), bound both ways
  const claim = (await s.request('GET', `/api/v1/namespaces/${NS}/persistentvolumeclaims/waiting`)).json;
  ok(await post('/api/v1/persistentvolumes', pv('pv-imm', { cls: 'immediate', host: 'n3', claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: NS, name: 'waiting', uid: claim.metadata.uid } })), 'pv');
  ok(await mergePatch(`/api/v1/namespaces/${NS}/persistentvolumeclaims/waiting`,
    { metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { volumeName: 'pv-imm' } }), 'bind claim');
  // the claim event requeues the pod (VolumeBinding registered for PersistentVolumeClaim updates)
  assert.equal(await fx.boundNode(NS, 'needs-waiting'), 'n3');
});

test('WaitForFirstConsumer: the claim gets the selected node, and the pod binds once the claim is provisioned', async () => {
  ok(await post('/apis/storage.k8s.io/v1/storageclasses', {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'wffc' }, provisioner: 'example.com/csi', volumeBindingMode: 'WaitForFirstConsumer',
    allowedTopologies: [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: ['z2'] }] }],
  }), 'sc');
  ok(await post(`/api/v1/namespaces/${NS}/persistentvolumeclaims`, pvc('late', { cls: 'wffc' })), 'pvc');
  ok(await post(`/api/v1/namespaces/${NS}/pods`, pod('late-user', 'late')), 'pod');
  const claim = await fx.eventually(async () => {
    const c = (await s.request('GET', `/api/v1/namespaces/${NS}/persistentvolumeclaims/late`)).json;
    return c.metadata.annotations?.['volume.kubernetes.io/selected-node'] ? c : undefined;
  });
  assert.equal(claim.metadata.annotations['volume.kubernetes.io/selected-node'], 'n3', 'only z2 fits the class topology');
  // PreBind waits for the provisioner: the pod is not bound yet
  assert.equal((await fx.getPod(NS, 'late-user')).spec.nodeName, undefined);
  ok(await post('/api/v1/persistentvolumes', pv('pv-late', { cls: 'wffc', host: 'n3', claimRef: { kind: 'PersistentVolumeClaim', apiVersion: 'v1', namespace: NS, name: 'late', uid: claim.metadata.uid } })), 'pv');
  ok(await mergePatch(`/api/v1/namespaces/${NS}/persistentvolumeclaims/late`,
    { metadata: { annotations: { 'pv.kubernetes.io/bind-completed': 'yes' } }, spec: { volumeName: 'pv-late' } }), 'bind claim');
  assert.equal(await fx.boundNode(NS, 'late-user'), 'n3');
});

test('metrics expose extension point durations and the pod scheduling SLI', async () => {
  const m = await (await fetch(`${sched.url}/metrics`)).text();
  assert.match(m, /scheduler_framework_extension_point_duration_seconds_count\{extension_point="PreBind",status="Success",profile="default-scheduler"\} \d+/);
  assert.match(m, /scheduler_framework_extension_point_duration_seconds_count\{extension_point="PreFilter",status="UnschedulableAndUnresolvable",profile="default-scheduler"\} \d+/);
  assert.match(m, /scheduler_pod_scheduling_sli_duration_seconds_count\{attempts="1"\} \d+/);
});
