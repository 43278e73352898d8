import { test } from 'node:test';
import assert from 'node:assert/strict';
import { negotiateOpenAPIv2 } from './accept.js';

const PB_DEPRECATED = 'application/com.github.proto-openapi.spec.v2@v1.0+protobuf';
const PB = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';

test('JSON when nothing or anything is asked for', () => {
  assert.equal(negotiateOpenAPIv2(undefined, true), 'json');
  assert.equal(negotiateOpenAPIv2('', true), 'json');
  assert.equal(negotiateOpenAPIv2('*/*', true), 'json');
  assert.equal(negotiateOpenAPIv2('*', true), 'json');
  assert.equal(negotiateOpenAPIv2('application/*', true), 'json');
  assert.equal(negotiateOpenAPIv2('application/json', true), 'json');
  assert.equal(negotiateOpenAPIv2('application/json, */*', false), 'json');
});

test('both protobuf media types (kubectl ≤ 1.28 sends the deprecated @ form)', () => {
  assert.equal(negotiateOpenAPIv2(PB_DEPRECATED, true), 'protobuf');
  assert.equal(negotiateOpenAPIv2(PB, true), 'protobuf');
  assert.equal(negotiateOpenAPIv2(`${PB}, application/json`, true), 'protobuf');
  assert.equal(negotiateOpenAPIv2(`application/json, ${PB}`, true), 'json', 'equal quality keeps the client order');
  assert.equal(negotiateOpenAPIv2(`application/json;q=0.5, ${PB}`, true), 'protobuf');
  assert.equal(negotiateOpenAPIv2(`*/*, ${PB}`, true), 'protobuf', 'a concrete type ranks before */*');
  assert.equal(negotiateOpenAPIv2(` ${PB_DEPRECATED} ; q=0.9 , text/plain`, true), 'protobuf');
});

test('not acceptable', () => {
  assert.equal(negotiateOpenAPIv2(PB_DEPRECATED, false), undefined, 'protobuf without a descriptor');
  assert.equal(negotiateOpenAPIv2(PB, false), undefined);
  assert.equal(negotiateOpenAPIv2('text/html', true), undefined);
  assert.equal(negotiateOpenAPIv2('application/yaml', true), undefined);
  assert.equal(negotiateOpenAPIv2('application/vnd.kubernetes.protobuf', true), undefined);
  assert.equal(negotiateOpenAPIv2('application', true), undefined, 'a range without a subtype is ignored');
  assert.equal(negotiateOpenAPIv2('a/b/c, text/*', true), undefined);
});
