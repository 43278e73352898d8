// Audit logging end to end: `kumo server --audit-policy-file --audit-log-path` writes audit.k8s.io/v1
// Events as JSON lines, at the level the policy's first matching rule gives.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, readFileSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import https from 'node:https';
import http2 from 'node:http2';
import { startServer } from './harness.mjs';

const POLICY = `
apiVersion: audit.k8s.io/v1
kind: Policy
rules:
- level: None
  nonResourceURLs: ["/version", "/healthz*", "/readyz*", "/livez*"]
- level: RequestResponse
  resources:
  - group: ""
    resources: ["secrets"]
- level: Metadata
`;

const tmp = mkdtempSync(join(tmpdir(), 'kumo-audit-e2e-'));
const policyFile = join(tmp, 'policy.yaml');
const logPath = join(tmp, 'logs', 'audit.log');
let s;

before(async () => {
  writeFileSync(policyFile, POLICY);
  s = await startServer({ args: ['--audit-policy-file', policyFile, '--audit-log-path', logPath] });
});
after(async () => {
  await s?.stop();
  s?.cleanup();
  rmSync(tmp, { recursive: true, force: true });
});

function events() {
  if (!existsSync(logPath)) return [];
  return readFileSync(logPath, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l));
}

/** the log is written asynchronously: poll until the wanted events are there */
async function waitForEvents(pred, what, ms = 5000) {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = events().filter(pred);
    if (found.length) return found;
    if (Date.now() > deadline) assert.fail(`no audit event for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('ConfigMap create and delete are logged with user, verb, resource, namespace, name and code (Metadata: no objects)', async () => {
  let r = await s.kubectl(['create', 'configmap', 'audited', '-n', 'default', '--from-literal=k=v']);
  assert.equal(r.code, 0, r.stderr);
  r = await s.kubectl(['delete', 'configmap', 'audited', '-n', 'default']);
  assert.equal(r.code, 0, r.stderr);

  const [created] = await waitForEvents((e) => e.verb === 'create' && e.objectRef?.resource === 'configmaps' && e.objectRef?.name === 'audited' && e.stage === 'ResponseComplete', 'configmap create');
  assert.equal(created.kind, 'Event');
  assert.equal(created.apiVersion, 'audit.k8s.io/v1');
  assert.equal(created.level, 'Metadata');
  assert.equal(created.user.username, 'kubernetes-admin');
  assert.ok(created.user.groups.includes('system:masters'));
  assert.equal(created.objectRef.namespace, 'default');
  assert.equal(created.objectRef.apiVersion, 'v1');
  assert.equal(created.requestURI.split('?')[0], '/api/v1/namespaces/default/configmaps');
  assert.deepEqual(created.responseStatus, { metadata: {}, code: 201 });
  assert.equal(created.requestObject, undefined, 'Metadata level has no request object');
  assert.equal(created.responseObject, undefined);
  assert.match(created.userAgent, /^kubectl/);
  assert.ok(created.sourceIPs.includes('127.0.0.1'));
  assert.match(created.stageTimestamp, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/);
  const both = events().filter((e) => e.auditID === created.auditID);
  assert.deepEqual(both.map((e) => e.stage), ['RequestReceived', 'ResponseComplete']);
  assert.equal(created.annotations['authorization.k8s.io/decision'], 'allow');
  assert.equal(both[0].annotations, undefined, 'authorization runs after RequestReceived is logged');

  const [deleted] = await waitForEvents((e) => e.verb === 'delete' && e.objectRef?.name === 'audited' && e.stage === 'ResponseComplete', 'configmap delete');
  assert.deepEqual({ ...deleted.objectRef }, { resource: 'configmaps', namespace: 'default', name: 'audited', apiVersion: 'v1' });
  assert.equal(deleted.responseStatus.code, 200);
  assert.equal(deleted.user.username, 'kubernetes-admin');
});

test('an impersonated request logs who asked and whom it acted as', async () => {
  // admin (system:masters) may impersonate; bob acts with system:masters too, so RBAC allows the list
  const r = await s.request('GET', '/api/v1/namespaces/default/configmaps', { headers: { 'impersonate-user': 'bob', 'impersonate-group': ['devs', 'system:masters'] } });
  assert.equal(r.status, 200, r.text);
  const [e] = await waitForEvents((x) => x.auditID === r.headers['audit-id'] && x.stage === 'ResponseComplete', 'the impersonated list');
  assert.equal(e.user.username, 'kubernetes-admin');
  assert.equal(e.impersonatedUser.username, 'bob');
  assert.ok(e.impersonatedUser.groups.includes('devs'));
  assert.equal(e.annotations['authorization.k8s.io/decision'], 'allow');
  assert.equal(e.responseStatus.code, 200);
});

test('a failed request logs its Status; the response carries the Audit-ID', async () => {
  const r = await s.request('GET', '/api/v1/namespaces/default/configmaps/no-such-thing');
  assert.equal(r.status, 404);
  const id = r.headers['audit-id'];
  assert.ok(id);
  const [e] = await waitForEvents((x) => x.auditID === id && x.stage === 'ResponseComplete', 'the 404');
  assert.equal(e.verb, 'get');
  assert.equal(e.responseStatus.code, 404);
  assert.equal(e.responseStatus.status, 'Failure');
  assert.equal(e.responseStatus.reason, 'NotFound');
  assert.equal(e.responseStatus.message, 'configmaps "no-such-thing" not found');
});

test('a RequestResponse rule for secrets records request and response objects', async () => {
  const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'audited-secret', namespace: 'default' }, stringData: { password: 's3cret' } };
  const r = await s.request('POST', '/api/v1/namespaces/default/secrets', { body: secret });
  assert.equal(r.status, 201, r.text);
  const [e] = await waitForEvents((x) => x.auditID === r.headers['audit-id'] && x.stage === 'ResponseComplete', 'secret create');
  assert.equal(e.level, 'RequestResponse');
  assert.equal(e.objectRef.name, 'audited-secret');
  assert.equal(e.requestObject.kind, 'Secret');
  assert.deepEqual(e.requestObject.stringData, { password: 's3cret' });
  assert.equal(e.responseObject.kind, 'Secret');
  assert.equal(e.responseObject.metadata.uid, r.json.metadata.uid);
  assert.equal(e.responseStatus.code, 201);
  // a list at RequestResponse records the list answered
  const l = await s.request('GET', '/api/v1/namespaces/default/secrets');
  const [le] = await waitForEvents((x) => x.auditID === l.headers['audit-id'] && x.stage === 'ResponseComplete', 'secret list');
  assert.equal(le.verb, 'list');
  assert.equal(le.responseObject.kind, 'SecretList');
  assert.ok(le.responseObject.items.some((i) => i.metadata.name === 'audited-secret'));
});

test('a None rule for a path logs nothing', async () => {
  const r = await s.request('GET', '/version');
  assert.equal(r.status, 200);
  assert.ok(r.headers['audit-id'], 'the Audit-ID header is sent even when nothing is logged');
  // a later request that is logged proves the writer has caught up
  const probe = await s.request('GET', '/api/v1/namespaces/default');
  await waitForEvents((x) => x.auditID === probe.headers['audit-id'], 'the probe');
  assert.deepEqual(events().filter((e) => e.requestURI === '/version' || e.auditID === r.headers['audit-id']), []);
  assert.deepEqual(events().filter((e) => e.requestURI.startsWith('/readyz') || e.requestURI.startsWith('/healthz')), []);
});

function watchHTTP1(path) {
  return new Promise((resolve, reject) => {
    const req = https.request(new URL(path, s.url), { method: 'GET', ...s.tls, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.headers['audit-id']));
    });
    req.on('error', reject);
    req.end();
  });
}

function watchHTTP2(path) {
  return new Promise((resolve, reject) => {
    const c = http2.connect(s.url, { ...s.tls });
    c.on('error', reject);
    const st = c.request({ ':path': path });
    let id;
    st.on('response', (h) => { id = h['audit-id']; });
    st.resume();
    st.on('end', () => { c.close(); resolve(id); });
    st.on('error', reject);
  });
}

for (const [proto, watch] of [['HTTP/1.1', watchHTTP1], ['HTTP/2', watchHTTP2]]) test(`a watch (${proto}) logs RequestReceived, ResponseStarted and ResponseComplete`, async () => {
  const id = await watch('/api/v1/namespaces/default/configmaps?watch=true&timeoutSeconds=1');
  assert.ok(id);
  await waitForEvents((x) => x.auditID === id && x.stage === 'ResponseComplete', 'the watch ending');
  const stages = events().filter((x) => x.auditID === id);
  assert.deepEqual(stages.map((x) => x.stage), ['RequestReceived', 'ResponseStarted', 'ResponseComplete']);
  assert.ok(stages.every((x) => x.verb === 'watch'));
  assert.equal(stages[1].responseStatus.code, 200);
  assert.ok(stages[1].stageTimestamp < stages[2].stageTimestamp);
});

test('a malformed policy file stops kumo server at start with exit code 1', async () => {
  const bad = join(tmp, 'bad.yaml');
  writeFileSync(bad, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules:\n- level: Loud\n');
  await assert.rejects(
    startServer({ args: ['--audit-policy-file', bad, '--audit-log-path', join(tmp, 'bad.log')] }),
    (err) => /exited with 1/.test(err.message)
      && err.message.includes(`loading audit policy file: rules[0].level: Unsupported value: "Loud": supported values: "None", "Metadata", "Request", "RequestResponse": from file ${bad}`),
  );
  writeFileSync(bad, 'apiVersion: audit.k8s.io/v1\nkind: Policy\nrules: [\n');
  await assert.rejects(
    startServer({ args: ['--audit-policy-file', bad, '--audit-log-path', join(tmp, 'bad.log')] }),
    (err) => /exited with 1/.test(err.message) && err.message.includes('loading audit policy file: failed decoding'),
  );
});

test('--audit-log-path - writes events to standard out', async () => {
  const out = await startServer({ args: ['--audit-policy-file', policyFile, '--audit-log-path', '-'] });
  try {
    const r = await out.request('GET', '/api/v1/namespaces/default/configmaps');
    assert.equal(r.status, 200);
    const id = r.headers['audit-id'];
    const deadline = Date.now() + 5000;
    let line;
    while (!(line = out.output().split('\n').find((l) => l.includes(id) && l.includes('ResponseComplete'))) && Date.now() < deadline) {
      await new Promise((res) => setTimeout(res, 50));
    }
    assert.ok(line, 'no event on standard out');
    const e = JSON.parse(line);
    assert.equal(e.verb, 'list');
    assert.equal(e.objectRef.resource, 'configmaps');
  } finally {
    await out.stop();
    out.cleanup();
  }
});
