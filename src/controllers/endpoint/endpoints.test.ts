import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';
import { computeSubsets, EndpointsController } from './controller.js';
import { repackSubsets, truncateSubsets } from './subsets.js';
import { findPort, formatRFC3339Nano, servicesToUpdateOnPodChange, type EPPod, type Endpoints, type Service } from './util.js';
import { recordingClient, eventLog } from '../common/testing.js';

const pod = (name: string, ip: string, o: { ready?: boolean; deleting?: boolean; ports?: { name?: string; containerPort: number; protocol?: string }[];
  hostname?: string; subdomain?: string; phase?: string; labels?: Record<string, string> } = {}): EPPod => ({
  metadata: { name, namespace: 'd', uid: `uid-${name}`, resourceVersion: '1', labels: o.labels ?? { app: 'web' },
    ...(o.deleting ? { deletionTimestamp: '2024-01-01T00:00:00Z' } : {}) },
  spec: { nodeName: 'n1', hostname: o.hostname, subdomain: o.subdomain, containers: [{ name: 'c', ports: o.ports ?? [] }] },
  status: { phase: o.phase ?? 'Running', podIP: ip, podIPs: ip ? [{ ip }] : [],
    conditions: [{ type: 'Ready', status: o.ready === false ? 'False' : 'True', lastTransitionTime: '2024-01-01T00:00:05Z' }] },
});
const svc = (spec: Service['spec'] = {}, name = 'web'): Service => ({
  metadata: { name, namespace: 'd', uid: 'svc-uid', resourceVersion: '1', labels: { team: 'a' }, creationTimestamp: '2024-01-01T00:00:00Z' },
  spec: { selector: { app: 'web' }, clusterIP: '10.0.0.10', ipFamilies: ['IPv4'], ports: [{ name: 'http', port: 80, protocol: 'TCP', targetPort: 8080 }], ...spec },
});

test('findPort: numbers as is, names looked up with the same protocol, sidecars included, missing → undefined', () => {
  const p = pod('a', '10.1.0.1', { ports: [{ name: 'http', containerPort: 8080 }, { name: 'dns', containerPort: 53, protocol: 'UDP' }] });
  assert.equal(findPort(p, { port: 80, targetPort: 9090 }), 9090);
  assert.equal(findPort(p, { port: 80 }), 80, 'absent targetPort is the port');
  assert.equal(findPort(p, { port: 80, targetPort: 'http', protocol: 'TCP' }), 8080);
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'TCP' }), undefined, 'protocol must match');
  assert.equal(findPort(p, { port: 53, targetPort: 'dns', protocol: 'UDP' }), 53);
  assert.equal(findPort(p, { port: 80, targetPort: 'nope' }), undefined);
  p.spec!.initContainers = [{ name: 'side', restartPolicy: 'Always', ports: [{ name: 'metrics', containerPort: 9100 }] },
    { name: 'init', ports: [{ name: 'once', containerPort: 1 }] }];
  assert.equal(findPort(p, { port: 1, targetPort: 'metrics' }), 9100);
  assert.equal(findPort(p, { port: 1, targetPort: 'once' }), undefined, 'plain init containers do not count');
});

test('computeSubsets: ready and not-ready addresses, terminating and IP-less pods left out, sorted by IP', () => {
  const s = computeSubsets(svc(), [pod('b', '10.1.0.2'), pod('a', '10.1.0.10', { ready: false }), pod('c', '10.1.0.3', { deleting: true }),
    pod('e', ''), pod('f', '10.1.0.4', { phase: 'Succeeded' }), pod('g', '10.1.0.1')]);
  assert.equal(s.length, 1);
  assert.deepEqual(s[0].addresses!.map((a) => a.ip), ['10.1.0.1', '10.1.0.2']);
  assert.deepEqual(s[0].notReadyAddresses!.map((a) => a.ip), ['10.1.0.10']);
  assert.deepEqual(s[0].ports, [{ name: 'http', port: 8080, protocol: 'TCP' }]);
  assert.deepEqual(s[0].addresses![0], { ip: '10.1.0.1', nodeName: 'n1', targetRef: { kind: 'Pod', namespace: 'd', name: 'g', uid: 'uid-g' } });
});

