import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import type { EPPod, Service } from '../endpoint/util.js';
import { EndpointSliceController } from './controller.js';
import type { EndpointSlice } from './endpointset.js';
import { addressTypesForService, podToEndpoint, Reconciler, type Node } from './reconciler.js';
import { EndpointSliceTracker } from './tracker.js';
import { recordingClient, eventLog } from '../common/testing.js';

const pod = (i: number, o: { ready?: boolean; deleting?: boolean; node?: string } = {}): EPPod => ({
  metadata: { name: `p${i}`, namespace: 'd', uid: `u${i}`, resourceVersion: '1', labels: { app: 'web' },
    ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: o.node ?? 'n1', containers: [{ name: 'c', ports: [{ name: 'http', containerPort: 8080 }] }] },
  status: { phase: 'Running', podIP: `10.1.${i >> 8}.${i & 255}`, podIPs: [{ ip: `10.1.${i >> 8}.${i & 255}` }],
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True' }] },
});
const svc = (spec: Service['spec'] = {}): Service => ({
  metadata: { name: 'web', namespace: 'd', uid: 'svc-uid', resourceVersion: '1', labels: { team: 'a' } },
  spec: { selector: { app: 'web' }, clusterIP: '10.0.0.10', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 'http' }], ...spec },
});
const nodes: Record<string, Node> = { n1: { metadata: { name: 'n1', labels: { 'topology.kubernetes.io/zone': 'zone-a' } } }, n2: { metadata: { name: 'n2' } } };

function fakeClient() {
  let n = 0;
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'POST') return { ...body, metadata: { ...body.metadata, name: `web-${n}`, uid: `s${n}`, resourceVersion: String(100 + n++) } };
    if (method === 'PUT') return { ...body, metadata: { ...body.metadata, resourceVersion: String(100 + n++) } };
    return {};
  });
  return { client, calls };
}

function reconciler(max = 100) {
  const { client, calls } = fakeClient();
  return { r: new Reconciler(client, (name) => nodes[name], max, new EndpointSliceTracker()), calls };
}

test('podToEndpoint: conditions from readiness and termination, node, zone, no hints', () => {
  const s = svc();
  assert.deepEqual(podToEndpoint(pod(1), nodes.n1, s, 'IPv4'), {
    addresses: ['10.1.0.1'], conditions: { ready: true, serving: true, terminating: false },
    targetRef: { kind: 'Pod', namespace: 'd', name: 'p1', uid: 'u1' }, nodeName: 'n1', zone: 'zone-a',
  });
  assert.deepEqual(podToEndpoint(pod(2, { ready: false }), nodes.n2, s, 'IPv4').conditions, { ready: false, serving: false, terminating: false });
  assert.deepEqual(podToEndpoint(pod(3, { deleting: true }), nodes.n1, s, 'IPv4').conditions, { ready: false, serving: true, terminating: true });
  assert.deepEqual(podToEndpoint(pod(3, { deleting: true }), nodes.n1, svc({ publishNotReadyAddresses: true }), 'IPv4').conditions,
    { ready: true, serving: true, terminating: true });
  assert.equal(podToEndpoint(pod(4), nodes.n2, s, 'IPv4').zone, undefined);
  assert.deepEqual(podToEndpoint(pod(4), nodes.n1, s, 'IPv6').addresses, [], 'no IPv6 address');
});

test('addressTypesForService: ipFamilies, else ClusterIP family, else both for headless', () => {
  assert.deepEqual(addressTypesForService(svc({ ipFamilies: ['IPv6'] })), ['IPv6']);
  assert.deepEqual(addressTypesForService(svc({ ipFamilies: [], clusterIP: 'fd00::1' })), ['IPv6']);
  assert.deepEqual(addressTypesForService(svc({ ipFamilies: undefined, clusterIP: 'None' })), ['IPv4', 'IPv6']);
});

