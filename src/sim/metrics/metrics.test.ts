import { test } from 'node:test';
import assert from 'node:assert/strict';
import { containerUsage, formatCPU, formatMemory, parseDefault } from './usage.js';
import { MetricsSource, formatWindow } from './source.js';
import { route } from './server.js';
import { registrationObjects } from './register.js';
import { parseLabelSelectorOrThrow } from '../../machinery/labels/selector.js';

const D = { cpu: 10_000_000n, memory: 32n * 1024n * 1024n };

test('usage: per-container annotation wins, the pod value is split over the others, defaults fill the rest', () => {
  const u = containerUsage({ 'sim.kumo.dev/cpu-usage': '300m', 'sim.kumo.dev/cpu-usage.b': '50m', 'sim.kumo.dev/memory-usage.c': '1Gi' }, ['a', 'b', 'c'], D);
  assert.deepEqual(u.map((x) => formatCPU(x.cpu)), ['150m', '50m', '150m']);
  assert.deepEqual(u.map((x) => formatMemory(x.memory)), ['32Mi', '32Mi', '1Gi']);
  const none = containerUsage(undefined, ['x'], D);
  assert.equal(formatCPU(none[0].cpu), '10m');
});

test('usage: malformed or negative annotations fall back to the default', () => {
  const u = containerUsage({ 'sim.kumo.dev/cpu-usage': 'lots', 'sim.kumo.dev/memory-usage': '-5Mi' }, ['a'], D);
  assert.equal(formatCPU(u[0].cpu), '10m');
  assert.equal(formatMemory(u[0].memory), '32Mi');
});

test('usage: formats as metrics-server (nanocores, Ki for odd byte counts)', () => {
  assert.equal(formatCPU(1_234_567n), '1234567n');
  assert.equal(formatCPU(0n), '0');
  assert.equal(formatMemory(1000n), '1Ki');
  assert.equal(formatMemory(64n * 1024n * 1024n), '64Mi');
  assert.equal(parseDefault('x', '250m', 'nanos'), 250_000_000n);
  assert.equal(parseDefault('x', '1Ki', 'units'), 1024n);
  assert.throws(() => parseDefault('metrics-default-cpu', 'abc', 'nanos'), /invalid argument "abc" for "--metrics-default-cpu" flag/);
  assert.equal(formatWindow(15_000), '15s');
  assert.equal(formatWindow(1500), '1.5s');
  assert.equal(formatWindow(500), '500ms');
});

function source() {
  const live: Record<string, boolean> = { n0: true, n1: true, dead: false };
  const s = new MetricsSource({ live: (n) => live[n], names: () => Object.keys(live), labels: (n) => ({ 'kubernetes.io/hostname': n }) }, D, 15_000,
    () => new Date('2025-01-01T00:00:00.123Z'));
  const pod = (ns: string, name: string, node: string, labels: Record<string, string>, ann: Record<string, string> = {}, phase = 'Running') =>
    s.onPod('ADDED', { metadata: { namespace: ns, name, labels, annotations: ann }, spec: { nodeName: node, containers: [{ name: 'c' }] }, status: { phase } });
  pod('default', 'web-1', 'n0', { app: 'web' }, { 'sim.kumo.dev/cpu-usage': '200m', 'sim.kumo.dev/memory-usage': '64Mi' });
  pod('default', 'web-2', 'n1', { app: 'web' }, { 'sim.kumo.dev/cpu-usage': '100m' });
  pod('default', 'db', 'n0', { app: 'db' });
  pod('default', 'pending', 'n0', { app: 'web' }, {}, 'Pending');
  pod('other', 'web-3', 'n1', { app: 'web' });
  pod('default', 'lost', 'dead', { app: 'web' });
  pod('default', 'foreign', 'real-node', { app: 'web' });
  return s;
}

