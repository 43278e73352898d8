import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../../client/informer.js';
import { APIError, type RESTClient } from '../../../client/rest.js';
import { BootstrapSigner, computeDetachedSignature, signedData } from './bootstrapsigner.js';
import { TokenCleaner } from './tokencleaner.js';
import { TOKEN_SECRETS_PATH, hasExpired, tokenForSigning, type Secret } from './tokens.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');
const token = (id: string, secret: string, extra: Record<string, string> = {}, name = `bootstrap-token-${id}`): Secret => ({
  metadata: { name, namespace: 'kube-system', uid: `uid-${id}`, resourceVersion: '1' },
  type: 'bootstrap.kubernetes.io/token',
  data: Object.fromEntries(Object.entries({ 'token-id': id, 'token-secret': secret, 'usage-bootstrap-signing': 'true', ...extra }).map(([k, v]) => [k, b64(v)])),
});

test('computeDetachedSignature matches the cluster-bootstrap JWS test vector', () => {
  assert.equal(computeDetachedSignature('Hello from the other side. I must have called a thousand times.', 'joshua', 'my voice is my passcode'),
    'eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8');
});

test('tokenForSigning: only well-formed, unexpired tokens meant for signing', () => {
  const now = Date.parse('2024-01-01T00:00:00Z');
  assert.deepEqual(tokenForSigning(token('abcdef', '0123456789abcdef'), now), { id: 'abcdef', secret: '0123456789abcdef' });
  assert.equal(tokenForSigning(token('abcdef', '0123456789abcdef', { 'usage-bootstrap-signing': 'false' }), now), undefined);
  assert.equal(tokenForSigning(token('abcdef', 'short'), now), undefined);
  assert.equal(tokenForSigning(token('abcdef', '0123456789abcdef', {}, 'bootstrap-token-zzzzzz'), now), undefined);
  assert.equal(tokenForSigning(token('abcdef', '0123456789abcdef', { expiration: '2023-12-31T00:00:00Z' }), now), undefined);
  assert.equal(hasExpired(token('abcdef', 'x', { expiration: 'garbage' }), now), true, 'unparsable counts as expired');
  assert.equal(hasExpired(token('abcdef', 'x', { expiration: '2024-02-01T00:00:00Z' }), now), false);
});

test('signedData: adds signatures, keeps the rest, drops stale ones, and reports no change when current', () => {
  const cm = { metadata: { name: 'cluster-info' }, data: { kubeconfig: 'KC', other: 'x', 'jws-kubeconfig-zzzzzz': 'stale' } };
  const data = signedData(cm, [{ id: 'abcdef', secret: '0123456789abcdef' }])!;
  assert.deepEqual(Object.keys(data).sort(), ['jws-kubeconfig-abcdef', 'kubeconfig', 'other']);
  assert.equal(data['jws-kubeconfig-abcdef'], computeDetachedSignature('KC', 'abcdef', '0123456789abcdef'));
  assert.equal(signedData({ ...cm, data }, [{ id: 'abcdef', secret: '0123456789abcdef' }]), undefined);
  assert.equal(signedData({ metadata: { name: 'cluster-info' }, data: { other: 'x' } }, []), undefined, 'no kubeconfig: nothing to sign');
});

test('BootstrapSigner writes the signed cluster-info ConfigMap', async () => {
  const calls: { method: string; path: string; body?: any }[] = [];
  const client = { request: async (method: string, path: string, body?: any) => { calls.push({ method, path, body }); return body; } } as unknown as RESTClient;
  const factory = new SharedInformerFactory(client);
  const signer = new BootstrapSigner(client, factory);
  factory.forPath<any>('/api/v1/namespaces/kube-public/configmaps').handle('ADDED', { metadata: { name: 'cluster-info', namespace: 'kube-public', resourceVersion: '5' }, data: { kubeconfig: 'KC' } });
  factory.forPath<any>(TOKEN_SECRETS_PATH).handle('ADDED', token('abcdef', '0123456789abcdef'));
  await signer.sync();
  assert.equal(calls.length, 1);
  assert.equal(calls[0].path, '/api/v1/namespaces/kube-public/configmaps/cluster-info');
  assert.equal(calls[0].body.metadata.resourceVersion, '5');
  assert.ok(calls[0].body.data['jws-kubeconfig-abcdef'].startsWith('eyJ'));
});

test('TokenCleaner deletes expired tokens with a UID precondition and waits for the others', async () => {
  const calls: { method: string; path: string; body?: any }[] = [];
  let fail: number | undefined;
  const client = { request: async (method: string, path: string, body?: any) => {
    calls.push({ method, path, body });
    if (fail) throw new APIError(fail, { message: 'x' }, '');
    return {};
  } } as unknown as RESTClient;
  const factory = new SharedInformerFactory(client);
  const now = Date.parse('2024-01-01T00:00:00Z');
  const cleaner = new TokenCleaner(client, factory, () => {}, () => now);
  const inf = factory.forPath<any>(TOKEN_SECRETS_PATH);
  inf.handle('ADDED', token('aaaaaa', '0123456789abcdef', { expiration: '2023-12-31T23:00:00Z' }));
  inf.handle('ADDED', token('bbbbbb', '0123456789abcdef', { expiration: '2024-01-02T00:00:00Z' }));
  inf.handle('ADDED', token('cccccc', '0123456789abcdef'));
  await cleaner.sync('kube-system/bootstrap-token-aaaaaa');
  await cleaner.sync('kube-system/bootstrap-token-bbbbbb');
  await cleaner.sync('kube-system/bootstrap-token-cccccc');
  assert.deepEqual(calls.map((x) => `${x.method} ${x.path}`), ['DELETE /api/v1/namespaces/kube-system/secrets/bootstrap-token-aaaaaa']);
  assert.deepEqual(calls[0].body.preconditions, { uid: 'uid-aaaaaa' });
  fail = 404;
  await cleaner.sync('kube-system/bootstrap-token-aaaaaa'); // already gone: fine
  fail = 500;
  await assert.rejects(cleaner.sync('kube-system/bootstrap-token-aaaaaa'));
  cleaner.stop();
});
