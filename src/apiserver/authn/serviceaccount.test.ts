import { test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SignJWT, decodeJwt, decodeProtectedHeader } from 'jose';
import type { KObject } from '../../api/types.js';
import { DEFAULT_ISSUER, ServiceAccountTokens, keyID, loadServiceAccountKeys, publicJWKS } from './serviceaccount.js';

function rsaPem(): string {
  return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
}
const KEY = rsaPem();
const OTHER_KEY = rsaPem();

function world() {
  const objects = new Map<string, KObject>();
  const put = (resource: string, ns: string, name: string, uid: string, extra: Record<string, unknown> = {}) =>
    objects.set(`${resource}/${ns}/${name}`, { metadata: { name, namespace: ns || undefined, uid, ...extra } });
  put('serviceaccounts', 'ns1', 'robot', 'sa-uid');
  put('pods', 'ns1', 'web', 'pod-uid');
  put('secrets', 'ns1', 'tok', 'secret-uid');
  put('nodes', '', 'n1', 'node-uid');
  let now = 1_800_000_000;
  const tokens = (key = KEY, issuer = DEFAULT_ISSUER, apiAudiences = [DEFAULT_ISSUER]) => new ServiceAccountTokens({
    issuer, apiAudiences, keys: loadServiceAccountKeys(key),
    get: (r, ns, name) => objects.get(`${r}/${ns}/${name}`), now: () => now,
  });
  return { objects, put, tokens, tick: (s: number) => { now += s; }, now: () => now };
}

const sa = { metadata: { name: 'robot', namespace: 'ns1', uid: 'sa-uid' } };
const pod = { metadata: { name: 'web', namespace: 'ns1', uid: 'pod-uid' } };

test('issued token: upstream bound-token claims, RS256 with the key id', async () => {
  const w = world();
  const t = w.tokens();
  const node = { metadata: { name: 'n1', uid: 'node-uid' } };
  const { token, exp } = await t.issue({ serviceAccount: sa, audiences: ['api', 'vault'], expirationSeconds: 3600, bound: { kind: 'Pod', object: pod }, node });
  const h = decodeProtectedHeader(token);
  assert.equal(h.alg, 'RS256');
  assert.equal(h.kid, keyID(loadServiceAccountKeys(KEY).publicKeys[0].key));
  const c = decodeJwt(token);
  assert.equal(c.iss, DEFAULT_ISSUER);
  assert.equal(c.sub, 'system:serviceaccount:ns1:robot');
  assert.deepEqual(c.aud, ['api', 'vault']);
  assert.equal(c.iat, w.now());
  assert.equal(c.nbf, w.now());
  assert.equal(c.exp, w.now() + 3600);
  assert.equal(exp, w.now() + 3600);
  assert.match(String(c.jti), /^[0-9a-f-]{36}$/);
  assert.deepEqual(c['kubernetes.io'], {
    namespace: 'ns1', serviceaccount: { name: 'robot', uid: 'sa-uid' },
    pod: { name: 'web', uid: 'pod-uid' }, node: { name: 'n1', uid: 'node-uid' },
  });
});

test('valid pod-bound token → the service account user with pod extras', async () => {
  const w = world();
  const t = w.tokens();
  const { token } = await t.issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600, bound: { kind: 'Pod', object: pod } });
  const r = await t.authenticateToken(token);
  assert.ok(r);
  assert.equal(r.user.name, 'system:serviceaccount:ns1:robot');
  assert.equal(r.user.uid, 'sa-uid');
  assert.deepEqual(r.user.groups, ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated']);
  assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/pod-name'], ['web']);
  assert.deepEqual(r.user.extra?.['authentication.kubernetes.io/pod-uid'], ['pod-uid']);
  assert.deepEqual(r.audiences, [DEFAULT_ISSUER]);
});

test('tokens of another issuer or not JWTs are not recognised (another authenticator may know them)', async () => {
  const w = world();
  const mine = w.tokens();
  const theirs = w.tokens(KEY, 'https://other.example');
  const { token } = await theirs.issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600 });
  assert.equal(await mine.authenticateToken(token), undefined);
  assert.equal(await mine.authenticateToken('abcdef.0123456789abcdef'), undefined);
  assert.equal(await mine.authenticateToken('not-a-token'), undefined);
  assert.equal(await mine.authenticateToken('a.b.c'), undefined);
});

test('wrong signature → error', async () => {
  const w = world();
  const forged = await w.tokens(OTHER_KEY).issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600 });
  // signed by another key but claiming our key id: verification must still fail
  const header = decodeProtectedHeader(forged.token);
  assert.notEqual(header.kid, keyID(loadServiceAccountKeys(KEY).publicKeys[0].key));
  await assert.rejects(async () => w.tokens().authenticateToken(forged.token), /invalid signature, no keys found/);
  const claims = decodeJwt(forged.token);
  const withOurKid = await new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: keyID(loadServiceAccountKeys(KEY).publicKeys[0].key) })
    .sign(loadServiceAccountKeys(OTHER_KEY).privateKey);
  await assert.rejects(async () => w.tokens().authenticateToken(withOurKid), /error in cryptographic primitive/);
  // a tampered payload fails too
  const [h, , s] = (await w.tokens().issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600 })).token.split('.');
  const evil = Buffer.from(JSON.stringify({ ...claims, sub: 'system:serviceaccount:kube-system:admin' })).toString('base64url');
  await assert.rejects(async () => w.tokens().authenticateToken(`${h}.${evil}.${s}`), /error in cryptographic primitive/);
});

