import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, createPublicKey } from 'node:crypto';
import { chmod, mkdtemp, readFile, rm, stat, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { createCA } from './ca.js';
import { issueCertificate } from './certs.js';
import { apiserverSANs, ensureServerPKI, pkiPaths, writeAdminKubeconfig, type ServerPKIOptions } from './cluster.js';
import { subjectAltNames, subjectOf } from './inspect.js';

const DAY = 86400000;
const base: ServerPKIOptions = { hostnames: ['node-a'], ips: ['192.168.1.10'], serviceIP: '10.96.0.1' };

async function tempDataDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'kumo-pki-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

const mode = async (p: string) => (await stat(p)).mode & 0o777;
const serial = (pem: string) => new X509Certificate(pem).serialNumber;

test('first start creates the whole layout with private modes and the right identities', async (t) => {
  const dataDir = await tempDataDir(t);
  const pki = await ensureServerPKI(dataDir, base);
  const p = pkiPaths(dataDir);
  assert.equal(await mode(p.dir), 0o700);
  for (const key of [p.caKey, p.frontProxyCAKey, p.serviceAccountKey, p.apiserverKey, p.adminKey, p.frontProxyClientKey]) {
    assert.equal(await mode(key), 0o600, key);
  }
  for (const file of [p.caCert, p.frontProxyCACert, p.serviceAccountPub, p.apiserverCert, p.adminCert, p.frontProxyClientCert]) {
    assert.equal(await mode(file), 0o644, file);
  }
  assert.equal(await readFile(p.serviceAccountPub, 'utf8'), pki.serviceAccount.publicKeyPem);
  assert.equal(await readFile(p.adminCert, 'utf8'), pki.admin.certPem);
  assert.equal(await readFile(p.caCert, 'utf8'), pki.ca.certPem);
  assert.equal(await readFile(p.apiserverKey, 'utf8'), pki.apiserver.keyPem);
  assert.equal(pki.changes.length, 6, pki.changes.join('\n'));

  const ca = new X509Certificate(pki.ca.certPem);
  const fpca = new X509Certificate(pki.frontProxyCA.certPem);
  assert.ok(ca.ca && fpca.ca);
  assert.notEqual(ca.serialNumber, fpca.serialNumber);

  const serving = new X509Certificate(pki.apiserver.certPem);
  assert.ok(serving.verify(ca.publicKey));
  assert.deepEqual(subjectAltNames(pki.apiserver.certPem), {
    dnsNames: ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', 'kubernetes.default.svc.cluster.local', 'localhost', 'node-a'],
    ipAddresses: ['127.0.0.1', '::1', '10.96.0.1', '192.168.1.10'],
  });
  assert.ok(serving.checkIP('::1'));

  const admin = new X509Certificate(pki.admin.certPem);
  assert.ok(admin.verify(ca.publicKey));
  assert.deepEqual(subjectOf(pki.admin.certPem), { commonName: 'kubernetes-admin', organizations: ['system:masters'] });
  assert.ok(new X509Certificate(pki.frontProxyClient.certPem).verify(fpca.publicKey), 'front-proxy client is signed by the front-proxy CA');
  assert.equal(new X509Certificate(pki.frontProxyClient.certPem).verify(ca.publicKey), false);

  // sa.pub is the public half of sa.key (RSA, as kubeadm makes it).
  const saPub = createPublicKey(pki.serviceAccount.privateKeyPem).export({ type: 'spki', format: 'pem' });
  assert.equal(saPub, pki.serviceAccount.publicKeyPem);
  assert.match(pki.serviceAccount.privateKeyPem, /^-----BEGIN RSA PRIVATE KEY-----/);
});

test('a restart with the same options changes nothing', async (t) => {
  const dataDir = await tempDataDir(t);
  const first = await ensureServerPKI(dataDir, base);
  const second = await ensureServerPKI(dataDir, { ...base, hostnames: ['NODE-A'], ips: ['192.168.1.10'] });
  assert.deepEqual(second.changes, []);
  assert.equal(second.ca.certPem, first.ca.certPem);
  assert.equal(second.ca.keyPem, first.ca.keyPem);
  assert.equal(second.apiserver.certPem, first.apiserver.certPem);
  assert.equal(second.admin.certPem, first.admin.certPem);
  assert.equal(second.serviceAccount.privateKeyPem, first.serviceAccount.privateKeyPem);
});

test('a new hostname or IP re-issues only the serving cert, from the same CA', async (t) => {
  const dataDir = await tempDataDir(t);
  const first = await ensureServerPKI(dataDir, base);
  const second = await ensureServerPKI(dataDir, { ...base, hostnames: ['node-a', 'api.example.com'], ips: ['192.168.1.10', 'fd00::10'] });
  assert.equal(second.ca.certPem, first.ca.certPem, 'CA kept');
  assert.equal(second.admin.certPem, first.admin.certPem, 'admin cert kept');
  assert.notEqual(serial(second.apiserver.certPem), serial(first.apiserver.certPem));
  assert.equal(second.changes.length, 1);
  assert.match(second.changes[0]!, /re-issued .*apiserver\.crt: does not cover DNS names api\.example\.com; does not cover IP addresses fd00::10/);
  const serving = new X509Certificate(second.apiserver.certPem);
  assert.ok(serving.verify(new X509Certificate(first.ca.certPem).publicKey));
  assert.equal(serving.checkHost('api.example.com', { subject: 'never' }), 'api.example.com');
  assert.ok(serving.checkIP('fd00::10'));
  assert.equal(await readFile(pkiPaths(dataDir).apiserverCert, 'utf8'), second.apiserver.certPem);
  // Dropping a name again is not a reason to re-issue: the cert still covers what is asked for.
  assert.deepEqual((await ensureServerPKI(dataDir, base)).changes, []);
});

test('leaves close to expiry, expired or not yet valid are renewed; the CA is not', async (t) => {
  const dataDir = await tempDataDir(t);
  const first = await ensureServerPKI(dataDir, base);
  const p = pkiPaths(dataDir);
  // Plant an admin cert that expires in 10 days, signed by the real CA.
  const short = await issueCertificate(first.ca, { commonName: 'kubernetes-admin', organizations: ['system:masters'], usages: ['client'], days: 10 });
  await writeFile(p.adminKey, short.keyPem, { mode: 0o600 });
  await writeFile(p.adminCert, short.certPem);
  const second = await ensureServerPKI(dataDir, base);
  assert.notEqual(second.admin.certPem, short.certPem);
  assert.match(second.changes.join('\n'), /re-issued .*admin\.crt: expires soon/);
  assert.ok(Date.parse(new X509Certificate(second.admin.certPem).validTo) - Date.now() > 300 * DAY);
  assert.equal(second.ca.certPem, first.ca.certPem);

  // 340 days later every leaf is within 30 days of expiry: all re-issued, CA kept.
  const later = new Date(Date.now() + 340 * DAY);
  const third = await ensureServerPKI(dataDir, { ...base, now: later });
  assert.equal(third.ca.certPem, first.ca.certPem);
  assert.equal(third.changes.filter((c) => /expires soon/.test(c)).length, 3, third.changes.join('\n'));
  // Issued relative to that clock: valid then, "not yet valid" today.
  const today = await ensureServerPKI(dataDir, base);
  assert.equal(today.changes.filter((c) => /not valid before/.test(c)).length, 3, today.changes.join('\n'));

  // Long past expiry.
  const expired = await ensureServerPKI(dataDir, { ...base, now: new Date(Date.now() + 400 * DAY) });
  assert.equal(expired.changes.filter((c) => /expired at/.test(c)).length, 3, expired.changes.join('\n'));
});

test('damaged, mismatched or foreign leaves are re-issued', async (t) => {
  const dataDir = await tempDataDir(t);
  const first = await ensureServerPKI(dataDir, base);
  const p = pkiPaths(dataDir);
  await writeFile(p.apiserverCert, 'garbage');
  await writeFile(p.adminKey, (await issueCertificate(first.ca, { commonName: 'x', usages: ['client'], days: 1 })).keyPem);
  const foreign = await issueCertificate(await createCA('someone-else'), { commonName: 'front-proxy-client', usages: ['client'], days: 100 });
  await writeFile(p.frontProxyClientCert, foreign.certPem);
  await writeFile(p.frontProxyClientKey, foreign.keyPem);
  const second = await ensureServerPKI(dataDir, base);
  const log = second.changes.join('\n');
  assert.match(log, /apiserver\.crt: certificate cannot be parsed/);
  assert.match(log, /admin\.crt: private key does not match certificate/);
  assert.match(log, /front-proxy-client\.crt: not signed by the current CA/);
  assert.equal(second.ca.certPem, first.ca.certPem);
  // A wrong identity is re-issued too (e.g. an admin cert without system:masters).
  const wrong = await issueCertificate(first.ca, { commonName: 'kubernetes-admin', usages: ['client'], days: 100 });
  await writeFile(p.adminCert, wrong.certPem);
  await writeFile(p.adminKey, wrong.keyPem);
  assert.match((await ensureServerPKI(dataDir, base)).changes.join('\n'), /admin\.crt: organizations are \[\], want \[system:masters\]/);
  // Half a pair.
  await unlink(p.apiserverKey);
  assert.match((await ensureServerPKI(dataDir, base)).changes.join('\n'), /apiserver\.crt: missing half of the pair/);
});

test('loose permissions are tightened on load', async (t) => {
  const dataDir = await tempDataDir(t);
  await ensureServerPKI(dataDir, base);
  const p = pkiPaths(dataDir);
  await chmod(p.dir, 0o755);
  await chmod(p.caKey, 0o644);
  await chmod(p.adminKey, 0o640);
  await ensureServerPKI(dataDir, base);
  assert.equal(await mode(p.dir), 0o700);
  assert.equal(await mode(p.caKey), 0o600);
  assert.equal(await mode(p.adminKey), 0o600);
});

test('a CA is never regenerated behind the operator\'s back', async (t) => {
  const dataDir = await tempDataDir(t);
  const first = await ensureServerPKI(dataDir, base);
  const p = pkiPaths(dataDir);
  await unlink(p.caKey);
  await assert.rejects(ensureServerPKI(dataDir, base), /ca\.crt exists but .*ca\.key is missing/);
  assert.equal(await readFile(p.caCert, 'utf8'), first.ca.certPem, 'ca.crt untouched');

  await writeFile(p.caKey, (await createCA('other')).keyPem);
  await assert.rejects(ensureServerPKI(dataDir, base), /CA private key does not match/);

  await writeFile(p.caKey, first.ca.keyPem);
  await unlink(p.caCert);
  await assert.rejects(ensureServerPKI(dataDir, base), /ca\.key exists but .*ca\.crt is missing/);

  const expiredCA = await createCA('kubernetes', 1, new Date(Date.now() - 400 * DAY));
  await writeFile(p.caCert, expiredCA.certPem);
  await writeFile(p.caKey, expiredCA.keyPem);
  await assert.rejects(ensureServerPKI(dataDir, base), /CA .*ca\.crt expired at/);
});

test('service-account key: sa.pub is rebuilt from sa.key; a lone sa.pub is an error', async (t) => {
  const dataDir = await tempDataDir(t);
  const first = await ensureServerPKI(dataDir, base);
  const p = pkiPaths(dataDir);
  await unlink(p.serviceAccountPub);
  const second = await ensureServerPKI(dataDir, base);
  assert.equal(await readFile(p.serviceAccountPub, 'utf8'), first.serviceAccount.publicKeyPem);
  assert.match(second.changes.join('\n'), /rewrote .*sa\.pub/);
  await unlink(p.serviceAccountKey);
  await assert.rejects(ensureServerPKI(dataDir, base), /sa\.pub exists but .*sa\.key is missing/);
  await writeFile(p.serviceAccountKey, 'not a key');
  await assert.rejects(ensureServerPKI(dataDir, base), /sa\.key: invalid private key/);
});

test('bad options are refused before anything is written', async (t) => {
  const dataDir = await tempDataDir(t);
  await assert.rejects(ensureServerPKI(dataDir, { ...base, serviceIP: '10.96.0' }), /invalid IP address "10.96.0"/);
  await assert.rejects(ensureServerPKI(dataDir, { ...base, ips: ['nope'] }), /invalid IP address "nope"/);
  await assert.rejects(ensureServerPKI(dataDir, { ...base, hostnames: ['bad_name'] }), /invalid DNS name "bad_name"/);
  await assert.rejects(stat(pkiPaths(dataDir).dir), /ENOENT/);
});

test('apiserverSANs: custom DNS domain, IPs given as hostnames, de-duplication', () => {
  const sans = apiserverSANs({ hostnames: ['10.0.0.1', 'Host', 'host'], ips: ['10.0.0.1', '::0:1'], serviceIP: '10.43.0.1', dnsDomain: 'corp.local' });
  assert.ok(sans.dnsNames.includes('kubernetes.default.svc.corp.local'));
  assert.ok(!sans.dnsNames.includes('kubernetes.default.svc.cluster.local'));
  assert.deepEqual(sans.dnsNames.filter((n) => n === 'host'), ['host']);
  assert.deepEqual(sans.ipAddresses, ['127.0.0.1', '::1', '10.43.0.1', '10.0.0.1']);
});

test('writeAdminKubeconfig embeds the CA and admin credentials', async (t) => {
  const dataDir = await tempDataDir(t);
  const pki = await ensureServerPKI(dataDir, base);
  const path = join(dataDir, 'admin.kubeconfig');
  await writeAdminKubeconfig(pki, path, { server: 'https://127.0.0.1:6443' });
  const cfg = parse(await readFile(path, 'utf8'));
  assert.equal(cfg['current-context'], 'kumo');
  assert.equal(cfg.users[0].name, 'kubernetes-admin');
  assert.equal(Buffer.from(cfg.users[0].user['client-certificate-data'], 'base64').toString(), pki.admin.certPem);
  assert.equal(Buffer.from(cfg.clusters[0].cluster['certificate-authority-data'], 'base64').toString(), pki.ca.certPem);
  assert.equal(await mode(path), 0o600);
});
