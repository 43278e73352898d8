import { test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { x509 } from '../../pki/x509.js';
import { createCA, loadCASigner } from '../../pki/ca.js';
import { ECDSA_P256, generateECDSAKeyPair } from '../../pki/keys.js';
import { parseCertificateRequest } from '../../pki/csr.js';
import { signerRejection, signingDurationMs, KUBE_APISERVER_CLIENT, KUBE_APISERVER_CLIENT_KUBELET, KUBELET_SERVING, MAX_SIGNING_DURATION_MS } from './signers.js';
import { decide, needsSigning, type CSR } from './controller.js';

type San = { type: 'dns' | 'ip' | 'email' | 'url'; value: string };
async function pem(name: string, sans: San[] = []): Promise<string> {
  const keys = await generateECDSAKeyPair();
  const extensions = sans.length ? [new x509.SubjectAlternativeNameExtension(sans)] : [];
  return (await x509.Pkcs10CertificateRequestGenerator.create({ name, keys, signingAlgorithm: ECDSA_P256, extensions })).toString('pem');
}
const req = async (name: string, sans: San[] = []) => parseCertificateRequest(await pem(name, sans));

test('kube-apiserver-client: client auth required, only signature/encipherment besides', async () => {
  const r = await req('CN=alice,O=dev');
  assert.equal(signerRejection(KUBE_APISERVER_CLIENT, r, ['client auth']), undefined);
  assert.equal(signerRejection(KUBE_APISERVER_CLIENT, r, ['digital signature', 'key encipherment', 'client auth']), undefined);
  assert.equal(signerRejection(KUBE_APISERVER_CLIENT, r, ['digital signature']), 'missing required usage for client certificate: client auth');
  assert.equal(signerRejection(KUBE_APISERVER_CLIENT, r, ['client auth', 'server auth']), 'invalid usage for client certificate: server auth');
});

test('kube-apiserver-client-kubelet: system:node:* in system:nodes, no SANs, exact usages', async () => {
  const ok = await req('CN=system:node:n1,O=system:nodes');
  assert.equal(signerRejection(KUBE_APISERVER_CLIENT_KUBELET, ok, ['digital signature', 'client auth']), undefined);
  assert.equal(signerRejection(KUBE_APISERVER_CLIENT_KUBELET, ok, ['digital signature', 'key encipherment', 'client auth']), undefined);
  assert.match(signerRejection(KUBE_APISERVER_CLIENT_KUBELET, ok, ['client auth']) ?? '', /^usages did not match \[client auth digital signature key encipherment\]$/);
  assert.equal(signerRejection(KUBE_APISERVER_CLIENT_KUBELET, await req('CN=system:node:n1,O=system:masters'), ['digital signature', 'client auth']), 'subject organization is not system:nodes');
  assert.equal(signerRejection(KUBE_APISERVER_CLIENT_KUBELET, await req('CN=bob,O=system:nodes'), ['digital signature', 'client auth']), 'subject common name does not begin with system:node:');
  assert.equal(signerRejection(KUBE_APISERVER_CLIENT_KUBELET, await req('CN=system:node:n1,O=system:nodes', [{ type: 'dns', value: 'n1' }]), ['digital signature', 'client auth']), 'DNS subjectAltNames are not allowed');
  assert.equal(signerRejection(KUBE_APISERVER_CLIENT_KUBELET, await req('CN=system:node:n1,O=system:nodes', [{ type: 'ip', value: '10.0.0.1' }]), ['digital signature', 'client auth']), 'IP subjectAltNames are not allowed');
});

test('kubelet-serving: node subject, DNS/IP SAN required, no email/URI, server usages', async () => {
  const usages = ['digital signature', 'key encipherment', 'server auth'];
  assert.equal(signerRejection(KUBELET_SERVING, await req('CN=system:node:n1,O=system:nodes', [{ type: 'dns', value: 'n1' }, { type: 'ip', value: '10.0.0.1' }]), usages), undefined);
  assert.equal(signerRejection(KUBELET_SERVING, await req('CN=system:node:n1,O=system:nodes'), usages), 'DNS or IP subjectAltName is required');
  assert.equal(signerRejection(KUBELET_SERVING, await req('CN=system:node:n1,O=system:nodes', [{ type: 'dns', value: 'n1' }, { type: 'email', value: 'a@b.c' }]), usages), 'Email subjectAltNames are not allowed');
  assert.equal(signerRejection(KUBELET_SERVING, await req('CN=system:node:n1,O=system:nodes', [{ type: 'dns', value: 'n1' }, { type: 'url', value: 'spiffe://x' }]), usages), 'URI subjectAltNames are not allowed');
  assert.equal(signerRejection(KUBELET_SERVING, await req('CN=alice,O=system:nodes', [{ type: 'dns', value: 'n1' }]), usages), 'subject common name does not begin with system:node:');
  assert.match(signerRejection(KUBELET_SERVING, await req('CN=system:node:n1,O=system:nodes', [{ type: 'dns', value: 'n1' }]), ['client auth']) ?? '', /^usages did not match/);
});

test('signingDurationMs honours expirationSeconds, capped', () => {
  assert.equal(signingDurationMs(undefined), MAX_SIGNING_DURATION_MS);
  assert.equal(signingDurationMs(3600), 3600_000);
  assert.equal(signingDurationMs(10 * 365 * 86400), MAX_SIGNING_DURATION_MS);
});

function csr(request: string, signerName: string, usages: string[], conditions: { type: string; status: string }[] = [], expirationSeconds?: number): CSR {
  return { metadata: { name: 'c1' }, spec: { request: Buffer.from(request).toString('base64'), signerName, usages, expirationSeconds }, status: { conditions } };
}
const approved = [{ type: 'Approved', status: 'True' }];

test('needsSigning: only approved, not denied/failed/issued, known signer', async () => {
  const p = await pem('CN=alice');
  assert.equal(needsSigning(csr(p, KUBE_APISERVER_CLIENT, ['client auth'], approved)), true);
  assert.equal(needsSigning(csr(p, KUBE_APISERVER_CLIENT, ['client auth'])), false);
  assert.equal(needsSigning(csr(p, KUBE_APISERVER_CLIENT, ['client auth'], [{ type: 'Denied', status: 'True' }])), false);
  assert.equal(needsSigning(csr(p, KUBE_APISERVER_CLIENT, ['client auth'], [...approved, { type: 'Failed', status: 'True' }])), false);
  assert.equal(needsSigning(csr(p, 'example.com/other', ['client auth'], approved)), false);
  const issued = csr(p, KUBE_APISERVER_CLIENT, ['client auth'], approved);
  issued.status!.certificate = 'eA==';
  assert.equal(needsSigning(issued), false);
});

test('decide issues a certificate for valid requests and a Failed condition for rule breakers', async () => {
  const ca = await loadCASigner(await createCA('test-ca', 1));
  const now = new Date();
  const good = await decide(csr(await pem('CN=alice,O=dev'), KUBE_APISERVER_CLIENT, ['client auth'], approved, 600), ca, undefined, now);
  assert.ok(good?.certificate);
  const cert = new X509Certificate(Buffer.from(good.certificate, 'base64').toString());
  assert.match(cert.subject, /CN=alice/);
  assert.ok(Math.abs(new Date(cert.validTo).getTime() - now.getTime() - 600_000) < 2000);
  const bad = await decide(csr(await pem('CN=alice'), KUBE_APISERVER_CLIENT_KUBELET, ['digital signature', 'client auth'], approved), ca);
  assert.equal(bad?.certificate, undefined);
  const failed = bad?.conditions?.find((c) => c.type === 'Failed');
  assert.equal(failed?.reason, 'SignerValidationFailure');
  assert.equal(failed?.message, 'subject organization is not system:nodes');
  assert.equal(await decide(csr(await pem('CN=alice'), KUBE_APISERVER_CLIENT, ['client auth']), ca), undefined);
});
