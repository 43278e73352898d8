import { test } from 'node:test';
import assert from 'node:assert/strict';
import { leaseObject, microTime, nodeConditions, nodeObject } from './node-status.js';
import { nodeLabels, optionsFromFlags, parseLabels, parseTaints, type RawFlags } from './options.js';
import { parseDuration } from './duration.js';
import { TimerWheel } from './timer-wheel.js';

const FLAGS: RawFlags = {
  count: 3, 'name-prefix': 'sim-node-', cpu: '8', memory: '32Gi', pods: 110, labels: 'tier=a', zones: 2, taints: 'dedicated=sim:NoSchedule',
  'pod-cidr-base': '10.244.0.0/16', 'heartbeat-interval': '10s', 'node-status-report-interval': '5m', 'max-grace-period': '1s',
  'fail-nodes': 'sim-node-1', 'not-ready-nodes': '', concurrency: 16,
};
const NOW = Date.parse('2025-01-02T03:04:05.678Z');

test('registered Node: capacity = allocatable, kubelet conditions, address, nodeInfo, podCIDR, taints', () => {
  const o = optionsFromFlags(FLAGS);
  const n = nodeObject(o, { name: 'sim-node-0', index: 0, podCIDR: '10.244.0.0/24', internalIP: '172.16.0.1' }, nodeLabels(o, 'sim-node-0', 0), 'v1.33.1', true, NOW) as any;
  assert.deepEqual(n.status.capacity, { cpu: '8', memory: '32Gi', pods: '110', 'ephemeral-storage': '100Gi' });
  assert.deepEqual(n.status.allocatable, n.status.capacity);
  assert.deepEqual(n.status.conditions.map((c: any) => [c.type, c.status, c.reason]), [
    ['MemoryPressure', 'False', 'KubeletHasSufficientMemory'], ['DiskPressure', 'False', 'KubeletHasNoDiskPressure'],
    ['PIDPressure', 'False', 'KubeletHasSufficientPID'], ['Ready', 'True', 'KubeletReady']]);
  assert.deepEqual(n.status.addresses[0], { type: 'InternalIP', address: '172.16.0.1' });
  assert.equal(n.status.nodeInfo.kubeletVersion, 'v1.33.1');
  assert.equal(n.status.nodeInfo.containerRuntimeVersion, 'sim://1.0');
  assert.equal(n.status.nodeInfo.architecture, 'amd64');
  assert.equal(n.status.nodeInfo.operatingSystem, 'linux');
  assert.equal(n.spec.podCIDR, '10.244.0.0/24');
  assert.deepEqual(n.spec.taints, [{ key: 'dedicated', value: 'sim', effect: 'NoSchedule' }]);
  assert.equal(n.metadata.labels['kubernetes.io/hostname'], 'sim-node-0');
  assert.equal(n.metadata.labels.tier, 'a');
  assert.equal(n.metadata.labels['topology.kubernetes.io/zone'], 'zone-0');
  assert.equal(nodeLabels(o, 'x', 3)['topology.kubernetes.io/zone'], 'zone-1');
  assert.equal(nodeLabels({ ...o, zones: 0 }, 'x', 3)['topology.kubernetes.io/zone'], undefined);
});

test('NotReady, and transition times kept while a status holds', () => {
  const first = nodeConditions(true, NOW);
  const later = nodeConditions(true, NOW + 60_000, first);
  assert.equal(later[3].lastTransitionTime, first[3].lastTransitionTime);
  assert.notEqual(later[3].lastHeartbeatTime, first[3].lastHeartbeatTime);
  const down = nodeConditions(false, NOW + 120_000, later);
  assert.equal(down[3].status, 'False');
  assert.equal(down[3].reason, 'KubeletNotReady');
  assert.equal(down[3].lastTransitionTime, '2025-01-02T03:06:05Z');
  assert.equal(down[0].lastTransitionTime, first[0].lastTransitionTime, 'pressure conditions unchanged');
});

