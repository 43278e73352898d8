// Certificates API end to end: a new user's CSR (made with openssl) is created with kubectl,
// approved with `kubectl certificate approve` (kubectl 1.28 and 1.33), signed by the in-server
// controller, and the certificate authenticates — RBAC still forbids what is not bound. Deny,
// CertificateSubjectRestriction for system:masters, and a bad request PEM → 422.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer } from './harness.mjs';

let s;

before(async () => { s = await startServer({ args: ['--authorization-mode=Node,RBAC'] }); });
after(async () => { await s?.stop(); s?.cleanup(); });

/** a fresh EC key and PKCS#10 request for `subj` (openssl -subj form) */
function opensslCSR(name, subj) {
  const key = join(s.dir, `${name}.key`);
  execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
  const csr = execFileSync('openssl', ['req', '-new', '-key', key, '-subj', subj], { encoding: 'utf8' });
  return { keyPem: readFileSync(key, 'utf8'), csrPem: csr };
}

const csrYAML = (name, pem, signer = 'kubernetes.io/kube-apiserver-client', usages = ['client auth'], extra = '') => `
apiVersion: certificates.k8s.io/v1
kind: CertificateSigningRequest
metadata: {name: ${name}}
spec:
  request: ${Buffer.from(pem).toString('base64')}
  signerName: ${signer}
  usages: [${usages.map((u) => JSON.stringify(u)).join(', ')}]
${extra}`;

