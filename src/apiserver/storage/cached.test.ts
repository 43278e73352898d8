import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cachedFromStorage } from './cached.js';
import { encodeForStorage, identityTransformer } from './codec.js';

const stored = (key: string, obj: Record<string, unknown>, rev: number) =>
  cachedFromStorage({ key, value: encodeForStorage(obj, key, identityTransformer), createRevision: rev, modRevision: rev }, identityTransformer);

test('a cached object serves its bytes with the resourceVersion spliced in, and parses to the same object', () => {
  const c = stored('/registry/configmaps/d/a', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'a', namespace: 'd' }, data: { k: 'v' } }, 42);
  assert.equal(JSON.parse(c.json()).metadata.resourceVersion, '42');
  assert.deepEqual(c.obj, JSON.parse(c.bytes().toString()));
});

test('few-of-a-kind objects stay parsed (one identity for caches keyed by it); pods are parsed again once evicted', () => {
  const role = stored('/registry/roles/d/r', { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'Role', metadata: { name: 'r', namespace: 'd' }, rules: [] }, 3);
  const first = role.obj;
  const p = stored('/registry/pods/d/p0', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p0', namespace: 'd' }, spec: {} }, 4);
  const pod0 = p.obj;
  assert.equal(p.obj, pod0, 'recent: the same parsed pod');
  // push more than the LRU's 8,192 other pods through
  for (let i = 1; i <= 9000; i++) void stored(`/registry/pods/d/p${i}`, { apiVersion: 'v1', kind: 'Pod', metadata: { name: `p${i}` } }, 4 + i).obj;
  assert.notEqual(p.obj, pod0, 'an evicted pod is parsed anew');
  assert.deepEqual(p.obj, pod0);
  assert.equal(role.obj, first, 'the Role is still the object it was');
});

test('selection attributes are computed once per object version and per computation', () => {
  const c = stored('/registry/pods/d/s', { apiVersion: 'v1', kind: 'Pod', metadata: { name: 's', labels: { a: 'b' } }, spec: { nodeName: 'n' } }, 9);
  let calls = 0;
  const by = {};
  const f = (o: { spec?: unknown }) => { calls++; return (o.spec as { nodeName: string }).nodeName; };
  assert.equal(c.attrs(by, f as never), 'n');
  assert.equal(c.attrs(by, f as never), 'n');
  assert.equal(calls, 1);
  c.attrs({}, f as never);
  assert.equal(calls, 2, 'another computation (e.g. a CRD whose selectable fields changed) recomputes');
});
