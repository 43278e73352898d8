import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { AuthorizationAttributes, Authorizer } from '../chain.js';
import type { RequestContext, UserInfo } from '../http/types.js';
import { StatusError } from '../../machinery/errors.js';
import { impersonate } from './impersonation.js';
import { TokenUnion, bearerToken } from './token.js';

const alice: UserInfo = { name: 'alice', groups: ['dev', 'system:authenticated'] };

function ctx(headers: [string, string][], user = alice): RequestContext {
  return {
    req: { rawHeaders: headers.flat(), url: '/api/v1/pods' },
    url: new URL('https://kumo/api/v1/pods'), user,
  } as unknown as RequestContext;
}

function recorder(allow: (a: AuthorizationAttributes) => boolean = () => true) {
  const seen: AuthorizationAttributes[] = [];
  const authorizer: Authorizer = { authorize: (a) => { seen.push(a); return { decision: allow(a) ? 'allow' : 'noOpinion' }; } };
  return { seen, authorizer };
}

test('no impersonation headers: the user is unchanged', async () => {
  const c = ctx([['Accept', 'application/json']]);
  assert.equal(await impersonate(c, recorder().authorizer), undefined);
  assert.equal(c.user, alice);
});

test('user and groups: each checked with verb impersonate; system:authenticated added', async () => {
  const r = recorder();
  const c = ctx([['Impersonate-User', 'bob'], ['Impersonate-Group', 'g1'], ['impersonate-group', 'g2']]);
  const u = await impersonate(c, r.authorizer);
  assert.deepEqual(u, { name: 'bob', groups: ['g1', 'g2', 'system:authenticated'] });
  assert.equal(c.user, u);
  assert.deepEqual(r.seen.map((a) => [a.user.name, a.verb, a.apiGroup, a.resource, a.name]), [
    ['alice', 'impersonate', '', 'users', 'bob'],
    ['alice', 'impersonate', '', 'groups', 'g1'],
    ['alice', 'impersonate', '', 'groups', 'g2'],
  ]);
});

test('service account: checked on serviceaccounts in its namespace, its groups by default', async () => {
  const r = recorder();
  const u = await impersonate(ctx([['Impersonate-User', 'system:serviceaccount:ns1:robot']]), r.authorizer);
  assert.deepEqual(u, { name: 'system:serviceaccount:ns1:robot', groups: ['system:serviceaccounts', 'system:serviceaccounts:ns1', 'system:authenticated'] });
  assert.deepEqual([r.seen[0].resource, r.seen[0].namespace, r.seen[0].name], ['serviceaccounts', 'ns1', 'robot']);
});

test('uid and extras: authentication.k8s.io uids and userextras/<key>', async () => {
  const r = recorder();
  const u = await impersonate(ctx([['Impersonate-User', 'bob'], ['Impersonate-Uid', '1234'], ['Impersonate-Extra-Scopes', 'view'], ['Impersonate-Extra-Scopes', 'edit'], ['Impersonate-Extra-example.com%2fteam', 'x']]), r.authorizer);
  assert.equal(u?.uid, '1234');
  assert.deepEqual(u?.extra, { scopes: ['view', 'edit'], 'example.com/team': ['x'] });
  const extras = r.seen.filter((a) => a.resource === 'userextras');
  assert.deepEqual(extras.map((a) => [a.apiGroup, a.subresource, a.name]), [
    ['authentication.k8s.io', 'scopes', 'view'], ['authentication.k8s.io', 'scopes', 'edit'], ['authentication.k8s.io', 'example.com/team', 'x'],
  ]);
  assert.deepEqual(r.seen.filter((a) => a.resource === 'uids').map((a) => [a.apiGroup, a.name]), [['authentication.k8s.io', '1234']]);
});

test('explicit system:unauthenticated or anonymous: no system:authenticated', async () => {
  assert.deepEqual((await impersonate(ctx([['Impersonate-User', 'bob'], ['Impersonate-Group', 'system:unauthenticated']]), undefined))?.groups, ['system:unauthenticated']);
  assert.deepEqual((await impersonate(ctx([['Impersonate-User', 'system:anonymous']]), undefined))?.groups, ['system:unauthenticated']);
});

test('denied: 403 with upstream wording, nothing changed', async () => {
  const r = recorder((a) => a.resource !== 'groups');
  const c = ctx([['Impersonate-User', 'bob'], ['Impersonate-Group', 'system:masters']]);
  await assert.rejects(() => impersonate(c, r.authorizer), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 403);
    assert.equal(e.message, 'groups "system:masters" is forbidden: User "alice" cannot impersonate resource "groups" in API group "" at the cluster scope');
    return true;
  });
  assert.equal(c.user, alice);
});

test('groups without a user is an error', async () => {
  await assert.rejects(() => impersonate(ctx([['Impersonate-Group', 'g']]), undefined), /requested \[\{Group  g    \}\] without impersonating a user/);
});

test('bearerToken: Bearer scheme only, case-insensitive', () => {
  const h = (authorization?: string) => ({ headers: { authorization } }) as never;
  assert.equal(bearerToken(h('Bearer abc')), 'abc');
  assert.equal(bearerToken(h('bearer  abc ')), 'abc');
  assert.equal(bearerToken(h('Basic abc')), undefined);
  assert.equal(bearerToken(h('Bearer')), undefined);
  assert.equal(bearerToken(h()), undefined);
});

test('TokenUnion: first success wins; errors aggregated; unrecognised is "invalid bearer token"', async () => {
  const ok = { authenticateToken: (t: string) => (t === 'good' ? { user: { name: 'u', groups: [] }, audiences: [] } : undefined) };
  const bad = { authenticateToken: (t: string) => { if (t.startsWith('jwt')) throw new Error(`${t} expired`); return undefined; } };
  const u = new TokenUnion([bad, ok, bad], ['api']);
  assert.deepEqual((await u.authenticateBearer('good')).user, { name: 'u', groups: ['system:authenticated'] });
  await assert.rejects(() => u.authenticateBearer('jwt1'), { message: '[jwt1 expired, jwt1 expired]' });
  await assert.rejects(() => new TokenUnion([bad], []).authenticateBearer('jwt2'), { message: 'jwt2 expired' });
  await assert.rejects(() => u.authenticateBearer('nobody'), { message: 'invalid bearer token' });
});
