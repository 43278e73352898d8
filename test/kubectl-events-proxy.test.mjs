// What clients probe (issue 7): `kubectl events` (--for, --types, -w), `kubectl proxy` (started on a
// free loopback port, used with plain HTTP, stopped by PID) and `kubectl get --raw` of /readyz and
// /livez with ?verbose, against a kumo server.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import http from 'node:http';
import { startServer, kubectlBinary } from './harness.mjs';

let s;
const NS = 'default';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** a core/v1 Event about a pod, as a kubelet would post it */
async function event(name, pod, type, reason, message, ageSeconds = 0) {
  const t = new Date(Date.now() - ageSeconds * 1000).toISOString().replace(/\.\d+Z$/, 'Z');
  const r = await s.request('POST', `/api/v1/namespaces/${NS}/events`, { body: {
    apiVersion: 'v1', kind: 'Event', metadata: { name },
    involvedObject: { apiVersion: 'v1', kind: 'Pod', name: pod, namespace: NS },
    type, reason, message, source: { component: 'kubelet' }, firstTimestamp: t, lastTimestamp: t, count: 1,
  } });
  assert.equal(r.status, 201, r.text);
}

/** runs a long-lived kubectl; output accumulates; stop() ends it by PID */
function spawnKubectl(argv) {
  const child = spawn(kubectlBinary(), argv, { env: { ...process.env, KUBECONFIG: s.kubeconfig }, stdio: ['ignore', 'pipe', 'pipe'] });
  const p = { child, out: '', err: '' };
  child.stdout.on('data', (d) => { p.out += d; });
  child.stderr.on('data', (d) => { p.err += d; });
  p.waitFor = async (re, ms = 15_000) => {
    const end = Date.now() + ms;
    while (!re.test(p.out)) {
      if (Date.now() > end) assert.fail(`kubectl ${argv.join(' ')}: no ${re} in:\n${p.out}\n${p.err}`);
      if (child.exitCode !== null) assert.fail(`kubectl ${argv.join(' ')} exited ${child.exitCode}:\n${p.out}\n${p.err}`);
      await sleep(100);
    }
    return re.exec(p.out);
  };
  p.stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((r) => child.once('exit', r));
      process.kill(child.pid, 'SIGTERM');
      await exited;
    }
  };
  return p;
}

function httpGet(port, path) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path, agent: false }, (res) => {
      let text = '';
      res.on('data', (d) => { text += d; });
      res.on('end', () => { let json; try { json = JSON.parse(text); } catch { /* not JSON */ } resolve({ status: res.statusCode, headers: res.headers, text, json }); });
    }).on('error', reject);
  });
}

before(async () => {
  s = await startServer({ args: ['--disable-controller-manager', '--disable-scheduler'] });
  await event('web.1', 'web', 'Normal', 'Pulled', 'Container image "nginx" already present on machine', 60);
  await event('web.2', 'web', 'Warning', 'BackOff', 'Back-off restarting failed container web in pod web_default(1)', 30);
  await event('db.1', 'db', 'Normal', 'Started', 'Started container db', 20);
  await event('db.2', 'db', 'Warning', 'Unhealthy', 'Readiness probe failed: connection refused', 10);
});
after(async () => { await s?.stop(); s?.cleanup(); });

test('kubectl events lists events oldest first, with upstream columns', async () => {
  const r = await s.kubectl(['events']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.match(lines[0], /^LAST SEEN\s+TYPE\s+REASON\s+OBJECT\s+MESSAGE$/);
  assert.deepEqual(lines.slice(1).map((l) => l.split(/\s{2,}/).slice(1, 4)), [
    ['Normal', 'Pulled', 'Pod/web'], ['Warning', 'BackOff', 'Pod/web'], ['Normal', 'Started', 'Pod/db'], ['Warning', 'Unhealthy', 'Pod/db']]);
  // kubectl names the object Kind/name
  assert.match(lines[4], /^\d+s\s+Warning\s+Unhealthy\s+Pod\/db\s+Readiness probe failed: connection refused$/);
});

test('kubectl events --for and --types filter as upstream', async () => {
  let r = await s.kubectl(['events', '--for', 'pod/web']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s{2,}/)[2]), ['Pulled', 'BackOff']);
  r = await s.kubectl(['events', '--types=Warning']);
  assert.equal(r.code, 0, r.stderr);
  assert.deepEqual(r.stdout.trimEnd().split('\n').slice(1).map((l) => l.split(/\s{2,}/)[2]), ['BackOff', 'Unhealthy']);
  r = await s.kubectl(['events', '--for', 'pod/db', '--types=Warning', '-o', 'json']);
  assert.equal(r.code, 0, r.stderr);
  const list = JSON.parse(r.stdout);
  assert.equal(list.kind, 'EventList');
  assert.deepEqual(list.items.map((e) => e.metadata.name), ['db.2']);
  r = await s.kubectl(['events', '--for', 'pod/nothing']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stderr + r.stdout, /No events found in default namespace\./);
  r = await s.kubectl(['events', '--types=Bogus']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /valid --types are Normal or Warning/);
});