test('computeSubsets: publishNotReadyAddresses keeps terminating and unready pods as ready', () => {
  const s = computeSubsets(svc({ publishNotReadyAddresses: true }), [pod('a', '10.1.0.1', { ready: false }), pod('b', '10.1.0.2', { deleting: true })]);
  assert.deepEqual(s[0].addresses!.map((a) => a.ip), ['10.1.0.1', '10.1.0.2']);
  assert.equal(s[0].notReadyAddresses, undefined);
});

test('computeSubsets: a named targetPort resolves per pod; pods without it are omitted for that port', () => {
  const sv = svc({ ports: [{ name: 'web', port: 80, protocol: 'TCP', targetPort: 'http', appProtocol: 'http' }] });
  const s = computeSubsets(sv, [pod('a', '10.1.0.1', { ports: [{ name: 'http', containerPort: 8080 }] }),
    pod('b', '10.1.0.2', { ports: [{ name: 'http', containerPort: 9090 }] }), pod('c', '10.1.0.3')]);
  assert.equal(s.length, 2, 'different port numbers make different subsets');
  const all = s.flatMap((x) => x.addresses!.map((a) => `${a.ip}:${x.ports![0].port}`)).sort();
  assert.deepEqual(all, ['10.1.0.1:8080', '10.1.0.2:9090']);
  assert.equal(s[0].ports![0].appProtocol, 'http');
});

test('computeSubsets: headless without ports keeps addresses; hostname only in the matching subdomain', () => {
  const sv = svc({ clusterIP: 'None', ports: [] });
  const s = computeSubsets(sv, [pod('a', '10.1.0.1', { hostname: 'a', subdomain: 'web' }), pod('b', '10.1.0.2', { hostname: 'b', subdomain: 'other' })]);
  assert.equal(s.length, 1);
  assert.equal(s[0].ports, undefined);
  assert.deepEqual(s[0].addresses!.map((a) => a.hostname), ['a', undefined]);
  assert.deepEqual(computeSubsets(svc({ ports: [] }), [pod('a', '10.1.0.1')]), [], 'a ClusterIP service without ports has none');
});

test('repackSubsets: not-ready on one port wins; same port sets merge', () => {
  const a = { ip: '10.0.0.1' }, b = { ip: '10.0.0.2' };
  const r = repackSubsets([{ addresses: [a], ports: [{ port: 80 }] }, { notReadyAddresses: [a], ports: [{ port: 80 }] }, { addresses: [b], ports: [{ port: 80 }] }]);
  assert.deepEqual(r, [{ addresses: [b], notReadyAddresses: [a], ports: [{ port: 80 }] }]);
});

test('truncateSubsets caps at 1000 keeping ready addresses first', () => {
  const addrs = (n: number, base: number) => Array.from({ length: n }, (_, i) => ({ ip: `10.${base}.${i >> 8}.${i & 255}` }));
  const s = [{ addresses: addrs(900, 1), notReadyAddresses: addrs(300, 2), ports: [{ port: 80 }] }];
  assert.equal(truncateSubsets(s), true);
  assert.equal(s[0].addresses.length, 900);
  assert.equal(s[0].notReadyAddresses.length, 100);
  assert.equal(truncateSubsets([{ addresses: addrs(10, 1) }]), false);
  const big = [{ addresses: addrs(1500, 1), notReadyAddresses: addrs(5, 2) }];
  truncateSubsets(big);
  assert.equal(big[0].addresses.length, 1000);
  assert.equal((big[0] as { notReadyAddresses?: unknown[] }).notReadyAddresses, undefined);
});

test('servicesToUpdateOnPodChange: readiness change concerns its services; unrelated change none; label move both', () => {
  const services = [svc(), svc({ selector: { app: 'api' } }, 'api')];
  const old = pod('a', '10.1.0.1');
  assert.deepEqual([...servicesToUpdateOnPodChange(services, old, { ...pod('a', '10.1.0.1', { ready: false }), metadata: { ...old.metadata, resourceVersion: '2' } })], ['d/web']);
  const annotated = { ...old, metadata: { ...old.metadata, resourceVersion: '2', annotations: { x: 'y' } } };
  assert.equal(servicesToUpdateOnPodChange(services, old, annotated).size, 0);
  const moved = { ...old, metadata: { ...old.metadata, resourceVersion: '2', labels: { app: 'api' } } };
  assert.deepEqual([...servicesToUpdateOnPodChange(services, old, moved)].sort(), ['d/api', 'd/web']);
});

