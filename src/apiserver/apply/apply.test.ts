import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FieldSet, pathString, keyPE, comparePathElements } from './fieldset.js';
import { typeFromStructuralSchema, typeInfoFor, type StructuralSchema } from './typeinfo.js';
import { toFieldSet, TypeError_ } from './typed.js';
import { merge } from './merge.js';
import { compare } from './compare.js';
import { applyConfig, updateManagedFields, LAST_APPLIED } from './fieldmanager.js';
import { decodeManagedFields, isReset } from './managed.js';
import { managerFromUserAgent, decodeApplyBody } from './handler.js';
import { StatusError } from '../../machinery/errors.js';
import { builtinResources } from '../../api/resources.js';
import type { KObject } from '../../api/types.js';

const clock = () => '2024-01-01T00:00:00Z';

// a custom-resource-like schema exercising every list and map kind
const schema: StructuralSchema = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      properties: {
        replicas: { type: 'integer' },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set' },
        args: { type: 'array', items: { type: 'string' } },
        ports: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['port', 'protocol'],
          items: { type: 'object', properties: { port: { type: 'integer' }, protocol: { type: 'string' }, name: { type: 'string' } } },
        },
        selector: { type: 'object', 'x-kubernetes-map-type': 'atomic', properties: { a: { type: 'string' }, b: { type: 'string' } } },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true },
      },
    },
  },
};
const T = typeFromStructuralSchema(schema);
const obj = (spec: Record<string, unknown>): KObject => ({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' }, spec });
const ctx = (manager: string, force = false) => ({ manager, force, apiVersion: 'example.com/v1', subresource: '', type: T, describe: '/w; example.com/v1, Kind=Widget', now: clock });

test('FieldsV1 round-trips, members marked with "." and elements in upstream order', () => {
  const v1 = { 'f:spec': { 'f:replicas': {}, 'f:ports': { '.': {}, 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:port': {} } }, 'f:tags': { 'v:"b"': {}, 'v:"a"': {} } }, 'f:metadata': { 'f:labels': { 'f:x': {} } } };
  const s = FieldSet.fromFieldsV1(v1);
  assert.ok(s.has(['f:spec', 'f:replicas']));
  assert.ok(s.has(['f:spec', 'f:ports']));
  assert.ok(!s.has(['f:spec']));
  const out = s.toFieldsV1();
  assert.deepEqual(Object.keys(out), ['f:metadata', 'f:spec']);
  assert.deepEqual(Object.keys(out['f:spec'] as object), ['f:ports', 'f:replicas', 'f:tags']);
  assert.deepEqual(Object.keys((out['f:spec'] as Record<string, object>)['f:ports']), ['.', 'k:{"port":80,"protocol":"TCP"}']);
  assert.deepEqual(Object.keys((out['f:spec'] as Record<string, object>)['f:tags']), ['v:"a"', 'v:"b"']);
  assert.deepEqual(FieldSet.fromFieldsV1(out).toFieldsV1(), out);
  assert.throws(() => FieldSet.fromFieldsV1({ 'x:bad': {} }), /unknown path element/);
  assert.throws(() => FieldSet.fromFieldsV1([]), /must be an object/);
  assert.ok(comparePathElements('f:z', 'k:{"a":1}') < 0);
  assert.ok(comparePathElements('i:2', 'i:10') < 0);
});

test('path strings as upstream prints them', () => {
  assert.equal(pathString(['f:spec', 'f:containers', keyPE({ name: 'nginx' }, ['name']), 'f:image']), '.spec.containers[name="nginx"].image');
  assert.equal(pathString(['f:ports', keyPE({ protocol: 'TCP', containerPort: 80 }, ['containerPort', 'protocol'])]), '.ports[containerPort=80,protocol="TCP"]');
  assert.equal(pathString(['f:finalizers', 'v:"a"']), '.finalizers[="a"]');
});

test('set operations', () => {
  const a = FieldSet.fromFieldsV1({ 'f:a': {}, 'f:b': { 'f:c': {}, 'f:d': {} } });
  const b = FieldSet.fromFieldsV1({ 'f:b': { 'f:c': {} } });
  assert.deepEqual(a.difference(b).toFieldsV1(), { 'f:a': {}, 'f:b': { 'f:d': {} } });
  assert.deepEqual(a.intersection(b).toFieldsV1(), { 'f:b': { 'f:c': {} } });
  assert.deepEqual(b.union(FieldSet.fromFieldsV1({ 'f:a': {} })).toFieldsV1(), { 'f:a': {}, 'f:b': { 'f:c': {} } });
  assert.deepEqual(a.recursiveDifference(FieldSet.fromFieldsV1({ 'f:b': {} })).toFieldsV1(), { 'f:a': {} });
  assert.ok(a.difference(a).isEmpty());
});

test('toFieldSet: list kinds, atomic maps, map entries; schema errors name the path', () => {
  const s = toFieldSet(obj({ replicas: 1, tags: ['x'], args: ['a'], ports: [{ port: 80, name: 'http' }], selector: { a: '1' }, labels: { k: 'v' } }), T);
  assert.deepEqual(s.toFieldsV1(), {
    'f:apiVersion': {}, 'f:kind': {}, 'f:metadata': { 'f:name': {} },
    'f:spec': {
      'f:args': {}, 'f:labels': { 'f:k': {} },
      'f:ports': { 'k:{"port":80,"protocol":"TCP"}': { '.': {}, 'f:name': {}, 'f:port': {} } },
      'f:replicas': {}, 'f:selector': {}, 'f:tags': { 'v:"x"': {} },
    },
  });
  assert.throws(() => toFieldSet(obj({ nope: 1 }), T), (e: Error) => e instanceof TypeError_ && e.message === '.spec.nope: field not declared in schema');
  assert.throws(() => toFieldSet(obj({ ports: [{ name: 'x', protocol: 'UDP' }] }), T), /\.spec\.ports: element 0: associative list with keys has an element that omits key field "port"/);
  assert.throws(() => toFieldSet(obj({ ports: [{ port: 1 }, { port: 1 }] }), T), /\.spec\.ports: duplicate entries for key \[port=1,protocol="TCP"\]/);
  assert.throws(() => toFieldSet(obj({ labels: [] }), T), /\.spec\.labels: expected map, got list/);
  // preserve-unknown-fields accepts anything
  assert.ok(toFieldSet(obj({ free: { any: { thing: 1 } } }), T).has(['f:spec', 'f:free', 'f:any']));
});

test('merge: granular maps, set union, list-map by key, atomic replacement', () => {
  const live = obj({ replicas: 1, tags: ['a', 'b'], args: ['x', 'y'], ports: [{ port: 80, protocol: 'TCP', name: 'http' }, { port: 53, protocol: 'UDP' }], selector: { a: '1', b: '2' }, labels: { k: 'v' } });
  const m = merge(live, obj({ tags: ['c', 'a'], args: ['z'], ports: [{ port: 443, protocol: 'TCP' }, { port: 80, protocol: 'TCP', name: 'web' }], selector: { a: '9' }, labels: { j: 'w' } }), T) as KObject;
  assert.deepEqual(m.spec, {
    replicas: 1, tags: ['a', 'b', 'c'], args: ['z'],
    ports: [{ port: 80, protocol: 'TCP', name: 'web' }, { port: 53, protocol: 'UDP' }, { port: 443, protocol: 'TCP' }],
    selector: { a: '9' }, labels: { k: 'v', j: 'w' },
  });
  assert.deepEqual((live.spec as { tags: string[] }).tags, ['a', 'b'], 'live is not mutated');
});

test('compare reports added, modified and removed leaves and nodes', () => {
  const c = compare(obj({ replicas: 1, labels: { a: '1' } }), obj({ replicas: 2, tags: ['x'] }), T);
  assert.ok(c.modified.has(['f:spec', 'f:replicas']));
  assert.ok(c.added.has(['f:spec', 'f:tags']));
  assert.ok(c.added.has(['f:spec', 'f:tags', 'v:"x"']));
  assert.ok(c.removed.has(['f:spec', 'f:labels', 'f:a']));
  assert.ok(c.removed.has(['f:spec', 'f:labels']));
});

test('apply: create, conflicts with the upstream message, force moves ownership', () => {
  const a = applyConfig(undefined, obj({ replicas: 1, tags: ['a'] }), ctx('alice'));
  const mf = a.metadata!.managedFields as { manager: string; operation: string; time: string; fieldsV1: object }[];
  assert.equal(mf.length, 1);
  assert.equal(mf[0].manager, 'alice');
  assert.equal(mf[0].operation, 'Apply');
  assert.deepEqual(mf[0].fieldsV1, { 'f:spec': { 'f:replicas': {}, 'f:tags': { 'v:"a"': {} } } });
  // same value: shared ownership, no conflict
  const b = applyConfig(a, obj({ replicas: 1 }), ctx('bob'));
  assert.equal((b.metadata!.managedFields as unknown[]).length, 2);
  // different value: conflict
  assert.throws(() => applyConfig(b, obj({ replicas: 3 }), ctx('bob')), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 409);
    assert.equal(e.message, 'Apply failed with 1 conflict: conflict with "alice": .spec.replicas');
    assert.deepEqual(e.details?.causes, [{ reason: 'FieldManagerConflict', message: 'conflict with "alice"', field: '.spec.replicas' }]);
    return true;
  });
  const c = applyConfig(b, obj({ replicas: 3 }), ctx('bob', true));
  assert.equal((c.spec as { replicas: number }).replicas, 3);
  const sets = decodeManagedFields(c.metadata!.managedFields);
  const alice = [...sets.values()].find((m) => m.manager === 'alice')!;
  assert.ok(!alice.set.has(['f:spec', 'f:replicas']), 'alice lost .spec.replicas');
  assert.ok(alice.set.has(['f:spec', 'f:tags', 'v:"a"']));
});

test('apply: several conflicts are listed per manager', () => {
  const a = applyConfig(undefined, obj({ replicas: 1, labels: { x: '1' } }), ctx('alice'));
  assert.throws(() => applyConfig(a, obj({ replicas: 2, labels: { x: '2' } }), ctx('bob')),
    { message: 'Apply failed with 2 conflicts: conflicts with "alice":\n- .spec.replicas\n- .spec.labels.x' });
});

test('apply: a field the applier drops is removed unless another manager owns it', () => {
  let o = applyConfig(undefined, obj({ replicas: 1, labels: { a: '1', b: '2' }, ports: [{ port: 80 }, { port: 81 }] }), ctx('alice'));
  o = applyConfig(o, obj({ labels: { b: '2' } }), ctx('bob'));
  o = applyConfig(o, obj({ replicas: 1, ports: [{ port: 80 }] }), ctx('alice'));
  assert.deepEqual(o.spec, { replicas: 1, labels: { b: '2' }, ports: [{ port: 80 }] });
  // an unchanged re-apply leaves the object (and the time) as it was
  const again = applyConfig(o, obj({ replicas: 1, ports: [{ port: 80 }] }), { ...ctx('alice'), now: () => '2030-01-01T00:00:00Z' });
  assert.deepEqual(again, o);
});

test('update: ownership moves to the writer, others keep the rest, empty entries go', () => {
  let o = applyConfig(undefined, obj({ replicas: 1, tags: ['a'] }), ctx('alice'));
  const next = structuredClone(o);
  (next.spec as { replicas: number }).replicas = 5;
  updateManagedFields(o, next, { manager: 'kubectl-edit', apiVersion: 'example.com/v1', subresource: '', type: T, now: clock });
  const ms = [...decodeManagedFields(next.metadata!.managedFields).values()];
  assert.deepEqual(ms.map((m) => [m.manager, m.operation]), [['alice', 'Apply'], ['kubectl-edit', 'Update']]);
  assert.deepEqual(ms[1].set.toFieldsV1(), { 'f:spec': { 'f:replicas': {} } });
  o = next;
  // alice's only remaining field changes hands: her entry goes
  const n2 = structuredClone(o);
  (n2.spec as { tags: string[] }).tags = [];
  updateManagedFields(o, n2, { manager: 'kubectl-edit', apiVersion: 'example.com/v1', subresource: '', type: T, now: clock });
  assert.deepEqual((n2.metadata!.managedFields as { manager: string }[]).map((m) => m.manager), ['kubectl-edit']);
  // a no-op update changes nothing
  const n3 = structuredClone(n2);
  updateManagedFields(n2, n3, { manager: 'x', apiVersion: 'example.com/v1', subresource: '', type: T, now: () => '2031-01-01T00:00:00Z' });
  assert.deepEqual(n3.metadata!.managedFields, n2.metadata!.managedFields);
  // managedFields: [] resets; an untracked object stays untracked on update
  const n4 = structuredClone(n3); n4.metadata!.managedFields = [];
  updateManagedFields(n3, n4, { manager: 'x', apiVersion: 'example.com/v1', subresource: '', type: T, now: clock });
  assert.equal(n4.metadata!.managedFields, undefined);
  assert.ok(isReset([{}]) && isReset([]) && !isReset(undefined));
});

test('built-in Deployment: create entry as upstream (no "." on value structs, list items owned)', () => {
  const dep = builtinResources.find((r) => r.group === 'apps' && r.kind === 'Deployment')!;
  const o: KObject = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', labels: { app: 'web' } },
    spec: { replicas: 1, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'i', ports: [{ containerPort: 80, protocol: 'TCP' }] }] } } } };
  updateManagedFields(undefined, o, { manager: 'kubectl-create', apiVersion: 'apps/v1', subresource: '', type: typeInfoFor(dep), now: clock });
  const [e] = o.metadata!.managedFields as { fieldsV1: Record<string, Record<string, unknown>> }[];
  assert.deepEqual(e.fieldsV1['f:metadata'], { 'f:labels': { '.': {}, 'f:app': {} } });
  const spec = e.fieldsV1['f:spec'] as Record<string, Record<string, Record<string, Record<string, Record<string, unknown>>>>>;
  assert.deepEqual(Object.keys(spec), ['f:replicas', 'f:selector', 'f:template']);
  const c = spec['f:template']['f:spec']['f:containers']['k:{"name":"c"}'];
  assert.deepEqual(c, { '.': {}, 'f:image': {}, 'f:name': {}, 'f:ports': { '.': {}, 'k:{"containerPort":80,"protocol":"TCP"}': { '.': {}, 'f:containerPort': {}, 'f:protocol': {} } } });
});