async function ok(argv, opts) {
  const r = await s.kubectl(argv, opts);
  assert.equal(r.code, 0, `kubectl ${argv.join(' ')} failed:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

async function getCSR(name) {
  return JSON.parse(await ok(['get', 'csr', name, '-o', 'json']));
}

async function waitFor(name, pred, ms = 10_000) {
  const until = Date.now() + ms;
  for (;;) {
    const c = await getCSR(name);
    if (pred(c)) return c;
    if (Date.now() > until) assert.fail(`CSR ${name} never reached the state: ${JSON.stringify(c.status)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

for (const minor of ['28', '33']) {
  test(`kubectl 1.${minor}: approve issues a certificate that authenticates as the new user`, async () => {
    const user = `jane${minor}`;
    const { keyPem, csrPem } = opensslCSR(user, `/CN=${user}/O=dev`);
    await ok(['apply', '-f', '-'], { input: csrYAML(user, csrPem, undefined, ['client auth'], '  expirationSeconds: 3600') });
    const created = await getCSR(user);
    assert.equal(created.spec.username, 'kubernetes-admin', 'the requester is recorded');
    assert.equal(created.status.certificate, undefined);
    const out = await ok(['certificate', 'approve', user], { minor });
    assert.match(out, new RegExp(`certificatesigningrequest.certificates.k8s.io/${user} approved`));
    const c = await waitFor(user, (x) => x.status?.certificate);
    const approved = c.status.conditions.find((x) => x.type === 'Approved');
    assert.equal(approved.status, 'True');
    assert.equal(approved.reason, 'KubectlApprove');
    assert.ok(approved.lastUpdateTime);
    const certPem = Buffer.from(c.status.certificate, 'base64').toString();
    const info = execFileSync('openssl', ['x509', '-noout', '-subject', '-enddate'], { input: certPem, encoding: 'utf8' });
    assert.match(info, new RegExp(`CN ?= ?${user}`));
    const notAfter = Date.parse(/notAfter=(.*)/.exec(info)[1]);
    assert.ok(notAfter - Date.now() <= 3600_000 + 5000 && notAfter - Date.now() > 3000_000, 'expirationSeconds honoured');
    const listing = await ok(['get', 'csr', user]);
    assert.match(listing, /Approved,Issued/);

    // a kubeconfig from the issued certificate
    const kc = join(s.dir, `${user}.kubeconfig`);
    const b64 = (x) => Buffer.from(x).toString('base64');
    writeFileSync(kc, `apiVersion: v1
kind: Config
clusters: [{name: kumo, cluster: {server: ${s.url}, certificate-authority-data: ${b64(s.tls.ca)}}}]
users: [{name: ${user}, user: {client-certificate-data: ${b64(certPem)}, client-key-data: ${b64(keyPem)}}}]
contexts: [{name: ${user}, context: {cluster: kumo, user: ${user}}}]
current-context: ${user}
`, { mode: 0o600 });
    const who = await s.kubectl(['auth', 'whoami', '-o', 'json'], { env: { KUBECONFIG: kc } });
    assert.equal(who.code, 0, who.stderr);
    const ui = JSON.parse(who.stdout).status.userInfo;
    assert.equal(ui.username, user);
    assert.ok(ui.groups.includes('dev'));
    const denied = await s.kubectl(['get', 'pods', '-n', 'default'], { env: { KUBECONFIG: kc } });
    assert.notEqual(denied.code, 0);
    assert.match(denied.stderr, new RegExp(`User "${user}" cannot list resource "pods" in API group "" in the namespace "default"`));
    await ok(['create', 'rolebinding', `${user}-view`, '--clusterrole=view', `--user=${user}`, '-n', 'default']);
    let allowed;
    for (let i = 0; i < 20; i++) {
      allowed = await s.kubectl(['get', 'pods', '-n', 'default'], { env: { KUBECONFIG: kc } });
      if (allowed.code === 0) break;
      await new Promise((r) => setTimeout(r, 200));
    }
    assert.equal(allowed.code, 0, allowed.stderr);

    // the new user may not approve anything
    const self = await s.kubectl(['certificate', 'approve', user, '--force'], { env: { KUBECONFIG: kc }, minor });
    assert.notEqual(self.code, 0);
  });
}

test('deny: the CSR is Denied, never signed, and cannot be approved afterwards', async () => {
  const { csrPem } = opensslCSR('mallory', '/CN=mallory');
  await ok(['create', '-f', '-'], { input: csrYAML('mallory', csrPem) });
  assert.match(await ok(['certificate', 'deny', 'mallory']), /denied/);
  const c = await getCSR('mallory');
  const d = c.status.conditions.find((x) => x.type === 'Denied');
  assert.equal(d.reason, 'KubectlDeny');
  await new Promise((r) => setTimeout(r, 500));
  assert.equal((await getCSR('mallory')).status.certificate, undefined);
  // kubectl refuses to approve a denied CSR; the API refuses it too
  const k = await s.kubectl(['certificate', 'approve', 'mallory']);
  assert.notEqual(k.code, 0);
  c.status.conditions.push({ type: 'Approved', status: 'True', reason: 'Sneaky', message: 'x' });
  const r = await s.request('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/mallory/approval', { body: c });
  assert.equal(r.status, 422);
  assert.match(r.json.message, /status.conditions\[1\].type: Invalid value: "Approved": Approved and Denied conditions are mutually exclusive/);
  // nor can the Denied condition be removed
  c.status.conditions = [];
  const rm = await s.request('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/mallory/approval', { body: c });
  assert.equal(rm.status, 422);
  assert.match(rm.json.message, /updates may not remove a condition of type "Denied"/);
});

test('the status subresource cannot approve; the main resource keeps status', async () => {
  const { csrPem } = opensslCSR('sneaky', '/CN=sneaky');
  await ok(['create', '-f', '-'], { input: csrYAML('sneaky', csrPem) });
  const c = await getCSR('sneaky');
  c.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'X', message: 'x' }] };
  const viaStatus = await s.request('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/sneaky/status', { body: c });
  assert.equal(viaStatus.status, 200);
  assert.equal(viaStatus.json.status.conditions, undefined);
  const viaMain = await s.request('PUT', '/apis/certificates.k8s.io/v1/certificatesigningrequests/sneaky', { body: { ...c, metadata: { name: 'sneaky' } } });
  assert.equal(viaMain.status, 200);
  assert.deepEqual(viaMain.json.status, {});
  assert.equal((await getCSR('sneaky')).status.certificate, undefined);
});

test('node client CSR that breaks the kubelet signer rules gets a Failed condition', async () => {
  const { csrPem } = opensslCSR('badnode', '/CN=not-a-node/O=system:nodes');
  await ok(['create', '-f', '-'], { input: csrYAML('badnode', csrPem, 'kubernetes.io/kube-apiserver-client-kubelet', ['digital signature', 'client auth']) });
  await ok(['certificate', 'approve', 'badnode']);
  const c = await waitFor('badnode', (x) => x.status?.conditions?.some((k) => k.type === 'Failed'));
  const f = c.status.conditions.find((k) => k.type === 'Failed');
  assert.equal(f.reason, 'SignerValidationFailure');
  assert.equal(f.message, 'subject common name does not begin with system:node:');
  assert.equal(c.status.certificate, undefined);
});

