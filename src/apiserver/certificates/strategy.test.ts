import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { x509 } from '../../pki/x509.js';
import { ECDSA_P256, generateECDSAKeyPair } from '../../pki/keys.js';
import { prepareCSRUpdate, validateCSR } from './strategy.js';

async function request(): Promise<string> {
  const keys = await generateECDSAKeyPair();
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({ name: 'CN=alice', keys, signingAlgorithm: ECDSA_P256 });
  return Buffer.from(csr.toString('pem')).toString('base64');
}

function csr(req: string, status: Record<string, unknown> = {}): KObject {
  return { apiVersion: 'certificates.k8s.io/v1', kind: 'CertificateSigningRequest', metadata: { name: 'c1' },
    spec: { request: req, signerName: 'kubernetes.io/kube-apiserver-client', usages: ['client auth'] }, status };
}
const approved = { type: 'Approved', status: 'True', reason: 'KubectlApprove', message: 'ok' };
const certB64 = Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n').toString('base64');

test('resource writes keep spec and status', async () => {
  const old = csr(await request(), { conditions: [approved] });
  const obj = csr('changed', { conditions: [], certificate: certB64 });
  prepareCSRUpdate(obj, old, undefined);
  assert.deepEqual(obj.spec, old.spec);
  assert.deepEqual(obj.status, old.status);
});

test('/approval changes only conditions and stamps timestamps', async () => {
  const old = csr(await request(), { certificate: certB64 });
  const obj = csr('changed', { conditions: [{ ...approved }], certificate: 'other' });
  prepareCSRUpdate(obj, old, 'approval', Date.parse('2024-01-02T03:04:05Z'));
  assert.deepEqual(obj.spec, old.spec);
  const st = obj.status as { certificate: string; conditions: Record<string, string>[] };
  assert.equal(st.certificate, certB64);
  assert.equal(st.conditions[0].type, 'Approved');
  assert.equal(st.conditions[0].lastUpdateTime, '2024-01-02T03:04:05Z');
  assert.equal(st.conditions[0].lastTransitionTime, '2024-01-02T03:04:05Z');
});

test('/status cannot add or drop Approved/Denied but can set the certificate and Failed', async () => {
  const old = csr(await request(), { conditions: [approved] });
  const obj = csr((old.spec as { request: string }).request, { conditions: [{ type: 'Denied', status: 'True' }, { type: 'Failed', status: 'True' }], certificate: certB64 });
  prepareCSRUpdate(obj, old, 'status');
  const st = obj.status as { certificate: string; conditions: { type: string }[] };
  assert.deepEqual(st.conditions.map((c) => c.type).sort(), ['Approved', 'Failed']);
  assert.equal(st.certificate, certB64);
});

test('validation: Approved and Denied are exclusive, statuses, duplicates', async () => {
  const r = await request();
  const msgs = (o: KObject, old?: KObject) => validateCSR(o, old).map((e) => `${e.field}: ${e.message}`);
  assert.deepEqual(msgs(csr(r, { conditions: [approved] })), []);
  assert.deepEqual(msgs(csr(r, { conditions: [approved, { type: 'Denied', status: 'True' }] })),
    ['status.conditions[1].type: Invalid value: "Denied": Approved and Denied conditions are mutually exclusive']);
  assert.deepEqual(msgs(csr(r, { conditions: [{ type: 'Approved', status: 'False' }] })),
    ['status.conditions[0].status: Unsupported value: "False": supported values: "True"']);
  assert.deepEqual(msgs(csr(r, { conditions: [approved, approved] })), ['status.conditions[1].type: Duplicate value: "Approved"']);
  assert.deepEqual(msgs(csr(r, { conditions: [{ status: 'True' }] })), ['status.conditions[0].type: Required value']);
});

test('validation: conditions cannot be removed, certificates not replaced, must be PEM certificates', async () => {
  const r = await request();
  const msgs = (o: KObject, old?: KObject) => validateCSR(o, old).map((e) => `${e.field}: ${e.message}`);
  assert.deepEqual(msgs(csr(r, {}), csr(r, { conditions: [approved] })),
    ['status.conditions: Forbidden: updates may not remove a condition of type "Approved"']);
  const other = Buffer.from('-----BEGIN CERTIFICATE-----\nBBBB\n-----END CERTIFICATE-----\n').toString('base64');
  assert.deepEqual(msgs(csr(r, { certificate: other }), csr(r, { certificate: certB64 })),
    ['status.certificate: Forbidden: updates may not modify existing certificate content']);
  assert.equal(msgs(csr(r, { certificate: Buffer.from('junk').toString('base64') })).length, 1);
});

test('validation: a request that is not a parseable CSR', () => {
  const bad = Buffer.from('-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE REQUEST-----\n').toString('base64');
  const errs = validateCSR(csr(bad));
  assert.equal(errs.length, 1);
  assert.equal(errs[0].field, 'spec.request');
});
