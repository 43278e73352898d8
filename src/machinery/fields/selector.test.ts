import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatusError } from '../errors.js';
import {
  FieldSelector, FieldSelectorError, escapeFieldValue, parseFieldSelector, parseFieldSelectorOrThrow,
  unescapeFieldValue,
} from './selector.js';

const pod: Record<string, string> = {
  'metadata.name': 'web-1', 'metadata.namespace': 'default', 'spec.nodeName': 'node-a', 'status.phase': 'Running',
};
const get = (f: string) => pod[f];

test('parses terms, sorts them, and round-trips with escaping', () => {
  const cases: [string, string][] = [
    ['', ''],
    ['metadata.name=web-1', 'metadata.name=web-1'],
    ['metadata.name==web-1', 'metadata.name=web-1'],
    ['status.phase!=Failed,spec.nodeName=node-a', 'spec.nodeName=node-a,status.phase!=Failed'],
    ['a=b,,c=d', 'a=b,c=d'],
    ['a=', 'a='],
    ['a=x\\,y\\=z\\\\', 'a=x\\,y\\=z\\\\'],
    ['a==b=c'.replace('b=c', 'b\\=c'), 'a=b\\=c'],
  ];
  for (const [input, want] of cases) assert.equal(parseFieldSelectorOrThrow(input).toString(), want, input);
});

test('unescaping produces the literal value; first operator splits the term', () => {
  const s = parseFieldSelectorOrThrow('a=x\\,y\\=z\\\\');
  assert.deepEqual(s.requirements(), [{ field: 'a', operator: '=', value: 'x,y=z\\' }]);
  // "!=" found at the earliest position wins, and "==" beats "=" at the same position
  assert.deepEqual(parseFieldSelectorOrThrow('a!=b').requirements(), [{ field: 'a', operator: '!=', value: 'b' }]);
  assert.deepEqual(parseFieldSelectorOrThrow('a==b').requirements(), [{ field: 'a', operator: '=', value: 'b' }]);
  assert.equal(unescapeFieldValue('plain'), 'plain');
  assert.equal(escapeFieldValue('a,b=c\\'), 'a\\,b\\=c\\\\');
});

test('matching: equality and inequality, missing fields compare as empty', () => {
  assert.equal(parseFieldSelectorOrThrow('metadata.name=web-1').matches(get), true);
  assert.equal(parseFieldSelectorOrThrow('metadata.name=web-2').matches(get), false);
  assert.equal(parseFieldSelectorOrThrow('status.phase!=Failed,spec.nodeName=node-a').matches(get), true);
  assert.equal(parseFieldSelectorOrThrow('status.phase!=Running').matches(get), false);
  assert.equal(parseFieldSelectorOrThrow('spec.missing=').matches(get), true);
  assert.equal(parseFieldSelectorOrThrow('spec.missing!=').matches(get), false);
  assert.equal(parseFieldSelectorOrThrow('').matches(get), true);
  assert.equal(parseFieldSelectorOrThrow('').isEmpty(), true);
});

test('errors are worded as upstream', () => {
  const cases: [string, string][] = [
    ['foo', "invalid selector: 'foo'; can't understand 'foo'"],
    ['a=b,foo', "invalid selector: 'a=b,foo'; can't understand 'foo'"],
    ['a=b=c', 'invalid field selector: unescaped character in value: 61'],
    ['a=\\x', 'invalid field selector: invalid escape sequence: \\x'],
    ['a=b\\', 'invalid field selector: invalid escape sequence: \\'],
  ];
  for (const [input, want] of cases) {
    assert.throws(() => parseFieldSelectorOrThrow(input), (e: unknown) => {
      assert.ok(e instanceof FieldSelectorError, input);
      assert.equal((e as Error).message, want, input);
      return true;
    });
  }
  assert.throws(() => parseFieldSelector('foo'), (e: unknown) => e instanceof StatusError && e.code === 400 && e.reason === 'BadRequest');
});

test('requirements, checkSupported, transform and requiresExactMatch', () => {
  const s = parseFieldSelectorOrThrow('spec.nodeName=node-a,status.phase!=Failed');
  assert.deepEqual(s.requirements().map((r) => r.field), ['spec.nodeName', 'status.phase']);
  assert.equal(s.requiresExactMatch('spec.nodeName'), 'node-a');
  assert.equal(s.requiresExactMatch('status.phase'), undefined);
  const supported = new Set(['metadata.name', 'spec.nodeName']);
  assert.throws(() => s.checkSupported((f) => supported.has(f)), (e: unknown) => {
    assert.ok(e instanceof StatusError);
    assert.equal(e.code, 400);
    assert.equal(e.message, 'field label not supported: status.phase');
    return true;
  });
  assert.doesNotThrow(() => parseFieldSelectorOrThrow('spec.nodeName=x').checkSupported((f) => supported.has(f)));
  const t = parseFieldSelectorOrThrow('name=a,drop=x').transform((f, v) => (f === 'drop' ? ['', ''] : [`metadata.${f}`, v]));
  assert.equal(t.toString(), 'metadata.name=a');
  assert.equal(FieldSelector.fromSet({ 'metadata.name': 'web-1' }).matches(get), true);
});
