import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../api/types.js';
import { authenticateBootstrapToken, bootstrapGroups, bootstrapTokenExpired } from './bootstrap.js';

const b64 = (s: string) => Buffer.from(s).toString('base64');

function secret(data: Record<string, string>, extra: Partial<KObject> = {}): KObject {
  return {
    apiVersion: 'v1', kind: 'Secret', type: 'bootstrap.kubernetes.io/token',
    metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system', uid: 'x' },
    data: Object.fromEntries(Object.entries(data).map(([k, v]) => [k, b64(v)])),
    ...extra,
  };
}

const VALID = { 'token-id': 'abcdef', 'token-secret': '0123456789abcdef', 'usage-bootstrap-authentication': 'true' };

function getter(s: KObject | undefined) {
  const asked: string[] = [];
  return { asked, get: (ns: string, name: string) => { asked.push(`${ns}/${name}`); return s; } };
}

test('bootstrap token: id.secret → system:bootstrap:<id> in system:bootstrappers', async () => {
  const g = getter(secret(VALID));
  const u = await authenticateBootstrapToken('abcdef.0123456789abcdef', g.get);
  assert.deepEqual(u, { name: 'system:bootstrap:abcdef', groups: ['system:bootstrappers'] });
  assert.deepEqual(g.asked, ['kube-system/bootstrap-token-abcdef']);
});

test('bootstrap token: extra groups are validated, deduplicated and sorted', async () => {
  const s = secret({ ...VALID, 'auth-extra-groups': 'system:bootstrappers:kubeadm:default-node-token,system:bootstrappers:a,system:bootstrappers:a' });
  assert.deepEqual(bootstrapGroups(s), ['system:bootstrappers', 'system:bootstrappers:a', 'system:bootstrappers:kubeadm:default-node-token']);
  assert.deepEqual((await authenticateBootstrapToken('abcdef.0123456789abcdef', () => s))?.groups,
    ['system:bootstrappers', 'system:bootstrappers:a', 'system:bootstrappers:kubeadm:default-node-token']);
  // a group outside system:bootstrappers: makes the token unusable
  const bad = secret({ ...VALID, 'auth-extra-groups': 'system:masters' });
  assert.throws(() => bootstrapGroups(bad), /not a valid bootstrap group name/);
  assert.equal(await authenticateBootstrapToken('abcdef.0123456789abcdef', () => bad), undefined);
});

test('bootstrap token: every way to be invalid is "not recognised"', async () => {
  const tok = 'abcdef.0123456789abcdef';
  const cases: [string, KObject | undefined, string?][] = [
    ['no secret', undefined],
    ['wrong secret', secret({ ...VALID, 'token-secret': 'ffffffffffffffff' })],
    ['wrong id in data', secret({ ...VALID, 'token-id': 'zzzzzz' })],
    ['wrong type', secret(VALID, { type: 'Opaque' })],
    ['not for authentication', secret({ ...VALID, 'usage-bootstrap-authentication': 'false' })],
    ['usage missing', secret({ 'token-id': 'abcdef', 'token-secret': '0123456789abcdef' })],
    ['expired', secret({ ...VALID, expiration: '2000-01-01T00:00:00Z' })],
    ['unparsable expiration', secret({ ...VALID, expiration: 'tomorrow' })],
    ['being deleted', secret(VALID, { metadata: { name: 'bootstrap-token-abcdef', namespace: 'kube-system', deletionTimestamp: '2020-01-01T00:00:00Z' } })],
    ['malformed token', secret(VALID), 'abcdef0123456789abcdef'],
    ['upper case', secret(VALID), 'ABCDEF.0123456789ABCDEF'],
    ['short secret', secret(VALID), 'abcdef.0123456789abcde'],
  ];
  for (const [why, s, t] of cases) {
    assert.equal(await authenticateBootstrapToken(t ?? tok, () => s), undefined, why);
  }
});

test('bootstrap token: expiration in the future is fine, RFC 3339 with offsets', () => {
  const now = Date.parse('2030-01-01T00:00:00Z');
  assert.equal(bootstrapTokenExpired(secret({ ...VALID, expiration: '2030-01-01T01:00:00+00:00' }), now), false);
  assert.equal(bootstrapTokenExpired(secret({ ...VALID, expiration: '2030-01-01T00:30:00+01:00' }), now), true);
  assert.equal(bootstrapTokenExpired(secret(VALID), now), false);
});
