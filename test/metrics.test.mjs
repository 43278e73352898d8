// The API server's /metrics in Prometheus text format with upstream's metric and label names:
// requests by verb/resource/scope/code, latency histograms, in-flight and long-running requests,
// stored objects per resource, datastore latency, process metrics. Admins (and system:monitoring)
// may read it; anonymous users get 403. /readyz and /livez answer ?verbose as upstream.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';

let s;
before(async () => { s = await startServer({ args: ['--controllers', 'serviceaccount,root-ca-cert-publisher,namespace'] }); });
after(async () => { await s?.stop(); s?.cleanup(); });

const metric = (text, re) => text.split('\n').filter((l) => re.test(l));

const POSTS = /^apiserver_request_total\{.*verb="POST".*resource="configmaps".*scope="namespace".*code="201"\} (\d+)$/m;
const count = (text) => Number(POSTS.exec(text)?.[1] ?? 0);

test('/metrics counts requests, latencies, stored objects and datastore calls with upstream names', async () => {
  // the built-in root CA publisher creates a ConfigMap per namespace right after start: let it finish
  for (const ns of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    for (let i = 0; (await s.request('GET', `/api/v1/namespaces/${ns}/configmaps/kube-root-ca.crt`)).status !== 200; i++) {
      assert.ok(i < 100, `kube-root-ca.crt in ${ns}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  const before = count((await s.request('GET', '/metrics')).text);
  for (let i = 0; i < 3; i++) {
    const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: { metadata: { name: `m${i}` }, data: { a: 'b' } } });
    assert.equal(r.status, 201, r.text);
  }
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps')).status, 200);
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/nope')).status, 404);
  const w = await s.kubectl(['get', '--raw', '/metrics']);
  assert.equal(w.code, 0, w.stderr);
  const text = w.stdout;
  // the built-in controllers create kube-root-ca.crt ConfigMaps too: compare before and after
  assert.equal(count(text), before + 3, metric(text, /apiserver_request_total.*configmaps/).join('\n'));
  assert.ok(metric(text, /^apiserver_request_total\{(?=.*verb="GET")(?=.*resource="configmaps")(?=.*scope="resource")(?=.*code="404")/).length, 'a 404 GET is counted');
  assert.ok(metric(text, /^apiserver_request_duration_seconds_bucket\{(?=.*verb="LIST")(?=.*resource="configmaps")(?=.*le="0\.005")/).length);
  assert.match(text, /^# TYPE apiserver_request_duration_seconds histogram$/m);
  const stored = metric(text, /^apiserver_storage_objects\{resource="configmaps"\}/)[0];
  assert.ok(stored && Number(stored.split(' ').pop()) >= 3, stored);
  assert.ok(metric(text, /^apiserver_storage_objects\{resource="deployments\.apps"\} 0$/).length, 'grouped resources are named resource.group');
  assert.ok(metric(text, /^etcd_request_duration_seconds_count\{operation="create",type="configmaps"\} [1-9]/).length);
  assert.ok(metric(text, /^apiserver_current_inflight_requests\{request_kind="readOnly"\}/).length);
  assert.ok(metric(text, /^process_resident_memory_bytes \d/).length);
});

test('a watch is a long-running request while it is open', async () => {
  const ac = new AbortController();
  const url = new URL('/api/v1/namespaces/default/configmaps?watch=true', s.url);
  const https = await import('node:https');
  const req = https.request({ hostname: url.hostname, port: url.port, path: url.pathname + url.search, method: 'GET', ...s.tls, agent: false, signal: ac.signal });
  req.on('error', () => {});
  await new Promise((r) => { req.on('response', r); req.end(); });
  const text = (await s.request('GET', '/metrics')).text;
  assert.ok(metric(text, /^apiserver_longrunning_requests\{.*verb="WATCH".*resource="configmaps".*\} 1$/).length, metric(text, /longrunning/).join('\n'));
  ac.abort();
});

test('/metrics is forbidden to anonymous users; /readyz?verbose lists the checks', async () => {
  const anon = await s.request('GET', '/metrics', { anonymous: true });
  assert.equal(anon.status, 403);
  assert.match(anon.json.message, /forbidden: User "system:anonymous" cannot get path "\/metrics"/);
  const ready = await s.request('GET', '/readyz?verbose', { anonymous: true });
  assert.equal(ready.status, 200);
  assert.match(ready.text, /^\[\+\]ping ok$/m);
  assert.match(ready.text, /readyz check passed/);
  const live = await s.request('GET', '/livez?verbose');
  assert.match(live.text, /livez check passed/);
});