test('kubectl events -w prints what exists, then new events as they come', async () => {
  const w = spawnKubectl(['events', '-w', '--for', 'pod/web']);
  try {
    await w.waitFor(/BackOff/);
    assert.doesNotMatch(w.out, /Unhealthy/);
    await event('web.3', 'web', 'Warning', 'Failed', 'Error: ImagePullBackOff');
    await event('db.3', 'db', 'Warning', 'Failed', 'not for pod/web');
    await w.waitFor(/Warning\s+Failed\s+Pod\/web\s+Error: ImagePullBackOff/);
    await sleep(500);
    assert.doesNotMatch(w.out, /not for pod\/web/);
  } finally {
    await w.stop();
  }
});

test('kubectl proxy on a free loopback port serves the API over plain HTTP', async () => {
  const p = spawnKubectl(['proxy', '--port=0', '--address=127.0.0.1']);
  try {
    const port = Number((await p.waitFor(/Starting to serve on 127\.0\.0\.1:(\d+)/))[1]);
    assert.ok(port > 0);
    const v = await httpGet(port, '/version');
    assert.equal(v.status, 200);
    assert.match(v.json.gitVersion, /^v1\.\d+\.\d+/);
    const c = await s.request('POST', `/api/v1/namespaces/${NS}/configmaps`, { body: { metadata: { name: 'via-proxy' }, data: { k: 'v' } } });
    assert.equal(c.status, 201);
    const g = await httpGet(port, `/api/v1/namespaces/${NS}/configmaps/via-proxy`);
    assert.equal(g.status, 200);
    assert.equal(g.json.data.k, 'v');
    const missing = await httpGet(port, `/api/v1/namespaces/${NS}/configmaps/nope`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'configmaps "nope" not found');
    const ev = await httpGet(port, `/api/v1/namespaces/${NS}/events?fieldSelector=involvedObject.name%3Ddb`);
    assert.equal(ev.status, 200);
    assert.ok(ev.json.items.length >= 2 && ev.json.items.every((e) => e.involvedObject.name === 'db'));
    // the proxy authenticates as the kubeconfig's user: admin may read /metrics
    const m = await httpGet(port, '/metrics');
    assert.equal(m.status, 200);
    assert.match(m.text, /^apiserver_request_total\{/m);
    // kubectl proxy's default filter rejects non-loopback hosts (upstream's --accept-hosts)
    const rejected = await new Promise((resolve, reject) => {
      http.get({ host: '127.0.0.1', port, path: '/version', headers: { host: 'evil.example.com' }, agent: false }, (res) => {
        res.resume(); res.on('end', () => resolve(res.statusCode));
      }).on('error', reject);
    });
    assert.equal(rejected, 403);
  } finally {
    await p.stop();
  }
  assert.ok(p.child.exitCode !== null || p.child.signalCode !== null, 'proxy stopped');
});

test('kubectl get --raw /readyz?verbose and /livez?verbose list the checks', async () => {
  let r = await s.kubectl(['get', '--raw', '/readyz?verbose']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trimEnd().split('\n');
  assert.equal(lines.at(-1), 'readyz check passed');
  assert.ok(lines.includes('[+]ping ok'), r.stdout);
  assert.ok(lines.includes('[+]etcd ok'), r.stdout);
  assert.ok(lines.slice(0, -1).every((l) => /^\[\+\][a-z0-9/-]+ ok$/.test(l)), r.stdout);
  r = await s.kubectl(['get', '--raw', '/livez?verbose']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trimEnd().split('\n').at(-1), 'livez check passed');
  assert.match(r.stdout, /^\[\+\]ping ok$/m);
  // one check by path, and an excluded check
  r = await s.kubectl(['get', '--raw', '/readyz/ping']);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'ok');
  r = await s.kubectl(['get', '--raw', '/readyz?verbose&exclude=etcd']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\[\+\]etcd excluded: ok$/m);
  assert.doesNotMatch(r.stdout, /^\[\+\]etcd ok$/m);
  r = await s.kubectl(['get', '--raw', '/readyz?verbose&exclude=nope&exclude=ping']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^\[\+\]ping excluded: ok$/m);
  assert.match(r.stdout, /^warn: some health checks cannot be excluded: no matches for "nope"\nreadyz check passed\n$/m);
  r = await s.kubectl(['get', '--raw', '/readyz/nosuchcheck']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /NotFound/);
});
