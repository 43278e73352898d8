// Endpoints, EndpointSlices and mirroring end to end: a ReplicaSet's pods (driven Ready by sim-nodes)
// behind a Service show up in its Endpoints and EndpointSlices, follow scaling, resolve a named
// targetPort; a headless Service is labelled as such; a selector-less Service's hand-written
// Endpoints are mirrored into a slice; deleting the Services removes their Endpoints and slices.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './cluster-helpers.mjs';

let c;
const NS = 'ep-e2e';
const MANAGED_BY = 'endpointslice.kubernetes.io/managed-by';

before(async () => {
  c = await startCluster({ controllers: 'endpoint,endpointslice,endpointslicemirroring,replicaset', nodes: 2 });
  await c.create('/api/v1/namespaces', { apiVersion: 'v1', kind: 'Namespace', metadata: { name: NS } });
});
after(async () => { await c?.stop(); });

const endpoints = (name) => c.get(`/api/v1/namespaces/${NS}/endpoints/${name}`);
const slicesOf = async (svc) => (await c.get(`/apis/discovery.k8s.io/v1/namespaces/${NS}/endpointslices?labelSelector=kubernetes.io/service-name%3D${svc}`))?.items ?? [];
const addresses = (ep) => (ep?.subsets ?? []).flatMap((s) => s.addresses ?? []);
const sliceEndpoints = (slices) => slices.flatMap((s) => s.endpoints ?? []);

async function scale(name, replicas) {
  await c.patch(`/apis/apps/v1/namespaces/${NS}/replicasets/${name}/scale`, { spec: { replicas } });
}

test('a ReplicaSet of 3 behind a Service: Endpoints with 3 ready addresses on the named targetPort, slices with 3 endpoints', async () => {
  await c.create(`/apis/apps/v1/namespaces/${NS}/replicasets`, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx', ports: [{ name: 'http', containerPort: 8080 }] }] } },
    },
  });
  await c.create(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web', labels: { tier: 'front' } },
    spec: { selector: { app: 'web' }, ports: [{ name: 'web', port: 80, targetPort: 'http', appProtocol: 'http' }] },
  });
  const ep = await c.eventually('3 ready addresses in Endpoints web', async () => {
    const e = await endpoints('web');
    return addresses(e).length === 3 ? e : undefined;
  });
  assert.equal(ep.subsets.length, 1);
  assert.deepEqual(ep.subsets[0].ports, [{ name: 'web', port: 8080, protocol: 'TCP', appProtocol: 'http' }]);
  const a = ep.subsets[0].addresses[0];
  assert.equal(a.targetRef.kind, 'Pod');
  assert.match(a.nodeName, /^sim-node-/);
  assert.equal(ep.metadata.labels.tier, 'front');
  // set from the last pod/Service change that led to this write; a write retried after a conflict
  // carries none (upstream's tracker behaves the same), so check its form when it is there
  const trigger = ep.metadata.annotations?.['endpoints.kubernetes.io/last-change-trigger-time'];
  if (trigger !== undefined) assert.match(trigger, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);

  const slices = await c.eventually('3 endpoints in the slices of web', async () => {
    const s = await slicesOf('web');
    return sliceEndpoints(s).filter((e) => e.conditions.ready).length === 3 ? s : undefined;
  });
  assert.equal(slices.length, 1);
  const s = slices[0];
  assert.equal(s.addressType, 'IPv4');
  assert.equal(s.metadata.labels[MANAGED_BY], 'endpointslice-controller.k8s.io');
  assert.equal(s.metadata.labels.tier, 'front');
  assert.match(s.metadata.name, /^web-/);
  assert.equal(s.metadata.ownerReferences[0].kind, 'Service');
  assert.deepEqual(s.ports, [{ name: 'web', port: 8080, protocol: 'TCP', appProtocol: 'http' }]);
  for (const e of s.endpoints) {
    assert.deepEqual(e.conditions, { ready: true, serving: true, terminating: false });
    assert.match(e.nodeName, /^sim-node-/);
    assert.equal(e.hints, undefined);
  }
  assert.deepEqual(sliceEndpoints(slices).map((e) => e.addresses[0]).sort(), addresses(ep).map((x) => x.ip).sort());

  const get = await c.kubectl(['get', 'endpoints', 'web', '-n', NS]);
  assert.equal(get.code, 0, get.stderr);
  assert.match(get.stdout, /^NAME\s+ENDPOINTS\s+AGE/);
  assert.equal((get.stdout.match(/:8080/g) ?? []).length, 3, get.stdout);
  const getSlices = await c.kubectl(['get', 'endpointslices', '-n', NS, '-l', 'kubernetes.io/service-name=web']);
  assert.equal(getSlices.code, 0, getSlices.stderr);
  assert.match(getSlices.stdout, /^NAME\s+ADDRESSTYPE\s+PORTS\s+ENDPOINTS\s+AGE/);
  assert.match(getSlices.stdout, new RegExp(`${s.metadata.name}\\s+IPv4\\s+8080\\s+\\S+`));
});

