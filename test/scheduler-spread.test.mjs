// `kumo scheduler` end to end for InterPodAffinity and PodTopologySpread: required anti-affinity spreads
// replicas one per node and leaves a fourth pending with upstream's FailedScheduling message; zone
// spread (DoNotSchedule, maxSkew 1) keeps the zones balanced; a missing topology label and bad
// plugin args are refused. Everything started is stopped by PID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './harness.mjs';
import { node, schedulerFixture, stopSchedulerAndServer } from './scheduler-helpers.mjs';

let s, sched;
const pod = (name, spec = {}, cpu, labels = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
  spec: { containers: [{ name: 'c', image: 'nginx', ...(cpu ? { resources: { requests: { cpu } } } : {}) }], ...spec },
});

let eventually, createNode, getPod, boundNode, startScheduler, runScheduler;

before(async () => {
  s = await startServer({ args: ['--disable-scheduler'] });
  const fx = schedulerFixture(s);
  ({ eventually, createNode, getPod, boundNode, startScheduler, runScheduler } = fx);
  const kc = await fx.schedulerKubeconfig();
  s.schedKubeconfig = kc;
  await createNode(node('n1', { labels: { 'topology.kubernetes.io/zone': 'a' } }));
  await createNode(node('n2', { labels: { 'topology.kubernetes.io/zone': 'a' } }));
  await createNode(node('n3', { labels: { 'topology.kubernetes.io/zone': 'b' } }));
  sched = await startScheduler(['--kubeconfig', kc, '--secure-port', '0', '--leader-elect=false']);
});
after(() => stopSchedulerAndServer(sched, s));

const mk = async (p) => { const r = await s.request('POST', '/api/v1/namespaces/default/pods', { body: p }); assert.equal(r.status, 201, r.text); };
const failedEvent = (name) => eventually(async () => {
  const l = (await s.request('GET', '/api/v1/namespaces/default/events')).json.items;
  return l.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === name);
});

test('required anti-affinity spreads 3 replicas over 3 nodes; a 4th stays pending with upstream\'s message', async () => {
  const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'web' } }, topologyKey: 'kubernetes.io/hostname' }] } };
  for (let i = 1; i <= 3; i++) await mk(pod(`web-${i}`, { affinity: anti }, undefined, { app: 'web' }));
  const nodes = [];
  for (let i = 1; i <= 3; i++) nodes.push(await boundNode('default', `web-${i}`));
  assert.deepEqual([...nodes].sort(), ['n1', 'n2', 'n3']);
  await mk(pod('web-4', { affinity: anti }, undefined, { app: 'web' }));
  const ev = await failedEvent('web-4');
  assert.equal(ev.type, 'Warning');
  assert.match(ev.message, /^0\/3 nodes are available: 3 node\(s\) didn't match pod anti-affinity rules\. preemption: /);
  const cond = await eventually(async () => (await getPod('default', 'web-4')).status.conditions?.find((c) => c.type === 'PodScheduled'));
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal((await getPod('default', 'web-4')).spec.nodeName, undefined);
  // an unrelated pod that the existing replicas' anti-affinity does not cover still schedules
  await mk(pod('other', {}, undefined, { app: 'other' }));
  await boundNode('default', 'other');
  // a pod matched by an existing pod's anti-affinity is kept off that pod's node
  await mk(pod('guard', { nodeSelector: { 'kubernetes.io/hostname': 'n3' }, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'intruder' } }, topologyKey: 'topology.kubernetes.io/zone' }] } } }));
  assert.equal(await boundNode('default', 'guard'), 'n3');
  for (let i = 0; i < 3; i++) await mk(pod(`intruder-${i}`, {}, undefined, { app: 'intruder' }));
  for (let i = 0; i < 3; i++) assert.notEqual(await boundNode('default', `intruder-${i}`), 'n3');
});

test('topology spread across zones keeps skew <= maxSkew; a missing topology label is reported', async () => {
  const spread = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'spread' } } }];
  const zoneOf = { n1: 'a', n2: 'a', n3: 'b' };
  const counts = { a: 0, b: 0 };
  for (let i = 0; i < 6; i++) {
    await mk(pod(`spread-${i}`, { topologySpreadConstraints: spread }, undefined, { app: 'spread' }));
    counts[zoneOf[await boundNode('default', `spread-${i}`)]]++;
    assert.ok(Math.abs(counts.a - counts.b) <= 1, JSON.stringify(counts));
  }
  assert.deepEqual(counts, { a: 3, b: 3 });
  await mk(pod('no-rack', { topologySpreadConstraints: [{ ...spread[0], topologyKey: 'rack' }] }, undefined, { app: 'spread' }));
  const ev = await failedEvent('no-rack');
  assert.match(ev.message, /^0\/3 nodes are available: 3 node\(s\) didn't match pod topology spread constraints \(missing required label\)\./);
});

test('bad InterPodAffinity / PodTopologySpread args make the scheduler exit 1 with a clear message', async () => {
  const bad = join(s.dir, 'bad-spread.yaml');
  writeFileSync(bad, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- pluginConfig:\n  - name: InterPodAffinity\n    args:\n      hardPodAffinityWeight: 101\n');
  let r = await runScheduler(['--kubeconfig', s.schedKubeconfig, '--config', bad, '--secure-port', '0']);
  assert.equal(r.code, 1);
  assert.match(r.out, /hardPodAffinityWeight: Invalid value: 101: not in valid range \[0, 100\]/);
  writeFileSync(bad, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- pluginConfig:\n  - name: PodTopologySpread\n    args:\n      defaultConstraints:\n      - maxSkew: 1\n        topologyKey: zone\n        whenUnsatisfiable: DoNotSchedule\n');
  r = await runScheduler(['--kubeconfig', s.schedKubeconfig, '--config', bad, '--secure-port', '0']);
  assert.equal(r.code, 1);
  assert.match(r.out, /defaultingType: Invalid value: "System": when \.defaultConstraints are not empty/);
});
