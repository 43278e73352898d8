// Admission webhooks end to end: a webhook HTTPS server run by the test on 127.0.0.1 (its own CA)
// mutates (JSONPatch adds a label) and denies; failurePolicy Ignore/Fail with the server down; a
// timeout; namespace and object selectors; dry run and sideEffects; bad answers (garbage JSON, wrong
// uid, a patch that does not apply) refuse the request and store nothing; kubectl lists the configurations.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startServer } from './harness.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
const { createCA, issueCertificate } = await import(join(ROOT, 'dist/pki/index.js'));

let s;
let hook;
let hookPort = 0;
let caBundle = '';
const calls = [];

const b64 = (v) => Buffer.from(JSON.stringify(v)).toString('base64');
const answer = (req, response) => ({ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', response: { uid: req.uid, ...response } });

// each path is one behaviour
const behaviours = {
  '/mutate': (req) => answer(req, { allowed: true, patchType: 'JSONPatch',
    patch: b64([{ op: 'add', path: '/metadata/labels/mutated', value: 'by-webhook' }]), warnings: ['mutated by the test webhook'] }),
  '/deny': (req) => answer(req, { allowed: false, status: { code: 403, reason: 'Forbidden', message: `no ${req.object.metadata.name} here` } }),
  '/allow': (req) => answer(req, { allowed: true }),
  '/garbage': () => 'this is not json',
  '/wronguid': (req) => answer({ uid: 'not-the-uid' }, { allowed: true }),
  '/badpatch': (req) => answer(req, { allowed: true, patchType: 'JSONPatch', patch: b64([{ op: 'replace', path: '/spec/missing', value: 1 }]) }),
  '/hang': () => undefined,
};

before(async () => {
  const ca = await createCA('webhook-e2e-ca');
  const leaf = await issueCertificate(ca, { commonName: 'webhook', ipAddresses: ['127.0.0.1'], usages: ['server'], days: 1 });
  caBundle = Buffer.from(ca.certPem).toString('base64');
  hook = https.createServer({ key: leaf.keyPem, cert: leaf.certPem }, (req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const review = JSON.parse(Buffer.concat(chunks).toString());
      const path = req.url.split('?')[0];
      calls.push({ path, query: req.url.split('?')[1], request: review.request });
      const out = behaviours[path]?.(review.request);
      if (out === undefined) return; // hang
      res.setHeader('content-type', 'application/json');
      res.end(typeof out === 'string' ? out : JSON.stringify(out));
    });
  });
  await new Promise((r) => hook.listen(0, '127.0.0.1', r));
  hookPort = hook.address().port;
  s = await startServer();
});
after(async () => {
  hook?.closeAllConnections(); hook?.close();
  await s?.stop(); s?.cleanup();
});

const url = (path, port = hookPort) => `https://127.0.0.1:${port}${path}`;
/** a webhook that only looks at configmaps labelled test=<scope> */
const webhook = (name, path, scope, over = {}) => ({
  name, clientConfig: { url: url(path), caBundle }, sideEffects: 'None', admissionReviewVersions: ['v1'],
  rules: [{ operations: ['CREATE', 'UPDATE'], apiGroups: [''], apiVersions: ['v1'], resources: ['configmaps'] }],
  objectSelector: { matchLabels: { test: scope } }, ...over,
});
const cm = (name, scope, extra = {}) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name, labels: { test: scope, ...extra } }, data: { a: '1' } });

async function configure(kind, name, webhooks) {
  const plural = kind === 'Mutating' ? 'mutatingwebhookconfigurations' : 'validatingwebhookconfigurations';
  const r = await s.request('POST', `/apis/admissionregistration.k8s.io/v1/${plural}`, {
    body: { apiVersion: 'admissionregistration.k8s.io/v1', kind: `${kind}WebhookConfiguration`, metadata: { name }, webhooks },
  });
  assert.equal(r.status, 201, r.text);
  return r.json;
}

test('configurations are defaulted and validated as upstream', async () => {
  const c = await configure('Validating', 'defaults', [webhook('defaults.example.com', '/allow', 'defaults')]);
  const w = c.webhooks[0];
  assert.equal(w.failurePolicy, 'Fail');
  assert.equal(w.matchPolicy, 'Equivalent');
  assert.equal(w.timeoutSeconds, 10);
  assert.deepEqual(w.namespaceSelector, {});
  assert.equal(w.rules[0].scope, '*');
  assert.equal(c.metadata.generation, 1);
  const bad = await s.request('POST', '/apis/admissionregistration.k8s.io/v1/validatingwebhookconfigurations', {
    body: { metadata: { name: 'bad' }, webhooks: [webhook('bad', '/allow', 'x', { sideEffects: 'Some', timeoutSeconds: 60, clientConfig: { url: 'http://127.0.0.1/x' } })] },
  });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.json.details.causes.map((c) => `${c.field}: ${c.message}`), [
    'webhooks[0].name: Invalid value: "bad": should be a domain with at least three segments separated by dots',
    'webhooks[0].sideEffects: Unsupported value: "Some": supported values: "None", "NoneOnDryRun"',
    'webhooks[0].timeoutSeconds: Invalid value: 60: the timeout value must be between 1 and 30 seconds',
    'webhooks[0].clientConfig.url: Invalid value: "http": \'https\' is the only allowed URL scheme; desired format: https://host[/path]',
  ]);
});

