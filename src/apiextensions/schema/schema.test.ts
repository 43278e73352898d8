import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../../machinery/errors.js';
import {
  validateStructural, validateValue, applyDefaults, prune, compileRules, validateRules, type JSONSchemaProps,
} from './index.js';

const P = 'spec.versions[0].schema.openAPIV3Schema';
const texts = (errs: { field: string; message: string }[]) => errs.map((e) => fieldErrorText(e as never));

const schema: JSONSchemaProps = {
  type: 'object',
  properties: {
    spec: {
      type: 'object',
      required: ['image'],
      properties: {
        image: { type: 'string', minLength: 2, pattern: '^[a-z]' },
        replicas: { type: 'integer', minimum: 0, maximum: 10, default: 1 },
        mode: { type: 'string', enum: ['Fast', 'Slow'], default: 'Fast' },
        port: { 'x-kubernetes-int-or-string': true },
        when: { type: 'string', format: 'date-time' },
        labels: { type: 'object', additionalProperties: { type: 'string' }, maxProperties: 2 },
        tags: { type: 'array', items: { type: 'string' }, 'x-kubernetes-list-type': 'set', maxItems: 3 },
        ports: {
          type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'],
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, port: { type: 'integer', default: 80 } } },
        },
        nested: { type: 'object', default: {}, properties: { inner: { type: 'string', default: 'x' } } },
        note: { type: 'string', nullable: true },
        free: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true, properties: { known: { type: 'integer' } } },
        template: { type: 'object', 'x-kubernetes-embedded-resource': true, 'x-kubernetes-preserve-unknown-fields': true },
      },
      'x-kubernetes-validations': [
        { rule: 'self.replicas <= 5 || self.mode == "Slow"', message: 'fast mode allows at most 5 replicas' },
        { rule: 'self.image == oldSelf.image', message: 'image is immutable' },
      ],
    },
    status: { type: 'object', properties: { ready: { type: 'integer' } } },
  },
};

test('structural: a well-formed schema has no errors', () => {
  assert.deepEqual(validateStructural(schema, P), []);
});

test('structural: missing types, root type, nested type and metadata restrictions use upstream paths and words', () => {
  const errs = texts(validateStructural({
    type: 'object',
    properties: {
      spec: { properties: { a: { type: 'string' } } },
      list: { type: 'array' },
      metadata: { type: 'object', properties: { labels: { type: 'object' } } },
    },
    anyOf: [{ type: 'string' }],
  }, P));
  assert.ok(errs.includes(`${P}.properties[spec].type: Required value: must not be empty for specified object fields`), errs.join('\n'));
  assert.ok(errs.includes(`${P}.properties[list].items: Required value: must be specified`));
  assert.ok(errs.includes(`${P}.anyOf[0].type: Forbidden: must be empty to be structural`));
  assert.ok(errs.includes(`${P}.properties[metadata]: Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified`));
  assert.deepEqual(texts(validateStructural({ type: 'string' }, P)), [`${P}.type: Invalid value: "string": must be object at the root`]);
  assert.deepEqual(texts(validateStructural({ properties: {} }, P)), [`${P}.type: Required value: must not be empty at the root`]);
  assert.ok(texts(validateStructural({ type: 'object', properties: { a: { type: 'object', anyOf: [{ properties: { b: {} } }] } } }, P))
    .includes(`${P}.properties[a].properties[b]: Required value: because it is defined in ${P}.properties[a].anyOf[0].properties[b]`));
  assert.deepEqual(texts(validateStructural({ type: 'object', properties: { p: { 'x-kubernetes-int-or-string': true, anyOf: [{ type: 'integer' }, { type: 'string' }] } } }, P)), []);
});

