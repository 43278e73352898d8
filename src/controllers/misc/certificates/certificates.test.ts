import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SharedInformerFactory } from '../../../client/informer.js';
import type { RESTClient } from '../../../client/rest.js';
import { createCA } from '../../../pki/ca.js';
import { issueCertificate } from '../../../pki/certs.js';
import { CSRApprovingController, type CSR } from './csrapproving.js';
import { CSRCleanerController, cleanupReason } from './csrcleaner.js';
import { recordingClient } from '../../common/testing.js';

function csrPem(subj: string, san?: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'csr-'));
  try {
    const key = join(dir, 'k');
    execFileSync('openssl', ['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', key]);
    return execFileSync('openssl', ['req', '-new', '-key', key, '-subj', subj, ...(san ? ['-addext', `subjectAltName=${san}`] : [])], { encoding: 'utf8' });
  } finally { rmSync(dir, { recursive: true, force: true }); }
}

const csr = (name: string, pem: string, username: string, o: Partial<CSR['spec']> = {}, status?: CSR['status']): CSR => ({
  metadata: { name, resourceVersion: '1' },
  spec: { request: Buffer.from(pem).toString('base64'), signerName: 'kubernetes.io/kube-apiserver-client-kubelet', usages: ['digital signature', 'client auth'],
    username, groups: ['system:nodes', 'system:authenticated'], ...o },
  status,
});

function approver(allowed: (sub: string, user: string) => boolean) {
  const { client, calls } = recordingClient((method, path, body) => {
    if (path.endsWith('/subjectaccessreviews')) return { status: { allowed: allowed(body.spec.resourceAttributes.subresource, body.spec.user) } };
    return body;
  });
  return { calls, ctl: new CSRApprovingController(client, new SharedInformerFactory(client)) };
}

test('csrapproving: a node renewing its own identity is approved as selfnodeclient after a SubjectAccessReview', async () => {
  const { calls, ctl } = approver((sub) => sub === 'selfnodeclient');
  await ctl.handle(csr('a', csrPem('/O=system:nodes/CN=system:node:n1'), 'system:node:n1'));
  const sar = calls.find((x) => x.path.endsWith('/subjectaccessreviews'))!;
  assert.deepEqual(sar.body.spec.resourceAttributes, { group: 'certificates.k8s.io', resource: 'certificatesigningrequests', verb: 'create', subresource: 'selfnodeclient' });
  assert.deepEqual(sar.body.spec.groups, ['system:nodes', 'system:authenticated']);
  const put = calls.find((x) => x.method === 'PUT')!;
  assert.equal(put.path, '/apis/certificates.k8s.io/v1/certificatesigningrequests/a/approval');
  assert.deepEqual(put.body.status.conditions, [{ type: 'Approved', status: 'True', reason: 'AutoApproved', message: 'Auto approving self kubelet client certificate after SubjectAccessReview.' }]);
});

test('csrapproving: another identity needs nodeclient; without it the request is retried, not approved', async () => {
  const pem = csrPem('/O=system:nodes/CN=system:node:n2');
  const ok = approver((sub) => sub === 'nodeclient');
  await ok.ctl.handle(csr('b', pem, 'system:bootstrap:abcdef'));
  assert.equal(ok.calls.find((x) => x.method === 'PUT')?.body.status.conditions[0].message, 'Auto approving kubelet client certificate after SubjectAccessReview.');
  const no = approver(() => false);
  await assert.rejects(no.ctl.handle(csr('b', pem, 'system:node:n1')), /recognized csr "b" as \[nodeclient\] but subject access review was not approved/);
  assert.equal(no.calls.filter((x) => x.method === 'PUT').length, 0);
});

