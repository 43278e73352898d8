// Preemption and leader election end to end: a real server, Node objects created by the test, and
// `kumo scheduler` processes with leader election on (the default). A high-priority pod on a full
// cluster evicts a low-priority pod (the one not protected by a PodDisruptionBudget), is nominated
// and then bound; a second scheduler stands by and takes over the Lease once the leader is killed.
// Everything started is stopped by PID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { startServer, KUMO } from './harness.mjs';

let s, kc, out = '';
const schedulers = [];
const node = (name, cpu) => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } },
  status: { capacity: { cpu, memory: '4Gi', pods: '110' }, allocatable: { cpu, memory: '4Gi', pods: '110' } },
});
const pod = (name, { cpu = '100m', priorityClassName, labels, host } = {}) => ({
  apiVersion: 'v1', kind: 'Pod', metadata: { name, labels },
  spec: {
    containers: [{ name: 'c', image: 'nginx', resources: { requests: { cpu } } }],
    terminationGracePeriodSeconds: 0,
    ...(priorityClassName ? { priorityClassName } : {}),
    ...(host ? { nodeSelector: { 'kubernetes.io/hostname': host } } : {}),
  },
});

async function eventually(fn, ms = 15_000) {
  const end = Date.now() + ms;
  for (;;) {
    const r = await fn();
    if (r) return r;
    if (Date.now() > end) assert.fail(`condition not met in time\nscheduler output:\n${out}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
async function create(path, body) {
  const r = await s.request('POST', path, { body });
  assert.equal(r.status, 201, r.text);
  return r.json;
}
async function createNode(n) {
  await create('/api/v1/nodes', n);
  const st = await s.request('PATCH', `/api/v1/nodes/${n.metadata.name}/status`, { body: { status: n.status }, headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(st.status, 200, st.text);
}
const getPod = async (name) => s.request('GET', `/api/v1/namespaces/default/pods/${name}`);
const boundNode = (name, ms) => eventually(async () => (await getPod(name)).json.spec?.nodeName, ms);
const lease = async () => (await s.request('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-scheduler')).json;
const events = async () => (await s.request('GET', '/api/v1/namespaces/default/events')).json.items;

function startScheduler(args) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KUMO, 'scheduler', '--kubeconfig', kc, '--secure-port', '0', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    const me = { child, out: '', identity: '' };
    schedulers.push(me);
    const on = (d) => {
      me.out += d; out += d;
      const m = /as (\S+)\); healthz\/metrics at http/.exec(me.out);
      if (m && !me.identity) { me.identity = m[1]; resolve(me); }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => reject(new Error(`scheduler exited ${code}: ${me.out}`)));
  });
}

before(async () => {
  s = await startServer({ args: ['--disable-scheduler'] });
  kc = join(s.dir, 'scheduler.kubeconfig');
  const r = await new Promise((res) => {
    const c = spawn(process.execPath, [KUMO, 'kubeconfig', '--kind', 'scheduler', '--dir', s.dir, '--server', s.url, '--out', kc], { stdio: ['ignore', 'pipe', 'pipe'] });
    let o = ''; c.stdout.on('data', (d) => { o += d; }); c.stderr.on('data', (d) => { o += d; });
    c.on('exit', (code) => res({ code, o }));
  });
  assert.equal(r.code, 0, r.o);
  await create('/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'low' }, value: 10 });
  await create('/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
  await createNode(node('n1', '2'));
  await createNode(node('n2', '2'));
});
after(async () => {
  for (const sc of schedulers) {
    if (sc.child.exitCode === null && sc.child.signalCode === null) {
      const exited = new Promise((r) => sc.child.once('exit', r));
      sc.child.kill('SIGKILL');
      await exited;
    }
  }
  await s?.stop();
  s?.cleanup();
});

test('the first scheduler becomes leader and the Lease shows it as holder', async () => {
  const a = await startScheduler([]);
  assert.match(a.identity, /^[^_]+_[0-9a-f-]{36}$/);
  await eventually(() => /became leader/.test(a.out));
  const l = await lease();
  assert.equal(l.spec.holderIdentity, a.identity);
  assert.equal(l.spec.leaseDurationSeconds, 15);
  assert.match(l.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
});

test('a high-priority pod preempts the low-priority pod not protected by a PDB; it is nominated, then bound', async () => {
  await create('/api/v1/namespaces/default/pods', pod('low-guarded', { cpu: '2', priorityClassName: 'low', labels: { app: 'guarded' }, host: 'n1' }));
  await create('/api/v1/namespaces/default/pods', pod('low-free', { cpu: '2', priorityClassName: 'low', host: 'n2' }));
  assert.equal(await boundNode('low-guarded'), 'n1');
  assert.equal(await boundNode('low-free'), 'n2');
  assert.equal((await getPod('low-free')).json.spec.priority, 10);
  await create('/apis/policy/v1/namespaces/default/poddisruptionbudgets', {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'guarded' },
    spec: { minAvailable: 1, selector: { matchLabels: { app: 'guarded' } } },
  });
  await new Promise((r) => setTimeout(r, 500)); // let the scheduler's PDB informer see it

  const high = await create('/api/v1/namespaces/default/pods', pod('high', { cpu: '2', priorityClassName: 'high' }));
  assert.equal(high.spec.priority, 1000);
  // the victim is gone, the guarded pod stays
  await eventually(async () => (await getPod('low-free')).status === 404);
  assert.equal((await getPod('low-guarded')).status, 200);
  assert.equal(await boundNode('high'), 'n2');
  const p = (await getPod('high')).json;
  assert.equal(p.status.nominatedNodeName, 'n2');
  const evs = await eventually(async () => {
    const l = await events();
    return l.some((e) => e.reason === 'Preempted') && l.some((e) => e.reason === 'Scheduled' && e.involvedObject.name === 'high') ? l : undefined;
  });
  const preempted = evs.find((e) => e.reason === 'Preempted');
  assert.equal(preempted.involvedObject.name, 'low-free');
  assert.equal(preempted.message, `Preempted by pod ${high.metadata.uid} on node n2`);
  const failed = evs.find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'high');
  assert.equal(failed.message, '0/2 nodes are available: 2 Insufficient cpu.');
});

test('a pod that cannot preempt gets upstream\'s preemption message; preemptionPolicy Never is respected', async () => {
  // same priority as everything on the nodes: nothing to evict
  await create('/api/v1/namespaces/default/pods', pod('no-victims', { cpu: '1', priorityClassName: 'low' }));
  const msg = await eventually(async () => (await events()).find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'no-victims')?.message);
  assert.equal(msg, '0/2 nodes are available: 2 Insufficient cpu. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
  // the Priority admission plugin copies preemptionPolicy from the class
  await create('/apis/scheduling.k8s.io/v1/priorityclasses', { apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high-never' }, value: 1000, preemptionPolicy: 'Never' });
  const never = await create('/api/v1/namespaces/default/pods', pod('never', { cpu: '1', priorityClassName: 'high-never' }));
  assert.equal(never.spec.preemptionPolicy, 'Never');
  const msg2 = await eventually(async () => (await events()).find((e) => e.reason === 'FailedScheduling' && e.involvedObject.name === 'never')?.message);
  assert.equal(msg2, '0/2 nodes are available: 2 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
  assert.equal((await getPod('low-guarded')).status, 200);
  for (const n of ['no-victims', 'never']) assert.equal((await s.request('DELETE', `/api/v1/namespaces/default/pods/${n}`)).status, 200);
});

test('a standby scheduler does not schedule; after the leader is killed it takes the Lease and schedules', { timeout: 60_000 }, async () => {
  const [a] = schedulers;
  const b = await startScheduler([]);
  assert.notEqual(b.identity, a.identity);
  await createNode(node('n3', '4'));
  await create('/api/v1/namespaces/default/pods', pod('while-a-leads'));
  assert.equal(await boundNode('while-a-leads'), 'n3');
  assert.doesNotMatch(b.out, /became leader/);
  assert.equal((await lease()).spec.holderIdentity, a.identity);
  const transitions = (await lease()).spec.leaseTransitions ?? 0;

  process.kill(a.child.pid, 'SIGKILL');
  const killedAt = Date.now();
  await create('/api/v1/namespaces/default/pods', pod('after-a-died'));
  assert.equal(await boundNode('after-a-died', 35_000), 'n3');
  const took = Date.now() - killedAt;
  // the 15 s lease must expire first; a busy 2-core CI machine adds a few retry periods on top
  assert.ok(took >= 10_000 && took < 30_000, `standby took over after ${took} ms`);
  assert.match(b.out, /became leader/);
  const l = await lease();
  assert.equal(l.spec.holderIdentity, b.identity);
  assert.equal(l.spec.leaseTransitions, transitions + 1);
});

test('flags: invalid lease timings are refused', async () => {
  const r = await new Promise((res) => {
    const c = spawn(process.execPath, [KUMO, 'scheduler', '--kubeconfig', kc, '--secure-port', '0', '--leader-elect-lease-duration', '5s', '--leader-elect-renew-deadline', '10s'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let o = ''; c.stdout.on('data', (d) => { o += d; }); c.stderr.on('data', (d) => { o += d; });
    const t = setTimeout(() => c.kill('SIGKILL'), 15_000);
    c.on('exit', (code) => { clearTimeout(t); res({ code, o }); });
  });
  assert.equal(r.code, 1);
  assert.match(r.o, /leaseDuration must be greater than renewDeadline/);
});