test('source: pods running on live simulated nodes, by namespace and selector; node usage is the sum', () => {
  const s = source();
  const web = s.listPods('default', parseLabelSelectorOrThrow('app=web'));
  assert.deepEqual(web.map((p) => (p.metadata as { name: string }).name), ['web-1', 'web-2']);
  assert.deepEqual(web[0], {
    kind: 'PodMetrics', apiVersion: 'metrics.k8s.io/v1beta1',
    metadata: { name: 'web-1', namespace: 'default', creationTimestamp: '2025-01-01T00:00:00Z', labels: { app: 'web' } },
    timestamp: '2025-01-01T00:00:00Z', window: '15s',
    containers: [{ name: 'c', usage: { cpu: '200m', memory: '64Mi' } }],
  });
  assert.equal(s.listPods('').length, 4);
  assert.equal(s.getPod('default', 'lost'), undefined, 'a dead kubelet reports nothing');
  assert.equal(s.getPod('default', 'foreign'), undefined, 'not our node');
  const nodes = s.listNodes();
  assert.deepEqual(nodes.map((n) => [(n.metadata as { name: string }).name, (n.usage as { cpu: string }).cpu]), [['n0', '210m'], ['n1', '110m']]);
  assert.equal((s.getNode('n0')!.usage as { memory: string }).memory, '96Mi');
  assert.equal(s.getNode('dead'), undefined);
  s.onPod('DELETED', { metadata: { namespace: 'default', name: 'web-1' }, spec: { nodeName: 'n0' } });
  assert.equal(s.listPods('default', parseLabelSelectorOrThrow('app=web')).length, 1);
});

test('route: discovery, lists, gets, 404s, bad selectors and watches', () => {
  const s = source();
  const r = (path: string, method = 'GET') => {
    const x = route(s, method, new URL(path, 'https://m'));
    if (x === undefined || Array.isArray(x)) return x;
    return { attrs: x.attrs, out: x.serve() };
  };
  const group = r('/apis/metrics.k8s.io/v1beta1') as { attrs: { path: string }; out: [number, { resources: { name: string; kind: string }[] }] };
  assert.equal(group.attrs.path, '/apis/metrics.k8s.io/v1beta1');
  assert.deepEqual(group.out[1].resources.map((x) => x.kind), ['NodeMetrics', 'PodMetrics']);
  const list = r('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods?labelSelector=app%3Dweb') as { attrs: object; out: [number, { kind: string; items: unknown[] }] };
  assert.deepEqual(list.attrs, { verb: 'list', resource: 'pods', namespace: 'default', name: undefined });
  assert.equal(list.out[1].kind, 'PodMetricsList');
  assert.equal(list.out[1].items.length, 2);
  const one = r('/apis/metrics.k8s.io/v1beta1/nodes/n1') as { attrs: object; out: [number, { kind: string }] };
  assert.deepEqual([one.out[0], one.out[1].kind], [200, 'NodeMetrics']);
  const missing = r('/apis/metrics.k8s.io/v1beta1/namespaces/default/pods/nope') as { out: [number, { message: string; reason: string }] };
  assert.equal(missing.out[0], 404);
  assert.equal(missing.out[1].message, 'podmetrics.metrics.k8s.io "nope" not found');
  assert.equal(r('/apis/metrics.k8s.io/v1beta1/namespaces/default/nodes'), undefined);
  assert.equal(r('/apis/metrics.k8s.io/v1beta1/secrets'), undefined);
  assert.equal((r('/apis/metrics.k8s.io/v1beta1/pods?labelSelector=a%20in') as unknown as [number])[0], 400);
  assert.equal((r('/apis/metrics.k8s.io/v1beta1/pods?watch=true') as unknown as [number])[0], 405);
  assert.equal((r('/apis/metrics.k8s.io/v1beta1/pods', 'DELETE') as unknown as [number])[0], 405);
});

test('registration: selector-less Service, loopback Endpoints and the APIService with our CA', () => {
  const o = registrationObjects(8443, 'PEM');
  assert.equal((o.service.spec as { selector?: unknown }).selector, undefined);
  assert.deepEqual((o.endpoints.subsets as unknown[])[0], { addresses: [{ ip: '127.0.0.1' }], ports: [{ name: 'https', port: 8443, protocol: 'TCP' }] });
  assert.equal((o.apiService.metadata as { name: string }).name, 'v1beta1.metrics.k8s.io');
  assert.equal((o.apiService.spec as { caBundle: string }).caBundle, Buffer.from('PEM').toString('base64'));
});
