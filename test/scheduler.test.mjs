// `kumo scheduler` end to end: a real server, Node objects created by the test, and the scheduler
// as a child process with its own kubeconfig. Pods are bound respecting resources, taints and node
// affinity; a pod that fits nowhere gets upstream's FailedScheduling message and is scheduled once
// a fitting node appears; a pod for another scheduler stays pending. Everything started is stopped by PID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, KUMO } from './harness.mjs';

let s, sched, schedOut = '';
const node = (name, { cpu = '2', memory = '4Gi', labels = {}, taints } = {}) => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  spec: taints ? { taints } : {},
  status: { capacity: { cpu, memory, pods: '110' }, allocatable: { cpu, memory, pods: '110' } },
});
const pod = (name, spec = {}, cpu) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name },
  spec: { containers: [{ name: 'c', image: 'nginx', ...(cpu ? { resources: { requests: { cpu } } } : {}) }], ...spec },
});

async function eventually(fn, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await fn();
    if (r) return r;
    if (Date.now() > end) assert.fail(`condition not met in time\nscheduler output:\n${schedOut}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
async function createNode(n) {
  const r = await s.request('POST', '/api/v1/nodes', { body: n });
  assert.equal(r.status, 201, r.text);
  // status is ignored on create: set allocatable through the status subresource
  const st = await s.request('PATCH', `/api/v1/nodes/${n.metadata.name}/status`, { body: { status: n.status }, headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(st.status, 200, st.text);
}
const getPod = async (ns, name) => (await s.request('GET', `/api/v1/namespaces/${ns}/pods/${name}`)).json;
const boundNode = (ns, name) => eventually(async () => (await getPod(ns, name)).spec.nodeName);
function startScheduler(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KUMO, 'scheduler', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const on = (d) => { out += d; schedOut += d; const m = /healthz\/metrics at (http:\S+)/.exec(out); if (m) resolve({ child, url: m[1] }); };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => reject(Object.assign(new Error(`scheduler exited ${code}: ${out}`), { code, out })));
  });
}
function runScheduler(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KUMO, 'scheduler', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const t = setTimeout(() => child.kill(), 15_000);
    child.on('exit', (code) => { clearTimeout(t); resolve({ code, out }); });
  });
}

before(async () => {
  s = await startServer();
  const kc = join(s.dir, 'scheduler.kubeconfig');
  const r = await new Promise((res) => {
    const c = spawn(process.execPath, [KUMO, 'kubeconfig', '--kind', 'scheduler', '--dir', s.dir, '--server', s.url, '--out', kc], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = ''; c.stdout.on('data', (d) => { out += d; }); c.stderr.on('data', (d) => { out += d; });
    c.on('exit', (code) => res({ code, out }));
  });
  assert.equal(r.code, 0, r.out);
  s.schedKubeconfig = kc;
  await createNode(node('small', { cpu: '1' }));
  await createNode(node('big', { cpu: '4', labels: { disk: 'ssd' } }));
  await createNode(node('tainted', { cpu: '8', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }));
  sched = await startScheduler(['--kubeconfig', kc, '--secure-port', '0', '--leader-elect=false']);
});
after(async () => {
  if (sched && sched.child.exitCode === null) {
    const exited = new Promise((r) => sched.child.once('exit', r));
    sched.child.kill('SIGTERM');
    await exited;
  }
  await s?.stop();
  s?.cleanup();
});

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
