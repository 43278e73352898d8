import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Listers, type Handle } from '../listers.js';
import { Cache, NodeInfo } from '../nodeinfo.js';
import { Code, CycleState, type Node, type Pod, type Volume } from '../types.js';
import type { PersistentVolume, PersistentVolumeClaim, StorageClass } from '../volumes.js';
import { ANN_SELECTED_NODE } from '../volumes.js';
import { ERR_REASON_BIND_CONFLICT, ERR_REASON_NODE_CONFLICT, ERR_REASON_PV_NOT_EXIST, ERR_UNBOUND_IMMEDIATE, VolumeBinding, findMatchingVolume } from './volumebinding.js';
import { ERR_REASON_DISK_CONFLICT, ERR_REASON_RWOP_CONFLICT, VolumeRestrictions } from './volumerestrictions.js';
import { ERR_REASON_CONFLICT, VolumeZone } from './volumezone.js';
import { ERR_REASON_MAX_VOLUME_COUNT_EXCEEDED, NodeVolumeLimits } from './nodevolumelimits.js';
import { ImageLocality, calculatePriority, normalizedImageName, MIN_THRESHOLD, MAX_CONTAINER_THRESHOLD } from './imagelocality.js';

const handle = (): Handle => ({ cache: new Cache(), listers: new Listers() });
const node = (name: string, labels: Record<string, string> = {}, images?: Node['status'] extends infer S ? NonNullable<S> extends { images?: infer I } ? I : never : never): Node =>
  ({ metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } }, status: { allocatable: { cpu: '4', memory: '8Gi', pods: '110' }, images } });
const ni = (h: Handle, n: Node): NodeInfo => { h.cache.addNode(n); return h.cache.get(n.metadata.name)!; };
const pod = (name: string, volumes: Volume[] = [], o: Partial<Pod['spec']> = {}): Pod =>
  ({ metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { containers: [{ name: 'c', image: 'nginx' }], volumes, ...o } });
const claimVol = (claim: string): Volume => ({ name: claim, persistentVolumeClaim: { claimName: claim } });
const pvc = (name: string, o: { cls?: string; volumeName?: string; bound?: boolean; size?: string; modes?: string[]; deleting?: boolean } = {}): PersistentVolumeClaim => ({
  metadata: { name, namespace: 'default', uid: `pvc-${name}`, annotations: o.bound ? { 'pv.kubernetes.io/bind-completed': 'yes' } : {},
    ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
  spec: { storageClassName: o.cls, volumeName: o.volumeName, accessModes: o.modes ?? ['ReadWriteOnce'], resources: { requests: { storage: o.size ?? '1Gi' } } },
});
const pv = (name: string, o: { cls?: string; size?: string; host?: string; zone?: string; claim?: string; phase?: string; csi?: string; modes?: string[] } = {}): PersistentVolume => ({
  metadata: { name, labels: o.zone ? { 'topology.kubernetes.io/zone': o.zone } : {} },
  spec: {
    capacity: { storage: o.size ?? '1Gi' }, accessModes: o.modes ?? ['ReadWriteOnce'], storageClassName: o.cls,
    claimRef: o.claim ? { name: o.claim, namespace: 'default' } : undefined,
    csi: o.csi ? { driver: o.csi, volumeHandle: `h-${name}` } : undefined,
    nodeAffinity: o.host ? { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: [o.host] }] }] } } : undefined,
  },
  status: { phase: o.phase ?? 'Available' },
});
const sc = (name: string, mode: string, provisioner = 'csi.example.com', zones?: string[]): StorageClass =>
  ({ metadata: { name }, provisioner, volumeBindingMode: mode, allowedTopologies: zones ? [{ matchLabelExpressions: [{ key: 'topology.kubernetes.io/zone', values: zones }] }] : undefined });

function binding(h: Handle) { return new VolumeBinding({}, h, undefined); }
function run(p: { preFilter(s: CycleState, pod: Pod, n: NodeInfo[]): { status: { code: Code; reasons: string[]; isSuccess(): boolean } }; filter(s: CycleState, pod: Pod, n: NodeInfo): { code: Code; reasons: string[]; isSuccess(): boolean } }, p0: Pod, nodes: NodeInfo[]) {
  const s = new CycleState();
  const pre = p.preFilter(s, p0, nodes);
  if (pre.status.code === Code.Skip) return { pre: 'skip', per: nodes.map(() => 'ok') };
  if (!pre.status.isSuccess()) return { pre: pre.status.reasons.join('; '), per: [] as string[] };
  return { pre: 'ok', per: nodes.map((n) => { const st = p.filter(s, p0, n); return st.isSuccess() ? 'ok' : `${Code[st.code]}: ${st.reasons.join('; ')}`; }), state: s };
}

