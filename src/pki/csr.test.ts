import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { x509 } from './x509.js';
import { createCA, loadCASigner } from './ca.js';
import { ECDSA_P256, generateECDSAKeyPair } from './keys.js';
import { parseCertificateRequest, signCertificateRequest, verifyCertificateRequest } from './csr.js';

/** a PKCS#10 request PEM for tests */
async function makeCSR(name: string, sans: { type: 'dns' | 'ip' | 'email' | 'url'; value: string }[] = []): Promise<string> {
  const keys = await generateECDSAKeyPair();
  const extensions = sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : [];
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: ECDSA_P256, extensions });
  return csr.toString('pem');
}

test('parseCertificateRequest reads subject and SANs', async () => {
  const p = parseCertificateRequest(await makeCSR('CN=system:node:n1,O=system:nodes', [{ type: 'dns', value: 'n1.example' }, { type: 'ip', value: '10.0.0.5' }]));
  assert.equal(p.commonName, 'system:node:n1');
  assert.deepEqual(p.organizations, ['system:nodes']);
  assert.deepEqual(p.dnsNames, ['n1.example']);
  assert.deepEqual(p.ipAddresses, ['10.0.0.5']);
  assert.equal(p.keyAlgorithm, 'EC');
  assert.equal(await verifyCertificateRequest(p.csr), true);
});

test('parseCertificateRequest rejects other PEM blocks and garbage', () => {
  assert.throws(() => parseCertificateRequest('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'), /PEM block type must be CERTIFICATE REQUEST/);
  assert.throws(() => parseCertificateRequest('hello'), /PEM block type must be CERTIFICATE REQUEST/);
  assert.throws(() => parseCertificateRequest('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n'), /asn1/);
});

test('signCertificateRequest copies the subject, sets usages and caps validity at the CA', async () => {
  const ca = await loadCASigner(await createCA('test-ca', 1));
  const req = parseCertificateRequest(await makeCSR('CN=alice,O=dev'));
  const now = new Date();
  const pem = await signCertificateRequest(ca, req, { usages: ['digital signature', 'client auth'], durationMs: 3600_000, now });
  const cert = new X509Certificate(pem);
  assert.match(cert.subject, /CN=alice/);
  assert.match(cert.subject, /O=dev/);
  assert.equal(cert.ca, false);
  assert.ok(cert.verify(new X509Certificate(ca.cert.toString('pem')).publicKey));
  assert.ok(Math.abs(new Date(cert.validTo).getTime() - (now.getTime() + 3600_000)) < 2000);
  assert.deepEqual(cert.keyUsage, ['1.3.6.1.5.5.7.3.2']);
  const long = new X509Certificate(await signCertificateRequest(ca, req, { usages: ['client auth'], durationMs: 5 * 365 * 86400_000 }));
  assert.ok(new Date(long.validTo).getTime() <= ca.cert.notAfter.getTime());
  await assert.rejects(signCertificateRequest(ca, req, { usages: ['bogus'], durationMs: 1000 }), /unrecognized usage/);
});
