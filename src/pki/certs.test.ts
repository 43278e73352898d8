import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate, webcrypto, KeyObject } from 'node:crypto';
import { createCA } from './ca.js';
import { canonicalIP, issueCertificate } from './certs.js';
import { subjectAltNames, subjectOf } from './inspect.js';
import { x509 } from './x509.js';

const caPromise = createCA('kubernetes');

test('a server leaf verifies against the CA and covers its DNS and IP SANs', async () => {
  const ca = await caPromise;
  const leaf = await issueCertificate(ca, {
    commonName: 'kube-apiserver',
    dnsNames: ['kubernetes', 'kubernetes.default.svc.cluster.local', 'localhost'],
    ipAddresses: ['127.0.0.1', '::1', '10.96.0.1'],
    usages: ['server'],
    days: 365,
  });
  const caCert = new X509Certificate(ca.certPem);
  const cert = new X509Certificate(leaf.certPem);
  assert.ok(cert.verify(caCert.publicKey), 'signed by the CA');
  assert.ok(cert.checkIssued(caCert));
  const other = new X509Certificate((await createCA('other')).certPem);
  assert.equal(cert.verify(other.publicKey), false, 'does not verify against an unrelated CA');
  assert.equal(cert.checkIssued(other), false);
  assert.equal(cert.ca, false);
  assert.equal(cert.checkHost('kubernetes.default.svc.cluster.local', { subject: 'never' }), 'kubernetes.default.svc.cluster.local');
  assert.equal(cert.checkHost('localhost', { subject: 'never' }), 'localhost');
  assert.equal(cert.checkHost('evil.example.com', { subject: 'never' }), undefined);
  assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
  assert.equal(cert.checkIP('10.96.0.1'), '10.96.0.1');
  assert.ok(cert.checkIP('::1'), 'IPv6 loopback SAN');
  assert.equal(cert.checkIP('10.96.0.2'), undefined);
  assert.deepEqual(subjectAltNames(leaf.certPem), {
    dnsNames: ['kubernetes', 'kubernetes.default.svc.cluster.local', 'localhost'],
    ipAddresses: ['127.0.0.1', '::1', '10.96.0.1'],
  });
  assert.match(cert.keyUsage?.join(',') ?? '', /1\.3\.6\.1\.5\.5\.7\.3\.1/);
  assert.ok(!(cert.keyUsage ?? []).includes('1.3.6.1.5.5.7.3.2'), 'no clientAuth on a server-only cert');
  assert.match(leaf.keyPem, /^-----BEGIN EC PRIVATE KEY-----/);
  const key = cert.publicKey;
  assert.equal(key.asymmetricKeyType, 'ec');
  assert.equal(key.asymmetricKeyDetails?.namedCurve, 'prime256v1');
});

test('leaf extensions: AKI is the CA SKI, own SKI, CA:false critical, digitalSignature critical', async () => {
  const ca = await caPromise;
  const leaf = new x509.X509Certificate((await issueCertificate(ca, { commonName: 'u', usages: ['client', 'server'], days: 30 })).certPem);
  const caSKI = new x509.X509Certificate(ca.certPem).getExtension(x509.SubjectKeyIdentifierExtension)!.keyId;
  assert.equal(leaf.getExtension(x509.AuthorityKeyIdentifierExtension)?.keyId, caSKI);
  const ski = leaf.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId;
  assert.ok(ski && ski !== caSKI);
  const bc = leaf.getExtension(x509.BasicConstraintsExtension)!;
  assert.equal(bc.ca, false);
  assert.equal(bc.critical, true);
  const ku = leaf.getExtension(x509.KeyUsagesExtension)!;
  assert.equal(ku.usages, x509.KeyUsageFlags.digitalSignature);
  assert.equal(ku.critical, true);
  const eku = [...leaf.getExtension(x509.ExtendedKeyUsageExtension)!.usages].map(String).sort();
  assert.deepEqual(eku, [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth].sort());
  assert.equal(leaf.getExtension(x509.SubjectAlternativeNameExtension), null, 'no SAN extension when there are no names');
  const days = (leaf.notAfter.getTime() - Date.now()) / 86400000;
  assert.ok(days > 29.9 && days <= 30, `validity ${days} days`);
});