test('VolumeBinding PreFilter: no claims skip, missing/deleting/immediate-unbound claims are unresolvable', () => {
  const h = handle();
  const vb = binding(h);
  const vl = h.listers.volumes;
  vl.onStorageClass('ADDED', sc('fast', 'Immediate'));
  vl.onStorageClass('ADDED', sc('wffc', 'WaitForFirstConsumer'));
  vl.onPVC('ADDED', pvc('gone', { deleting: true }));
  vl.onPVC('ADDED', pvc('imm', { cls: 'fast' }));
  vl.onPVC('ADDED', pvc('noclass'));
  vl.onPVC('ADDED', pvc('prebound-wffc', { cls: 'wffc', volumeName: 'x' }));
  const n = [ni(h, node('a'))];
  const cases: [Volume[], string][] = [
    [[], 'skip'],
    [[{ name: 'e', emptyDir: {} } as Volume], 'skip'],
    [[claimVol('missing')], 'persistentvolumeclaim "missing" not found'],
    [[{ name: 'eph', ephemeral: {} }], 'waiting for ephemeral volume controller to create the persistentvolumeclaim "p-eph"'],
    [[claimVol('gone')], 'persistentvolumeclaim "gone" is being deleted'],
    [[claimVol('imm')], ERR_UNBOUND_IMMEDIATE],
    [[claimVol('noclass')], ERR_UNBOUND_IMMEDIATE],
    [[claimVol('prebound-wffc')], ERR_UNBOUND_IMMEDIATE],
  ];
  for (const [vols, want] of cases) assert.equal(run(vb, pod('p', vols), n).pre, want, JSON.stringify(vols));
});

test('VolumeBinding Filter: bound PV node affinity, missing PV, WaitForFirstConsumer static match or provisioning', () => {
  const h = handle();
  const vl = h.listers.volumes;
  const vb = binding(h);
  const nodes = [ni(h, node('a', { 'topology.kubernetes.io/zone': 'z1' })), ni(h, node('b', { 'topology.kubernetes.io/zone': 'z2' })), ni(h, node('c'))];
  vl.onStorageClass('ADDED', sc('local', 'WaitForFirstConsumer', 'kubernetes.io/no-provisioner'));
  vl.onStorageClass('ADDED', sc('zonal', 'WaitForFirstConsumer', 'csi.example.com', ['z2']));
  vl.onPV('ADDED', pv('pv-on-b', { host: 'b', claim: 'bound' }));
  vl.onPVC('ADDED', pvc('bound', { volumeName: 'pv-on-b', bound: true }));
  vl.onPVC('ADDED', pvc('dangling', { volumeName: 'nope', bound: true }));
  // static: two local PVs on a (small and big), one too small on c
  vl.onPV('ADDED', pv('local-a-big', { cls: 'local', size: '10Gi', host: 'a' }));
  vl.onPV('ADDED', pv('local-a-small', { cls: 'local', size: '2Gi', host: 'a' }));
  vl.onPV('ADDED', pv('local-c-tiny', { cls: 'local', size: '1Mi', host: 'c' }));
  vl.onPV('ADDED', pv('local-b-released', { cls: 'local', size: '10Gi', host: 'b', phase: 'Released' }));
  vl.onPVC('ADDED', pvc('want-local', { cls: 'local', size: '2Gi' }));
  vl.onPVC('ADDED', pvc('want-zonal', { cls: 'zonal' }));
  const nc = (...r: string[]) => `UnschedulableAndUnresolvable: ${r.join('; ')}`;
  assert.deepEqual(run(vb, pod('p', [claimVol('bound')]), nodes).per, [nc(ERR_REASON_NODE_CONFLICT), 'ok', nc(ERR_REASON_NODE_CONFLICT)]);
  assert.deepEqual(run(vb, pod('p', [claimVol('dangling')]), nodes).per, [nc(ERR_REASON_PV_NOT_EXIST), nc(ERR_REASON_PV_NOT_EXIST), nc(ERR_REASON_PV_NOT_EXIST)]);
  const r = run(vb, pod('p', [claimVol('want-local')]), nodes);
  assert.deepEqual(r.per, ['ok', nc(ERR_REASON_BIND_CONFLICT), nc(ERR_REASON_BIND_CONFLICT)]);
  assert.deepEqual(run(vb, pod('p', [claimVol('want-zonal')]), nodes).per, [nc(ERR_REASON_BIND_CONFLICT), 'ok', nc(ERR_REASON_BIND_CONFLICT)]);
  // Reserve assumes the smallest fitting PV for the claim: the next pod cannot take it
  assert.ok(vb.reserve(r.state!, pod('p', [claimVol('want-local')]), 'a').isSuccess());
  assert.equal(vl.pv('local-a-small')?.spec?.claimRef?.name, 'want-local');
  vl.onPVC('ADDED', pvc('want-local-2', { cls: 'local', size: '2Gi' }));
  vl.onPVC('ADDED', pvc('want-local-3', { cls: 'local', size: '2Gi' }));
  const r2 = run(vb, pod('q', [claimVol('want-local-2')]), nodes);
  assert.deepEqual(r2.per, ['ok', nc(ERR_REASON_BIND_CONFLICT), nc(ERR_REASON_BIND_CONFLICT)]);
  vb.reserve(r2.state!, pod('q', [claimVol('want-local-2')]), 'a');
  assert.equal(vl.pv('local-a-big')?.spec?.claimRef?.name, 'want-local-2');
  assert.equal(run(vb, pod('r', [claimVol('want-local-3')]), nodes).per[0], nc(ERR_REASON_BIND_CONFLICT));
  // Unreserve gives the PV back
  vb.unreserve(r2.state!);
  assert.equal(vl.pv('local-a-big')?.spec?.claimRef, undefined);
  assert.equal(run(vb, pod('r', [claimVol('want-local-3')]), nodes).per[0], 'ok');
  // provisioning: Reserve annotates the claim with the selected node
  const z = run(vb, pod('z', [claimVol('want-zonal')]), nodes);
  vb.reserve(z.state!, pod('z', [claimVol('want-zonal')]), 'b');
  assert.equal(vl.pvc('default', 'want-zonal')?.metadata.annotations?.[ANN_SELECTED_NODE], 'b');
});