test('csrapproving: ignores non-kubelet requests, wrong subjects, SANs, usages, decided or issued CSRs; rejects garbage', async () => {
  const { calls, ctl } = approver(() => true);
  const good = csrPem('/O=system:nodes/CN=system:node:n1');
  await ctl.handle(csr('x1', good, 'system:node:n1', { signerName: 'kubernetes.io/kube-apiserver-client' }));
  await ctl.handle(csr('x2', csrPem('/O=other/CN=system:node:n1'), 'system:node:n1'));
  await ctl.handle(csr('x3', csrPem('/O=system:nodes/CN=system:node:n1', 'DNS:evil.example'), 'system:node:n1'));
  await ctl.handle(csr('x4', good, 'system:node:n1', { usages: ['digital signature', 'client auth', 'server auth'] }));
  await ctl.handle(csr('x5', good, 'system:node:n1', {}, { conditions: [{ type: 'Denied', status: 'True' }] }));
  await ctl.handle(csr('x6', good, 'system:node:n1', {}, { certificate: 'Zm9v' }));
  assert.deepEqual(calls, []);
  await assert.rejects(ctl.handle(csr('x7', 'not a csr', 'u')), /unable to parse csr "x7": PEM block type must be CERTIFICATE REQUEST/);
});

test('csrcleaner: expiry as upstream — issued/denied/failed after 1h, pending after 24h, expired certificates at once', async () => {
  const now = Date.parse('2024-06-01T12:00:00Z');
  const ago = (ms: number) => new Date(now - ms).toISOString();
  const H = 3600_000;
  const base = (status?: CSR['status'], created = ago(0)): CSR => ({ metadata: { name: 'c', creationTimestamp: created }, spec: { request: '', signerName: 'x' }, status });
  const ca = await createCA('test-ca', 10, new Date(now - 100 * 24 * H));
  const fresh = await issueCertificate(ca, { commonName: 'u', usages: ['client'], days: 365 }, new Date(now - H));
  const expired = await issueCertificate(ca, { commonName: 'u', usages: ['client'], days: 1 }, new Date(now - 10 * 24 * H));
  const cert = (pem: string) => Buffer.from(pem).toString('base64');
  assert.equal(cleanupReason(base(undefined, ago(23 * H)), now), undefined);
  assert.equal(cleanupReason(base(undefined, ago(25 * H)), now), 'it is more than 24h0m0s old and unhandled');
  assert.equal(cleanupReason(base({ conditions: [{ type: 'Denied', status: 'True', lastUpdateTime: ago(2 * H) }] }), now), 'it is more than 1h0m0s old and denied');
  assert.equal(cleanupReason(base({ conditions: [{ type: 'Denied', status: 'True', lastUpdateTime: ago(H / 2) }] }), now), undefined);
  assert.equal(cleanupReason(base({ conditions: [{ type: 'Failed', status: 'True', lastUpdateTime: ago(2 * H) }] }), now), 'it is more than 1h0m0s old and failed');
  const approved = (t: string, c?: string) => base({ certificate: c, conditions: [{ type: 'Approved', status: 'True', lastUpdateTime: t }] });
  assert.equal(cleanupReason(approved(ago(2 * H)), now), undefined, 'approved but not issued stays');
  assert.equal(cleanupReason(approved(ago(H / 2), cert(fresh.certPem)), now), undefined);
  assert.equal(cleanupReason(approved(ago(2 * H), cert(fresh.certPem)), now), 'it is more than 1h0m0s old and approved');
  assert.equal(cleanupReason(approved(ago(H / 2), cert(expired.certPem)), now), 'the associated certificate is expired');
  assert.throws(() => cleanupReason(approved(ago(H / 2), cert('junk')), now), /expected the certificate associated with the CSR to be PEM encoded/);

  const calls: string[] = [];
  const client = { request: async (m: string, p: string) => { calls.push(`${m} ${p}`); return {}; } } as unknown as RESTClient;
  const factory = new SharedInformerFactory(client);
  const cleaner = new CSRCleanerController(client, factory);
  const inf = factory.forPath<any>('/apis/certificates.k8s.io/v1/certificatesigningrequests');
  inf.handle('ADDED', { ...base(undefined, ago(25 * H)), metadata: { name: 'old', creationTimestamp: ago(25 * H), resourceVersion: '1' } });
  inf.handle('ADDED', { ...base(undefined, ago(0)), metadata: { name: 'new', creationTimestamp: ago(0), resourceVersion: '2' } });
  await cleaner.pass(now);
  assert.deepEqual(calls, ['DELETE /apis/certificates.k8s.io/v1/certificatesigningrequests/old']);
});