test('Lease: holder, 40 s duration, MicroTime renewTime, owned by the Node', () => {
  assert.equal(microTime(NOW), '2025-01-02T03:04:05.678000Z');
  const l = leaseObject('sim-node-0', 'uid-1', NOW) as any;
  assert.equal(l.metadata.namespace, 'kube-node-lease');
  assert.deepEqual(l.spec, { holderIdentity: 'sim-node-0', leaseDurationSeconds: 40, renewTime: '2025-01-02T03:04:05.678000Z' });
  assert.deepEqual(l.metadata.ownerReferences, [{ apiVersion: 'v1', kind: 'Node', name: 'sim-node-0', uid: 'uid-1' }]);
});

test('flags: labels, taints, durations and bad input', () => {
  assert.deepEqual(parseLabels('a=1, example.com/b=x,c='), { a: '1', 'example.com/b': 'x', c: '' });
  assert.throws(() => parseLabels('novalue'), /expected key=value/);
  assert.throws(() => parseLabels('a=b c'), /invalid label value/);
  assert.deepEqual(parseTaints('k=v:NoExecute,only:PreferNoSchedule'), [{ key: 'k', value: 'v', effect: 'NoExecute' }, { key: 'only', effect: 'PreferNoSchedule' }]);
  assert.throws(() => parseTaints('k=v:Sometimes'), /invalid taint effect: Sometimes/);
  assert.throws(() => parseTaints('k=v'), /invalid taint spec/);
  assert.equal(parseDuration('1m30s'), 90_000);
  assert.equal(parseDuration('250ms'), 250);
  assert.equal(parseDuration('2'), 2000);
  assert.throws(() => parseDuration('10 parsecs'), /invalid duration/);
  const o = optionsFromFlags(FLAGS);
  assert.equal(o.heartbeatMs, 10_000);
  assert.ok(o.failNodes.has('sim-node-1'));
  assert.throws(() => optionsFromFlags({ ...FLAGS, count: -1 }), /--count/);
  assert.throws(() => optionsFromFlags({ ...FLAGS, 'heartbeat-interval': '10ms' }), /at least 100ms/);
  assert.throws(() => optionsFromFlags({ ...FLAGS, 'name-prefix': 'Bad_' }), /--name-prefix/);
  assert.throws(() => optionsFromFlags({ ...FLAGS, concurrency: -1 }), /--concurrency/);
});

test('write pools: --concurrency 0 sizes them by node count, Leases get a slot per 25 nodes', () => {
  const given = optionsFromFlags(FLAGS);
  assert.equal(given.concurrency, 16);
  assert.equal(given.heartbeatConcurrency, 8);
  const small = optionsFromFlags({ ...FLAGS, concurrency: 0 });
  assert.deepEqual([small.concurrency, small.heartbeatConcurrency], [16, 8]);
  const big = optionsFromFlags({ ...FLAGS, count: 5000, concurrency: 0 });
  // 500 renewals/s stay on time while a renewal takes up to 250 ms
  assert.deepEqual([big.concurrency, big.heartbeatConcurrency], [50, 200]);
});

test('timer wheel: fires due entries in order, rescheduling replaces, cancel removes', () => {
  let now = 1_000_000;
  const w = new TimerWheel(100, () => now);
  const fired: string[] = [];
  w.schedule('a', now + 250, () => fired.push('a'));
  w.schedule('b', now + 150, () => fired.push('b'));
  w.schedule('c', now + 150, () => fired.push('c'));
  w.schedule('a', now + 450, () => fired.push('a2'));
  w.cancel('c');
  now += 200; w.advance();
  assert.deepEqual(fired, ['b']);
  now += 200; w.advance();
  assert.deepEqual(fired, ['b']);
  now += 100_000; w.advance(); // a long stall still fires what is due
  assert.deepEqual(fired, ['b', 'a2']);
  assert.equal(w.size, 0);
  w.schedule('past', now - 5000, () => fired.push('past'));
  now += 100; w.advance();
  assert.deepEqual(fired.at(-1), 'past', 'a time already passed fires on the next tick');
});
