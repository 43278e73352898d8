// `kumo scheduler` end to end: a real server, Node objects created by the test, and the scheduler
// as a child process with its own kubeconfig. Pods are bound respecting resources, taints and node
// affinity; a pod that fits nowhere gets upstream's FailedScheduling message and is scheduled once
// a fitting node appears; a pod for another scheduler stays pending. Everything started is stopped by PID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './harness.mjs';
import { node, schedulerFixture, stopSchedulerAndServer } from './scheduler-helpers.mjs';

let s, sched;
const pod = (name, spec = {}, cpu) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx', ...(cpu ? { resources: { requests: { cpu } } } : {}) }], ...spec },
});

let eventually, createNode, getPod, boundNode, startScheduler, runScheduler;

before(async () => {
  s = await startServer({ args: ['--disable-scheduler'] });
  const fx = schedulerFixture(s);
  ({ eventually, createNode, getPod, boundNode, startScheduler, runScheduler } = fx);
  const kc = await fx.schedulerKubeconfig();
  s.schedKubeconfig = kc;
  await createNode(node('small', { cpu: '1' }));
  await createNode(node('big', { cpu: '4', labels: { disk: 'ssd' } }));
  await createNode(node('tainted', { cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  sched = await startScheduler(['--kubeconfig', kc, '--secure-port', '0', '--leader-elect=false']);
});
after(() => stopSchedulerAndServer(sched, s));

test('pods are bound respecting resources, taints and node affinity', async () => {
  const mk = (p) => s.request('POST', '/api/v1/namespaces/default/pods', { body: p });
  assert.equal((await mk(pod('needs-2cpu', {}, '2'))).status, 201);
  assert.equal((await mk(pod('wants-ssd', { nodeSelector: { disk: 'ssd' } }))).status, 201);
  assert.equal((await mk(pod('tolerates', {
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }],
    affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['tainted'] }] }] } } },
  }, '6'))).status, 201);
  assert.equal(await boundNode('default', 'needs-2cpu'), 'big');
  assert.equal(await boundNode('default', 'wants-ssd'), 'big');
  assert.equal(await boundNode('default', 'tolerates'), 'tainted');
  const p = await getPod('default', 'needs-2cpu');
  assert.equal(p.status.conditions.find((c) => c.type === 'PodScheduled').status, 'True');
  const ev = await eventually(async () => {
    const l = (await s.request('GET', '/api/v1/namespaces/default/events')).json.items;
    return l.find((e) => e.reason === 'Scheduled' && e.involvedObject.name === 'needs-2cpu');
  });
  assert.equal(ev.message, 'Successfully assigned default/needs-2cpu to big');
  assert.equal(ev.type, 'Normal');
});

test('a pod that fits nowhere gets FailedScheduling with upstream\'s message, then schedules when a node is added', async () => {
  assert.equal((await s.request('POST', '/api/v1/namespaces/default/pods', { body: pod('huge', {}, '10') })).status, 201);
  const ev = await eventually(async () => {
    const l = (await s.request('GET', '/api/v1/namespaces/default/events')).json.items;
    return l.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'huge');
  });
  assert.equal(ev.type, 'Warning');
  assert.equal(ev.message, '0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. ' +
    'preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.');
  const cond = await eventually(async () => (await getPod('default', 'huge')).status.conditions?.find((c) => c.type === 'PodScheduled'));
  assert.equal(cond.status, 'False');
  assert.equal(cond.reason, 'Unschedulable');
  assert.equal(cond.message, ev.message);
  await createNode(node('giant', { cpu: '16' }));
  assert.equal(await boundNode('default', 'huge'), 'giant');
});

test('a pod for another scheduler stays pending', async () => {
  assert.equal((await s.request('POST', '/api/v1/namespaces/default/pods', { body: pod('other', { schedulerName: 'my-scheduler' }) })).status, 201);
  assert.equal((await s.request('POST', '/api/v1/namespaces/default/pods', { body: pod('marker') })).status, 201);
  await boundNode('default', 'marker');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await getPod('default', 'other')).spec.nodeName, undefined);
});

test('/healthz and /metrics', async () => {
  const h = await fetch(`${sched.url}/healthz`);
  assert.equal(h.status, 200);
  assert.equal(await h.text(), 'ok');
  const m = await (await fetch(`${sched.url}/metrics`)).text();
  assert.match(m, /scheduler_schedule_attempts_total\{result="scheduled",profile="default-scheduler"\} \d+/);
  assert.match(m, /scheduler_schedule_attempts_total\{result="unschedulable",profile="default-scheduler"\} \d+/);
  assert.match(m, /scheduler_pending_pods\{queue="active"\} 0/);
  assert.match(m, /scheduler_scheduling_attempt_duration_seconds_bucket/);
});

test('a config with an unknown plugin or bad args makes the scheduler exit 1 with a clear message', async () => {
  const bad = join(s.dir, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- schedulerName: x\n  plugins:\n    filter:\n      enabled:\n      - name: NoSuchPlugin\n');
  let r = await runScheduler(['--kubeconfig', s.schedKubeconfig, '--config', bad, '--secure-port', '0']);
  assert.equal(r.code, 1);
  assert.match(r.out, /plugin "NoSuchPlugin" does not exist/);
  writeFileSync(bad, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- pluginConfig:\n  - name: NodeResourcesFit\n    args:\n      scoringStrategy:\n        type: Cheapest\n');
  r = await runScheduler(['--kubeconfig', s.schedKubeconfig, '--config', bad, '--secure-port', '0']);
  assert.equal(r.code, 1);
  assert.match(r.out, /scoringStrategy\.type: Unsupported value: "Cheapest"/);
});
