// `kumo server` on its own is a whole control plane: its built-in controller manager and scheduler
// run in-process behind the same Leases a standalone `kumo controller-manager` / `kumo scheduler` use.
// A ReplicaSet gets pods, the pods get bound to a Node object; a restarted server takes its own
// leases back at once; bad --controllers and --scheduler-config values stop the server with a message.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, rmSync, readFileSync, statSync, existsSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, KUMO } from './harness.mjs';
import { node } from './scheduler-helpers.mjs';

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
async function eventually(what, fn, ms = 20_000) {
  const end = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await sleep(150);
  }
}

/** a plain HTTP request over a Unix socket */
function overSocket(socketPath, path, headers = {}) {
  return new Promise((resolve, reject) => {
    const r = http.request({ socketPath, path, headers }, (res) => {
      let body = '';
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode, body }));
    });
    r.on('error', reject);
    r.end();
  });
}

test('the in-process components talk over the loopback socket: owner-only, token-authenticated, gone on stop', async () => {
  const tmp = mkdtempSync(join(tmpdir(), 'kumo-loopback-'));
  const policy = join(tmp, 'policy.yaml');
  const log = join(tmp, 'audit.log');
  writeFileSync(policy, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Metadata\n  resources: [{group: "", resources: ["pods/binding", "pods"]}]\n');
  const s = await startServer({ args: ['--audit-policy-file', policy, '--audit-log-path', log] });
  const sock = join(s.dir, 'loopback.sock');
  try {
    assert.ok(statSync(sock).isSocket(), 'a Unix socket in the data dir');
    assert.equal(statSync(sock).mode & 0o777, 0o600);
    // a second server on the same data dir must not take the socket (and the components) over
    await assert.rejects(startServer({ dataDir: s.dir }), /another kumo server is serving this data directory/);
    assert.ok(statSync(sock).isSocket());
    // anyone reaching the socket still has to authenticate: a wrong token is 401, none is anonymous (403 under RBAC)
    assert.equal((await overSocket(sock, '/api/v1/pods', { authorization: 'Bearer not-the-token' })).status, 401);
    const anon = await overSocket(sock, '/api/v1/pods');
    assert.equal(anon.status, 403, anon.body);
    assert.match(JSON.parse(anon.body).message, /system:anonymous/);

    const n = node('lb1');
    assert.equal((await s.request('POST', '/api/v1/nodes', { body: n })).status, 201);
    assert.equal((await s.request('PATCH', '/api/v1/nodes/lb1/status', { body: { status: { ...n.status, conditions: [{ type: 'Ready', status: 'True' }] } }, headers: { 'content-type': 'application/merge-patch+json' } })).status, 200);
    const labels = { app: 'lb' };
    assert.equal((await s.request('POST', '/apis/apps/v1/namespaces/default/replicasets', { body: {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'lb' },
      spec: { replicas: 1, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    } })).status, 201);
    // the binding and the pod create come from the in-process components as the loopback user
    const events = await eventually('audited binding by the scheduler', async () => {
      const lines = existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => JSON.parse(l)) : [];
      return lines.some((e) => e.objectRef?.subresource === 'binding' && e.stage === 'ResponseComplete') && lines;
    });
    const binding = events.find((e) => e.objectRef?.subresource === 'binding');
    assert.equal(binding.user.username, 'system:apiserver');
    assert.ok(binding.user.groups.includes('system:masters'));
    assert.match(binding.userAgent, /^kube-scheduler\//);
    assert.deepEqual(binding.sourceIPs, ['127.0.0.1']);
    const create = events.find((e) => e.verb === 'create' && e.objectRef?.resource === 'pods' && !e.objectRef.subresource);
    assert.equal(create.user.username, 'system:apiserver');
    assert.match(create.userAgent, /^kube-controller-manager\//);
  } finally {
    await s.stop();
    var left = existsSync(sock);
    s.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  }
  assert.equal(left, false, 'a stopped server removes its socket');
});

test('the built-in controller manager and scheduler: ReplicaSet pods created and bound; leases; restart', async () => {
  const s = await startServer();
  let s2;
  try {
    const n = node('n1');
    assert.equal((await s.request('POST', '/api/v1/nodes', { body: n })).status, 201);
    const st = await s.request('PATCH', '/api/v1/nodes/n1/status', { body: { status: { ...n.status, conditions: [{ type: 'Ready', status: 'True' }] } }, headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(st.status, 200, st.text);
    const labels = { app: 'in' };
    const c = await s.request('POST', '/apis/apps/v1/namespaces/default/replicasets', { body: {
      apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'in' },
      spec: { replicas: 2, selector: { matchLabels: labels }, template: { metadata: { labels }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
    } });
    assert.equal(c.status, 201, c.text);
    await eventually('2 pods bound to n1', async () => {
      const pods = (await s.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Din')).json.items;
      return pods.length === 2 && pods.every((p) => p.spec.nodeName === 'n1') && pods;
    });
    const lease = async (name) => (await s.request('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-system/leases/${name}`)).json;
    const cm = await eventually('controller-manager lease', async () => (await lease('kube-controller-manager'))?.spec?.holderIdentity);
    const sched = await eventually('scheduler lease', async () => (await lease('kube-scheduler'))?.spec?.holderIdentity);
    assert.match(cm, /_kumo-server_/);
    assert.equal(sched, cm, 'one stable identity per server data dir');

    // killed without releasing its leases, the same server (same data dir) takes them back at once
    await s.stop('SIGKILL');
    s2 = await startServer({ dataDir: s.dir });
    const t0 = Date.now();
    assert.equal((await s2.request('PATCH', '/apis/apps/v1/namespaces/default/replicasets/in/scale', { body: { spec: { replicas: 3 } }, headers: { 'content-type': 'application/merge-patch+json' } })).status, 200);
    await eventually('3rd pod after restart', async () => (await s2.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Din')).json.items.filter((p) => p.spec.nodeName).length === 3);
    // well inside the 15 s a different identity would have to wait for the lease to expire
    assert.ok(Date.now() - t0 < 10_000, `took ${Date.now() - t0} ms`);
  } finally {
    await s.stop(); await s2?.stop(); s.cleanup();
  }
});

test('bad --controllers or --scheduler-config stop kumo server with a clear message', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-inproc-'));
  try {
    let r = spawnSync(process.execPath, [KUMO, 'server', '--data-dir', dir, '--secure-port', '0', '--controllers', '*,nosuch'], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /"nosuch" is not in the list of known controllers/);
    const cfg = join(dir, 'sched.yaml');
    writeFileSync(cfg, 'apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nprofiles:\n- plugins:\n    filter:\n      enabled:\n      - name: NoSuchPlugin\n');
    r = spawnSync(process.execPath, [KUMO, 'server', '--data-dir', dir, '--secure-port', '0', '--scheduler-config', cfg], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /NoSuchPlugin/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
