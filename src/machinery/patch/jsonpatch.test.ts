import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import { applyJSONPatch, MAX_JSON_PATCH_OPERATIONS } from './jsonpatch.js';
import { jsonMergePatch } from './mergepatch.js';
import { parsePatchBody } from './decode.js';

const doc = { metadata: { name: 'a', labels: { x: '1' } }, spec: { list: [1, 2] } };

function status(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, String(e));
    return e;
  }
  assert.fail('expected a StatusError');
}

test('JSON patch applies RFC 6902 operations without mutating inputs', () => {
  const ops = [
    { op: 'add', path: '/spec/list/-', value: 3 },
    { op: 'replace', path: '/metadata/labels/x', value: '2' },
    { op: 'test', path: '/metadata/name', value: 'a' },
    { op: 'remove', path: '/spec/list/0' },
    { op: 'copy', from: '/metadata/name', path: '/metadata/generateName' },
    { op: 'move', from: '/metadata/labels', path: '/metadata/annotations' },
  ];
  const before = structuredClone(doc);
  const opsBefore = structuredClone(ops);
  assert.deepEqual(applyJSONPatch(doc, ops), {
    metadata: { name: 'a', generateName: 'a', annotations: { x: '2' } }, spec: { list: [2, 3] },
  });
  assert.deepEqual(doc, before);
  assert.deepEqual(ops, opsBefore);
  // the raw body is accepted too; a missing value is null, as evanphx/json-patch treats it
  assert.deepEqual(applyJSONPatch(doc, '[{"op":"add","path":"/spec/x"}]'), { ...doc, spec: { list: [1, 2], x: null } });
  assert.deepEqual(applyJSONPatch(doc, null), doc);
});

test('JSON patch failures: 422 with upstream generic message, malformed body 400, too many ops 413', () => {
  for (const ops of [
    [{ op: 'test', path: '/metadata/name', value: 'b' }],
    [{ op: 'remove', path: '/metadata/missing' }],
    [{ op: 'replace', path: '/nope/x', value: 1 }],
    [{ op: 'add', path: '/a/b/c', value: 1 }],
    [{ op: 'frobnicate', path: '/a' }],
    [{ op: 'add', value: 1 }],
  ]) {
    const e = status(() => applyJSONPatch(doc, ops));
    assert.equal(e.code, 422, JSON.stringify(ops));
    assert.equal(e.reason, 'Invalid');
    assert.equal(e.message, 'the server rejected our request due to an error in our request');
    assert.deepEqual(e.toStatus().details, {});
  }
  let e = status(() => applyJSONPatch(doc, { op: 'add' }));
  assert.equal(e.code, 400);
  assert.equal(e.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
  e = status(() => applyJSONPatch(doc, ['x']));
  assert.equal(e.message, 'json: cannot unmarshal string into Go value of type jsonpatch.Operation');
  e = status(() => applyJSONPatch(doc, '[{"op":'));
  assert.equal(e.code, 400);
  assert.equal(e.message, 'unexpected end of JSON input');
  e = status(() => applyJSONPatch(doc, 'xyz'));
  assert.equal(e.message, "invalid character 'x' looking for beginning of value");
  const many = Array.from({ length: MAX_JSON_PATCH_OPERATIONS + 1 }, () => ({ op: 'test', path: '/metadata/name', value: 'a' }));
  e = status(() => applyJSONPatch(doc, many));
  assert.equal(e.code, 413);
  assert.equal(e.message, `Request entity too large: The allowed maximum operations in a JSON patch is 10000, got ${MAX_JSON_PATCH_OPERATIONS + 1}`);
});

test('JSON merge patch (RFC 7386, evanphx semantics)', () => {
  const before = structuredClone(doc);
  assert.deepEqual(jsonMergePatch(doc, { metadata: { labels: { x: null, y: '2' } }, spec: { list: [9] } }), {
    metadata: { name: 'a', labels: { y: '2' } }, spec: { list: [9] },
  });
  assert.deepEqual(doc, before);
  // nulls inside newly added objects are dropped; array elements that are null are kept
  assert.deepEqual(jsonMergePatch({}, { a: { b: null, c: 1 }, l: [null, { d: null, e: 1 }] }), { a: { c: 1 }, l: [null, { e: 1 }] });
  // an object replacing a scalar, a scalar replacing an object
  assert.deepEqual(jsonMergePatch({ a: 1, b: { c: 1 } }, { a: { x: 1 }, b: 2 }), { a: { x: 1 }, b: 2 });
  // an array patch replaces the document; the raw body is accepted
  assert.deepEqual(jsonMergePatch({ a: 1 }, '[1,{"x":null}]'), [1, {}]);
  assert.deepEqual(jsonMergePatch({ a: 1 }, '{"a":null}'), {});
  for (const bad of [null, 5, 'x', '"str"', '{bad']) {
    const e = status(() => jsonMergePatch({ a: 1 }, bad));
    assert.equal(e.code, 400, String(bad));
    assert.equal(e.message, 'Invalid JSON Patch');
  }
});

test('parsePatchBody decodes bytes and reports JSON errors as 400', () => {
  assert.deepEqual(parsePatchBody(Buffer.from('{"a":1}')), { a: 1 });
  const e = status(() => parsePatchBody('{"a":}', 'error decoding patch: '));
  assert.equal(e.code, 400);
  assert.match(e.message, /^error decoding patch: invalid character '}' looking for beginning of value$/);
});