test('250 endpoints are packed into slices of at most 100 (100, 100, 50) with labels, owner and generateName', async () => {
  const { r, calls } = reconciler();
  const pods = Array.from({ length: 250 }, (_, i) => pod(i + 1));
  await r.reconcile(svc(), pods, [], 0);
  const creates = calls.filter((c) => c.method === 'POST');
  assert.deepEqual(creates.map((c) => c.body.endpoints.length).sort((a: number, b: number) => b - a), [100, 100, 50]);
  const s = creates[0].body as EndpointSlice;
  assert.equal(creates[0].path, '/apis/discovery.k8s.io/v1/namespaces/d/endpointslices');
  assert.equal(s.metadata.generateName, 'web-');
  assert.equal(s.addressType, 'IPv4');
  assert.deepEqual(s.metadata.labels, { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' });
  assert.deepEqual(s.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(s.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  const ips = new Set(creates.flatMap((c) => c.body.endpoints.map((e: { addresses: string[] }) => e.addresses[0])));
  assert.equal(ips.size, 250, 'every endpoint exactly once');
});

const existingSlice = (name: string, podIdx: number[], extra: Partial<EndpointSlice> = {}): EndpointSlice => ({
  metadata: { name, namespace: 'd', uid: `uid-${name}`, resourceVersion: '10',
    labels: { team: 'a', 'kubernetes.io/service-name': 'web', 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io' },
    ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'svc-uid', controller: true, blockOwnerDeletion: true }] },
  addressType: 'IPv4', ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
  endpoints: podIdx.map((i) => podToEndpoint(pod(i), nodes.n1, svc(), 'IPv4')), ...extra,
});

test('minimal churn: unchanged slices stay untouched, new endpoints go into the slice they fill best', () => {
  const { r } = reconciler();
  const full = existingSlice('web-full', Array.from({ length: 100 }, (_, i) => i + 1));
  const half = existingSlice('web-half', Array.from({ length: 50 }, (_, i) => i + 101));
  const pods = Array.from({ length: 160 }, (_, i) => pod(i + 1));
  const { changes } = r.plan(svc(), pods, [full, half], 'IPv4');
  assert.equal(changes.toCreate.length, 0);
  assert.equal(changes.toDelete.length, 0);
  assert.deepEqual(changes.toUpdate.map((s) => [s.metadata.name, s.endpoints!.length]), [['web-half', 60]]);
});

test('a removed pod and a readiness change update only the slice holding them', () => {
  const { r } = reconciler();
  const a = existingSlice('web-a', [1, 2, 3]);
  const b = existingSlice('web-b', [4, 5]);
  const pods = [pod(1), pod(2, { ready: false }), pod(4), pod(5)];
  const { changes } = r.plan(svc(), pods, [a, b], 'IPv4');
  assert.deepEqual(changes.toUpdate.map((s) => s.metadata.name), ['web-a']);
  assert.deepEqual(changes.toUpdate[0].endpoints!.map((e) => [e.targetRef!.name, e.conditions.ready]), [['p1', true], ['p2', false]]);
});

test('no endpoints: one placeholder slice is created, and an existing placeholder is kept', async () => {
  const { r, calls } = reconciler();
  await r.reconcile(svc(), [], [], 0);
  const create = calls.find((c) => c.method === 'POST')!;
  assert.deepEqual(create.body.endpoints, []);
  assert.deepEqual(create.body.ports, []);
  const placeholder = existingSlice('web-p', [], { ports: [] });
  const { changes } = r.plan(svc(), [], [placeholder], 'IPv4');
  assert.deepEqual([changes.toCreate.length, changes.toUpdate.length, changes.toDelete.length], [0, 0, 0]);
});

test('emptied slice becomes an update of a needed new one (no delete+create); foreign-owner slices are deleted', async () => {
  const { r, calls } = reconciler();
  const old = existingSlice('web-old', [1]);
  const foreign = existingSlice('web-foreign', [9]);
  foreign.metadata.ownerReferences = [{ apiVersion: 'v1', kind: 'Service', name: 'web', uid: 'previous-uid', controller: true }];
  const sv = svc({ ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 9999 }] });
  await r.reconcile(sv, [pod(2)], [old, foreign], 0);
  assert.deepEqual(calls.map((c) => `${c.method} ${c.path.split('/').pop()}`), ['PUT web-old', 'DELETE web-foreign']);
  assert.deepEqual(calls[0].body.ports, [{ name: 'http', port: 9999, protocol: 'TCP' }]);
});

test('a pod on an unknown node is skipped with an error so the Service is retried', async () => {
  const { r, calls } = reconciler();
  await assert.rejects(r.reconcile(svc(), [pod(1), pod(2, { node: 'ghost' })], [], 0), /skipping Pod p2 for Service d\/web: Node ghost Not Found/);
  const create = calls.find((c) => c.method === 'POST')!;
  assert.deepEqual(create.body.endpoints.map((e: { targetRef: { name: string } }) => e.targetRef.name), ['p1']);
});

test('tracker: own writes are ignored, older cache copies are stale, unexpected deletions resync', () => {
  const t = new EndpointSliceTracker();
  const s = existingSlice('web-a', [1]);
  assert.equal(t.shouldSync(s), true);
  t.update({ ...s, metadata: { ...s.metadata, resourceVersion: '20' } });
  assert.equal(t.shouldSync({ ...s, metadata: { ...s.metadata, resourceVersion: '20' } }), false);
  assert.equal(t.shouldSync({ ...s, metadata: { ...s.metadata, resourceVersion: '21' } }), true);
  assert.equal(t.staleSlices('d', 'web', [s]), true, 'cache still has rv 10');
  assert.equal(t.staleSlices('d', 'web', []), true, 'cache misses it');
  assert.equal(t.staleSlices('d', 'web', [{ ...s, metadata: { ...s.metadata, resourceVersion: '20' } }]), false);
  assert.equal(t.handleDeletion(s), true, 'not expected: resync');
  t.expectDeletion(s);
  assert.equal(t.staleSlices('d', 'web', [s]), true);
  assert.equal(t.handleDeletion(s), false);
});

test('controller: syncs a Service into slices, records FailedToUpdateEndpointSlices on errors, cleans up after the Service', async () => {
  const { client, calls } = fakeClient();
  const { recorder, events } = eventLog();
  const f = new SharedInformerFactory(client);
  const c = new EndpointSliceController(client, f, { recorder });
  f.forPath<Service>('/api/v1/services').handle('ADDED', svc());
  f.forPath<Node>('/api/v1/nodes').handle('ADDED', nodes.n1);
  const pods = f.forPath<EPPod>('/api/v1/pods');
  pods.handle('ADDED', pod(1));
  await c.sync('d/web');
  assert.equal(calls.filter((x) => x.method === 'POST').length, 1);
  assert.match(calls[0].body.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'] ?? '', /^$|Z$/);
  // the informer has not seen our slice yet: a second sync must not act on a stale cache
  await assert.rejects(c.sync('d/web'), /EndpointSlice informer cache is out of date/);
  pods.handle('ADDED', pod(2, { node: 'ghost' }));
  const slices = f.forPath<EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices');
  slices.handle('ADDED', { ...calls[0].body, metadata: { ...calls[0].body.metadata, name: 'web-0', uid: 's0', resourceVersion: '100' } });
  await assert.rejects(c.sync('d/web'), /Node ghost Not Found/);
  assert.match(events[0], /^Warning FailedToUpdateEndpointSlices Error updating Endpoint Slices for Service d\/web: skipping Pod p2/);
  calls.length = 0;
  f.forPath<Service>('/api/v1/services').handle('DELETED', svc());
  await c.sync('d/web');
  assert.deepEqual(calls.map((x) => `${x.method} ${x.path}`), ['DELETE /apis/discovery.k8s.io/v1/namespaces/d/endpointslices/web-0']);
});

test('max-endpoints-per-slice outside 1..1000 is refused', () => {
  const { client } = fakeClient();
  assert.throws(() => new EndpointSliceController(client, new SharedInformerFactory(client), { recorder: { event() {} }, maxEndpointsPerSlice: 0 }), /between 1 and 1000/);
});