test('a mutating webhook adds a label with a JSONPatch; its warning reaches the client', async () => {
  await configure('Mutating', 'mutate', [webhook('mutate.example.com', '/mutate', 'mutate')]);
  const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('m1', 'mutate') });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.metadata.labels.mutated, 'by-webhook');
  assert.match(String(r.headers.warning), /mutated by the test webhook/);
  const got = await s.request('GET', '/api/v1/namespaces/default/configmaps/m1');
  assert.equal(got.json.metadata.labels.mutated, 'by-webhook');
  const call = calls.find((c) => c.path === '/mutate');
  assert.equal(call.query, 'timeout=10s');
  assert.equal(call.request.operation, 'CREATE');
  assert.deepEqual(call.request.kind, { group: '', version: 'v1', kind: 'ConfigMap' });
  assert.deepEqual(call.request.resource, { group: '', version: 'v1', resource: 'configmaps' });
  assert.equal(call.request.namespace, 'default');
  assert.equal(call.request.userInfo.username, 'kubernetes-admin');
  // kubectl sees the mutation too
  const k = await s.kubectl(['create', 'configmap', 'k1', '--from-literal=a=b', '-o', 'jsonpath={.metadata.labels}']);
  assert.equal(k.code, 0, k.stderr);
});

test('a validating webhook denies with its status code and message; nothing is stored', async () => {
  await configure('Validating', 'deny', [webhook('deny.example.com', '/deny', 'deny')]);
  const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('d1', 'deny') });
  assert.equal(r.status, 403);
  assert.equal(r.json.message, 'admission webhook "deny.example.com" denied the request: no d1 here');
  assert.equal(r.json.reason, 'Forbidden');
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/d1')).status, 404);
  // kubectl prints it as upstream does
  const k = await s.kubectl(['apply', '-f', '-'], { input: JSON.stringify(cm('d2', 'deny')) });
  assert.notEqual(k.code, 0);
  assert.match(k.stderr, /admission webhook "deny.example.com" denied the request: no d2 here/);
});

test('failurePolicy: Fail refuses when the webhook is down, Ignore lets the request through', async () => {
  const closed = https.createServer();
  await new Promise((r) => closed.listen(0, '127.0.0.1', r));
  const deadPort = closed.address().port;
  await new Promise((r) => closed.close(r));
  await configure('Validating', 'down', [
    webhook('fail.example.com', '/x', 'down-fail', { clientConfig: { url: url('/x', deadPort), caBundle }, failurePolicy: 'Fail' }),
    webhook('ignore.example.com', '/x', 'down-ignore', { clientConfig: { url: url('/x', deadPort), caBundle }, failurePolicy: 'Ignore' }),
  ]);
  const f = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('f1', 'down-fail') });
  assert.equal(f.status, 500);
  assert.equal(f.json.message, `Internal error occurred: failed calling webhook "fail.example.com": failed to call webhook: Post "https://127.0.0.1:${deadPort}/x?timeout=10s": dial tcp 127.0.0.1:${deadPort}: connect: connection refused`);
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/f1')).status, 404);
  const i = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('i1', 'down-ignore') });
  assert.equal(i.status, 201, i.text);
});

test('timeoutSeconds: a webhook that does not answer in time fails the request', async () => {
  await configure('Validating', 'slow', [webhook('slow.example.com', '/hang', 'slow', { timeoutSeconds: 1 })]);
  const t0 = Date.now();
  const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('t1', 'slow') });
  assert.equal(r.status, 500);
  assert.match(r.json.message, /failed calling webhook "slow.example.com": failed to call webhook: Post "https:\/\/127.0.0.1:\d+\/hang\?timeout=1s": context deadline exceeded$/);
  assert.ok(Date.now() - t0 < 5000);
});

