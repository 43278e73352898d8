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
