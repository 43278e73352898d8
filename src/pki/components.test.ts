import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { componentCertificates, kubeconfigCertificate, userFileName, type ComponentKind } from './components.js';
import { initPKI, issueComponent } from './issue.js';
import { pkiPaths } from './cluster.js';
import { subjectAltNames, subjectOf } from './inspect.js';

const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const DAY = 86400000;

async function tempDataDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kumo-pki-comp-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const exists = async (p: string) => stat(p).then(() => true, () => false);
const mode = async (p: string) => (await stat(p)).mode & 0o777;

test('init creates the three CAs and the service-account key, and is idempotent', async (t) => {
  const dir = await tempDataDir(t);
  const changes = await initPKI(dir);
  assert.equal(changes.length, 4, changes.join('\n'));
  const p = pkiPaths(dir);
  const etcdCA = join(p.dir, 'etcd', 'ca.crt');
  for (const [file, cn] of [[p.caCert, 'kubernetes'], [p.frontProxyCACert, 'front-proxy-ca'], [etcdCA, 'etcd-ca']] as const) {
    const c = new X509Certificate(await readFile(file, 'utf8'));
    assert.ok(c.ca, file);
    assert.equal(c.subject, `CN=${cn}`);
    assert.equal(c.issuer, `CN=${cn}`, 'self-signed');
  }
  assert.equal(await mode(join(p.dir, 'etcd', 'ca.key')), 0o600);
  assert.equal(await mode(join(p.dir, 'etcd')), 0o700);
  assert.ok(await exists(p.serviceAccountPub));
  const before = await readFile(p.caCert, 'utf8');
  assert.deepEqual(await initPKI(dir), [], 'second init changes nothing');
  assert.equal(await readFile(p.caCert, 'utf8'), before, 'never replaces an existing CA');
  // leaves are not init's business
  assert.equal(await exists(p.apiserverCert), false);
});

test('init refuses a half-present CA and writes nothing', async (t) => {
  const dir = await tempDataDir(t);
  await initPKI(dir);
  const p = pkiPaths(dir);
  await unlink(p.frontProxyCAKey);
  await unlink(join(p.dir, 'etcd', 'ca.crt'));
  await unlink(join(p.dir, 'etcd', 'ca.key'));
  await assert.rejects(initPKI(dir), /front-proxy-ca\.crt exists but .*front-proxy-ca\.key is missing/);
  assert.equal(await exists(join(p.dir, 'etcd', 'ca.crt')), false, 'the etcd CA was not recreated by a failed init');
});

test('init refuses a damaged CA and a lone sa.pub', async (t) => {
  const dir = await tempDataDir(t);
  await initPKI(dir);
  const p = pkiPaths(dir);
  await writeFile(p.caCert, 'not a certificate');
  await assert.rejects(initPKI(dir), /ca\.crt/);
  const dir2 = await tempDataDir(t);
  await initPKI(dir2);
  const p2 = pkiPaths(dir2);
  await unlink(p2.serviceAccountKey);
  await assert.rejects(initPKI(dir2), /sa\.pub exists but .*sa\.key is missing/);
});

test('issue without init says to run init and writes nothing', async (t) => {
  const dir = await tempDataDir(t);
  await assert.rejects(issueComponent(dir, 'scheduler', {}), /run 'kumo pki init --dir .*' first/);
  assert.equal(await exists(join(dir, 'pki', 'scheduler.crt')), false);
});

interface Want {
  file: string;
  subject: string;
  issuer: string;
  usages: string[];
  dns?: string[];
  ips?: string[];
}