test('client leaf carries CN and every O; serials are random and 128-bit sized', async () => {
  const ca = await caPromise;
  const a = await issueCertificate(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters', 'devs'], usages: ['client'], days: 1 });
  const b = await issueCertificate(ca, { commonName: 'kubernetes-admin', organizations: ['system:masters', 'devs'], usages: ['client'], days: 1 });
  assert.deepEqual(subjectOf(a.certPem), { commonName: 'kubernetes-admin', organizations: ['system:masters', 'devs'] });
  const sa = new X509Certificate(a.certPem).serialNumber;
  const sb = new X509Certificate(b.certPem).serialNumber;
  assert.notEqual(sa, sb);
  // 16 random bytes; a leading zero byte is dropped by the minimal DER encoding, so allow 15.
  assert.ok(sa.replace(/^00/, '').length >= 30 && sa.replace(/^00/, '').length <= 32, `serial ${sa}`);
});

test('a leaf never outlives its CA', async () => {
  const shortCA = await createCA('short', 30 / 365);
  const leaf = new x509.X509Certificate((await issueCertificate(shortCA, { commonName: 'x', usages: ['server'], days: 365 })).certPem);
  assert.equal(leaf.notAfter.getTime(), new x509.X509Certificate(shortCA.certPem).notAfter.getTime());
});

test('issues from an RSA CA, as an existing kubeadm CA would be', async () => {
  const alg = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };
  const keys = (await webcrypto.subtle.generateKey(alg, true, ['sign', 'verify'])) as CryptoKeyPair;
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    name: 'CN=kubernetes',
    keys,
    signingAlgorithm: alg,
    extensions: [new x509.BasicConstraintsExtension(true, undefined, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign, true)],
  });
  const keyPem = KeyObject.from(keys.privateKey).export({ type: 'pkcs8', format: 'pem' }) as string;
  const leaf = await issueCertificate({ certPem: caCert.toString('pem'), keyPem }, { commonName: 'x', usages: ['client'], days: 1 });
  assert.ok(new X509Certificate(leaf.certPem).verify(new X509Certificate(caCert.toString('pem')).publicKey));
});

test('issueCertificate rejects bad requests', async () => {
  const ca = await caPromise;
  const ok = { commonName: 'x', usages: ['server' as const], days: 1 };
  await assert.rejects(issueCertificate(ca, { ...ok, commonName: '' }), /common name must not be empty/);
  await assert.rejects(issueCertificate(ca, { ...ok, usages: [] }), /at least one usage/);
  await assert.rejects(issueCertificate(ca, { ...ok, usages: ['peer' as 'server'] }), /unknown certificate usage "peer"/);
  await assert.rejects(issueCertificate(ca, { ...ok, days: 0 }), /positive number of days/);
  await assert.rejects(issueCertificate(ca, { ...ok, days: -5 }), /positive number of days/);
  await assert.rejects(issueCertificate(ca, { ...ok, ipAddresses: ['300.1.1.1'] }), /invalid IP address "300.1.1.1"/);
  await assert.rejects(issueCertificate(ca, { ...ok, ipAddresses: ['localhost'] }), /invalid IP address/);
  await assert.rejects(issueCertificate(ca, { ...ok, dnsNames: ['has space'] }), /invalid DNS name "has space"/);
  await assert.rejects(issueCertificate(ca, { ...ok, dnsNames: ['-bad.example'] }), /invalid DNS name/);
  await assert.rejects(issueCertificate(ca, { ...ok, dnsNames: [''] }), /invalid DNS name/);
  await assert.rejects(issueCertificate(ca, { ...ok, organizations: [''] }), /organization must be a non-empty string/);
  await assert.rejects(issueCertificate({ certPem: ca.certPem, keyPem: 'garbage' }, ok), /invalid private key/);
  // Wildcards are valid SANs.
  const wild = await issueCertificate(ca, { ...ok, dnsNames: ['*.example.com'] });
  assert.equal(new X509Certificate(wild.certPem).checkHost('a.example.com', { subject: 'never' }), '*.example.com');
});

test('canonicalIP normalises IPv6 spellings and rejects non-IPs', () => {
  assert.equal(canonicalIP('0:0:0:0:0:0:0:1'), '::1');
  assert.equal(canonicalIP('FD00:0::A'), 'fd00::a');
  assert.equal(canonicalIP('10.0.0.1'), '10.0.0.1');
  assert.throws(() => canonicalIP('10.0.0'), /invalid IP address/);
  assert.throws(() => canonicalIP('[::1]'), /invalid IP address/);
});