test('validation: types, enum, bounds, formats, required and list types give upstream field errors', () => {
  const obj = {
    apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a' },
    spec: {
      replicas: 'three', mode: 'Medium', image: 'A', port: true, when: 'yesterday',
      labels: { a: 'x', b: 'y', c: 'z' }, tags: ['a', 'b', 'a', 'c'],
      ports: [{ name: 'http' }, { name: 'http', port: 81 }],
    },
  };
  const errs = texts(validateValue(obj, schema));
  const want = [
    'spec.replicas: Invalid value: "string": spec.replicas in body must be of type integer: "string"',
    'spec.mode: Unsupported value: "Medium": supported values: "Fast", "Slow"',
    'spec.image: Invalid value: "A": spec.image in body should be at least 2 chars long',
    'spec.image: Invalid value: "A": spec.image in body should match \'^[a-z]\'',
    'spec.port: Invalid value: "boolean": spec.port in body must be of type integer,string: "boolean"',
    'spec.when: Invalid value: "yesterday": spec.when in body must be of type date-time: "yesterday"',
    'spec.labels: Too many: 3: must have at most 2 items',
    'spec.tags: Too many: 4: must have at most 3 items',
    'spec.tags[2]: Duplicate value: "a"',
    'spec.ports[1]: Duplicate value: map[string]interface {}{"name":"http"}',
  ];
  for (const w of want) assert.ok(errs.includes(w), `missing ${w}\n got:\n${errs.join('\n')}`);
  assert.deepEqual(texts(validateValue({ spec: {} }, schema)), ['spec.image: Required value']);
  assert.deepEqual(texts(validateValue({ spec: { image: 'ok', replicas: 11 } }, schema)),
    ['spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10']);
  assert.deepEqual(texts(validateValue({ spec: { image: 'ok', replicas: 1.5 } }, schema)),
    ['spec.replicas: Invalid value: "number": spec.replicas in body must be of type integer: "number"']);
  assert.deepEqual(validateValue({ spec: { image: 'ok', note: null, port: 'http', when: '2024-01-02T03:04:05Z' } }, schema), []);
  assert.deepEqual(texts(validateValue({ spec: { image: 'ok', template: { metadata: {} } } }, schema)),
    ['spec.template.apiVersion: Required value: must not be empty', 'spec.template.kind: Required value: must not be empty']);
});

test('defaulting fills missing fields top-down, defaults inside defaults and list items, and drops non-nullable nulls', () => {
  const obj: Record<string, unknown> = { spec: { image: 'x', replicas: null, ports: [{ name: 'a' }], note: null, when: null } };
  applyDefaults(obj, schema);
  assert.deepEqual(obj.spec, {
    image: 'x', replicas: 1, mode: 'Fast', ports: [{ name: 'a', port: 80 }], note: null, nested: { inner: 'x' },
  });
  const kept: Record<string, unknown> = { spec: { image: 'x', replicas: 3, mode: 'Slow' } };
  applyDefaults(kept, schema);
  assert.equal((kept.spec as Record<string, unknown>).replicas, 3);
});

test('pruning drops unknown fields except under preserve-unknown-fields, embedded resources and root type meta', () => {
  const obj: Record<string, unknown> = {
    apiVersion: 'x/v1', kind: 'X', metadata: { name: 'a', bogus: 1 }, extra: true,
    spec: { image: 'x', unknown: 1, free: { known: 1, anything: { deep: true } }, template: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} },
      ports: [{ name: 'a', color: 'red' }] },
    status: { ready: 1, phase: 'x' },
  };
  const pruned = prune(obj, schema);
  assert.deepEqual(pruned.sort(), ['extra', 'metadata.bogus', 'spec.ports[0].color', 'spec.unknown', 'status.phase']);
  assert.deepEqual((obj.spec as Record<string, unknown>).free, { known: 1, anything: { deep: true } });
  assert.deepEqual((obj.spec as Record<string, unknown>).template, { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' }, spec: {} });
  assert.deepEqual(obj.metadata, { name: 'a' });
});

test('CEL rules: messages, default message, transition rules only with an old object, compile errors', () => {
  const spec = { image: 'abc', replicas: 7, mode: 'Fast' };
  assert.deepEqual(texts(validateRules({ spec }, undefined, schema)), ['spec: Invalid value: "object": fast mode allows at most 5 replicas']);
  assert.deepEqual(validateRules({ spec: { ...spec, mode: 'Slow' } }, undefined, schema), []);
  assert.deepEqual(texts(validateRules({ spec: { ...spec, replicas: 1 } }, { spec: { ...spec, image: 'old' } }, schema)),
    ['spec: Invalid value: "object": image is immutable']);
  const s2: JSONSchemaProps = { type: 'object', properties: { n: { type: 'integer', 'x-kubernetes-validations': [{ rule: 'self > 2' }, { rule: 'self < 100', messageExpression: '"n is " + string(self)', reason: 'FieldValueForbidden' }] } } };
  assert.deepEqual(texts(validateRules({ n: 1 }, undefined, s2)), ['n: Invalid value: "integer": failed rule: self > 2']);
  assert.deepEqual(texts(validateRules({ n: 200 }, undefined, s2)), ['n: Forbidden: n is 200']);
  assert.deepEqual(compileRules(schema, P), []);
  const bad = compileRules({ type: 'object', 'x-kubernetes-validations': [{ rule: 'self.a >' }, { rule: 'true', reason: 'Nope' }] }, P);
  assert.equal(bad.length, 2);
  assert.match(fieldErrorText(bad[0]), /^spec\.versions\[0\]\.schema\.openAPIV3Schema\.x-kubernetes-validations\[0\]\.rule: Invalid value: "self.a >": compilation failed/);
  assert.match(fieldErrorText(bad[1]), /reason: Unsupported value: "Nope"/);
});