test('"none" algorithm tokens are rejected', async () => {
  const w = world();
  const payload = Buffer.from(JSON.stringify({ iss: DEFAULT_ISSUER, aud: [DEFAULT_ISSUER], exp: w.now() + 100, 'kubernetes.io': { namespace: 'ns1', serviceaccount: { name: 'robot', uid: 'sa-uid' } } })).toString('base64url');
  const head = Buffer.from(JSON.stringify({ alg: 'none' })).toString('base64url');
  await assert.rejects(async () => w.tokens().authenticateToken(`${head}.${payload}.`), /cryptographic primitive/);
});

test('wrong audience → error with upstream wording; requested audiences narrow the result', async () => {
  const w = world();
  const t = w.tokens();
  const { token } = await t.issue({ serviceAccount: sa, audiences: ['vault'], expirationSeconds: 3600 });
  await assert.rejects(async () => t.authenticateToken(token),
    { message: `token audiences ["vault"] is invalid for the target audiences ["${DEFAULT_ISSUER}"]` });
  const r = await t.authenticateToken(token, ['vault', 'other']);
  assert.deepEqual(r?.audiences, ['vault']);
});

test('expiry: valid within the 60 s leeway, expired after it; not before', async () => {
  const w = world();
  const t = w.tokens();
  const { token } = await t.issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 600 });
  w.tick(600 + 59);
  assert.ok(await t.authenticateToken(token));
  w.tick(2);
  await assert.rejects(async () => t.authenticateToken(token), { message: 'service account token has expired' });
  const w2 = world();
  const early = await w2.tokens().issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600 });
  w2.tick(-120);
  await assert.rejects(async () => w2.tokens().authenticateToken(early.token), { message: 'service account token is not valid yet' });
});

test('service account deleted or recreated → error', async () => {
  const w = world();
  const t = w.tokens();
  const { token } = await t.issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600 });
  w.put('serviceaccounts', 'ns1', 'robot', 'new-uid');
  await assert.rejects(async () => t.authenticateToken(token), { message: 'service account UID (new-uid) does not match claim (sa-uid)' });
  w.objects.delete('serviceaccounts/ns1/robot');
  await assert.rejects(async () => t.authenticateToken(token), { message: 'serviceaccounts "robot" not found' });
});

test('bound pod deleted, being deleted for over a minute, or recreated → invalidated', async () => {
  const w = world();
  const t = w.tokens();
  const { token } = await t.issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600, bound: { kind: 'Pod', object: pod } });
  // terminating pods keep their token for the leeway, as upstream
  w.put('pods', 'ns1', 'web', 'pod-uid', { deletionTimestamp: new Date((w.now() - 30) * 1000).toISOString() });
  assert.ok(await t.authenticateToken(token));
  w.put('pods', 'ns1', 'web', 'pod-uid', { deletionTimestamp: new Date((w.now() - 61) * 1000).toISOString() });
  await assert.rejects(async () => t.authenticateToken(token), { message: 'service account token has been invalidated' });
  w.put('pods', 'ns1', 'web', 'other-pod');
  await assert.rejects(async () => t.authenticateToken(token), { message: 'pod UID (other-pod) does not match service account pod ref claim (pod-uid)' });
  w.objects.delete('pods/ns1/web');
  await assert.rejects(async () => t.authenticateToken(token), { message: 'service account token has been invalidated' });
});

test('secret- and node-bound tokens follow their object', async () => {
  const w = world();
  const t = w.tokens();
  const s = await t.issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600, bound: { kind: 'Secret', object: { metadata: { name: 'tok', uid: 'secret-uid' } } } });
  const n = await t.issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600, bound: { kind: 'Node', object: { metadata: { name: 'n1', uid: 'node-uid' } } } });
  assert.ok(await t.authenticateToken(s.token));
  const nu = await t.authenticateToken(n.token);
  assert.deepEqual(nu?.user.extra?.['authentication.kubernetes.io/node-name'], ['n1']);
  w.objects.delete('secrets/ns1/tok');
  w.objects.delete('nodes//n1');
  await assert.rejects(async () => t.authenticateToken(s.token), /has been invalidated/);
  await assert.rejects(async () => t.authenticateToken(n.token), /has been invalidated/);
});

test('JWKS: the public key with its key id, no private parts', () => {
  const keys = loadServiceAccountKeys(KEY);
  const jwks = publicJWKS(keys);
  assert.equal(jwks.keys.length, 1);
  const k = jwks.keys[0];
  assert.equal(k.kty, 'RSA');
  assert.equal(k.alg, 'RS256');
  assert.equal(k.use, 'sig');
  assert.equal(k.kid, keys.publicKeys[0].kid);
  assert.ok(k.n && k.e);
  assert.equal((k as Record<string, unknown>).d, undefined);
});

test('loadServiceAccountKeys: only RSA keys; extra public keys verify rotated tokens', async () => {
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.throws(() => loadServiceAccountKeys(ec), /must be an RSA key/);
  const w = world();
  const old = await w.tokens(OTHER_KEY).issue({ serviceAccount: sa, audiences: [DEFAULT_ISSUER], expirationSeconds: 3600 });
  const { createPublicKey } = await import('node:crypto');
  const oldPub = createPublicKey(OTHER_KEY).export({ type: 'spki', format: 'pem' }).toString();
  const t = new ServiceAccountTokens({ issuer: DEFAULT_ISSUER, apiAudiences: [DEFAULT_ISSUER], keys: loadServiceAccountKeys(KEY, [oldPub]), get: (r, ns, name) => w.objects.get(`${r}/${ns}/${name}`), now: w.now });
  assert.equal((await t.authenticateToken(old.token))?.user.name, 'system:serviceaccount:ns1:robot');
});
