import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deepCopyJSON } from './deepcopy.js';

test('deepCopyJSON copies nested objects and arrays without sharing', () => {
  const src = { a: { b: [1, { c: 'x' }, null] }, d: true, e: undefined as unknown };
  const out = deepCopyJSON(src);
  assert.deepEqual(out, src);
  assert.ok('e' in out, 'undefined values are kept, as structuredClone does');
  (out.a.b[1] as { c: string }).c = 'y';
  (out.a.b as unknown[]).push(4);
  assert.equal((src.a.b[1] as { c: string }).c, 'x');
  assert.equal(src.a.b.length, 3);
});

test('deepCopyJSON drops symbol-keyed markers, as structuredClone does', () => {
  const mark = Symbol('stale');
  const src = { metadata: { name: 'a' } } as Record<string | symbol, unknown>;
  src[mark] = true;
  const out = deepCopyJSON(src);
  assert.equal(out[mark], undefined);
  assert.deepEqual(out, { metadata: { name: 'a' } });
});

test('deepCopyJSON returns scalars as they are', () => {
  assert.equal(deepCopyJSON(3), 3);
  assert.equal(deepCopyJSON('s'), 's');
  assert.equal(deepCopyJSON(null), null);
});

test('deepCopyJSON keeps a "__proto__" data key as data, as JSON.parse and structuredClone do', () => {
  const src = JSON.parse('{"data":{"__proto__":{"x":"1"},"a":"b"}}');
  const out = deepCopyJSON(src);
  assert.deepEqual(Object.keys(out.data), ['__proto__', 'a']);
  assert.equal(Object.getPrototypeOf(out.data), Object.prototype);
  assert.equal(JSON.stringify(out), JSON.stringify(src));
});