test('namespaceSelector and objectSelector pick the requests a webhook sees', async () => {
  for (const [name, labels] of [['team-a', { team: 'a' }], ['team-b', { team: 'b' }]]) {
    assert.equal((await s.request('POST', '/api/v1/namespaces', { body: { metadata: { name, labels } } })).status, 201);
  }
  await configure('Validating', 'ns-select', [webhook('ns.example.com', '/deny', 'ns', { namespaceSelector: { matchLabels: { team: 'a' } } })]);
  const a = await s.request('POST', '/api/v1/namespaces/team-a/configmaps', { body: cm('x', 'ns') });
  assert.equal(a.status, 403);
  const b = await s.request('POST', '/api/v1/namespaces/team-b/configmaps', { body: cm('x', 'ns') });
  assert.equal(b.status, 201, b.text);
  // the objectSelector (test=ns) leaves other configmaps alone, even in team-a
  const other = await s.request('POST', '/api/v1/namespaces/team-a/configmaps', { body: cm('y', 'unrelated') });
  assert.equal(other.status, 201, other.text);
});

test('matchConditions (CEL) skip a webhook when false', async () => {
  await configure('Validating', 'conditions', [webhook('cel.example.com', '/deny', 'cel', {
    matchConditions: [{ name: 'only-big', expression: "has(object.data) && 'big' in object.data" }],
  })]);
  const small = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('small', 'cel') });
  assert.equal(small.status, 201, small.text);
  const big = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: { ...cm('big', 'cel'), data: { big: 'yes' } } });
  assert.equal(big.status, 403);
});

test('dry run reaches webhooks that declare no side effects, with dryRun set', async () => {
  await configure('Validating', 'dryrun', [webhook('dry.example.com', '/allow', 'dry', { sideEffects: 'NoneOnDryRun' })]);
  const r = await s.request('POST', '/api/v1/namespaces/default/configmaps?dryRun=All', { body: cm('dr', 'dry') });
  assert.equal(r.status, 201, r.text);
  const call = calls.filter((c) => c.path === '/allow').find((c) => c.request.name === 'dr');
  assert.equal(call.request.dryRun, true);
  assert.deepEqual(call.request.options.dryRun, ['All']);
  assert.equal((await s.request('GET', '/api/v1/namespaces/default/configmaps/dr')).status, 404);
});

test('bad answers: garbage JSON, wrong uid, a patch that does not apply → 500; nothing stored', async () => {
  await configure('Mutating', 'bad-answers', [
    webhook('garbage.example.com', '/garbage', 'garbage'),
    webhook('uid.example.com', '/wronguid', 'wronguid'),
    webhook('patch.example.com', '/badpatch', 'badpatch'),
  ]);
  const g = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('g', 'garbage') });
  assert.equal(g.status, 500);
  assert.match(g.json.message, /^Internal error occurred: failed calling webhook "garbage.example.com": failed to call webhook: couldn't get version\/kind; json parse error/);
  const u = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('u', 'wronguid') });
  assert.equal(u.status, 500);
  assert.match(u.json.message, /failed calling webhook "uid.example.com": received invalid webhook response: expected response.uid="[0-9a-f-]{36}", got "not-the-uid"$/);
  const p = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('p', 'badpatch') });
  assert.equal(p.status, 500);
  assert.match(p.json.message, /^Internal error occurred: replace operation does not apply/);
  for (const n of ['g', 'u', 'p']) assert.equal((await s.request('GET', `/api/v1/namespaces/default/configmaps/${n}`)).status, 404);
});

test('a service reference with no endpoints is a clear error', async () => {
  await s.request('POST', '/api/v1/namespaces/default/services', { body: { metadata: { name: 'hooksvc' }, spec: { ports: [{ port: 443, targetPort: 8443 }] } } });
  await configure('Validating', 'by-service', [webhook('svc.example.com', '', 'svc', { clientConfig: { service: { namespace: 'default', name: 'hooksvc', path: '/allow' }, caBundle } })]);
  const r = await s.request('POST', '/api/v1/namespaces/default/configmaps', { body: cm('s1', 'svc') });
  assert.equal(r.status, 500);
  assert.equal(r.json.message, 'Internal error occurred: failed calling webhook "svc.example.com": failed to call webhook: no endpoints available for service "hooksvc"');
});

test('kubectl get validatingwebhookconfigurations prints NAME, WEBHOOKS, AGE', async () => {
  const r = await s.kubectl(['get', 'validatingwebhookconfigurations']);
  assert.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  assert.match(lines[0], /^NAME\s+WEBHOOKS\s+AGE$/);
  assert.ok(lines.some((l) => /^down\s+2\s+\d+s$/.test(l)), r.stdout);
  const m = await s.kubectl(['get', 'mutatingwebhookconfigurations', 'bad-answers']);
  assert.match(m.stdout, /^bad-answers\s+3\s+/m);
});
