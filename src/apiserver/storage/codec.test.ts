import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeFromStorage, encodeForStorage, identityTransformer, isStaleObject, type ValueTransformer } from './codec.js';

const kv = (value: Uint8Array) => ({ key: '/registry/secrets/ns/s', value, createRevision: 1, modRevision: 7, version: 1 });

test('decodeFromStorage marks objects a transformer reports stale, invisibly to JSON and clones', () => {
  const stale: ValueTransformer = { ...identityTransformer, isStale: () => true };
  const bytes = encodeForStorage({ kind: 'Secret', metadata: { name: 's', resourceVersion: '3' } }, '/registry/secrets/ns/s', identityTransformer);
  const obj = decodeFromStorage(kv(bytes) as never, stale);
  assert.equal(isStaleObject(obj), true);
  assert.equal(obj.metadata?.resourceVersion, '7');
  assert.equal(JSON.stringify(obj).includes('stale'), false);
  assert.equal(isStaleObject(structuredClone(obj)), false);
  assert.equal(isStaleObject(decodeFromStorage(kv(bytes) as never, identityTransformer)), false);
});

test('stored JSON is metadata-first, and the resourceVersion is spliced into the bytes without parsing', async () => {
  const { encodeForStorage, withResourceVersion, identityTransformer } = await import('./codec.js');
  const { cachedFromStorage } = await import('./cached.js');
  const obj = { apiVersion: 'v1', kind: 'ConfigMap', data: { a: 'b' }, metadata: { name: 'x', namespace: 'ns', resourceVersion: '7' } };
  const stored = Buffer.from(encodeForStorage(obj, '/registry/configmaps/ns/x', identityTransformer));
  assert.ok(stored.toString().startsWith('{"metadata":{"name":"x"'), 'metadata first, resourceVersion dropped');
  const spliced = withResourceVersion(stored, 42)!;
  assert.deepEqual(JSON.parse(spliced.toString()), { ...obj, metadata: { resourceVersion: '42', name: 'x', namespace: 'ns' } });
  const empty = withResourceVersion(Buffer.from('{"metadata":{},"kind":"X"}'), 3)!;
  assert.deepEqual(JSON.parse(empty.toString()), { metadata: { resourceVersion: '3' }, kind: 'X' });
  assert.equal(withResourceVersion(Buffer.from('{"kind":"X","metadata":{}}'), 3), undefined, 'older layout: the caller parses');
  const c = cachedFromStorage({ key: '/registry/configmaps/ns/x', value: stored, createRevision: 42, modRevision: 42 }, identityTransformer);
  assert.equal(JSON.parse(c.bytes().toString()).metadata.resourceVersion, '42');
  assert.equal(c.obj.metadata?.resourceVersion, '42');
  assert.equal(c.obj, c.obj, 'parsed once');
  const old = cachedFromStorage({ key: '/registry/configmaps/ns/y', value: Buffer.from('{"kind":"ConfigMap","metadata":{"name":"y"}}'), createRevision: 5, modRevision: 9 }, identityTransformer);
  assert.equal(old.obj.metadata?.resourceVersion, '9');
});