test('findMatchingVolume: pre-bound first, then smallest available matching class, modes, selector', () => {
  const n = node('a');
  const c = pvc('c', { cls: 'x', size: '5Gi', modes: ['ReadWriteOnce'] });
  const pvs = [pv('big', { cls: 'x', size: '100Gi' }), pv('fit', { cls: 'x', size: '5Gi' }), pv('other-class', { cls: 'y', size: '5Gi' }),
    pv('rox', { cls: 'x', size: '5Gi', modes: ['ReadOnlyMany'] }), pv('small', { cls: 'x', size: '1Gi' })];
  assert.equal(findMatchingVolume(c, pvs, n, new Set())?.metadata.name, 'fit');
  assert.equal(findMatchingVolume(c, pvs, n, new Set(['fit']))?.metadata.name, 'big');
  const prebound = pv('mine', { cls: 'z', size: '50Gi', claim: 'c', phase: 'Bound' });
  assert.equal(findMatchingVolume(c, [...pvs, prebound], n, new Set())?.metadata.name, 'mine');
  assert.equal(findMatchingVolume(c, [pv('small', { cls: 'x', size: '1Gi' })], n, new Set()), undefined);
});

test('VolumeRestrictions: inline disk conflicts and ReadWriteOncePod claims in use', () => {
  const h = handle();
  const vr = new VolumeRestrictions(h);
  const a = ni(h, node('a'));
  const gce = (pd: string, readOnly = false): Volume => ({ name: 'd', gcePersistentDisk: { pdName: pd, readOnly } });
  h.cache.addPod({ ...pod('existing', [gce('disk1', true), { name: 'e', awsElasticBlockStore: { volumeID: 'vol-1' } }]), spec: { ...pod('existing').spec, nodeName: 'a', volumes: [gce('disk1', true), { name: 'e', awsElasticBlockStore: { volumeID: 'vol-1' } }] } });
  const cases: [Volume[], string][] = [
    [[gce('disk1', true)], 'ok'],
    [[gce('disk1', false)], `Unschedulable: ${ERR_REASON_DISK_CONFLICT}`],
    [[gce('disk2')], 'ok'],
    [[{ name: 'e', awsElasticBlockStore: { volumeID: 'vol-1', readOnly: true } }], `Unschedulable: ${ERR_REASON_DISK_CONFLICT}`],
  ];
  for (const [v, want] of cases) assert.equal(run(vr, pod('p', v), [a]).per[0], want, JSON.stringify(v));
  // ReadWriteOncePod: a claim another pod uses anywhere
  h.listers.volumes.onPVC('ADDED', pvc('rwop', { modes: ['ReadWriteOncePod'] }));
  h.listers.volumes.onPVC('ADDED', pvc('rwo'));
  assert.equal(run(vr, pod('p', [claimVol('rwop')]), [a]).pre, 'skip');
  const user = { ...pod('user', [claimVol('rwop'), claimVol('rwo')]) };
  user.spec.nodeName = 'b';
  h.cache.addPod(user);
  const r = run(vr, pod('p', [claimVol('rwop')]), [a]);
  assert.equal(r.per[0], `UnschedulableAndUnresolvable: ${ERR_REASON_RWOP_CONFLICT}`);
  assert.equal(run(vr, pod('p', [claimVol('rwo')]), [a]).pre, 'skip');
  // preemption's what-if: removing the user lifts the conflict (PreFilter RemovePod)
  vr.removePod(r.state!, pod('p'), user);
  assert.ok(vr.filter(r.state!, pod('p', [claimVol('rwop')]), a).isSuccess());
  vr.addPod(r.state!, pod('p'), user);
  assert.equal(vr.filter(r.state!, pod('p', [claimVol('rwop')]), a).code, Code.UnschedulableAndUnresolvable);
  assert.equal(run(vr, pod('p', [claimVol('nope')]), [a]).pre, 'persistentvolumeclaim "nope" not found');
});

