import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { SchemaNode } from '../schema.js';
import { StatusError } from '../errors.js';
import { strategicMergePatch } from './strategic.js';

// ---- schemas built by hand ---------------------------------------------------------------

/** upstream's test type MergeItem (strategicpatch/patch_test.go), recursive. */
const mergeItem: SchemaNode = { type: 'object', properties: {} };
const retainKeysItem: SchemaNode = { type: 'object', properties: {} };
Object.assign(mergeItem.properties!, {
  name: { type: 'string' },
  value: { type: 'string' },
  other: { type: 'string' },
  mergingList: { type: 'array', items: mergeItem, patchStrategy: 'merge', patchMergeKey: 'name' },
  nonMergingList: { type: 'array', items: mergeItem },
  mergingIntList: { type: 'array', items: { type: 'integer' }, patchStrategy: 'merge' },
  nonMergingIntList: { type: 'array', items: { type: 'integer' } },
  simpleMap: { type: 'object', additionalProperties: { type: 'string' } },
  replacingItem: { preserveUnknownFields: true, patchStrategy: 'replace' },
  retainKeysMap: { ...retainKeysItem, patchStrategy: 'retainKeys' },
  retainKeysMergingList: { type: 'array', items: mergeItem, patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
});
Object.assign(retainKeysItem.properties!, {
  name: { type: 'string' }, value: { type: 'string' }, other: { type: 'string' },
  simpleMap: { type: 'object', additionalProperties: { type: 'string' } },
  mergingIntList: { type: 'array', items: { type: 'integer' }, patchStrategy: 'merge' },
  mergingList: { type: 'array', items: mergeItem, patchStrategy: 'merge', patchMergeKey: 'name' },
  nonMergingList: { type: 'array', items: mergeItem },
});

const str: SchemaNode = { type: 'string' };
const envVar: SchemaNode = { type: 'object', properties: { name: str, value: str } };
const port: SchemaNode = { type: 'object', properties: { containerPort: { type: 'integer' }, protocol: str, name: str } };
const container: SchemaNode = {
  type: 'object', ref: 'io.k8s.api.core.v1.Container', properties: {
    name: str, image: str,
    args: { type: 'array', items: str },
    ports: { type: 'array', items: port, patchStrategy: 'merge', patchMergeKey: 'containerPort', listType: 'map', listMapKeys: ['containerPort', 'protocol'] },
    env: { type: 'array', items: envVar, patchStrategy: 'merge', patchMergeKey: 'name' },
    resources: { type: 'object', properties: { limits: { type: 'object', additionalProperties: str } } },
  },
};
const volume: SchemaNode = { type: 'object', properties: { name: str, emptyDir: { type: 'object', properties: { medium: str } }, configMap: { type: 'object', properties: { name: str } } } };
const toleration: SchemaNode = { type: 'object', properties: { key: str, operator: str, effect: str } };
const podSpec: SchemaNode = {
  type: 'object', properties: {
    containers: { type: 'array', items: container, patchStrategy: 'merge', patchMergeKey: 'name' },
    volumes: { type: 'array', items: volume, patchStrategy: 'merge,retainKeys', patchMergeKey: 'name' },
    tolerations: { type: 'array', items: toleration },
    nodeSelector: { type: 'object', additionalProperties: str },
  },
};
const objectMeta: SchemaNode = {
  type: 'object', properties: {
    name: str,
    labels: { type: 'object', additionalProperties: str },
    annotations: { type: 'object', additionalProperties: str },
    finalizers: { type: 'array', items: str, patchStrategy: 'merge' },
  },
};
const deployment: SchemaNode = {
  type: 'object', properties: {
    metadata: objectMeta,
    spec: {
      type: 'object', properties: {
        replicas: { type: 'integer' },
        strategy: {
          type: 'object', patchStrategy: 'retainKeys', properties: {
            type: str,
            rollingUpdate: { type: 'object', properties: { maxSurge: { intOrString: true }, maxUnavailable: { intOrString: true } } },
          },
        },
        template: { type: 'object', properties: { metadata: objectMeta, spec: podSpec } },
      },
    },
  },
};

type Case = { name: string; original: unknown; patch: unknown; want: unknown; schema?: SchemaNode };

function run(cases: Case[], schema: SchemaNode | undefined): void {
  for (const c of cases) {
    const orig = structuredClone(c.original);
    const patch = structuredClone(c.patch);
    assert.deepEqual(strategicMergePatch(c.original, c.patch, c.schema ?? schema), c.want, c.name);
    assert.deepEqual(c.original, orig, `${c.name}: original mutated`);
    assert.deepEqual(c.patch, patch, `${c.name}: patch mutated`);
  }
}

const dep = (containers: unknown[], extra: Record<string, unknown> = {}) =>
  ({ spec: { template: { spec: { containers, ...extra } } } });

// ---- upstream's own cases (strategicpatch/patch_test.go) ---------------------------------

test('upstream MergeItem cases', () => {
  run([
    { name: 'add field to map', original: { name: '1' }, patch: { value: '1' }, want: { name: '1', value: '1' } },
    { name: 'add and delete fields', original: { name: '1', other: 'a' }, patch: { name: null, value: '1' }, want: { value: '1', other: 'a' } },
    { name: 'delete field from nested map', original: { simpleMap: { key1: '1', key2: '1', other: 'a' } }, patch: { simpleMap: { key2: null } }, want: { simpleMap: { key1: '1', other: 'a' } } },
    { name: 'unmatched nulls are not added', original: { name: 'a', other: 'a' }, patch: { name: '1', value: '1', other: null }, want: { name: '1', value: '1' } },
    { name: 'unique scalars when merging lists', original: { mergingIntList: [1, 2] }, patch: { mergingIntList: [2, 3] }, want: { mergingIntList: [1, 2, 3] } },
    { name: 'replace list of scalars', original: { nonMergingIntList: [1, 2] }, patch: { nonMergingIntList: [2, 3] }, want: { nonMergingIntList: [2, 3] } },
    { name: '$patch: delete on a map leaves it empty', original: { simpleMap: { key1: '1', key2: '1' } }, patch: { simpleMap: { $patch: 'delete' } }, want: { simpleMap: {} } },
    { name: 'delete all items from merging list', original: { mergingList: [{ name: '1' }, { name: '2' }] }, patch: { mergingList: [{ $patch: 'replace' }] }, want: { mergingList: [] } },
    { name: 'delete all maps from merging list', original: { mergingList: [{ name: '1', other: 'a' }, { name: '2' }] }, patch: { mergingList: [{ name: '1', $patch: 'delete' }, { name: '2', $patch: 'delete' }] }, want: { mergingList: [] } },
    { name: 'merge empty merging lists', original: { mergingList: [] }, patch: { mergingList: [] }, want: { mergingList: [] } },
    { name: 'delete all keys from map', original: { name: '1', value: '1' }, patch: { $patch: 'replace' }, want: {} },
    { name: 'add key and delete all keys from map', original: { name: '1', value: '1' }, patch: { other: 'a', $patch: 'replace' }, want: { other: 'a' } },
    { name: 'preserve the order from the patch in a merging list', original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
      patch: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', other: 'x' }] },
      want: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }, { name: '2', value: 'b', other: 'x' }] } },
    { name: 'preserve the order from the patch in a merging list 2', original: { mergingList: [{ name: '1' }, { name: '2', value: 'b' }, { name: '3' }] },
      patch: { mergingList: [{ name: '3', value: 'c' }, { name: '1', value: 'a' }] },
      want: { mergingList: [{ name: '2', value: 'b' }, { name: '3', value: 'c' }, { name: '1', value: 'a' }] } },
    { name: 'preserve the order from the patch in a merging int list', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1, 2] }, want: { mergingIntList: [3, 1, 2] } },
    { name: 'preserve the order from the patch in a merging int list 2', original: { mergingIntList: [1, 2, 3] }, patch: { mergingIntList: [3, 1] }, want: { mergingIntList: [2, 3, 1] } },
    { name: '$setElementOrder with an item missing from the list', original: { mergingList: [{ name: '1' }, { name: '3' }] },
      patch: { '$setElementOrder/mergingList': [{ name: '3' }, { name: '2' }, { name: '1' }], mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
      want: { mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] } },
    { name: '$setElementOrder alone reorders an int list', original: { mergingIntList: [1, 3] }, patch: { '$setElementOrder/mergingIntList': [3, 2, 1] }, want: { mergingIntList: [3, 1] } },
    { name: 'delete items in lists of scalars', original: { mergingIntList: [1, 2, 3, 4] },
      patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] }, want: { mergingIntList: [1, 2, 4] } },
    { name: 'delete all duplicate items in lists of scalars', original: { mergingIntList: [1, 2, 3, 3, 4] },
      patch: { '$setElementOrder/mergingIntList': [1, 2], '$deleteFromPrimitiveList/mergingIntList': [3] }, want: { mergingIntList: [1, 2, 4] } },
    { name: 'add and delete items in lists of scalars', original: { mergingIntList: [1, 2, 3, 4] },
      patch: { '$setElementOrder/mergingIntList': [1, 2, 4], '$deleteFromPrimitiveList/mergingIntList': [3], mergingIntList: [4] }, want: { mergingIntList: [1, 2, 4] } },
    { name: 'merge lists of maps with $setElementOrder', original: { mergingList: [{ name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }] },
      patch: { '$setElementOrder/mergingList': [{ name: '4' }, { name: '1' }, { name: '2' }, { name: '3' }], mergingList: [{ name: '4', value: '4' }, { name: '3', value: '3' }] },
      want: { mergingList: [{ name: '4', value: '4' }, { name: '1', other: 'a' }, { name: '2', value: '2', other: 'b' }, { name: '3', value: '3' }] } },
    { name: 'retainKeys map can add a field without a directive', original: { retainKeysMap: { name: 'foo' } }, patch: { retainKeysMap: { value: 'bar' } }, want: { retainKeysMap: { name: 'foo', value: 'bar' } } },
    { name: 'retainKeys map clears unlisted fields', original: { retainKeysMap: { name: 'foo', value: 'a', other: 'b' } },
      patch: { retainKeysMap: { $retainKeys: ['name', 'other'], other: 'c' } }, want: { retainKeysMap: { name: 'foo', other: 'c' } } },
    { name: 'retainKeys list can change a field', original: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'a' }] },
      patch: { retainKeysMergingList: [{ name: 'foo', value: 'b' }] }, want: { retainKeysMergingList: [{ name: 'bar' }, { name: 'foo', value: 'b' }] } },
    { name: 'replace strategy replaces a map', original: { replacingItem: { a: 1, b: 2 } }, patch: { replacingItem: { c: 3 } }, want: { replacingItem: { c: 3 } } },
    { name: 'nonMergingList replaced wholesale', original: { nonMergingList: [{ name: '1', value: 'x' }] }, patch: { nonMergingList: [{ name: '2' }] }, want: { nonMergingList: [{ name: '2' }] } },
    { name: 'nested merging list inside a merging list', original: { mergingList: [{ name: 'a', mergingList: [{ name: 'x', value: '1' }] }] },
      patch: { mergingList: [{ name: 'a', mergingList: [{ name: 'y' }, { name: 'x', other: '2' }] }] },
      want: { mergingList: [{ name: 'a', mergingList: [{ name: 'y' }, { name: 'x', value: '1', other: '2' }] }] } },
    { name: 'null patch is a no-op', original: { name: 'a' }, patch: null, want: { name: 'a' } },
  ], mergeItem);
});

