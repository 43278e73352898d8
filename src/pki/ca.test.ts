import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCA, loadCASigner } from './ca.js';
import { issueCertificate } from './certs.js';
import { x509 } from './x509.js';

test('createCA makes a self-signed CA with critical basicConstraints and keyUsage and an SKI', async () => {
  const ca = await createCA('kubernetes');
  const cert = new X509Certificate(ca.certPem);
  assert.equal(cert.ca, true);
  assert.equal(cert.subject, 'CN=kubernetes');
  assert.equal(cert.issuer, 'CN=kubernetes');
  assert.ok(cert.verify(cert.publicKey), 'self-signature verifies');
  assert.match(ca.keyPem, /^-----BEGIN EC PRIVATE KEY-----/);

  const parsed = new x509.X509Certificate(ca.certPem);
  const bc = parsed.getExtension(x509.BasicConstraintsExtension);
  assert.ok(bc && bc.ca && bc.critical);
  const ku = parsed.getExtension(x509.KeyUsagesExtension);
  assert.ok(ku?.critical);
  assert.equal(ku.usages, x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature);
  assert.ok(parsed.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);

  const years = (parsed.notAfter.getTime() - Date.now()) / (365 * 24 * 3600 * 1000);
  assert.ok(years > 9.99 && years <= 10, `validity ${years} years`);
  assert.ok(parsed.notBefore.getTime() < Date.now(), 'notBefore is backdated for clock skew');
});

test('createCA honours the years argument and gives distinct serials', async () => {
  const [a, b] = await Promise.all([createCA('a', 1), createCA('b', 1)]);
  const ca = new X509Certificate(a.certPem);
  const days = (Date.parse(ca.validTo) - Date.now()) / 86400000;
  assert.ok(days > 364 && days <= 365, `validity ${days} days`);
  assert.notEqual(ca.serialNumber, new X509Certificate(b.certPem).serialNumber);
});

test('createCA rejects an empty name and non-positive validity', async () => {
  await assert.rejects(createCA(''), /common name must not be empty/);
  await assert.rejects(createCA('x', 0), /positive number of years/);
  await assert.rejects(createCA('x', Number.NaN), /positive number of years/);
});

test('loadCASigner refuses non-CA certificates, mismatched keys and garbage', async () => {
  const ca = await createCA('kubernetes');
  const other = await createCA('other');
  const leaf = await issueCertificate(ca, { commonName: 'leaf', usages: ['client'], days: 1 });
  await assert.rejects(loadCASigner(leaf), /is not a CA/);
  await assert.rejects(loadCASigner({ certPem: ca.certPem, keyPem: other.keyPem }), /does not match/);
  await assert.rejects(loadCASigner({ certPem: 'nope', keyPem: ca.keyPem }), /invalid CA certificate/);
  await assert.rejects(loadCASigner({ certPem: ca.certPem, keyPem: 'nope' }), /invalid private key/);
  const signer = await loadCASigner(ca);
  assert.equal(signer.keyId, new x509.X509Certificate(ca.certPem).getExtension(x509.SubjectKeyIdentifierExtension)?.keyId);
});
