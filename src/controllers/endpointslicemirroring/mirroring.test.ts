import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import type { Endpoints, Service } from '../endpoint/util.js';
import type { EndpointSlice } from '../endpointslice/endpointset.js';
import { EndpointSliceMirroringController, shouldMirror } from './controller.js';
import { recordingClient, eventLog } from '../common/testing.js';

function setup(maxEndpointsPerSubset?: number) {
  const { recorder, events } = eventLog();
  let n = 0;
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'POST') return { ...body, metadata: { ...body.metadata, name: `ext-${n}`, uid: `s${n}`, resourceVersion: String(100 + n++) } };
    return body ?? {};
  });
  const f = new SharedInformerFactory(client);
  const c = new EndpointSliceMirroringController(client, f, { recorder, maxEndpointsPerSubset });
  return { c, calls, events, svcs: f.forPath<Service>('/api/v1/services'), eps: f.forPath<Endpoints>('/api/v1/endpoints'),
    slices: f.forPath<EndpointSlice>('/apis/discovery.k8s.io/v1/endpointslices') };
}
const svc = (selector?: Record<string, string>): Service => ({ metadata: { name: 'ext', namespace: 'd', uid: 'svc', resourceVersion: '1' },
  spec: { selector, ports: [{ port: 80 }] } });
const ep = (labels: Record<string, string> = {}): Endpoints => ({
  metadata: { name: 'ext', namespace: 'd', uid: 'ep-uid', resourceVersion: '2', labels,
    annotations: { note: 'x', 'endpoints.kubernetes.io/last-change-trigger-time': 't', 'kubectl.kubernetes.io/last-applied-configuration': '{}' } },
  subsets: [{ addresses: [{ ip: '192.168.1.1', nodeName: 'n1' }, { ip: 'not-an-ip' }, { ip: 'fd00::1' }], notReadyAddresses: [{ ip: '192.168.1.2', hostname: 'h' }],
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }],
});

test('custom Endpoints of a selector-less Service are mirrored per address type with labels, annotations and owner', async () => {
  const { c, calls, events, svcs, eps } = setup();
  svcs.handle('ADDED', svc());
  eps.handle('ADDED', ep({ tier: 'db' }));
  await c.sync('d/ext');
  const creates = calls.filter((x) => x.method === 'POST').map((x) => x.body as EndpointSlice);
  assert.deepEqual(creates.map((s) => s.addressType).sort(), ['IPv4', 'IPv6']);
  const v4 = creates.find((s) => s.addressType === 'IPv4')!;
  assert.deepEqual(v4.metadata.labels, { tier: 'db', 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' });
  assert.deepEqual(v4.metadata.annotations, { note: 'x' });
  assert.equal(v4.metadata.generateName, 'ext-');
  assert.deepEqual(v4.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Endpoints', name: 'ext', uid: 'ep-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(v4.ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(v4.endpoints, [{ addresses: ['192.168.1.1'], conditions: { ready: true }, nodeName: 'n1' },
    { addresses: ['192.168.1.2'], conditions: { ready: false }, hostname: 'h' }]);
  assert.deepEqual(events, ['Warning InvalidIPAddress Skipped 1 invalid IP addresses when mirroring to EndpointSlices']);
});

test('nothing is mirrored for skip-mirror, leader-election records, or Services with a selector; existing mirrors are deleted', async () => {
  assert.equal(shouldMirror(ep({ 'endpointslice.kubernetes.io/skip-mirror': 'true' })), false);
  assert.equal(shouldMirror({ ...ep(), metadata: { ...ep().metadata, annotations: { 'control-plane.alpha.kubernetes.io/leader': '{}' } } }), false);
  const { c, calls, svcs, eps, slices } = setup();
  svcs.handle('ADDED', svc({ app: 'x' }));
  eps.handle('ADDED', ep());
  slices.handle('ADDED', { metadata: { name: 'ext-old', namespace: 'd', uid: 'o', resourceVersion: '3',
    labels: { 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'endpointslicemirroring-controller.k8s.io' } }, addressType: 'IPv4' });
  slices.handle('ADDED', { metadata: { name: 'ext-other', namespace: 'd', uid: 'p', resourceVersion: '4',
    labels: { 'kubernetes.io/service-name': 'ext', 'endpointslice.kubernetes.io/managed-by': 'someone-else' } }, addressType: 'IPv4' });
  await c.sync('d/ext');
  assert.deepEqual(calls.map((x) => `${x.method} ${x.path.split('/').pop()}`), ['DELETE ext-old']);
  calls.length = 0;
  svcs.handle('MODIFIED', { ...svc(), metadata: { ...svc().metadata, resourceVersion: '9' } });
  eps.handle('MODIFIED', { ...ep({ 'endpointslice.kubernetes.io/skip-mirror': 'true' }), metadata: { ...ep({ 'endpointslice.kubernetes.io/skip-mirror': 'true' }).metadata, resourceVersion: '9' } });
  await c.sync('d/ext');
  assert.deepEqual(calls.map((x) => `${x.method} ${x.path.split('/').pop()}`), ['DELETE ext-old']);
});

test('an unchanged mirror is not rewritten; a changed one is updated in place; max per subset is enforced with an event', async () => {
  const { c, calls, events, svcs, eps, slices } = setup(2);
  svcs.handle('ADDED', svc());
  const e = ep();
  e.subsets = [{ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }, { ip: '10.0.0.3' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }];
  eps.handle('ADDED', e);
  await c.sync('d/ext');
  const created = calls.find((x) => x.method === 'POST' && x.body.addressType === 'IPv4')!.body as EndpointSlice;
  assert.equal(created.endpoints!.length, 2);
  assert.ok(events.includes('Warning TooManyAddressesToMirror A max of 2 addresses can be mirrored to EndpointSlices per Endpoints subset. 1 addresses were skipped'));
  slices.handle('ADDED', { ...created, metadata: { ...created.metadata, name: 'ext-0', uid: 's0', resourceVersion: '100' } });
  calls.length = 0;
  await c.sync('d/ext');
  assert.equal(calls.length, 0, 'already mirrored');
  e.subsets = [{ addresses: [{ ip: '10.0.0.9' }], ports: [{ name: 'http', port: 8080, protocol: 'TCP' }] }];
  eps.handle('MODIFIED', { ...e, metadata: { ...e.metadata, resourceVersion: '7' } });
  await c.sync('d/ext');
  assert.deepEqual(calls.map((x) => `${x.method} ${x.path.split('/').pop()}`), ['PUT ext-0']);
  assert.deepEqual(calls[0].body.endpoints, [{ addresses: ['10.0.0.9'], conditions: { ready: true } }]);
});