// ---- Kubernetes-shaped cases ---------------------------------------------------------------

test('containers, ports, env, volumes, tolerations, finalizers, labels, strategy', () => {
  const app = { name: 'app', image: 'app:1', ports: [{ containerPort: 80 }], env: [{ name: 'A', value: '1' }] };
  run([
    { name: 'a new container lands before the existing ones (DESIGN §8)', original: dep([app]), patch: dep([{ name: 'side', image: 'side:1' }]),
      want: dep([{ name: 'side', image: 'side:1' }, app]) },
    { name: 'containers merged by name', original: dep([app, { name: 'b', image: 'b:1' }]), patch: dep([{ name: 'app', image: 'app:2' }]),
      want: dep([{ ...app, image: 'app:2' }, { name: 'b', image: 'b:1' }]) },
    { name: 'ports merged by containerPort', original: dep([app]), patch: dep([{ name: 'app', ports: [{ containerPort: 443 }, { containerPort: 80, name: 'http' }] }]),
      want: dep([{ ...app, ports: [{ containerPort: 443 }, { containerPort: 80, name: 'http' }] }]) },
    { name: 'env merged by name, value deleted with null', original: dep([app]), patch: dep([{ name: 'app', env: [{ name: 'A', value: null }, { name: 'B', value: '2' }] }]),
      want: dep([{ ...app, env: [{ name: 'A' }, { name: 'B', value: '2' }] }]) },
    { name: 'args (no strategy) replaced', original: dep([{ name: 'app', args: ['a', 'b'] }]), patch: dep([{ name: 'app', args: ['c'] }]),
      want: dep([{ name: 'app', args: ['c'] }]) },
    { name: '$patch: delete removes a container', original: dep([app, { name: 'b' }]), patch: dep([{ name: 'app', $patch: 'delete' }]), want: dep([{ name: 'b' }]) },
    { name: 'kubectl apply: $setElementOrder keeps the declared order', original: dep([app]),
      patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'app' }, { name: 'side' }], containers: [{ name: 'side', image: 'side:1' }] } } } },
      want: dep([app, { name: 'side', image: 'side:1' }]) },
    { name: 'kubectl apply: $setElementOrder reorders existing items', original: dep([{ name: 'a' }, { name: 'b' }, { name: 'c' }]),
      patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'c' }, { name: 'a' }, { name: 'b' }] } } } },
      want: dep([{ name: 'c' }, { name: 'a' }, { name: 'b' }]) },
    { name: 'kubectl apply: removal via $patch delete inside the patch list, order kept', original: dep([{ name: 'a' }, { name: 'b' }, { name: 'c' }]),
      patch: { spec: { template: { spec: { '$setElementOrder/containers': [{ name: 'a' }, { name: 'c' }], containers: [{ name: 'b', $patch: 'delete' }] } } } },
      want: dep([{ name: 'a' }, { name: 'c' }]) },
    { name: 'volumes merged by name; retainKeys drops the old source', original: dep([], { volumes: [{ name: 'v', emptyDir: {} }, { name: 'w', emptyDir: {} }] }),
      patch: dep([], { volumes: [{ name: 'v', $retainKeys: ['configMap', 'name'], configMap: { name: 'cm' } }] }),
      want: dep([], { volumes: [{ name: 'v', configMap: { name: 'cm' } }, { name: 'w', emptyDir: {} }] }) },
    { name: 'tolerations replaced', original: dep([], { tolerations: [{ key: 'a', operator: 'Exists' }] }), patch: dep([], { tolerations: [{ key: 'b', operator: 'Exists' }] }),
      want: dep([], { tolerations: [{ key: 'b', operator: 'Exists' }] }) },
    { name: 'nodeSelector map merged per key, null deletes', original: dep([], { nodeSelector: { a: '1', b: '2' } }), patch: dep([], { nodeSelector: { a: null, c: '3' } }),
      want: dep([], { nodeSelector: { b: '2', c: '3' } }) },
    { name: 'finalizers union, new first', original: { metadata: { finalizers: ['a', 'b'] } }, patch: { metadata: { finalizers: ['c', 'a'] } }, want: { metadata: { finalizers: ['c', 'a', 'b'] } } },
    { name: 'finalizers removed with $deleteFromPrimitiveList', original: { metadata: { finalizers: ['a', 'b'] } }, patch: { metadata: { '$deleteFromPrimitiveList/finalizers': ['a'] } }, want: { metadata: { finalizers: ['b'] } } },
    { name: 'label deleted with null, added', original: { metadata: { labels: { a: '1', b: '2' } } }, patch: { metadata: { labels: { a: null, c: '3' } } }, want: { metadata: { labels: { b: '2', c: '3' } } } },
    { name: 'field deleted with null', original: { spec: { replicas: 3 } }, patch: { spec: { replicas: null } }, want: { spec: {} } },
    { name: 'Deployment strategy: retainKeys clears rollingUpdate when switching to Recreate',
      original: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } } } },
      patch: { spec: { strategy: { $retainKeys: ['type'], type: 'Recreate' } } },
      want: { spec: { strategy: { type: 'Recreate' } } } },
    { name: 'strategy without $retainKeys merges (rollingUpdate kept)',
      original: { spec: { strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1 } } } },
      patch: { spec: { strategy: { type: 'Recreate' } } },
      want: { spec: { strategy: { type: 'Recreate', rollingUpdate: { maxSurge: 1 } } } } },
    { name: 'new subtree added without nulls or directives', original: {},
      patch: { spec: { template: { spec: { containers: [{ name: 'a', image: null, env: [{ name: 'x', $patch: 'delete' }] }] } } } },
      want: dep([{ name: 'a', env: [] }]) },
    { name: 'type change replaces', original: { spec: { replicas: 1 } }, patch: { spec: 'x' }, want: { spec: 'x' } },
  ], deployment);
});

