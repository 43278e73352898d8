// DaemonSet controller end to end: a real server, two simulated nodes, the scheduler and only the
// daemonset controller. One pod per node, following nodes being added, tainted, labelled and
// removed; a RollingUpdate image change with `kubectl rollout status` and `kubectl rollout undo`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, sleep } from './cluster-helpers.mjs';

let c;
before(async () => { c = await startCluster({ controllers: 'daemonset', nodes: 2 }); });
after(async () => { await c?.stop(); });

const NS = 'default';
const DS = `/apis/apps/v1/namespaces/${NS}/daemonsets`;
const daemonSet = (name, spec = {}) => ({
  apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name },
  spec: {
    selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }], ...spec } },
  },
});
/** live (not terminating) pods of DaemonSet `name`, by node */
async function podsByNode(name) {
  const list = await c.get(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${name}`);
  const out = {};
  for (const p of list.items) if (!p.metadata.deletionTimestamp) (out[p.spec.nodeName ?? ''] ??= []).push(p);
  return out;
}
const running = (byNode, nodes) => nodes.every((n) => byNode[n]?.length === 1 && byNode[n][0].status?.phase === 'Running')
  && Object.keys(byNode).length === nodes.length;

test('one pod per node, following nodes added, tainted and removed', async () => {
  await c.create(DS, daemonSet('agent'));
  const first = await c.eventually('a running pod on each node', async () => {
    const m = await podsByNode('agent');
    return running(m, ['sim-node-0', 'sim-node-1']) && m;
  });
  const pod = first['sim-node-0'][0];
  assert.deepEqual(pod.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms,
    [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['sim-node-0'] }] }]);
  assert.ok(pod.spec.tolerations.some((t) => t.key === 'node.kubernetes.io/unreachable' && t.effect === 'NoExecute' && t.tolerationSeconds === undefined));
  assert.equal(pod.metadata.ownerReferences[0].kind, 'DaemonSet');
  const hash = pod.metadata.labels['controller-revision-hash'];
  const revs = await c.get(`/apis/apps/v1/namespaces/${NS}/controllerrevisions`);
  assert.deepEqual(revs.items.map((r) => [r.metadata.name, r.revision]), [[`agent-${hash}`, 1]]);
  await c.eventually('status', async () => {
    const s = (await c.get(`${DS}/agent`)).status ?? {};
    return s.desiredNumberScheduled === 2 && s.currentNumberScheduled === 2 && s.numberReady === 2 && s.numberAvailable === 2
      && s.updatedNumberScheduled === 2 && s.numberMisscheduled === 0 && (s.numberUnavailable ?? 0) === 0 && s.observedGeneration === 1;
  });

  // a third node (another simulator) gets its pod
  const kc = c.s.kubeconfig;
  await c.start('sim-nodes', ['--kubeconfig', kc, '--count', '1', '--name-prefix', 'extra-node-', '--heartbeat-interval', '2s'], /nodes registered in \d+ ms/);
  await c.eventually('a pod on the new node', async () => running(await podsByNode('agent'), ['sim-node-0', 'sim-node-1', 'extra-node-0']));

  // NoSchedule keeps the running pod; NoExecute removes it; lifting the taint brings one back
  const before = (await podsByNode('agent'))['extra-node-0'][0].metadata.uid;
  let r = await c.kubectl(['taint', 'nodes', 'extra-node-0', 'maint=yes:NoSchedule']);
  assert.equal(r.code, 0, r.stderr);
  await c.eventually('misscheduled counted', async () => (await c.get(`${DS}/agent`)).status?.numberMisscheduled === 1);
  assert.equal((await podsByNode('agent'))['extra-node-0']?.[0]?.metadata.uid, before, 'NoSchedule does not evict');
  r = await c.kubectl(['taint', 'nodes', 'extra-node-0', 'maint=yes:NoExecute']);
  assert.equal(r.code, 0, r.stderr);
  await c.eventually('pod removed from the NoExecute node', async () => running(await podsByNode('agent'), ['sim-node-0', 'sim-node-1']));
  r = await c.kubectl(['taint', 'nodes', 'extra-node-0', 'maint-']);
  assert.equal(r.code, 0, r.stderr);
  await c.eventually('pod back once untainted', async () => running(await podsByNode('agent'), ['sim-node-0', 'sim-node-1', 'extra-node-0']));

  // a cordoned node keeps (and would get) its daemon pod
  r = await c.kubectl(['cordon', 'extra-node-0']);
  assert.equal(r.code, 0, r.stderr);
  await sleep(500);
  assert.equal((await c.get(`${DS}/agent`)).status?.desiredNumberScheduled, 3);

  // a removed node no longer counts and gets no replacement; pod GC deletes its pod upstream
  r = await c.kubectl(['delete', 'node', 'extra-node-0']);
  assert.equal(r.code, 0, r.stderr);
  await c.eventually('desired back to 2', async () => {
    const s = (await c.get(`${DS}/agent`)).status ?? {};
    return s.desiredNumberScheduled === 2 && s.currentNumberScheduled === 2 && s.numberMisscheduled === 0;
  });
  const after = await podsByNode('agent');
  assert.equal(after['sim-node-0'].length + after['sim-node-1'].length, 2);

  const d = await c.kubectl(['describe', 'ds', 'agent']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /SuccessfulCreate\s+\S+\s+daemonset-controller\s+Created pod: agent-[a-z0-9]{5}/);
  assert.match(d.stdout, /SuccessfulDelete\s+\S+\s+daemonset-controller\s+Deleted pod: agent-[a-z0-9]{5}/);
  assert.match(d.stdout, /Desired Number of Nodes Scheduled: 2/);
});

test('nodeSelector limits the nodes and follows node labels', async () => {
  await c.create(DS, daemonSet('edge', { nodeSelector: { role: 'edge' } }));
  await c.eventually('status observed with no eligible node', async () => {
    const s = (await c.get(`${DS}/edge`)).status ?? {};
    return s.observedGeneration === 1 && s.desiredNumberScheduled === 0;
  });
  assert.deepEqual(await podsByNode('edge'), {});
  let r = await c.kubectl(['label', 'node', 'sim-node-1', 'role=edge']);
  assert.equal(r.code, 0, r.stderr);
  await c.eventually('a pod on the labelled node only', async () => running(await podsByNode('edge'), ['sim-node-1']));
  r = await c.kubectl(['label', 'node', 'sim-node-1', 'role-']);
  assert.equal(r.code, 0, r.stderr);
  await c.eventually('pod removed when the label goes', async () => Object.keys(await podsByNode('edge')).length === 0);
});

test('RollingUpdate: set image completes under rollout status, rollout undo restores the template', async () => {
  let r = await c.kubectl(['set', 'image', 'ds/agent', 'c=nginx:2']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['rollout', 'status', 'ds/agent', '--timeout=40s']);
  assert.equal(r.code, 0, r.stdout + r.stderr + c.logs());
  assert.match(r.stdout, /daemon set "agent" successfully rolled out/);
  let m = await podsByNode('agent');
  assert.deepEqual(Object.values(m).flat().map((p) => p.spec.containers[0].image), ['nginx:2', 'nginx:2']);
  const revs = (await c.get(`/apis/apps/v1/namespaces/${NS}/controllerrevisions?labelSelector=app%3Dagent`)).items;
  assert.deepEqual(revs.map((x) => x.revision).sort(), [1, 2]);
  const h = await c.kubectl(['rollout', 'history', 'ds/agent']);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /REVISION\s+CHANGE-CAUSE\n1\s+<none>\n2\s+<none>/);

  r = await c.kubectl(['rollout', 'undo', 'ds/agent']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /daemonset.apps\/agent rolled back/);
  r = await c.kubectl(['rollout', 'status', 'ds/agent', '--timeout=40s']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  m = await podsByNode('agent');
  assert.deepEqual(Object.values(m).flat().map((p) => p.spec.containers[0].image), ['nginx:1', 'nginx:1']);
  const after = (await c.get(`/apis/apps/v1/namespaces/${NS}/controllerrevisions?labelSelector=app%3Dagent`)).items;
  assert.deepEqual(after.map((x) => x.revision).sort(), [2, 3], 'the old revision is reused as the newest');
});

test('OnDelete leaves running pods alone until they are deleted', async () => {
  const ds = daemonSet('ondelete');
  ds.spec.updateStrategy = { type: 'OnDelete' };
  await c.create(DS, ds);
  const first = await c.eventually('pods', async () => { const m = await podsByNode('ondelete'); return running(m, ['sim-node-0', 'sim-node-1']) && m; });
  await c.patch(`${DS}/ondelete`, { spec: { template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } } }, 'application/strategic-merge-patch+json');
  await c.eventually('generation observed', async () => (await c.get(`${DS}/ondelete`)).status?.observedGeneration === 2);
  await sleep(500);
  const still = await podsByNode('ondelete');
  assert.equal(still['sim-node-0'][0].metadata.uid, first['sim-node-0'][0].metadata.uid);
  assert.equal((await c.get(`${DS}/ondelete`)).status.updatedNumberScheduled, 0);
  const r = await c.kubectl(['delete', 'pod', first['sim-node-0'][0].metadata.name]);
  assert.equal(r.code, 0, r.stderr);
  await c.eventually('replacement runs the new template', async () => {
    const m = await podsByNode('ondelete');
    return running(m, ['sim-node-0', 'sim-node-1']) && m['sim-node-0'][0].spec.containers[0].image === 'nginx:2'
      && m['sim-node-1'][0].metadata.uid === first['sim-node-1'][0].metadata.uid;
  });
});

test('a failed daemon pod is reported, deleted and recreated', async () => {
  const ds = daemonSet('crashy', { nodeSelector: { 'kubernetes.io/hostname': 'sim-node-0' } });
  ds.spec.template.metadata.annotations = { 'sim.kumo.dev/run-seconds': '1', 'sim.kumo.dev/exit-code': '3' };
  await c.create(DS, ds);
  const first = await c.eventually('first pod', async () => (await podsByNode('crashy'))['sim-node-0']?.[0]);
  await c.eventually('a replacement with another uid', async () => {
    const p = (await podsByNode('crashy'))['sim-node-0']?.[0];
    return p && p.metadata.uid !== first.metadata.uid;
  });
  const ev = await c.get(`/api/v1/namespaces/${NS}/events?fieldSelector=reason%3DFailedDaemonPod`);
  assert.ok(ev.items.some((e) => e.involvedObject.name === 'crashy' && e.type === 'Warning'
    && e.message === `Found failed daemon pod ${NS}/${first.metadata.name} on node sim-node-0, will try to kill it`),
  JSON.stringify(ev.items.map((e) => e.message)));
  await c.kubectl(['delete', 'ds', 'crashy']);
});

test('RollingUpdate with maxSurge: the new pod runs beside the old one before it goes', async () => {
  // minReadySeconds holds each surge open long enough to be seen
  await c.patch(`${DS}/agent`, { spec: { minReadySeconds: 2, updateStrategy: { rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
    template: { spec: { containers: [{ name: 'c', image: 'nginx:3' }] } } } }, 'application/strategic-merge-patch+json');
  await c.eventually('two pods on one node during the surge', async () => Object.values(await podsByNode('agent')).some((l) => l.length === 2), 10_000);
  const r = await c.kubectl(['rollout', 'status', 'ds/agent', '--timeout=40s']);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  await c.eventually('one new pod per node', async () => {
    const m = await podsByNode('agent');
    return running(m, ['sim-node-0', 'sim-node-1']) && Object.values(m).flat().every((p) => p.spec.containers[0].image === 'nginx:3');
  });
});
