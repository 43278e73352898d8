import { test } from 'node:test';
import assert from 'node:assert/strict';
import { customResourceConverter } from './resource.js';
import type { CRD, CRDVersion } from './crd.js';

const schema = (withDefault: boolean) => ({ openAPIV3Schema: { type: 'object', properties: {
  spec: { type: 'object', properties: { size: { type: 'integer', ...(withDefault ? { default: 3 } : {}) } } },
} } });
const v1: CRDVersion = { name: 'v1', served: true, storage: true, schema: schema(false) as CRDVersion['schema'] };
const v2: CRDVersion = { name: 'v2', served: true, storage: false, schema: schema(true) as CRDVersion['schema'] };
const crd = { apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.example.com' },
  spec: { group: 'example.com', names: { plural: 'widgets', kind: 'Widget' }, scope: 'Namespaced', versions: [v1, v2] } } as unknown as CRD;

test('serving another version defaults a copy: the stored (cached) object is never changed', () => {
  const stored = { apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'd' }, spec: {} };
  const before = JSON.stringify(stored);
  const served = customResourceConverter(crd, v2, v1).fromStorage(stored);
  assert.equal(served.apiVersion, 'example.com/v2');
  assert.deepEqual(served.spec, { size: 3 }, "v2's default applies to what is served");
  assert.equal(JSON.stringify(stored), before, 'the cached v1 object is untouched');
  // the storage version served as is: also defaulted on a copy
  const same = customResourceConverter(crd, v1, v1).fromStorage(stored);
  assert.notEqual(same, stored);
  assert.equal(JSON.stringify(stored), before);
});