test('no schema behaves like JSON merge patch (directives still honoured)', () => {
  run([
    { name: 'maps merge, null deletes', original: { a: { b: 1, c: 2 }, d: 1 }, patch: { a: { b: null, e: 3 } }, want: { a: { c: 2, e: 3 }, d: 1 } },
    { name: 'lists replace', original: { l: [{ name: 'x' }] }, patch: { l: [{ name: 'y' }] }, want: { l: [{ name: 'y' }] } },
    { name: 'unknown field under a known schema', original: { spec: { x: [1, 2] } }, patch: { spec: { x: [3] } }, want: { spec: { x: [3] } }, schema: deployment },
  ], undefined);
});

// ---- errors --------------------------------------------------------------------------------

function fails(original: unknown, patch: unknown, schema: SchemaNode | undefined, code: number, reason: string, message: string | RegExp): void {
  assert.throws(() => strategicMergePatch(original, patch, schema), (e: unknown) => {
    assert.ok(e instanceof StatusError, String(e));
    assert.equal(e.code, code);
    assert.equal(e.reason, reason);
    if (typeof message === 'string') assert.equal(e.message, message);
    else assert.match(e.message, message);
    return true;
  });
}

test('errors as the apiserver answers them', () => {
  // missing merge key: upstream returns a plain error → 500 with empty reason
  fails(dep([{ name: 'app' }]), dep([{ image: 'x' }]), deployment, 500, '', 'map: map[image:x] does not contain declared merge key: name');
  fails({ mergingList: [{ name: '1', value: 'a' }] }, { mergingList: [{ value: 'b' }] }, mergeItem, 500, '', /does not contain declared merge key/);
  // live list item without merge key (upstream issue #98963)
  fails({ mergingList: [{}] }, { mergingList: [{ name: 'x' }] }, mergeItem, 500, '', 'map: map[] does not contain declared merge key: name');
  fails({ mergingList: [{ name: '1' }, { name: '3' }, { name: '2' }] },
    { '$setElementOrder/mergingList': [{ name: '1' }, { name: '2' }, { name: '3' }], mergingList: [{ name: '3', value: '3' }, { name: '1', value: '1' }] },
    mergeItem, 500, '', /doesn't match \$setElementOrder list/);
  fails({ mergingIntList: [1, 3, 2] }, { '$setElementOrder/mergingIntList': [1, 2, 3], mergingIntList: [3, 1] }, mergeItem, 500, '', /doesn't match/);
  fails({ mergingList: [{ name: '1' }] }, { mergingList: [{ name: '1', $patch: 'bogus' }] }, mergeItem, 500, '', 'unknown patch type: bogus in map: map[$patch:bogus name:1]');
  fails({ mergingList: [{ name: '1' }] }, { mergingList: [{ name: '1', $patch: 'merge' }] }, mergeItem, 500, '', 'merging lists cannot yet be specified in the patch');
  fails({ simpleMap: {} }, { simpleMap: { $patch: 'nope' } }, mergeItem, 500, '', 'unknown patch type: nope in map: map[$patch:nope]');
  fails({ mergingIntList: [1] }, { mergingIntList: ['a'] }, mergeItem, 500, '', 'list element types are not identical: [[1] [a]]');
  // malformed directives are 400
  fails({ retainKeysMap: { name: 'a' } }, { retainKeysMap: { $retainKeys: 'name' } }, mergeItem, 400, 'BadRequest', 'invalid patch format of retainKeys');
  fails({ retainKeysMap: { name: 'a' } }, { retainKeysMap: { $retainKeys: ['name'], value: 'x' } }, mergeItem, 400, 'BadRequest', 'invalid patch format of retainKeys');
  fails({ mergingIntList: [1] }, { $deleteFromPrimitiveListmergingIntList: [1] }, mergeItem, 400, 'BadRequest', 'invalid patch format of primitive list');
  fails({ mergingIntList: [1] }, { '$setElementOrderX/mergingIntList': [1] }, mergeItem, 400, 'BadRequest', 'invalid patch format of setElementOrder list');
  // lists of lists are 422
  fails({ mergingIntList: [[1]] }, { mergingIntList: [[2]] }, mergeItem, 422, 'Invalid', 'the server rejected our request due to an error in our request');
  // a patch body that is not an object
  fails({}, [1], mergeItem, 400, 'BadRequest', 'json: cannot unmarshal array into Go value of type map[string]interface {}');
});