test('a system:masters CSR for kube-apiserver-client is refused', async () => {
  const { csrPem } = opensslCSR('root', '/CN=root/O=system:masters');
  const r = await s.kubectl(['create', '-f', '-'], { input: csrYAML('root', csrPem) });
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /use of kubernetes.io\/kube-apiserver-client signer with system:masters group is not allowed/);
});

test('bad requests are 422', async () => {
  const body = (request, extra = {}) => ({ apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'bad' },
    spec: { request: Buffer.from(request).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'], ...extra } });
  const post = (b) => s.request('POST', '/apis/certificates.k8s.io/v1/certificatesigningrequests', { body: b });
  let r = await post(body('not a pem'));
  assert.equal(r.status, 422);
  assert.match(r.json.message, /spec.request: Invalid value: .*PEM block type must be CERTIFICATE REQUEST/);
  r = await post(body('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'));
  assert.equal(r.status, 422);
  const { csrPem } = opensslCSR('short', '/CN=short');
  r = await post(body(csrPem, { expirationSeconds: 60 }));
  assert.equal(r.status, 422);
  assert.match(r.json.message, /spec.expirationSeconds/);
  r = await post(body(csrPem, { signerName: 'nodomain' }));
  assert.equal(r.status, 422);
  r = await post(body(csrPem, { usages: ['bogus'] }));
  assert.equal(r.status, 422);
  assert.match(r.json.message, /Unsupported value: "bogus"/);
});

test('approving needs `approve` on the signer (CertificateApproval), by name or domain/*', async () => {
  const { issueCertificate } = await import(join(process.cwd(), 'dist/pki/index.js'));
  const ca = { certPem: readFileSync(join(s.dir, 'pki/ca.crt'), 'utf8'), keyPem: readFileSync(join(s.dir, 'pki/ca.key'), 'utf8') };
  const cert = await issueCertificate(ca, { commonName: 'approver', usages: ['client'], days: 1 });
  const tls = { ca: s.tls.ca, cert: Buffer.from(cert.certPem), key: Buffer.from(cert.keyPem) };
  await ok(['create', 'clusterrole', 'csr-approval', '--verb=get,list,update', '--resource=certificatesigningrequests,certificatesigningrequests/approval']);
  await ok(['create', 'clusterrolebinding', 'approver-csr', '--clusterrole=csr-approval', '--user=approver']);
  const { csrPem } = opensslCSR('pending', '/CN=pending');
  await ok(['create', '-f', '-'], { input: csrYAML('pending', csrPem) });
  const c = await getCSR('pending');
  c.status = { conditions: [{ type: 'Approved', status: 'True', reason: 'R', message: 'm' }] };
  const path = '/apis/certificates.k8s.io/v1/certificatesigningrequests/pending/approval';
  let r;
  for (let i = 0; i < 20; i++) {
    r = await s.request('PUT', path, { body: c, tls });
    if (r.status !== 403 || /user not permitted/.test(r.json?.message ?? '')) break;
    await new Promise((res) => setTimeout(res, 200)); // RBAC cache catching up with the binding
  }
  assert.equal(r.status, 403);
  assert.equal(r.json.message, 'certificatesigningrequests.certificates.k8s.io "pending" is forbidden: user not permitted to approve requests with signerName "kubernetes.io/kube-apiserver-client"');
  // signers is not a served resource, so the rule is applied as YAML (kubectl create clusterrole checks discovery)
  await ok(['apply', '-f', '-'], { input: `
apiVersion: rbac.authorization.k8s.io/v1
kind: ClusterRole
metadata: {name: signer-approver}
rules: [{apiGroups: [certificates.k8s.io], resources: [signers], verbs: [approve], resourceNames: ['kubernetes.io/*']}]
` });
  await ok(['create', 'clusterrolebinding', 'approver-signer', '--clusterrole=signer-approver', '--user=approver']);
  for (let i = 0; i < 20; i++) {
    r = await s.request('PUT', path, { body: c, tls });
    if (r.status === 200) break;
    await new Promise((res) => setTimeout(res, 200));
  }
  assert.equal(r.status, 200, r.text);
  await waitFor('pending', (x) => x.status?.certificate);
});
