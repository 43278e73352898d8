// Authentication end to end against a real `kumo server`: static tokens, bootstrap tokens,
// service-account tokens from TokenRequest (bound to a pod: they stop working once it is gone),
// TokenReview, SelfSubjectReview / `kubectl auth whoami`, impersonation and OIDC discovery.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { createPublicKey, createVerify } from 'node:crypto';
import { startServer, request } from './harness.mjs';

let s;
const tmp = mkdtempSync(join(tmpdir(), 'kumo-authn-'));
const TOKEN_FILE = join(tmp, 'tokens.csv');
writeFileSync(TOKEN_FILE, 'static-token-1,alice,u-alice,"dev,ops"\nstatic-token-2,bob,u-bob\n');

before(async () => {
  s = await startServer({ args: ['--token-auth-file', TOKEN_FILE, '--authorization-mode=AlwaysAllow'] });
});
after(async () => { await s?.stop(); s?.cleanup(); rmSync(tmp, { recursive: true, force: true }); });

/** a request carrying only a bearer token (no client certificate) */
function withToken(method, path, token, body) {
  return request(s.url, method, path, body, token === undefined ? {} : { authorization: `Bearer ${token}` }, { ca: s.tls.ca });
}

async function whoami(token) {
  const r = await withToken('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', token, { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' });
  return r;
}

async function ok(argv, opts) {
  const r = await s.kubectl(argv, opts);
  assert.equal(r.code, 0, `kubectl ${argv.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** kubectl with a token only: the admin kubeconfig's client certificate would win otherwise */
function kubectlToken(argv, token) {
  const caFile = join(tmp, 'ca.crt');
  writeFileSync(caFile, s.tls.ca);
  // an empty kubeconfig of our own (not /dev/null: a tool that rewrites its kubeconfig must never touch that)
  const empty = join(tmp, 'empty.kubeconfig');
  writeFileSync(empty, '');
  return s.kubectl([`--kubeconfig=${empty}`, `--server=${s.url}`, `--certificate-authority=${caFile}`, `--token=${token}`, ...argv]);
}

function assertUnauthorized(r, what) {
  assert.equal(r.status, 401, `${what}: ${r.text}`);
  assert.equal(r.json?.reason, 'Unauthorized', what);
  assert.equal(r.json?.kind, 'Status', what);
}

test('kubectl auth whoami as admin (x509)', async () => {
  const out = await ok(['auth', 'whoami', '-o', 'json']);
  const ui = JSON.parse(out).status.userInfo;
  assert.equal(ui.username, 'kubernetes-admin');
  assert.ok(ui.groups.includes('system:masters'));
  assert.ok(ui.groups.includes('system:authenticated'));
});

test('token file users authenticate with their uid and groups; unknown tokens are 401', async () => {
  const r = await whoami('static-token-1');
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.status.userInfo, { username: 'alice', uid: 'u-alice', groups: ['dev', 'ops', 'system:authenticated'] });
  const k = await kubectlToken(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}'], 'static-token-2');
  assert.equal(k.code, 0, k.stderr);
  assert.equal(k.stdout, 'bob');
  assertUnauthorized(await whoami('static-token-3'), 'unknown static token');
  assertUnauthorized(await withToken('GET', '/api/v1/namespaces', 'nope'), 'unknown token on a list');
  const bad = await kubectlToken(['get', 'pods'], 'nope');
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /Unauthorized|provide credentials/);
});

test('bootstrap token: valid → system:bootstrap:<id>; wrong secret, expired, unknown → 401', async () => {
  const secret = (name, id, sec, extra = {}) => ({
    apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token',
    metadata: { name, namespace: 'kube-system' },
    stringData: { 'token-id': id, 'token-secret': sec, 'usage-bootstrap-authentication': 'true', 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token', ...extra },
  });
  await ok(['apply', '-f', '-'], { input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: [
    secret('bootstrap-token-abc123', 'abc123', '0123456789abcdef'),
    secret('bootstrap-token-old999', 'old999', '0123456789abcdef', { expiration: '2001-01-01T00:00:00Z' }),
  ] }) });
  let r;
  for (let i = 0; i < 20; i++) { r = await whoami('abc123.0123456789abcdef'); if (r.status === 201) break; await new Promise((res) => setTimeout(res, 100)); }
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json.status.userInfo, {
    username: 'system:bootstrap:abc123',
    groups: ['system:bootstrappers', 'system:bootstrappers:kubeadm:default-node-token', 'system:authenticated'],
  });
  assertUnauthorized(await whoami('abc123.ffffffffffffffff'), 'wrong bootstrap secret');
  assertUnauthorized(await whoami('old999.0123456789abcdef'), 'expired bootstrap token');
  assertUnauthorized(await whoami('zzz999.0123456789abcdef'), 'unknown bootstrap token');
});

test('TokenRequest bound to a pod: authenticates as the SA, 401 once the pod is deleted', async () => {
  await ok(['create', 'namespace', 'authn-e2e']);
  await ok(['-n', 'authn-e2e', 'create', 'serviceaccount', 'robot']);
  await ok(['-n', 'authn-e2e', 'run', 'web', '--image=nginx', '--overrides', JSON.stringify({ spec: { serviceAccountName: 'robot' } })]);
  const podUID = (await ok(['-n', 'authn-e2e', 'get', 'pod', 'web', '-o', 'jsonpath={.metadata.uid}'])).trim();
  const saUID = (await ok(['-n', 'authn-e2e', 'get', 'sa', 'robot', '-o', 'jsonpath={.metadata.uid}'])).trim();
  const token = (await ok(['-n', 'authn-e2e', 'create', 'token', 'robot', '--bound-object-kind', 'Pod', '--bound-object-name', 'web'])).trim();
  // claims as upstream
  const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());
  assert.equal(claims.iss, 'https://kubernetes.default.svc.cluster.local');
  assert.deepEqual(claims.aud, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal(claims.sub, 'system:serviceaccount:authn-e2e:robot');
  assert.equal(claims.exp - claims.iat, 3600);
  assert.deepEqual(claims['kubernetes.io'].pod, { name: 'web', uid: podUID });

  const k = await kubectlToken(['auth', 'whoami', '-o', 'json'], token);
  assert.equal(k.code, 0, k.stderr);
  const ui = JSON.parse(k.stdout).status.userInfo;
  assert.equal(ui.username, 'system:serviceaccount:authn-e2e:robot');
  assert.equal(ui.uid, saUID);
  assert.deepEqual(ui.groups, ['system:serviceaccounts', 'system:serviceaccounts:authn-e2e', 'system:authenticated']);
  assert.deepEqual(ui.extra['authentication.kubernetes.io/pod-name'], ['web']);
  assert.deepEqual(ui.extra['authentication.kubernetes.io/pod-uid'], [podUID]);
  // the token works for ordinary requests too
  assert.equal((await withToken('GET', '/api/v1/namespaces/authn-e2e/pods', token)).status, 200);

  await ok(['-n', 'authn-e2e', 'delete', 'pod', 'web', '--grace-period=0', '--force']);
  let r;
  for (let i = 0; i < 30; i++) { r = await whoami(token); if (r.status === 401) break; await new Promise((res) => setTimeout(res, 100)); }
  assertUnauthorized(r, 'token of a deleted pod');
  // a TokenReview says why
  const review = await s.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token } } });
  assert.equal(review.status, 201, review.text);
  assert.equal(review.json.status.authenticated, undefined);
  assert.equal(review.json.status.error, 'service account token has been invalidated');
});

test('TokenRequest validation: short expiry, missing pod, wrong SA, unknown kind', async () => {
  await ok(['-n', 'authn-e2e', 'create', 'serviceaccount', 'other']).catch(() => {});
  const post = (name, spec) => s.request('POST', `/api/v1/namespaces/authn-e2e/serviceaccounts/${name}/token`,
    { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec } });
  let r = await post('robot', { expirationSeconds: 599 });
  assert.equal(r.status, 422);
  assert.equal(r.json.message, 'TokenRequest.authentication.k8s.io "robot" is invalid: spec.expirationSeconds: Invalid value: 599: may not specify a duration less than 10 minutes');
  r = await post('nobody', {});
  assert.equal(r.status, 404);
  assert.equal(r.json.message, 'serviceaccounts "nobody" not found');
  r = await post('robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'gone' } });
  assert.equal(r.status, 404);
  assert.equal(r.json.message, 'pods "gone" not found');
  r = await post('robot', { boundObjectRef: { kind: 'ConfigMap', apiVersion: 'v1', name: 'x' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.message, 'cannot bind token to object of type /v1, Kind=ConfigMap');
  await ok(['-n', 'authn-e2e', 'run', 'db', '--image=redis', '--overrides', JSON.stringify({ spec: { serviceAccountName: 'robot' } })]);
  r = await post('other', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'db' } });
  assert.equal(r.status, 400);
  assert.equal(r.json.message, 'cannot bind token for serviceaccount "other" to pod running with serviceaccount "robot"');
  r = await post('robot', { boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'db', uid: 'not-the-uid' } });
  assert.equal(r.status, 409);
  r = await post('robot', { audiences: ['vault'], expirationSeconds: 600, boundObjectRef: { kind: 'Pod', apiVersion: 'v1', name: 'db' } });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.kind, 'TokenRequest');
  assert.deepEqual(r.json.spec.audiences, ['vault']);
  assert.match(r.json.status.expirationTimestamp, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
});

test('malformed, forged, expired-looking and wrong-audience tokens → 401; TokenReview reports audiences', async () => {
  const tr = await s.request('POST', '/api/v1/namespaces/authn-e2e/serviceaccounts/robot/token',
    { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { audiences: ['vault'] } } });
  assert.equal(tr.status, 201, tr.text);
  const vaultToken = tr.json.status.token;
  assertUnauthorized(await whoami(vaultToken), 'wrong audience');
  assertUnauthorized(await whoami('a.b.c'), 'malformed JWT');
  assertUnauthorized(await whoami('x'.repeat(40)), 'garbage');
  const [h, p, sig] = vaultToken.split('.');
  const claims = JSON.parse(Buffer.from(p, 'base64url').toString());
  const forged = Buffer.from(JSON.stringify({ ...claims, aud: ['https://kubernetes.default.svc.cluster.local'], exp: 1 })).toString('base64url');
  assertUnauthorized(await whoami(`${h}.${forged}.${sig}`), 'tampered token');

  const review = async (token, audiences) => (await s.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', {
    body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: { token, ...(audiences ? { audiences } : {}) } },
  })).json;
  const good = await review(vaultToken, ['vault']);
  assert.equal(good.status.authenticated, true);
  assert.deepEqual(good.status.audiences, ['vault']);
  assert.equal(good.status.user.username, 'system:serviceaccount:authn-e2e:robot');
  const wrong = await review(vaultToken);
  assert.equal(wrong.status.authenticated, undefined);
  assert.equal(wrong.status.error, 'token audiences ["vault"] is invalid for the target audiences ["https://kubernetes.default.svc.cluster.local"]');
  const stat = await review('static-token-1');
  assert.equal(stat.status.user.username, 'alice');
  assert.deepEqual(stat.status.audiences, ['https://kubernetes.default.svc.cluster.local']);
  assert.equal((await review('nope')).status.error, 'invalid bearer token');
  const empty = await s.request('POST', '/apis/authentication.k8s.io/v1/tokenreviews', { body: { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenReview', spec: {} } });
  assert.equal(empty.status, 400);
  assert.equal(empty.json.message, 'token is required for TokenReview in authentication');
});

test('impersonation: --as / --as-group (and a service account) with AlwaysAllow', async () => {
  const out = JSON.parse(await ok(['auth', 'whoami', '--as', 'jane', '--as-group', 'team-a', '--as-group', 'team-b', '-o', 'json']));
  assert.deepEqual(out.status.userInfo, { username: 'jane', groups: ['team-a', 'team-b', 'system:authenticated'] });
  const sa = JSON.parse(await ok(['auth', 'whoami', '--as', 'system:serviceaccount:authn-e2e:robot', '-o', 'json']));
  assert.deepEqual(sa.status.userInfo.groups, ['system:serviceaccounts', 'system:serviceaccounts:authn-e2e', 'system:authenticated']);
  const uid = JSON.parse(await ok(['auth', 'whoami', '--as', 'jane', '--as-uid', '42', '-o', 'json']));
  assert.equal(uid.status.userInfo.uid, '42');
  // a token user impersonating works the same way
  const r = await request(s.url, 'POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' },
    { authorization: 'Bearer static-token-1', 'impersonate-user': 'carol' }, { ca: s.tls.ca });
  assert.equal(r.json.status.userInfo.username, 'carol');
});

test('OIDC discovery: openid-configuration and a JWKS that verifies issued tokens', async () => {
  const cfg = await s.request('GET', '/.well-known/openid-configuration');
  assert.equal(cfg.status, 200);
  assert.match(cfg.headers['content-type'], /^application\/json/);
  assert.equal(cfg.json.issuer, 'https://kubernetes.default.svc.cluster.local');
  assert.match(cfg.json.jwks_uri, /^https:\/\/.+:\d+\/openid\/v1\/jwks$/);
  assert.deepEqual(cfg.json.id_token_signing_alg_values_supported, ['RS256']);
  assert.deepEqual(cfg.json.response_types_supported, ['id_token']);
  assert.deepEqual(cfg.json.subject_types_supported, ['public']);
  const jwks = await s.request('GET', '/openid/v1/jwks');
  assert.equal(jwks.status, 200);
  assert.equal(jwks.headers['content-type'], 'application/jwk-set+json');
  assert.equal(jwks.json.keys.length, 1);
  const jwk = jwks.json.keys[0];
  assert.equal(jwk.d, undefined);
  const token = (await ok(['-n', 'authn-e2e', 'create', 'token', 'robot'])).trim();
  const [h, p, sig] = token.split('.');
  assert.equal(JSON.parse(Buffer.from(h, 'base64url').toString()).kid, jwk.kid);
  const v = createVerify('RSA-SHA256');
  v.update(`${h}.${p}`);
  assert.ok(v.verify(createPublicKey({ key: jwk, format: 'jwk' }), Buffer.from(sig, 'base64url')), 'JWKS key verifies the token');
});

test('a bad --token-auth-file stops the server with a clear error', async () => {
  const bad = join(tmp, 'bad.csv');
  writeFileSync(bad, 'only,two\n');
  await assert.rejects(() => startServer({ args: ['--token-auth-file', bad], dataDir: join(tmp, 'bad-data') }), /must have at least 3 columns/);
});