test('VolumeZone: PV zone labels against node labels, beta labels, multi-zone values, unlabelled nodes', () => {
  const h = handle();
  const vz = new VolumeZone(h);
  const vl = h.listers.volumes;
  vl.onPV('ADDED', pv('pv1', { zone: 'z1' }));
  vl.onPV('ADDED', { ...pv('pv2'), metadata: { name: 'pv2', labels: { 'failure-domain.beta.kubernetes.io/zone': 'z1__z2' } } });
  vl.onPVC('ADDED', pvc('c1', { volumeName: 'pv1', bound: true }));
  vl.onPVC('ADDED', pvc('c2', { volumeName: 'pv2', bound: true }));
  vl.onPVC('ADDED', pvc('wffc', { cls: 'w' }));
  vl.onPVC('ADDED', pvc('imm', { cls: 'i' }));
  vl.onPVC('ADDED', pvc('nothing'));
  vl.onStorageClass('ADDED', sc('w', 'WaitForFirstConsumer'));
  vl.onStorageClass('ADDED', sc('i', 'Immediate'));
  const nodes = [ni(h, node('z1', { 'topology.kubernetes.io/zone': 'z1' })), ni(h, node('z2', { 'topology.kubernetes.io/zone': 'z2' })), ni(h, node('none'))];
  const no = `UnschedulableAndUnresolvable: ${ERR_REASON_CONFLICT}`;
  assert.deepEqual(run(vz, pod('p', [claimVol('c1')]), nodes).per, ['ok', no, 'ok']);
  assert.deepEqual(run(vz, pod('p', [claimVol('c2')]), nodes).per, ['ok', 'ok', 'ok']);
  assert.equal(run(vz, pod('p', [claimVol('wffc')]), nodes).pre, 'skip');
  assert.equal(run(vz, pod('p', [claimVol('imm')]), nodes).pre, 'PersistentVolume had no name');
  assert.equal(run(vz, pod('p', [claimVol('nothing')]), nodes).pre, 'PersistentVolumeClaim had no pv name and storageClass name');
  assert.equal(run(vz, pod('p', [claimVol('x')]), nodes).pre, 'persistentvolumeclaim "x" not found');
  vl.onPVC('ADDED', pvc('dangling', { volumeName: 'gone', bound: true }));
  assert.equal(run(vz, pod('p', [claimVol('dangling')]), nodes).pre, 'persistentvolume "gone" not found');
});

