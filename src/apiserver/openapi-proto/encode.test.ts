import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse as parseYAML } from 'yaml';
import type * as PB from 'protobufjs';
import { builtinResources } from '../../api/resources.js';
import { openAPIv2Serialized } from '../../api/schema/index.js';
import { encodeOpenAPIv2, gnosticAvailable } from './index.js';
import { gnosticPath, gnosticRoot } from './descriptor.js';
import { anyYAML, fieldName } from './encode.js';

type Msg = Record<string, any>;

// src/apiserver/openapi-proto and dist/apiserver/openapi-proto are both three levels below the root
const GENERATOR = fileURLToPath(new URL('../../../scripts/gen-gnostic.mjs', import.meta.url));

let Document: PB.Type | undefined;
let skip: string | false = false;

before(() => {
  // tsx runs before `make build`: extract the descriptor on the spot (needs a kubectl binary)
  if (!existsSync(gnosticPath()) && existsSync(GENERATOR)) {
    execFileSync(process.execPath, [GENERATOR, gnosticPath()], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const root = gnosticRoot();
  if (!root) skip = 'no gnostic descriptor could be extracted (no kubectl on this machine)';
  else Document = root.lookupType('openapi.v2.Document');
});

function decode(bytes: Uint8Array): Msg {
  return Document!.toObject(Document!.decode(bytes), { defaults: false, arrays: true }) as Msg;
}

const named = (list: Msg[] | undefined, name: string): Msg | undefined => list?.find((p) => p.name === name);
const ext = (list: Msg[] | undefined, name: string): unknown => {
  const e = named(list, name);
  return e ? parseYAML(e.value.yaml) : undefined;
};

test('Kumo\'s /openapi/v2 document: definitions, GVK extensions, patch metadata and paths survive', (t) => {
  if (skip) return t.skip(skip);
  assert.equal(gnosticAvailable(), true);
  const served = openAPIv2Serialized(builtinResources);
  const json = JSON.parse(served.json) as Msg;
  const doc = decode(encodeOpenAPIv2(json));

  assert.equal(doc.swagger, '2.0');
  assert.deepEqual({ title: doc.info.title, version: doc.info.version }, json.info);

  // every definition, in document order
  const defs = doc.definitions.additional_properties as Msg[];
  assert.equal(defs.length, Object.keys(json.definitions).length);
  assert.deepEqual(defs.map((d) => d.name), Object.keys(json.definitions));

  const deployment = named(defs, 'io.k8s.api.apps.v1.Deployment')!.value;
  assert.deepEqual(ext(deployment.vendor_extension, 'x-kubernetes-group-version-kind'),
    [{ group: 'apps', kind: 'Deployment', version: 'v1' }]);
  assert.deepEqual(deployment.type.value, ['object']);
  const specRef = named(deployment.properties.additional_properties, 'spec')!.value;
  assert.equal(specRef._ref, '#/definitions/io.k8s.api.apps.v1.DeploymentSpec');

  // strategic merge metadata kubectl apply reads from the v2 document
  const podSpec = named(defs, 'io.k8s.api.core.v1.PodSpec')!.value;
  const containers = named(podSpec.properties.additional_properties, 'containers')!.value;
  assert.deepEqual(containers.type.value, ['array']);
  assert.equal(containers.items.schema.length, 1);
  assert.equal(containers.items.schema[0]._ref, '#/definitions/io.k8s.api.core.v1.Container');
  assert.equal(ext(containers.vendor_extension, 'x-kubernetes-patch-merge-key'), 'name');
  assert.equal(ext(containers.vendor_extension, 'x-kubernetes-patch-strategy'), 'merge');
  assert.deepEqual(podSpec.required, json.definitions['io.k8s.api.core.v1.PodSpec'].required);

  // a map-valued property: additionalProperties is a schema
  const cm = named(defs, 'io.k8s.api.core.v1.ConfigMap')!.value;
  const data = named(cm.properties.additional_properties, 'data')!.value;
  assert.deepEqual(data.additional_properties.schema.type.value, ['string']);

  // paths with path-level and operation-level parameters, responses and operation extensions
  const paths = doc.paths.path as Msg[];
  assert.equal(paths.length, Object.keys(json.paths).length);
  const pod = named(paths, '/api/v1/namespaces/{namespace}/pods/{name}')!.value;
  const level = pod.parameters.map((p: Msg) => p.parameter.non_body_parameter);
  const name = level.find((p: Msg) => p.path_parameter_sub_schema?.name === 'name').path_parameter_sub_schema;
  assert.deepEqual({ in: name.in, required: name.required, type: name.type, unique_items: name.unique_items },
    { in: 'path', required: true, type: 'string', unique_items: true });
  assert.ok(level.some((p: Msg) => p.query_parameter_sub_schema?.name === 'pretty'));
  const put = pod.put;
  assert.equal(put.operation_id, 'replaceCoreV1NamespacedPod');
  const body = put.parameters.find((p: Msg) => p.parameter.body_parameter).parameter.body_parameter;
  assert.deepEqual({ name: body.name, in: body.in, required: body.required, ref: body.schema._ref },
    { name: 'body', in: 'body', required: true, ref: '#/definitions/io.k8s.api.core.v1.Pod' });
  const ok = named(put.responses.response_code, '200')!.value.response;
  assert.equal(ok.description, 'OK');
  assert.equal(ok.schema.schema._ref, '#/definitions/io.k8s.api.core.v1.Pod');
  assert.deepEqual(ext(put.vendor_extension, 'x-kubernetes-group-version-kind'), { group: '', kind: 'Pod', version: 'v1' });
  assert.equal(ext(put.vendor_extension, 'x-kubernetes-action'), 'put');
  assert.deepEqual(put.produces, json.paths['/api/v1/namespaces/{namespace}/pods/{name}'].put.produces);

  // security
  const bearer = named(doc.security_definitions.additional_properties, 'BearerToken')!.value.api_key_security;
  assert.deepEqual({ type: bearer.type, name: bearer.name, in: bearer.in }, { type: 'apiKey', name: 'authorization', in: 'header' });
  assert.equal(doc.security[0].additional_properties[0].name, 'BearerToken');
});

test('encoding is deterministic', (t) => {
  if (skip) return t.skip(skip);
  const json = JSON.parse(openAPIv2Serialized(builtinResources).json) as object;
  assert.deepEqual(Buffer.from(encodeOpenAPIv2(json)), Buffer.from(encodeOpenAPIv2(json)));
});

test('oneof branches, Any values and vendor extensions follow gnostic', (t) => {
  if (skip) return t.skip(skip);
  const doc = decode(encodeOpenAPIv2({
    swagger: '2.0',
    info: { title: 't', version: '1', 'x-info': { a: 1 } },
    basePath: '/base',
    paths: {
      '/a': {
        $ref: '#/x',
        parameters: [{ $ref: '#/parameters/p' }],
        get: {
          parameters: [
            { in: 'header', name: 'h', type: 'string' },
            { in: 'formData', name: 'f', type: 'file' },
            { in: 'query', name: 'q', type: 'array', items: { type: 'integer', format: 'int32' }, collectionFormat: 'csv', default: [1, 2], enum: ['x', 7] },
            { in: 'path', name: 'p', type: 'string', required: true, maxLength: 10, minimum: 1.5 },
          ],
          responses: {
            200: { description: 'file', schema: { type: 'file' } },
            default: { $ref: '#/responses/err' },
            'x-resp': 'r',
          },
          deprecated: true,
        },
      },
      'x-paths': true,
    },
    definitions: {
      Open: { type: 'object', additionalProperties: true },
      Closed: { additionalProperties: false },
      Multi: { type: ['string', 'null'], default: { k: 'v' }, example: 'true', enum: ['a', 1, null], 'x-kubernetes-int-or-string': true, unknownKeyword: 1 },
      Tuple: { type: 'array', items: [{ type: 'string' }, { type: 'integer' }] },
      Composed: { allOf: [{ $ref: '#/definitions/Open' }], readOnly: true, maxProperties: 3 },
    },
    securityDefinitions: {
      basic: { type: 'basic' },
      oauth: { type: 'oauth2', flow: 'accessCode', authorizationUrl: 'https://a', tokenUrl: 'https://t', scopes: { read: 'Read' } },
    },
    security: [{ oauth: ['read', 'write'] }],
    'x-top': ['t'],
  }));

  assert.equal(doc.base_path, '/base');
  assert.deepEqual(ext(doc.info.vendor_extension, 'x-info'), { a: 1 });
  assert.deepEqual(ext(doc.vendor_extension, 'x-top'), ['t']);
  assert.deepEqual(doc.paths.path.map((p: Msg) => p.name), ['/a']);
  assert.equal(ext(doc.paths.vendor_extension, 'x-paths'), true);

  const a = doc.paths.path[0].value;
  assert.equal(a._ref, '#/x');
  assert.equal(a.parameters[0].json_reference._ref, '#/parameters/p');
  const [h, f, q, p] = a.get.parameters.map((x: Msg) => x.parameter.non_body_parameter);
  assert.equal(h.header_parameter_sub_schema.name, 'h');
  assert.equal(f.form_data_parameter_sub_schema.type, 'file');
  assert.equal(q.query_parameter_sub_schema.items.type, 'integer');
  assert.equal(q.query_parameter_sub_schema.collection_format, 'csv');
  assert.deepEqual(parseYAML(q.query_parameter_sub_schema.default.yaml), [1, 2]);
  assert.deepEqual(q.query_parameter_sub_schema.enum.map((e: Msg) => parseYAML(e.yaml)), ['x', 7]);
  assert.equal(p.path_parameter_sub_schema.required, true);
  assert.equal(Number(p.path_parameter_sub_schema.max_length), 10);
  assert.equal(p.path_parameter_sub_schema.minimum, 1.5);
  assert.equal(a.get.deprecated, true);

  const codes = a.get.responses.response_code as Msg[];
  assert.deepEqual(codes.map((c) => c.name), ['200', 'default']);
  assert.equal(codes[0].value.response.schema.file_schema.type, 'file');
  assert.equal(codes[1].value.json_reference._ref, '#/responses/err');
  assert.equal(ext(a.get.responses.vendor_extension, 'x-resp'), 'r');

  const defs = doc.definitions.additional_properties as Msg[];
  assert.equal(named(defs, 'Open')!.value.additional_properties.boolean, true);
  // false is the oneof's value, present on the wire even though it is the zero value
  assert.deepEqual(named(defs, 'Closed')!.value.additional_properties, { boolean: false });
  const multi = named(defs, 'Multi')!.value;
  assert.deepEqual(multi.type.value, ['string', 'null']);
  assert.deepEqual(parseYAML(multi.default.yaml), { k: 'v' });
  assert.equal(parseYAML(multi.example.yaml), 'true', 'a string that looks like a bool stays a string');
  assert.deepEqual(multi.enum.map((e: Msg) => parseYAML(e.yaml)), ['a', 1, null]);
  assert.equal(ext(multi.vendor_extension, 'x-kubernetes-int-or-string'), true);
  assert.equal(Object.keys(multi).includes('unknownKeyword'), false);
  assert.deepEqual(named(defs, 'Tuple')!.value.items.schema.map((s: Msg) => s.type.value[0]), ['string', 'integer']);
  const composed = named(defs, 'Composed')!.value;
  assert.equal(composed.all_of[0]._ref, '#/definitions/Open');
  assert.equal(composed.read_only, true);
  assert.equal(Number(composed.max_properties), 3);

  const sec = doc.security_definitions.additional_properties as Msg[];
  assert.ok(named(sec, 'basic')!.value.basic_authentication_security);
  const oauth = named(sec, 'oauth')!.value.oauth2_access_code_security;
  assert.equal(oauth.token_url, 'https://t');
  assert.deepEqual(oauth.scopes.additional_properties, [{ name: 'read', value: 'Read' }]);
  assert.deepEqual(doc.security[0].additional_properties, [{ name: 'oauth', value: { value: ['read', 'write'] } }]);
});

test('malformed input does not throw: wrongly typed members are left empty', (t) => {
  if (skip) return t.skip(skip);
  const doc = decode(encodeOpenAPIv2({
    swagger: 2, info: [], paths: 'nope', definitions: { Bad: 'not a schema', Num: { maxLength: 'x', required: 'a' } },
    schemes: 'https', security: null,
  }));
  assert.equal(doc.swagger, '2', 'scalars are coerced to the field type');
  assert.deepEqual(doc.paths.path, []);
  assert.deepEqual(doc.schemes, [], 'a non-array for a repeated field is dropped');
  const defs = doc.definitions.additional_properties as Msg[];
  assert.deepEqual(defs.map((d) => d.name), ['Bad', 'Num']);
  assert.equal(named(defs, 'Num')!.value.max_length, undefined);
  assert.deepEqual(named(defs, 'Num')!.value.required, []);
});

test('vendor extension values are YAML text as gnostic writes them', () => {
  assert.equal(anyYAML([{ group: '', kind: 'Pod', version: 'v1' }]), '- group: ""\n  kind: Pod\n  version: v1\n');
  assert.equal(anyYAML('merge'), 'merge\n');
  assert.equal(anyYAML('true'), '"true"\n');
  assert.equal(anyYAML(true), 'true\n');
  const long = 'x'.repeat(200) + ' ' + 'y'.repeat(200);
  assert.equal(anyYAML(long), `${long}\n`, 'long strings are not folded');
});

test('JSON property names map to proto field names', () => {
  assert.equal(fieldName('$ref'), '_ref');
  assert.equal(fieldName('operationId'), 'operation_id');
  assert.equal(fieldName('securityDefinitions'), 'security_definitions');
  assert.equal(fieldName('swagger'), 'swagger');
});

test('without a usable descriptor, protobuf is unavailable and encoding refuses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-gnostic-'));
  const saved = process.env.KUMO_GNOSTIC_DESCRIPTOR;
  try {
    process.env.KUMO_GNOSTIC_DESCRIPTOR = join(dir, 'missing.json');
    assert.equal(gnosticAvailable(), false);
    assert.throws(() => encodeOpenAPIv2({ swagger: '2.0' }), /gnostic descriptor not available/);

    const damaged = join(dir, 'damaged.json');
    writeFileSync(damaged, '{"root": {"nested": {"other": {"nested": {}}}}}');
    process.env.KUMO_GNOSTIC_DESCRIPTOR = damaged;
    assert.equal(gnosticAvailable(), false, 'a file without openapi.v2.Document is not usable');

    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, 'not json');
    process.env.KUMO_GNOSTIC_DESCRIPTOR = garbage;
    assert.equal(gnosticAvailable(), false);
  } finally {
    if (saved === undefined) delete process.env.KUMO_GNOSTIC_DESCRIPTOR;
    else process.env.KUMO_GNOSTIC_DESCRIPTOR = saved;
    rmSync(dir, { recursive: true, force: true });
  }
});