const cases: { kind: ComponentKind; opts?: Parameters<typeof issueComponent>[2]; want: Want[] }[] = [
  {
    kind: 'apiserver',
    opts: { serviceIP: '10.96.0.1', hostnames: ['api.example.com', '10.0.0.9'], ips: ['192.168.1.2'] },
    want: [{
      file: 'apiserver.crt', subject: 'CN=kube-apiserver', issuer: 'CN=kubernetes', usages: [SERVER_AUTH],
      dns: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost', 'api.example.com'],
      ips: ['127.0.0.1', '::1', '10.96.0.1', '10.0.0.9', '192.168.1.2'],
    }],
  },
  {
    kind: 'kubelet',
    opts: { nodeName: 'node-1', ips: ['10.0.0.5'], hostnames: ['node-1.example.com'] },
    want: [
      { file: 'kubelet/node-1/kubelet-client.crt', subject: 'O=system:nodes\nCN=system:node:node-1', issuer: 'CN=kubernetes', usages: [CLIENT_AUTH], dns: [], ips: [] },
      { file: 'kubelet/node-1/kubelet.crt', subject: 'O=system:nodes\nCN=system:node:node-1', issuer: 'CN=kubernetes', usages: [SERVER_AUTH], dns: ['node-1', 'node-1.example.com'], ips: ['10.0.0.5'] },
    ],
  },
  { kind: 'scheduler', want: [{ file: 'scheduler.crt', subject: 'CN=system:kube-scheduler', issuer: 'CN=kubernetes', usages: [CLIENT_AUTH] }] },
  { kind: 'controller-manager', want: [{ file: 'controller-manager.crt', subject: 'CN=system:kube-controller-manager', issuer: 'CN=kubernetes', usages: [CLIENT_AUTH] }] },
  { kind: 'proxy', want: [{ file: 'kube-proxy.crt', subject: 'CN=system:kube-proxy', issuer: 'CN=kubernetes', usages: [CLIENT_AUTH] }] },
  { kind: 'admin', want: [{ file: 'admin.crt', subject: 'O=system:masters\nCN=kubernetes-admin', issuer: 'CN=kubernetes', usages: [CLIENT_AUTH] }] },
  {
    kind: 'apiserver-kubelet-client',
    want: [{ file: 'apiserver-kubelet-client.crt', subject: 'O=system:masters\nCN=kube-apiserver-kubelet-client', issuer: 'CN=kubernetes', usages: [CLIENT_AUTH] }],
  },
  {
    kind: 'etcd-server',
    opts: { nodeName: 'cp-1', ips: ['10.0.0.2'] },
    want: [{ file: 'etcd/server.crt', subject: 'CN=cp-1', issuer: 'CN=etcd-ca', usages: [SERVER_AUTH, CLIENT_AUTH], dns: ['cp-1', 'localhost'], ips: ['127.0.0.1', '::1', '10.0.0.2'] }],
  },
  {
    kind: 'etcd-peer',
    opts: { nodeName: 'cp-1', ips: ['10.0.0.2'] },
    want: [{ file: 'etcd/peer.crt', subject: 'CN=cp-1', issuer: 'CN=etcd-ca', usages: [SERVER_AUTH, CLIENT_AUTH], dns: ['cp-1', 'localhost'], ips: ['127.0.0.1', '::1', '10.0.0.2'] }],
  },
  {
    kind: 'etcd-client',
    want: [{ file: 'apiserver-etcd-client.crt', subject: 'O=system:masters\nCN=kube-apiserver-etcd-client', issuer: 'CN=etcd-ca', usages: [CLIENT_AUTH] }],
  },
  { kind: 'front-proxy-client', want: [{ file: 'front-proxy-client.crt', subject: 'CN=front-proxy-client', issuer: 'CN=front-proxy-ca', usages: [CLIENT_AUTH] }] },
  {
    kind: 'user',
    opts: { userName: 'jane@example.com', groups: ['dev', 'ops'] },
    want: [{ file: 'users/jane@example%2Ecom.crt', subject: 'O=dev\nO=ops\nCN=jane@example.com', issuer: 'CN=kubernetes', usages: [CLIENT_AUTH] }],
  },
];

test('each identity has upstream subject, SANs, usages and issuing CA', async (t) => {
  const dir = await tempDataDir(t);
  await initPKI(dir);
  const pki = join(dir, 'pki');
  const caOf = async (issuer: string) => {
    const file = { 'CN=kubernetes': 'ca.crt', 'CN=etcd-ca': 'etcd/ca.crt', 'CN=front-proxy-ca': 'front-proxy-ca.crt' }[issuer]!;
    return new X509Certificate(await readFile(join(pki, file), 'utf8'));
  };
  const others = [await caOf('CN=kubernetes'), await caOf('CN=etcd-ca'), await caOf('CN=front-proxy-ca')];
  for (const c of cases) {
    await t.test(c.kind, async () => {
      const issued = await issueComponent(dir, c.kind, c.opts ?? {}, { force: true });
      assert.deepEqual(issued.map((i) => i.certPath), c.want.map((w) => join(pki, w.file)));
      for (const w of c.want) {
        const pem = await readFile(join(pki, w.file), 'utf8');
        const cert = new X509Certificate(pem);
        assert.equal(cert.subject, w.subject, w.file);
        assert.equal(cert.issuer, w.issuer, w.file);
        assert.equal(cert.ca, false);
        const ca = await caOf(w.issuer);
        assert.ok(cert.verify(ca.publicKey), `${w.file} is signed by ${w.issuer}`);
        for (const o of others) if (o !== ca && o.subject !== ca.subject) assert.equal(cert.verify(o.publicKey), false, `${w.file} not signed by ${o.subject}`);
        assert.deepEqual([...(cert.keyUsage ?? [])].sort(), [...w.usages].sort(), `${w.file} usages`);
        if (w.dns || w.ips) assert.deepEqual(subjectAltNames(pem), { dnsNames: w.dns ?? [], ipAddresses: w.ips ?? [] }, `${w.file} SANs`);
        assert.equal(await mode(join(pki, w.file.replace(/\.crt$/, '.key'))), 0o600);
        const days = (Date.parse(cert.validTo) - Date.now()) / DAY;
        assert.ok(days > 364 && days <= 365, `${w.file} valid ~365 days, got ${days}`);
      }
    });
  }
});

