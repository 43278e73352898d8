// End-to-end: the node controllers against a real cluster (kumo server, three simulated nodes, the
// scheduler, and a controller manager running nodelifecycle, taint-eviction, nodeipam, podgc and
// replicaset with a 6 s grace period). A fourth simulated node is stopped to drill a node failure;
// Nodes created by the test (no kubelet) drive the CIDR allocator. The mask size is /18 so that the
// four node CIDRs of 10.244.0.0/16 run out quickly: the simulated nodes' /24s sit in the first and
// the last /18, the test's nodes get the two in between.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './cluster-helpers.mjs';

let c;
before(async () => {
  c = await startCluster({
    controllers: 'nodelifecycle,taint-eviction-controller,nodeipam,podgc,replicaset', nodes: 3,
    cmArgs: ['--node-monitor-grace-period', '6s', '--node-monitor-period', '1s', '--node-cidr-mask-size', '18'],
  });
});
after(async () => { await c?.stop(); });

const cond = (o, type) => o?.status?.conditions?.find((x) => x.type === type);
const events = async (ns) => (await c.get(`/api/v1/namespaces/${ns}/events`))?.items ?? [];

test('a node that stops heartbeating goes Unknown, is tainted unreachable, and its pod is evicted after tolerationSeconds and recreated elsewhere', async () => {
  const doomed = await c.start('sim-nodes', ['--kubeconfig', c.s.kubeconfig, '--count', '1', '--name-prefix', 'doomed-',
    '--heartbeat-interval', '1s', '--pod-cidr-base', '10.244.200.0/21'], /nodes registered in \d+ ms/);
  await c.create('/apis/apps/v1/namespaces/default/replicasets', {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
    spec: {
      replicas: 1, selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: {
          containers: [{ name: 'c', image: 'nginx' }],
          affinity: { nodeAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100,
            preference: { matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['doomed-0'] }] } }] } },
          tolerations: [{ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 3 }],
        },
      },
    },
  });
  const first = await c.eventually('the pod running on doomed-0', async () => {
    const pods = (await c.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb'))?.items ?? [];
    return pods.find((p) => p.spec.nodeName === 'doomed-0' && cond(p, 'Ready')?.status === 'True');
  });
  const tolerations = first.spec.tolerations.map((t) => `${t.key}:${t.tolerationSeconds}`).sort();
  assert.deepEqual(tolerations, ['node.kubernetes.io/not-ready:300', 'node.kubernetes.io/unreachable:3'], 'admission added the not-ready default only');

  doomed.child.kill('SIGTERM');
  const stoppedAt = Date.now();
  const node = await c.eventually('doomed-0 Ready=Unknown', async () => {
    const n = await c.get('/api/v1/nodes/doomed-0');
    return cond(n, 'Ready')?.status === 'Unknown' && n;
  }, 20_000);
  assert.ok(Date.now() - stoppedAt < 12_000, `Unknown after ${Date.now() - stoppedAt} ms (grace 6 s + period 1 s + renew interval 1 s)`);
  assert.equal(cond(node, 'Ready').reason, 'NodeStatusUnknown');
  assert.equal(cond(node, 'Ready').message, 'Kubelet stopped posting node status.');
  assert.equal(cond(node, 'MemoryPressure').status, 'Unknown');

  const tainted = await c.eventually('unreachable NoExecute and NoSchedule taints', async () => {
    const n = await c.get('/api/v1/nodes/doomed-0');
    const keys = (n.spec.taints ?? []).map((t) => `${t.key}:${t.effect}`);
    return keys.includes('node.kubernetes.io/unreachable:NoExecute') && keys.includes('node.kubernetes.io/unreachable:NoSchedule') && n;
  }, 10_000);
  const taintedAt = Date.parse(tainted.spec.taints.find((t) => t.effect === 'NoExecute').timeAdded);

  const evicted = await c.eventually('the pod evicted', async () => {
    const p = await c.get(`/api/v1/namespaces/default/pods/${first.metadata.name}`);
    return p?.metadata.deletionTimestamp && p;
  }, 15_000);
  const dt = cond(evicted, 'DisruptionTarget');
  assert.equal(dt?.reason, 'DeletionByTaintManager');
  assert.equal(dt?.message, 'Taint manager: deleting due to NoExecute taint');
  assert.equal(cond(evicted, 'Ready')?.status, 'False', 'marked not ready when the node went');
  const deletedAt = Date.parse(evicted.metadata.deletionTimestamp) - evicted.metadata.deletionGracePeriodSeconds * 1000;
  const waited = (deletedAt - taintedAt) / 1000;
  assert.ok(waited >= 2 && waited <= 6, `deleted ${waited} s after the taint (tolerationSeconds 3)`);

  await c.eventually('a replacement running on a healthy node', async () => {
    const pods = (await c.get('/api/v1/namespaces/default/pods?labelSelector=app%3Dweb'))?.items ?? [];
    return pods.find((p) => !p.metadata.deletionTimestamp && p.spec.nodeName?.startsWith('sim-node-') && cond(p, 'Ready')?.status === 'True');
  }, 15_000);

  const nodeEvents = (await events('default')).filter((e) => e.involvedObject.name === 'doomed-0').map((e) => `${e.reason}: ${e.message}`);
  assert.ok(nodeEvents.includes('RegisteredNode: Node doomed-0 event: Registered Node doomed-0 in Controller'), nodeEvents.join('\n'));
  assert.ok(nodeEvents.includes('NodeNotReady: Node doomed-0 status is now: NodeNotReady'), nodeEvents.join('\n'));
  const podEvents = (await events('default')).filter((e) => e.involvedObject.name === first.metadata.name).map((e) => `${e.type} ${e.reason}: ${e.message}`);
  assert.ok(podEvents.includes('Warning NodeNotReady: Node is not ready'), podEvents.join('\n'));
  assert.ok(podEvents.includes(`Normal TaintManagerEviction: Marking for deletion Pod default/${first.metadata.name}`), podEvents.join('\n'));
});

test('node IPAM: nodes without a podCIDR get free ones, exhaustion is reported, deleting a node frees its CIDR', async () => {
  const mk = (name) => c.create('/api/v1/nodes', { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
    spec: { taints: [{ key: 'test', effect: 'NoSchedule' }] } });
  const cidrOf = async (name) => (await c.get(`/api/v1/nodes/${name}`))?.spec?.podCIDR;
  await mk('ipam-a');
  const a = await c.eventually('ipam-a podCIDR', () => cidrOf('ipam-a'));
  await mk('ipam-b');
  const b = await c.eventually('ipam-b podCIDR', () => cidrOf('ipam-b'));
  assert.deepEqual([a, b].sort(), ['10.244.128.0/18', '10.244.64.0/18'], 'the /18s holding the simulated nodes\' /24s are skipped');
  const full = await c.get('/api/v1/nodes/ipam-a');
  assert.deepEqual(full.spec.podCIDRs, [a]);

  await mk('ipam-c');
  await c.eventually('CIDRNotAvailable for ipam-c', async () => (await events('default'))
    .some((e) => e.involvedObject.name === 'ipam-c' && e.reason === 'CIDRNotAvailable' && e.message === 'Node ipam-c status is now: CIDRNotAvailable'));
  assert.equal(await cidrOf('ipam-c'), undefined);

  const r = await c.s.request('DELETE', '/api/v1/nodes/ipam-a');
  assert.equal(r.status, 200, r.text);
  assert.equal(await c.eventually('ipam-c gets the freed CIDR', () => cidrOf('ipam-c'), 20_000), a);
});