test('formatRFC3339Nano drops zero fractions as Go does', () => {
  assert.equal(formatRFC3339Nano(Date.parse('2024-01-01T00:00:05Z')), '2024-01-01T00:00:05Z');
  assert.equal(formatRFC3339Nano(Date.parse('2024-01-01T00:00:05.120Z')), '2024-01-01T00:00:05.12Z');
});

function setup(opts: { failCreate?: boolean } = {}) {
  const { recorder, events } = eventLog();
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'POST' && opts.failCreate) throw new APIError(403, { message: 'forbidden' }, '');
    if (method === 'DELETE') throw new APIError(404, { message: 'not found' }, '');
    return { ...body, metadata: { ...body?.metadata, resourceVersion: '99' } };
  });
  const factory = new SharedInformerFactory(client);
  const c = new EndpointsController(client, factory, { recorder });
  return { c, calls, events, svcs: factory.forPath<Service>('/api/v1/services'), pods: factory.forPath<EPPod>('/api/v1/pods'),
    eps: factory.forPath<Endpoints>('/api/v1/endpoints') };
}

test('sync creates the Endpoints with the service labels and the trigger-time annotation, then skips when equal', async () => {
  const { c, calls, svcs, pods, eps } = setup();
  svcs.handle('ADDED', svc());
  pods.handle('ADDED', pod('a', '10.1.0.1'));
  pods.handle('ADDED', pod('x', '10.1.0.9', { labels: { app: 'other' } }));
  await c.sync('d/web');
  const create = calls.find((x) => x.method === 'POST')!;
  assert.equal(create.path, '/api/v1/namespaces/d/endpoints');
  assert.deepEqual(create.body.metadata.labels, { team: 'a' });
  assert.equal(create.body.metadata.annotations['endpoints.kubernetes.io/last-change-trigger-time'], '2024-01-01T00:00:00Z');
  assert.deepEqual(create.body.subsets[0].addresses.map((a: { ip: string }) => a.ip), ['10.1.0.1']);
  eps.handle('ADDED', { ...create.body, metadata: { ...create.body.metadata, uid: 'e1', resourceVersion: '5' } });
  calls.length = 0;
  await c.sync('d/web');
  assert.equal(calls.length, 0, 'nothing changed: no write');
});

test('sync: headless services get the headless label; no selector or ExternalName are left alone; a gone Service deletes its Endpoints', async () => {
  const { c, calls, svcs } = setup();
  svcs.handle('ADDED', svc({ clusterIP: 'None' }));
  await c.sync('d/web');
  assert.equal(calls[0].body.metadata.labels['service.kubernetes.io/headless'], '');
  calls.length = 0;
  svcs.handle('ADDED', svc({ selector: undefined }, 'manual'));
  svcs.handle('ADDED', svc({ type: 'ExternalName' }, 'ext'));
  await c.sync('d/manual');
  await c.sync('d/ext');
  assert.equal(calls.length, 0);
  await c.sync('d/gone');
  assert.deepEqual(calls.map((x) => `${x.method} ${x.path}`), ['DELETE /api/v1/namespaces/d/endpoints/gone'], '404 tolerated');
});

test('sync records FailedToCreateEndpoint and fails when the create is refused', async () => {
  const { c, events, svcs } = setup({ failCreate: true });
  svcs.handle('ADDED', svc());
  await assert.rejects(c.sync('d/web'), /forbidden/);
  assert.deepEqual(events, ['Warning FailedToCreateEndpoint Failed to create endpoint for service d/web: forbidden']);
});

test('sync refuses a stale cache after its own update', async () => {
  const { c, svcs, pods, eps } = setup();
  svcs.handle('ADDED', svc());
  eps.handle('ADDED', { metadata: { name: 'web', namespace: 'd', uid: 'e1', resourceVersion: '5', labels: { team: 'a' } }, subsets: [] });
  pods.handle('ADDED', pod('a', '10.1.0.1'));
  await c.sync('d/web');
  await assert.rejects(c.sync('d/web'), /informer cache is out of date/);
});
