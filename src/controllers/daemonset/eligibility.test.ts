import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addOrUpdateToleration, daemonPodTolerations, nodeShouldRunDaemonPod, targetNodeName, withNodeNameAffinity } from './eligibility.js';
import type { DaemonSet, Node } from './types.js';

const ds = (spec: Record<string, unknown> = {}): DaemonSet => ({
  metadata: { name: 'agent', namespace: 'kube-system', uid: 'ds1' },
  spec: { selector: { matchLabels: { app: 'agent' } }, template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'x' }], ...spec } } },
});
const node = (name: string, o: { labels?: Record<string, string>; taints?: { key: string; value?: string; effect: string }[]; unschedulable?: boolean } = {}): Node => ({
  metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(o.labels ?? {}) } },
  spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
});

test('daemon pods get the automatic tolerations, network-unavailable only with hostNetwork', () => {
  const ts = daemonPodTolerations({});
  assert.deepEqual(ts, [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/disk-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/memory-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', operator: 'Exists', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/unschedulable', operator: 'Exists', effect: 'NoSchedule' },
  ]);
  assert.equal(ts.some((t) => t.key === 'node.kubernetes.io/network-unavailable'), false);
  const host = daemonPodTolerations({ hostNetwork: true });
  assert.deepEqual(host.at(-1), { key: 'node.kubernetes.io/network-unavailable', operator: 'Exists', effect: 'NoSchedule' });
});

test('a matching toleration with tolerationSeconds is replaced (no eviction after 300 s), others are kept', () => {
  const user = [
    { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
    { key: 'dedicated', operator: 'Equal', value: 'infra', effect: 'NoSchedule' },
  ];
  const ts = daemonPodTolerations({ tolerations: user });
  assert.equal(ts.length, 7);
  assert.deepEqual(ts[0], { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' });
  assert.deepEqual(ts[1], user[1]);
  // idempotent
  assert.deepEqual(addOrUpdateToleration(ts, { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute' }), ts);
});

test('nodeSelector and required node affinity limit the nodes', () => {
  const sel = ds({ nodeSelector: { role: 'edge' } });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', { labels: { role: 'edge' } }), sel), { shouldRun: true, shouldContinueRunning: true });
  assert.deepEqual(nodeShouldRunDaemonPod(node('b'), sel), { shouldRun: false, shouldContinueRunning: false });
  const aff = ds({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
    { matchExpressions: [{ key: 'zone', operator: 'In', values: ['z1', 'z2'] }] }] } } } });
  assert.equal(nodeShouldRunDaemonPod(node('a', { labels: { zone: 'z2' } }), aff).shouldRun, true);
  assert.equal(nodeShouldRunDaemonPod(node('a', { labels: { zone: 'z3' } }), aff).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('a'), ds({ nodeName: 'other' })).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(node('a'), ds({ nodeName: 'a' })).shouldRun, true);
  // a malformed operator matches nothing rather than throwing
  const bad = ds({ affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
    { matchExpressions: [{ key: 'zone', operator: 'Bogus', values: ['z1'] }] }] } } } });
  assert.equal(nodeShouldRunDaemonPod(node('a', { labels: { zone: 'z1' } }), bad).shouldRun, false);
});

test('taints: NoSchedule stops new pods but keeps running ones, NoExecute removes them, tolerations count', () => {
  const ns = node('a', { taints: [{ key: 'maint', effect: 'NoSchedule' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(ns, ds()), { shouldRun: false, shouldContinueRunning: true });
  const ne = node('a', { taints: [{ key: 'maint', effect: 'NoExecute' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(ne, ds()), { shouldRun: false, shouldContinueRunning: false });
  const tolerating = ds({ tolerations: [{ key: 'maint', operator: 'Exists' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(ne, tolerating), { shouldRun: true, shouldContinueRunning: true });
  const wrongValue = ds({ tolerations: [{ key: 'maint', operator: 'Equal', value: 'x', effect: 'NoExecute' }] });
  assert.deepEqual(nodeShouldRunDaemonPod(node('a', { taints: [{ key: 'maint', value: 'y', effect: 'NoExecute' }] }), wrongValue),
    { shouldRun: false, shouldContinueRunning: false });
  // PreferNoSchedule never matters
  assert.equal(nodeShouldRunDaemonPod(node('a', { taints: [{ key: 'x', effect: 'PreferNoSchedule' }] }), ds()).shouldRun, true);
});

test('automatic tolerations: cordoned, not-ready, unreachable and pressure nodes still run daemon pods', () => {
  for (const t of [
    { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }, // not tolerated: NoSchedule variant
    { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' },
    { key: 'node.kubernetes.io/memory-pressure', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/disk-pressure', effect: 'NoSchedule' },
    { key: 'node.kubernetes.io/pid-pressure', effect: 'NoSchedule' },
  ]) {
    const r = nodeShouldRunDaemonPod(node('a', { taints: [t], unschedulable: true }), ds());
    const want = t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoSchedule'
      ? { shouldRun: false, shouldContinueRunning: true } : { shouldRun: true, shouldContinueRunning: true };
    assert.deepEqual(r, want, `${t.key}:${t.effect}`);
  }
  const net = node('a', { taints: [{ key: 'node.kubernetes.io/network-unavailable', effect: 'NoSchedule' }] });
  assert.equal(nodeShouldRunDaemonPod(net, ds()).shouldRun, false);
  assert.equal(nodeShouldRunDaemonPod(net, ds({ hostNetwork: true })).shouldRun, true);
});

test('the node-name affinity replaces required terms and keeps the rest; the target node reads back', () => {
  const a = withNodeNameAffinity(undefined, 'n1');
  assert.deepEqual(a, { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
    { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n1'] }] }] } } });
  const orig = { podAntiAffinity: { x: 1 }, nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1 }],
    requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'Exists' }] }] } } };
  const b = withNodeNameAffinity(orig, 'n2') as any;
  assert.deepEqual(b.podAntiAffinity, { x: 1 });
  assert.deepEqual(b.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution, [{ weight: 1 }]);
  assert.deepEqual(b.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['n2'] }] }]);
  assert.equal(orig.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms.length, 1, 'input not modified');
  assert.equal((orig.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0] as any).matchExpressions[0].key, 'zone');
  assert.equal(targetNodeName({ spec: { affinity: b } }), 'n2');
  assert.equal(targetNodeName({ spec: { nodeName: 'bound', affinity: b } }), 'bound');
  assert.equal(targetNodeName({ spec: {} }), undefined);
  assert.equal(targetNodeName({ spec: { affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [
    { matchFields: [{ key: 'metadata.name', operator: 'In', values: ['x', 'y'] }] }] } } } } }), undefined, 'ambiguous');
});