test('issue re-issues by default, keeps a fitting pair when asked, and honours --days', async (t) => {
  const dir = await tempDataDir(t);
  await initPKI(dir);
  const [a] = await issueComponent(dir, 'scheduler', { days: 10 });
  const days = (Date.parse(new X509Certificate(a.certPem).validTo) - Date.now()) / DAY;
  assert.ok(days > 9.9 && days <= 10, `10 days, got ${days}`);
  const [b] = await issueComponent(dir, 'scheduler', {}, { force: true });
  assert.notEqual(b.certPem, a.certPem);
  const [c] = await issueComponent(dir, 'scheduler', {}, { force: false });
  assert.equal(c.certPem, b.certPem);
  assert.equal(c.kept, true);
  // a user whose groups changed gets a new certificate even without force
  const [u1] = await issueComponent(dir, 'user', { userName: 'bob', groups: ['a'] }, { force: false });
  const [u2] = await issueComponent(dir, 'user', { userName: 'bob', groups: ['a', 'b'] }, { force: false });
  assert.equal(u2.kept, false);
  assert.notEqual(u1.certPem, u2.certPem);
  assert.deepEqual(subjectOf(u2.certPem).organizations, ['a', 'b']);
});

test('bad input is rejected before anything is written', async (t) => {
  const dir = await tempDataDir(t);
  await initPKI(dir);
  const listing = async () => (await readdir(join(dir, 'pki'), { recursive: true })).sort();
  const before = await listing();
  await assert.rejects(issueComponent(dir, 'kubelet', {}), /node name is required/);
  await assert.rejects(issueComponent(dir, 'kubelet', { nodeName: 'Node_1' }), /invalid node name/);
  await assert.rejects(issueComponent(dir, 'kubelet', { nodeName: 'n1', ips: ['10.0.0.300'] }), /invalid IP address/);
  await assert.rejects(issueComponent(dir, 'etcd-server', { nodeName: 'n1', hostnames: ['bad name'] }), /invalid DNS name/);
  await assert.rejects(issueComponent(dir, 'apiserver', {}), /service IP/);
  await assert.rejects(issueComponent(dir, 'user', {}), /user name is required/);
  await assert.rejects(issueComponent(dir, 'user', { userName: 'x', groups: [''] }), /group names must not be empty/);
  await assert.rejects(issueComponent(dir, 'scheduler', { days: 0 }), /positive/);
  await assert.rejects(issueComponent(dir, 'nonsense' as ComponentKind, {}), /unknown certificate kind "nonsense"/);
  assert.deepEqual(await listing(), before);
});

test('kubeconfig certificates are the client halves', () => {
  assert.equal(kubeconfigCertificate('/d', 'kubelet', { nodeName: 'n1' }).spec.certPath, '/d/pki/kubelet/n1/kubelet-client.crt');
  assert.equal(kubeconfigCertificate('/d', 'admin').spec.commonName, 'kubernetes-admin');
  assert.throws(() => kubeconfigCertificate('/d', 'etcd-server' as never, { nodeName: 'n1' }), /unknown kubeconfig kind/);
  assert.equal(componentCertificates('/d', 'user', { userName: 'system:serviceaccount:ns:sa' })[0].spec.certPath, '/d/pki/users/system%3Aserviceaccount%3Ans%3Asa.crt');
});

test('user file names are distinct and path-safe', () => {
  assert.equal(userFileName('../../etc/passwd'), '%2E%2E%2F%2E%2E%2Fetc%2Fpasswd');
  assert.notEqual(userFileName('a:b'), userFileName('a_b'));
  assert.notEqual(userFileName('a:b'), userFileName('a%3Ab'));
  assert.equal(userFileName('zoë'), 'zo%C3%AB');
});
