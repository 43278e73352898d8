import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import { NodeLifecycleController } from './controller.js';
import type { Node } from './node.js';
import { recordingClient } from '../common/testing.js';

function setup(nodesByName: Record<string, Node> = {}) {
  const events: string[] = [];
  let t = Date.parse('2024-05-01T10:00:00Z');
  const { client, calls } = recordingClient((method, path, body) => {
    const m = /^\/api\/v1\/nodes\/([^/]+)$/.exec(path);
    if (m && method === 'GET') return structuredClone(nodesByName[m[1]]);
    return body ?? {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new NodeLifecycleController(client, factory, {
    recorder: { event: (o, type, reason, msg) => events.push(`${o.kind}/${o.metadata.name} ${type} ${reason} ${msg}`) },
    nodeMonitorPeriodMs: 1000, nodeMonitorGracePeriodMs: 6000, nodeStartupGracePeriodMs: 60000,
    evictionQPS: 0.1, secondaryEvictionQPS: 0.01, largeClusterThreshold: 50, unhealthyZoneThreshold: 0.55,
    now: () => t,
  });
  return { c, calls, events, advance: (ms: number) => { t += ms; }, now: () => t };
}

function node(name: string, ready: string, extra: Partial<Node> = {}, zone = 'z1'): Node {
  return {
    metadata: { name, uid: `uid-${name}`, resourceVersion: '1', creationTimestamp: '2024-05-01T09:00:00Z', labels: { 'topology.kubernetes.io/zone': zone } },
    spec: {},
    status: { conditions: [
      { type: 'Ready', status: ready, reason: 'KubeletReady', lastHeartbeatTime: '2024-05-01T09:59:00Z', lastTransitionTime: '2024-05-01T09:00:00Z' },
      { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: '2024-05-01T09:59:00Z', lastTransitionTime: '2024-05-01T09:00:00Z' },
    ] },
    ...extra,
  };
}

const lease = (name: string, renewTime: string, rv = '1') => ({
  metadata: { name, namespace: 'kube-node-lease', resourceVersion: rv }, spec: { holderIdentity: name, renewTime },
});

test('a node whose Lease stops being renewed goes Unknown after the grace period, with upstream reasons and events', async () => {
  const { c, calls, events, advance } = setup();
  c.nodeInformer.handle('ADDED', node('n1', 'True'));
  c.leaseInformer.handle('ADDED', lease('n1', '2024-05-01T10:00:00.000001Z'));
  await c.monitorNodeHealth();
  assert.deepEqual(events, ['Node/n1 Normal RegisteredNode Node n1 event: Registered Node n1 in Controller']);
  advance(4000);
  c.leaseInformer.handle('MODIFIED', lease('n1', '2024-05-01T10:00:04.000002Z', '2'));
  await c.monitorNodeHealth();
  advance(5000);
  await c.monitorNodeHealth();
  assert.equal(calls.filter((x) => x.path.endsWith('/status')).length, 0, 'renewed 5 s ago: still healthy');
  advance(1001);
  await c.monitorNodeHealth();
  const put = calls.find((x) => x.method === 'PUT' && x.path === '/api/v1/nodes/n1/status');
  assert.ok(put, 'status written');
  const ready = put.body.status.conditions.find((x: any) => x.type === 'Ready');
  assert.equal(ready.status, 'Unknown');
  assert.equal(ready.reason, 'NodeStatusUnknown');
  assert.equal(ready.message, 'Kubelet stopped posting node status.');
  assert.equal(ready.lastHeartbeatTime, '2024-05-01T09:59:00Z', 'the heartbeat time is the kubelet\'s, untouched');
  const mem = put.body.status.conditions.find((x: any) => x.type === 'MemoryPressure');
  assert.equal(mem.status, 'Unknown');
  const disk = put.body.status.conditions.find((x: any) => x.type === 'DiskPressure');
  assert.equal(disk.reason, 'NodeStatusNeverUpdated', 'a condition the kubelet never posted');
  assert.ok(events.includes('Node/n1 Normal NodeNotReady Node n1 status is now: NodeNotReady'));
});

test('a not-ready node is queued for the NoExecute taint, tainted by the tainting pass, and untainted when Ready again', async () => {
  const { c, calls } = setup({ n1: node('n1', 'Unknown') });
  c.nodeInformer.handle('ADDED', node('n1', 'Unknown'));
  c.nodeInformer.handle('ADDED', node('n2', 'True'));
  await c.monitorNodeHealth();
  assert.deepEqual(c.zoneTainters.get(':\x00:z1')?.pending(), ['n1']);
  assert.equal(c.zoneStates.get(':\x00:z1'), 'Normal');
  await c.doNoExecuteTaintingPass();
  const patch = calls.find((x) => x.method === 'PATCH' && x.path === '/api/v1/nodes/n1');
  assert.ok(patch);
  assert.equal(patch.body.metadata.resourceVersion, '1', 'optimistic concurrency on the taint write');
  assert.deepEqual(patch.body.spec.taints.map((t: any) => `${t.key}:${t.effect}`), ['node.kubernetes.io/unreachable:NoExecute']);
  assert.match(patch.body.spec.taints[0].timeAdded, /Z$/);
  // recovery: Ready again with the taint present → removed
  const tainted = node('n1', 'True', { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } });
  tainted.metadata.resourceVersion = '5';
  c.nodeInformer.handle('MODIFIED', tainted);
  calls.length = 0;
  await c.processTaintBaseEviction(tainted, { type: 'Ready', status: 'True' });
  const untaint = calls.find((x) => x.method === 'PATCH' && x.path === '/api/v1/nodes/n1');
  assert.equal(untaint?.body.spec.taints, null);
});

test('Ready=False swaps an unreachable NoExecute taint for not-ready at once', async () => {
  const n = node('n1', 'False', { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } });
  const { c, calls } = setup();
  c.nodeInformer.handle('ADDED', n);
  await c.processTaintBaseEviction(n, { type: 'Ready', status: 'False' });
  const p = calls.find((x) => x.method === 'PATCH');
  assert.deepEqual(p?.body.spec.taints.map((t: any) => t.key), ['node.kubernetes.io/not-ready']);
});

test('NoSchedule taints follow the conditions and spec.unschedulable; foreign taints are kept', async () => {
  const n = node('n1', 'False', { spec: { unschedulable: true, taints: [
    { key: 'dedicated', value: 'x', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' }] } });
  const { c, calls } = setup();
  c.nodeInformer.handle('ADDED', n);
  await c.syncNoScheduleTaints('n1');
  const p = calls.find((x) => x.method === 'PATCH');
  assert.deepEqual(p?.body.spec.taints.map((t: any) => `${t.key}:${t.effect}`),
    ['dedicated:NoSchedule', 'node.kubernetes.io/not-ready:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule']);
  calls.length = 0;
  const fine = node('n2', 'True', { spec: { taints: [{ key: 'dedicated', value: 'x', effect: 'NoSchedule' }] } });
  c.nodeInformer.handle('ADDED', fine);
  await c.syncNoScheduleTaints('n2');
  assert.equal(calls.length, 0, 'nothing to change: no write');
});

test('pods on a node that stops being Ready are marked Ready=False with a NodeNotReady event', async () => {
  const { c, calls, events } = setup();
  const pod = (name: string, ready: string) => ({ metadata: { name, namespace: 'd', uid: name, resourceVersion: '3' }, spec: { nodeName: 'n1' },
    status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready }] } });
  await c.markPodsNotReady([pod('a', 'True'), pod('b', 'False'), { ...pod('c', 'True'), spec: { nodeName: 'other' } }], 'n1');
  const patches = calls.filter((x) => x.method === 'PATCH');
  assert.deepEqual(patches.map((x) => x.path), ['/api/v1/namespaces/d/pods/a/status']);
  assert.equal(patches[0].body.status.conditions[0].status, 'False');
  assert.deepEqual(events, ['Pod/a Warning NodeNotReady Node is not ready']);
});

test('all zones fully disrupted: taints come off and tainting stops; it resumes when a node is back', async () => {
  const { c, calls } = setup();
  const a = node('a', 'Unknown', {}, 'z1');
  const b = node('b', 'Unknown', { spec: { taints: [{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] } }, 'z2');
  c.nodeInformer.handle('ADDED', a);
  c.nodeInformer.handle('ADDED', b);
  await c.monitorNodeHealth();
  assert.equal(c.zoneStates.get(':\x00:z1'), 'FullDisruption');
  assert.equal(c.zoneTainters.get(':\x00:z1')?.qps, 0);
  assert.ok(calls.some((x) => x.method === 'PATCH' && x.path === '/api/v1/nodes/b' && x.body.spec.taints === null), 'NoExecute taints removed');
  c.nodeInformer.handle('MODIFIED', { ...node('a', 'True', {}, 'z1'), metadata: { ...a.metadata, resourceVersion: '9' } });
  await c.monitorNodeHealth();
  assert.equal(c.zoneStates.get(':\x00:z1'), 'Normal');
  assert.equal(c.zoneStates.get(':\x00:z2'), 'FullDisruption');
  assert.equal(c.zoneTainters.get(':\x00:z2')?.qps, 0.1, 'a fully disrupted zone in a partly healthy cluster evicts at the normal rate');
});

test('a deleted node is reported with RemovingNode', async () => {
  const { c, events } = setup();
  const n = node('n1', 'True');
  c.nodeInformer.handle('ADDED', n);
  await c.monitorNodeHealth();
  c.nodeInformer.handle('DELETED', n);
  await c.monitorNodeHealth();
  assert.equal(events.at(-1), 'Node/n1 Normal RemovingNode Node n1 event: Removing Node n1 from Controller');
});
