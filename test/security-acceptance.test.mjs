// The security issue's acceptance checks that cut across components: a user made with
// `kumo kubeconfig` and given a Role can do exactly what the Role grants; expired and foreign
// certificates are 401; the front proxy authenticates users through request headers.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, KUMO } from './harness.mjs';

let s;
const tmp = mkdtempSync(join(tmpdir(), 'kumo-sec-'));
before(async () => { s = await startServer(); });
after(async () => { await s?.stop(); s?.cleanup(); rmSync(tmp, { recursive: true, force: true }); });

async function pki() {
  return import(new URL('../dist/pki/index.js', import.meta.url).href);
}

async function ok(argv, opts) {
  const r = await s.kubectl(argv, opts);
  assert.equal(r.code, 0, `kubectl ${argv.join(' ')}: ${r.stderr}`);
  return r.stdout;
}

test('a kubeconfig from `kumo kubeconfig` with a Role works for exactly what the Role grants', async () => {
  const kc = join(tmp, 'jane.kubeconfig');
  execFileSync(process.execPath, [KUMO, 'kubeconfig', '--dir', s.dir, '--kind', 'user', '--username', 'jane', '--server', s.url, '--out', kc], { stdio: 'pipe' });
  await ok(['create', 'ns', 'team']);
  await ok(['-n', 'team', 'create', 'role', 'cm-reader', '--verb=get,list,watch', '--resource=configmaps']);
  await ok(['-n', 'team', 'create', 'rolebinding', 'jane-reads', '--role=cm-reader', '--user=jane']);
  await ok(['-n', 'team', 'create', 'configmap', 'shared', '--from-literal=a=b']);
  const as = (argv) => s.kubectl(argv, { env: { KUBECONFIG: kc } });
  const whoami = await as(['auth', 'whoami', '-o', 'jsonpath={.status.userInfo.username}']);
  assert.equal(whoami.stdout, 'jane', whoami.stderr);
  const list = await as(['-n', 'team', 'get', 'cm', 'shared', '-o', 'name']);
  assert.equal(list.code, 0, list.stderr);
  assert.equal(list.stdout.trim(), 'configmap/shared');
  const cases = [
    [['-n', 'team', 'get', 'secrets'], /secrets is forbidden: User "jane" cannot list resource "secrets" in API group "" in the namespace "team"/],
    [['-n', 'default', 'get', 'cm'], /configmaps is forbidden: User "jane" cannot list resource "configmaps" in API group "" in the namespace "default"/],
    [['-n', 'team', 'create', 'cm', 'mine'], /configmaps is forbidden: User "jane" cannot create resource "configmaps"/],
    [['-n', 'team', 'delete', 'cm', 'shared'], /configmaps "shared" is forbidden: User "jane" cannot delete resource "configmaps"/],
  ];
  for (const [argv, re] of cases) {
    const r = await as(argv);
    assert.equal(r.code, 1, `${argv.join(' ')} should be refused`);
    assert.match(r.stderr, re);
  }
  assert.equal((await as(['auth', 'can-i', 'list', 'configmaps', '-n', 'team'])).stdout.trim(), 'yes');
  assert.equal((await as(['auth', 'can-i', 'create', 'configmaps', '-n', 'team'])).stdout.trim(), 'no');
  // nothing was changed by the refused writes
  const names = await ok(['-n', 'team', 'get', 'cm', '-o', 'name']);
  assert.ok(names.includes('configmap/shared') && !names.includes('configmap/mine'));
});

test('an expired client certificate and one from another CA are 401', async () => {
  const { loadCASigner, issueCertificate, createCA } = await pki();
  const ca = { certPem: readFileSync(join(s.dir, 'pki', 'ca.crt'), 'utf8'), keyPem: readFileSync(join(s.dir, 'pki', 'ca.key'), 'utf8') };
  const signer = await loadCASigner(ca);
  const twoYearsAgo = new Date(Date.now() - 2 * 365 * 86400_000);
  const expired = await issueCertificate(signer, { commonName: 'old-user', usages: ['client'], days: 30 }, twoYearsAgo);
  const foreignCA = await createCA('someone-else');
  const foreign = await issueCertificate(foreignCA, { commonName: 'intruder', organizations: ['system:masters'], usages: ['client'], days: 30 });
  for (const c of [expired, foreign]) {
    const r = await s.request('GET', '/api/v1/namespaces', { tls: { ca: s.tls.ca, cert: c.certPem, key: c.keyPem } });
    assert.equal(r.status, 401, r.text);
    assert.equal(r.json.reason, 'Unauthorized');
  }
});

test('request-header (front proxy) authentication', async () => {
  const proxy = {
    ca: s.tls.ca,
    cert: readFileSync(join(s.dir, 'pki', 'front-proxy-client.crt')),
    key: readFileSync(join(s.dir, 'pki', 'front-proxy-client.key')),
  };
  const body = { apiVersion: 'authentication.k8s.io/v1', kind: 'SelfSubjectReview' };
  const r = await s.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', {
    body, tls: proxy, headers: { 'x-remote-user': 'alice', 'x-remote-group': 'devs', 'x-remote-extra-scopes': 'read' },
  });
  assert.equal(r.status, 201, r.text);
  assert.equal(r.json.status.userInfo.username, 'alice');
  assert.deepEqual(r.json.status.userInfo.groups, ['devs', 'system:authenticated']);
  assert.deepEqual(r.json.status.userInfo.extra, { scopes: ['read'] });
  // the proxy's own certificate is no user: without the headers it is a 401
  const bare = await s.request('GET', '/api/v1/namespaces', { tls: proxy });
  assert.equal(bare.status, 401, bare.text);
  // a front-proxy-CA certificate with another name is not the allowed proxy
  const { loadCASigner, issueCertificate } = await pki();
  const fp = await loadCASigner({ certPem: readFileSync(join(s.dir, 'pki', 'front-proxy-ca.crt'), 'utf8'), keyPem: readFileSync(join(s.dir, 'pki', 'front-proxy-ca.key'), 'utf8') });
  const other = await issueCertificate(fp, { commonName: 'not-the-proxy', usages: ['client'], days: 1 });
  const denied = await s.request('GET', '/api/v1/namespaces', { tls: { ca: s.tls.ca, cert: other.certPem, key: other.keyPem }, headers: { 'x-remote-user': 'mallory', 'x-remote-group': 'system:masters' } });
  assert.equal(denied.status, 401, denied.text);
  // headers sent with a normal client certificate are ignored: the certificate's user counts
  const admin = await s.request('POST', '/apis/authentication.k8s.io/v1/selfsubjectreviews', { body, headers: { 'x-remote-user': 'mallory' } });
  assert.equal(admin.json.status.userInfo.username, 'kubernetes-admin');
});