test('kubectl after client-side apply: conflicts over last-applied fields are allowed, annotation kept current', () => {
  const last = obj({ replicas: 1 });
  const live = obj({ replicas: 1 });
  live.metadata!.annotations = { [LAST_APPLIED]: JSON.stringify(last) };
  updateManagedFields(undefined, live, { manager: 'kubectl-client-side-apply', apiVersion: 'example.com/v1', subresource: '', type: T, now: clock });
  const out = applyConfig(live, obj({ replicas: 2 }), ctx('kubectl'));
  assert.equal((out.spec as { replicas: number }).replicas, 2);
  assert.equal(out.metadata!.annotations![LAST_APPLIED], '{"apiVersion":"example.com/v1","kind":"Widget","metadata":{"name":"w"},"spec":{"replicas":2}}\n');
  // another manager gets no such pass
  assert.throws(() => applyConfig(live, obj({ replicas: 2 }), ctx('other')), { code: 409 });
});

test('user agent prefix and apply body decoding', () => {
  assert.equal(managerFromUserAgent('kubectl/v1.30.0 (linux/amd64) kubernetes/abc'), 'kubectl');
  assert.equal(managerFromUserAgent('x'.repeat(200)).length, 128);
  assert.equal(managerFromUserAgent(undefined), '');
  const w: string[] = [];
  assert.deepEqual(decodeApplyBody(Buffer.from('a: 1\nb: [x]\n'), 'Strict', w), { a: 1, b: ['x'] });
  assert.deepEqual(decodeApplyBody(Buffer.from('{"a":1}'), 'Strict', w), { a: 1 });
  assert.throws(() => decodeApplyBody(Buffer.from('- 1\n'), 'Strict', w), /error decoding YAML: json: cannot unmarshal array/);
  assert.throws(() => decodeApplyBody(Buffer.from('a: [\n'), 'Strict', w), { code: 400 });
  assert.throws(() => decodeApplyBody(Buffer.from('a: 1\na: 2\n'), 'Strict', w), /error strict decoding YAML/);
  assert.deepEqual(decodeApplyBody(Buffer.from('a: 1\na: 2\n'), 'Warn', w), { a: 2 });
  assert.equal(w.length, 1);
});