test('NodeVolumeLimits: CSINode allocatable count per driver, shared volumes counted once, provisioner for unbound', () => {
  const h = handle();
  const nvl = new NodeVolumeLimits(h);
  const vl = h.listers.volumes;
  const a = ni(h, node('a'));
  const free = ni(h, node('free'));
  vl.onCSINode('ADDED', { metadata: { name: 'a' }, spec: { drivers: [{ name: 'ebs', allocatable: { count: 2 } }, { name: 'other' }] } });
  for (const i of [1, 2, 3]) { vl.onPV('ADDED', pv(`pv${i}`, { csi: 'ebs' })); vl.onPVC('ADDED', pvc(`c${i}`, { volumeName: `pv${i}`, bound: true })); }
  vl.onStorageClass('ADDED', sc('ebs-sc', 'WaitForFirstConsumer', 'ebs'));
  vl.onPVC('ADDED', pvc('unbound', { cls: 'ebs-sc' }));
  const existing = pod('e', [claimVol('c1')]);
  existing.spec.nodeName = 'a';
  h.cache.addPod(existing);
  const f = (vols: Volume[], n = a) => { const st = nvl.filter(new CycleState(), pod('p', vols), n); return st.isSuccess() ? 'ok' : `${Code[st.code]}: ${st.reasons[0]}`; };
  const over = `Unschedulable: ${ERR_REASON_MAX_VOLUME_COUNT_EXCEEDED}`;
  assert.equal(f([claimVol('c2')]), 'ok');
  assert.equal(f([claimVol('c2'), claimVol('c3')]), over);
  assert.equal(f([claimVol('c1'), claimVol('c2')]), 'ok'); // c1 is already attached there
  assert.equal(f([claimVol('c2'), claimVol('unbound')]), over);
  assert.equal(f([claimVol('c2'), claimVol('c3')], free), 'ok'); // no CSINode: no limits
  assert.equal(f([claimVol('missing')]), 'UnschedulableAndUnresolvable: persistentvolumeclaim "missing" not found');
});

test('ImageLocality: upstream thresholds, spread over nodes, tag normalization', () => {
  assert.equal(normalizedImageName('nginx'), 'nginx:latest');
  assert.equal(normalizedImageName('nginx:1.2'), 'nginx:1.2');
  assert.equal(normalizedImageName('registry:5000/app'), 'registry:5000/app:latest');
  assert.equal(calculatePriority(0, 1), 0);
  assert.equal(calculatePriority(MIN_THRESHOLD, 1), 0);
  assert.equal(calculatePriority(MAX_CONTAINER_THRESHOLD * 5, 1), 100);
  assert.equal(calculatePriority(MAX_CONTAINER_THRESHOLD, 2), 49); // trunc(100 × (1000−23) / (2000−23))
  const h = handle();
  const il = new ImageLocality(h);
  const MB = 1024 * 1024;
  const n1 = ni(h, node('n1', {}, [{ names: ['gcr.io/40:latest', 'gcr.io/40:v1'], sizeBytes: 40 * MB }, { names: ['gcr.io/300:latest'], sizeBytes: 300 * MB }]));
  const n2 = ni(h, node('n2', {}, [{ names: ['gcr.io/250:latest'], sizeBytes: 250 * MB }, { names: ['gcr.io/10:latest'], sizeBytes: 10 * MB }]));
  const n3 = ni(h, node('n3'));
  const p = (...images: string[]): Pod => ({ metadata: { name: 'p', namespace: 'd' }, spec: { containers: images.map((image, i) => ({ name: `c${i}`, image })) } });
  // upstream's table, 2 of 3 nodes not having the images: size × 1/3 per node spread
  const s = (pd: Pod, n: NodeInfo) => il.score(new CycleState(), pd, n);
  assert.equal(s(p('gcr.io/40', 'gcr.io/250'), n1), 0); // 40 MB / 3 < 23 MB
  assert.equal(s(p('gcr.io/40', 'gcr.io/250'), n2), Math.trunc(100 * (Math.trunc(250 * MB / 3) - MIN_THRESHOLD) / (2 * MAX_CONTAINER_THRESHOLD - MIN_THRESHOLD)));
  assert.equal(s(p('gcr.io/300', 'gcr.io/10'), n1), Math.trunc(100 * (Math.trunc(300 * MB / 3) - MIN_THRESHOLD) / (2 * MAX_CONTAINER_THRESHOLD - MIN_THRESHOLD)));
  assert.equal(s(p('gcr.io/40:v1'), n3), 0);
  // the same image on every node: no spread penalty
  h.cache.addNode(node('n3', {}, [{ names: ['gcr.io/300:latest'], sizeBytes: 300 * MB }]));
  h.cache.addNode(node('n2', {}, [{ names: ['gcr.io/300:latest'], sizeBytes: 300 * MB }]));
  assert.equal(h.cache.imageNumNodes('gcr.io/300:latest'), 3);
  assert.equal(s(p('gcr.io/300'), n1), Math.trunc(100 * (300 * MB - MIN_THRESHOLD) / (MAX_CONTAINER_THRESHOLD - MIN_THRESHOLD)));
  h.cache.removeNode('n3');
  assert.equal(h.cache.imageNumNodes('gcr.io/300:latest'), 2);
});
