import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { createCA } from './ca.js';
import { issueCertificate } from './certs.js';
import { identityFromCertificate } from './identity.js';

test('peer certificate objects: O as a string or an array', () => {
  assert.deepEqual(identityFromCertificate({ subject: { CN: 'kubernetes-admin', O: 'system:masters' } }), {
    user: 'kubernetes-admin',
    groups: ['system:masters'],
  });
  assert.deepEqual(identityFromCertificate({ subject: { CN: 'system:node:n1', O: ['system:nodes', 'extra'] } }), {
    user: 'system:node:n1',
    groups: ['system:nodes', 'extra'],
  });
  assert.deepEqual(identityFromCertificate({ subject: { CN: 'alice' } }), { user: 'alice', groups: [] });
  // Several CNs: the last one wins, as in Go's pkix.Name.
  assert.deepEqual(identityFromCertificate({ subject: { CN: ['first', 'last'] } }), { user: 'last', groups: [] });
});

test('no CN, no subject, or no certificate at all authenticates nobody', () => {
  assert.equal(identityFromCertificate({ subject: { O: 'system:masters' } }), null);
  assert.equal(identityFromCertificate({ subject: { CN: '' } }), null);
  assert.equal(identityFromCertificate({}), null); // getPeerCertificate() without a client cert
  assert.equal(identityFromCertificate({ subject: null }), null);
});

test('PEM, DER and X509Certificate inputs', async () => {
  const ca = await createCA('kubernetes');
  const { certPem } = await issueCertificate(ca, { commonName: 'bob', organizations: ['a', 'b'], usages: ['client'], days: 1 });
  const want = { user: 'bob', groups: ['a', 'b'] };
  const nodeCert = new X509Certificate(certPem);
  assert.deepEqual(identityFromCertificate(certPem), want);
  assert.deepEqual(identityFromCertificate(nodeCert), want);
  assert.deepEqual(identityFromCertificate(nodeCert.raw), want);
  assert.deepEqual(identityFromCertificate(new Uint8Array(nodeCert.raw)), want);
  assert.throws(() => identityFromCertificate(Buffer.from([1, 2, 3])), /invalid certificate/);
  assert.throws(() => identityFromCertificate('not a pem'), /invalid certificate/);
});