test('scaling the ReplicaSet to 1 leaves 1 address and 1 endpoint', async () => {
  await scale('web', 1);
  await c.eventually('1 address in Endpoints web', async () => {
    const e = await endpoints('web');
    return addresses(e).length === 1 && !(e.subsets ?? []).some((s) => s.notReadyAddresses?.length);
  });
  await c.eventually('1 endpoint in the slices of web', async () => sliceEndpoints(await slicesOf('web')).length === 1);
});

test('a headless Service: Endpoints and slices labelled headless, ports without a ClusterIP', async () => {
  await c.create(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'web-headless' },
    spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ port: 9000, targetPort: 9000 }] },
  });
  const ep = await c.eventually('Endpoints web-headless', async () => {
    const e = await endpoints('web-headless');
    return addresses(e).length === 1 ? e : undefined;
  });
  assert.equal(ep.metadata.labels['service.kubernetes.io/headless'], '');
  assert.equal(ep.subsets[0].ports[0].port, 9000);
  const slices = await c.eventually('slices of web-headless', async () => {
    const s = await slicesOf('web-headless');
    return sliceEndpoints(s).length === 1 ? s : undefined;
  });
  assert.equal(slices[0].metadata.labels['service.kubernetes.io/headless'], '');
});

test('a Service without selector and hand-written Endpoints: untouched by the endpoints controller, mirrored into a slice', async () => {
  await c.create(`/api/v1/namespaces/${NS}/services`, {
    apiVersion: 'v1', kind: 'Service', metadata: { name: 'ext' }, spec: { ports: [{ name: 'db', port: 5432 }] },
  });
  await c.create(`/api/v1/namespaces/${NS}/endpoints`, {
    apiVersion: 'v1', kind: 'Endpoints', metadata: { name: 'ext', labels: { origin: 'manual' } },
    subsets: [{ addresses: [{ ip: '192.168.10.1' }, { ip: '192.168.10.2' }], ports: [{ name: 'db', port: 5432 }] }],
  });
  const slices = await c.eventually('the mirrored slice of ext', async () => {
    const s = await slicesOf('ext');
    return sliceEndpoints(s).length === 2 ? s : undefined;
  });
  assert.equal(slices.length, 1);
  assert.equal(slices[0].metadata.labels[MANAGED_BY], 'endpointslicemirroring-controller.k8s.io');
  assert.equal(slices[0].metadata.labels.origin, 'manual');
  assert.deepEqual(slices[0].ports, [{ name: 'db', port: 5432, protocol: 'TCP' }]);
  assert.deepEqual(sliceEndpoints(slices).map((e) => e.addresses[0]).sort(), ['192.168.10.1', '192.168.10.2']);
  assert.equal(slices[0].metadata.ownerReferences[0].kind, 'Endpoints');
  const ep = await endpoints('ext');
  assert.deepEqual(addresses(ep).map((a) => a.ip), ['192.168.10.1', '192.168.10.2'], 'the endpoints controller leaves it alone');
});

test('deleting the Services removes their Endpoints and slices', async () => {
  for (const name of ['web', 'ext', 'web-headless']) {
    const r = await c.kubectl(['delete', 'service', name, '-n', NS]);
    assert.equal(r.code, 0, r.stderr);
  }
  await c.eventually('Endpoints and slices gone', async () => {
    for (const name of ['web', 'ext', 'web-headless']) {
      if (await endpoints(name)) return false;
      if ((await slicesOf(name)).length) return false;
    }
    return true;
  });
});
