import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fieldErrorText } from '../machinery/errors.js';
import { validateCRD } from './validation.js';
import { evalJSONPath } from './jsonpath.js';
import { customPrinter } from './printer.js';

const good = () => ({
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'things.example.com' },
  spec: {
    group: 'example.com', scope: 'Namespaced', names: { plural: 'things', kind: 'Thing' },
    versions: [{ name: 'v1', served: true, storage: true, schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { n: { type: 'integer', default: 1 } } } } } } }],
  },
});
const errs = (o: object, old?: object) => validateCRD(o as never, old as never).map(fieldErrorText);

test('a well-formed CRD validates', () => {
  assert.deepEqual(errs(good()), []);
});

test('names, group, scope, versions and schema errors use upstream paths and words', () => {
  const c = good() as Record<string, any>;
  c.metadata.name = 'other.example.com';
  c.spec.group = 'nodot';
  c.spec.scope = 'Global';
  c.spec.versions.push({ name: 'V2', served: false, storage: true });
  c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.n.default = 'x';
  const e = errs(c);
  for (const want of [
    'metadata.name: Invalid value: "other.example.com": must be spec.names.plural+"."+spec.group',
    'spec.group: Invalid value: "nodot": should be a domain with at least one dot',
    'spec.scope: Unsupported value: "Global": supported values: "Cluster", "Namespaced"',
    'spec.versions: Invalid value: "": must have exactly one version marked as storage version',
    'spec.versions[1].schema.openAPIV3Schema: Required value: schemas are required',
  ]) assert.ok(e.includes(want), `missing ${want}\n${e.join('\n')}`);
  assert.ok(e.some((x) => x.startsWith('spec.versions[1].name: Invalid value: "V2": a DNS-1035 label')));
  // defaults must validate against their schema (the wording after the path follows kube-openapi's root naming)
  assert.ok(e.some((x) => /^spec\.versions\[0\]\.schema\.openAPIV3Schema\.properties\[spec\]\.properties\[n\]\.default: Invalid value: "string": .* must be of type integer: "string"$/.test(x)), e.join('\n'));
});

test('conversion, scale paths, list-map keys and immutable scope', () => {
  const c = good() as Record<string, any>;
  c.spec.conversion = { strategy: 'Webhook', webhook: { conversionReviewVersions: ['v2'], clientConfig: { url: 'http://x.example.com/c' } } };
  c.spec.versions[0].subresources = { scale: { specReplicasPath: '.status.n', statusReplicasPath: '.status.r' } };
  c.spec.versions[0].schema.openAPIV3Schema.properties.spec.properties.items = {
    type: 'array', 'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name'], items: { type: 'object', properties: { name: { type: 'string' } } },
  };
  const e = errs(c);
  for (const want of [
    'spec.conversion.webhook.clientConfig.url: Invalid value: "http://x.example.com/c": \'https\' is the only allowed URL scheme',
    'spec.conversion.webhook.conversionReviewVersions: Invalid value: ["v2"]: must include at least one of v1, v1beta1',
    'spec.versions[0].subresources.scale.specReplicasPath: Invalid value: ".status.n": should be a json path under .spec',
    'spec.versions[0].schema.openAPIV3Schema.properties[spec].properties[items].items.properties[name]: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property',
  ]) assert.ok(e.includes(want), `missing ${want}\n${e.join('\n')}`);
  const scoped = good() as Record<string, any>;
  scoped.spec.scope = 'Cluster';
  assert.ok(errs(scoped, good()).includes('spec.scope: Invalid value: "Cluster": field is immutable'));
});

test('printer-column JSONPath: fields, indexes, filters, wildcards; typed cells', () => {
  const o = { metadata: { name: 'a', creationTimestamp: new Date(Date.now() - 120_000).toISOString() }, spec: { r: 3, tags: ['x', 'y'] },
    status: { conditions: [{ type: 'Synced', status: 'False' }, { type: 'Ready', status: 'True' }] } };
  assert.deepEqual(evalJSONPath(o, '.status.conditions[?(@.type=="Ready")].status'), ['True']);
  assert.deepEqual(evalJSONPath(o, '.spec.tags[1]'), ['y']);
  assert.deepEqual(evalJSONPath(o, '.spec.tags[*]'), ['x', 'y']);
  assert.deepEqual(evalJSONPath(o, '.spec.missing'), []);
  const p = customPrinter([{ name: 'R', type: 'integer', jsonPath: '.spec.r' }, { name: 'Ready', type: 'string', jsonPath: '.status.conditions[?(@.type=="Ready")].status' },
    { name: 'Tags', type: 'string', jsonPath: '.spec.tags' }, { name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp' }, { name: 'Nope', type: 'integer', jsonPath: '.spec.none' }]);
  assert.deepEqual(p.columns.map((c) => c.name), ['Name', 'R', 'Ready', 'Tags', 'Age', 'Nope']);
  assert.deepEqual(p.cells(o as never, Date.now()), ['a', 3, 'True', '["x","y"]', '2m', null]);
  assert.deepEqual(customPrinter(undefined).columns.map((c) => c.name), ['Name', 'Age']);
});
