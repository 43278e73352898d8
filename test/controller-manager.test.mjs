// `kumo controller-manager` end to end: a real server, `kumo sim-nodes` as kubelets, the scheduler
// and the controller manager as child processes. A ReplicaSet gets its pods Running and ready, scales
// up and down (deleting in upstream's ranking order), adopts an orphan, and records events that
// `kubectl describe` shows; an unknown controller name exits 1. Everything is stopped by PID.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, KUMO } from './harness.mjs';

let s;
const procs = [];
let allOut = '';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(cmd, args, readyRe) {
  const child = spawn(process.execPath, [KUMO, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  procs.push(child);
  let out = '';
  return new Promise((resolve, reject) => {
    const on = (d) => { out += d; allOut += `[${cmd}] ${d}`; const m = readyRe.exec(out); if (m) resolve({ child, m, output: () => out }); };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.once('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
  });
}
function run(args) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KUMO, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const t = setTimeout(() => child.kill(), 15_000);
    child.on('exit', (code) => { clearTimeout(t); resolve({ code, out }); });
  });
}
async function eventually(what, fn, ms = 30_000) {
  const end = Date.now() + ms;
  let last;
  for (;;) {
    last = await fn();
    if (last) return last;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}\n${allOut.slice(-4000)}`);
    await sleep(200);
  }
}
const NS = 'default';
const rsPath = (name) => `/apis/apps/v1/namespaces/${NS}/replicasets/${name}`;
const getRS = async (name) => (await s.request('GET', rsPath(name))).json;
const podsOf = async (rs) => (await s.request('GET', `/api/v1/namespaces/${NS}/pods`)).json.items
  .filter((p) => p.metadata.ownerReferences?.some((r) => r.uid === rs.metadata.uid && r.controller) && !p.metadata.deletionTimestamp);
const rsBody = (name, replicas, labels) => ({
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
  spec: { replicas, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
});
async function scale(name, replicas) {
  const r = await s.request('PATCH', `${rsPath(name)}/scale`, { body: { spec: { replicas } }, headers: { 'content-type': 'application/merge-patch+json' } });
  assert.equal(r.status, 200, r.text);
}

before(async () => {
  // the server's built-in controller manager is off: this file tests the standalone one
  s = await startServer({ args: ['--disable-controller-manager', '--disable-scheduler'] });
  await start('sim-nodes', ['--kubeconfig', s.kubeconfig, '--count', '2', '--heartbeat-interval', '2s'], /nodes registered in \d+ ms/);
  await start('scheduler', ['--kubeconfig', s.kubeconfig, '--secure-port', '0', '--leader-elect=false'], /healthz\/metrics at (http:\S+)/);
  const cm = await start('controller-manager', ['--kubeconfig', s.kubeconfig, '--secure-port', '0', '--leader-elect-retry-period', '1s',
    '--leader-elect-renew-deadline', '5s', '--leader-elect-lease-duration', '8s'], /healthz\/metrics at (http:\S+)/);
  s.cmURL = cm.m[1];
});

after(async () => {
  for (const c of procs.reverse()) {
    if (c.exitCode === null && c.signalCode === null) {
      const exited = new Promise((r) => c.once('exit', r));
      c.kill('SIGTERM');
      await Promise.race([exited, sleep(5000)]);
      if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
    }
  }
  if (s) { await s.stop(); s.cleanup(); }
});

test('an unknown controller name exits 1 with upstream\'s message', async () => {
  const r = await run(['controller-manager', '--kubeconfig', s.kubeconfig, '--controllers', '*,-job,nosuchthing']);
  assert.equal(r.code, 1, r.out);
  assert.match(r.out, /"nosuchthing" is not in the list of known controllers/);
});

test('leader election takes the kube-system/kube-controller-manager Lease; healthz and metrics', async () => {
  const lease = await eventually('lease', async () => {
    const r = await s.request('GET', '/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/kube-controller-manager');
    return r.status === 200 && r.json.spec.holderIdentity ? r.json : undefined;
  });
  assert.ok(lease.spec.holderIdentity);
  const h = await fetch(`${s.cmURL}/healthz`);
  assert.equal(h.status, 200);
  assert.equal(await h.text(), 'ok');
});

test('a ReplicaSet gets its pods Running and ready, scales up and down by rank, adopts orphans', async () => {
  const labels = { app: 'web' };
  const c = await s.request('POST', `/apis/apps/v1/namespaces/${NS}/replicasets`, { body: rsBody('web', 3, labels) });
  assert.equal(c.status, 201, c.text);
  const rs = c.json;
  await eventually('3 ready replicas', async () => {
    const cur = await getRS('web');
    return cur.status?.readyReplicas === 3 && cur.status.availableReplicas === 3 && cur.status.observedGeneration === cur.metadata.generation ? cur : undefined;
  });
  let pods = await podsOf(rs);
  assert.equal(pods.length, 3);
  for (const p of pods) {
    assert.match(p.metadata.name, /^web-[a-z0-9]{5}$/);
    assert.equal(p.status.phase, 'Running');
    assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: rs.metadata.uid, controller: true, blockOwnerDeletion: true }]);
  }

  await scale('web', 5);
  await eventually('5 ready replicas', async () => (await getRS('web')).status?.readyReplicas === 5);
  assert.equal((await getRS('web')).status.replicas, 5);

  // scale-down ranking: a pod with a low deletion cost goes first, then the ones doubled up on a node
  pods = await podsOf(rs);
  const cheap = pods[0].metadata.name;
  const a = await s.request('PATCH', `/api/v1/namespaces/${NS}/pods/${cheap}`, {
    body: { metadata: { annotations: { 'controller.kubernetes.io/pod-deletion-cost': '-100' } } }, headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(a.status, 200, a.text);
  await sleep(500);
  await scale('web', 4);
  await eventually('4 replicas', async () => (await podsOf(rs)).length === 4 && (await getRS('web')).status?.replicas === 4);
  assert.ok(!(await podsOf(rs)).some((p) => p.metadata.name === cheap), 'the pod with deletion cost -100 goes first');
  await scale('web', 1);
  await eventually('1 replica', async () => (await getRS('web')).status?.replicas === 1 && (await podsOf(rs)).length === 1);
  await scale('web', 2);
  await eventually('2 replicas', async () => (await podsOf(rs)).length === 2 && (await getRS('web')).status?.replicas === 2);
  // the orphan runs first under other labels (so it cannot be the pending pod that ranks first for deletion),
  // then takes the ReplicaSet's labels and a high deletion cost: adopted and kept, a surplus sibling goes
  const orphan = await s.request('POST', `/api/v1/namespaces/${NS}/pods`, {
    body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'stray', labels: { app: 'not-yet' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
  });
  assert.equal(orphan.status, 201, orphan.text);
  await eventually('orphan running', async () => {
    const p = (await s.request('GET', `/api/v1/namespaces/${NS}/pods/stray`)).json;
    return p.status?.phase === 'Running' && p.status.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
  });
  const relabel = await s.request('PATCH', `/api/v1/namespaces/${NS}/pods/stray`, {
    body: { metadata: { labels, annotations: { 'controller.kubernetes.io/pod-deletion-cost': '1000' } } }, headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(relabel.status, 200, relabel.text);
  await eventually('orphan adopted', async () => {
    const p = (await s.request('GET', `/api/v1/namespaces/${NS}/pods/stray`)).json;
    return p.metadata?.ownerReferences?.some((r) => r.uid === rs.metadata.uid && r.controller && r.blockOwnerDeletion);
  });
  await eventually('back to 2 replicas', async () => (await podsOf(rs)).length === 2 && (await getRS('web')).status?.replicas === 2);
  assert.ok((await podsOf(rs)).some((p) => p.metadata.name === 'stray'), 'the adopted pod with the high deletion cost is kept');

  // a pod whose labels stop matching is released
  const [kept] = await podsOf(rs);
  const rel = await s.request('PATCH', `/api/v1/namespaces/${NS}/pods/${kept.metadata.name}`, {
    body: { metadata: { labels: { app: 'other' } } }, headers: { 'content-type': 'application/merge-patch+json' },
  });
  assert.equal(rel.status, 200, rel.text);
  await eventually('released', async () => {
    const p = (await s.request('GET', `/api/v1/namespaces/${NS}/pods/${kept.metadata.name}`)).json;
    return !p.metadata.ownerReferences?.length;
  });
  await eventually('replaced', async () => (await podsOf(rs)).length === 2);

  const d = await s.kubectl(['describe', 'rs', 'web']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /SuccessfulCreate\s+\S+\s+replicaset-controller\s+Created pod: web-[a-z0-9]{5}/);
  assert.match(d.stdout, /SuccessfulDelete\s+\S+\s+replicaset-controller\s+Deleted pod: /);
  assert.match(d.stdout, /Replicas:\s+2 current \/ 2 desired/);

  const m = await (await fetch(`${s.cmURL}/metrics`)).text();
  const adds = /^workqueue_adds_total\{name="replicaset"\} (\d+)$/m.exec(m);
  assert.ok(adds && Number(adds[1]) > 0, m);
  assert.match(m, /^workqueue_depth\{name="replicaset"\} \d+$/m);
});

test('a ReplicaSet whose pods are refused gets FailedCreate events and the ReplicaFailure condition', async () => {
  // a ResourceQuota of 1 pod: the second creation is forbidden, the controller reports it and keeps going
  assert.equal((await s.request('POST', '/api/v1/namespaces', { body: { apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'quota' } } })).status, 201);
  const q = await s.request('POST', '/api/v1/namespaces/quota/resourcequotas', {
    body: { apiVersion: 'v1', kind: 'ResourceQuota', metadata: { name: 'pods' }, spec: { hard: { pods: '1' } } },
  });
  assert.equal(q.status, 201, q.text);
  await sleep(500);
  const c = await s.request('POST', '/apis/apps/v1/namespaces/quota/replicasets', { body: rsBody('capped', 3, { app: 'capped' }) });
  assert.equal(c.status, 201, c.text);
  const cur = await eventually('ReplicaFailure', async () => {
    const r = (await s.request('GET', '/apis/apps/v1/namespaces/quota/replicasets/capped')).json;
    return r.status?.conditions?.find((x) => x.type === 'ReplicaFailure') ? r : undefined;
  });
  const cond = cur.status.conditions.find((x) => x.type === 'ReplicaFailure');
  assert.equal(cond.status, 'True');
  assert.equal(cond.reason, 'FailedCreate');
  assert.match(cond.message, /exceeded quota/);
  // the one pod the quota allows is counted once the controller has seen it; the failure stays
  await eventually('1 replica under quota', async () => {
    const r = (await s.request('GET', '/apis/apps/v1/namespaces/quota/replicasets/capped')).json;
    return r.status?.replicas === 1 && r.status.conditions?.some((x) => x.type === 'ReplicaFailure');
  });
  const d = await s.kubectl(['describe', 'rs', 'capped', '-n', 'quota']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /FailedCreate\s+\S+\s+replicaset-controller\s+Error creating: pods "capped-[a-z0-9]*" is forbidden: exceeded quota/);
  // lifting the quota clears the condition and the ReplicaSet reaches its replicas
  assert.equal((await s.request('DELETE', '/api/v1/namespaces/quota/resourcequotas/pods')).status, 200);
  await eventually('recovered', async () => {
    const r = (await s.request('GET', '/apis/apps/v1/namespaces/quota/replicasets/capped')).json;
    return r.status?.replicas === 3 && !r.status.conditions?.some((x) => x.type === 'ReplicaFailure');
  }, 60_000);
});
