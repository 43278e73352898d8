import { test } from 'node:test';
import assert from 'node:assert/strict';
import { internStrings, StringInterner } from './intern.js';

// two copies of one text that are not the same heap string (JSON.parse makes such copies)
const copies = (s: string): [string, string] => JSON.parse(JSON.stringify([s, s])) as [string, string];

test('interner: equal strings come back as the first copy seen; the table stays bounded', () => {
  const t = new StringInterner(3);
  const [a, b] = copies('registry.k8s.io/pause:3.9');
  assert.equal(t.intern(a), a);
  assert.equal(t.intern(b), a);
  for (let i = 0; i < 100; i++) t.intern(`one-off-${i}`);
  assert.ok(t.size <= 6, `two generations of at most 3, got ${t.size}`);
  // a string that keeps recurring survives generations of one-off values
  const u = new StringInterner(4);
  u.intern('ns');
  for (let i = 0; i < 50; i++) { u.intern(`x-${i}`); assert.equal(u.intern('ns'), 'ns'); }
  assert.throws(() => new StringInterner(0), /capacity must be at least 1/);
});

test('interner: strings longer than maxLength are returned untouched and not kept', () => {
  const t = new StringInterner(10, 8);
  const long = 'x'.repeat(9);
  assert.equal(t.intern(long), long);
  assert.equal(t.size, 0);
  t.intern('short');
  assert.equal(t.size, 1);
});

test('internStrings: every nested string value is replaced by its canonical copy; values and shape unchanged', () => {
  const t = new StringInterner();
  const text = JSON.stringify({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', uid: 'u-1', resourceVersion: '7', labels: { app: 'web' }, generation: 1 },
    spec: { containers: [{ name: 'c', image: 'nginx', args: ['-v', 'nginx'] }], tolerations: [{ key: 'k', tolerationSeconds: 300 }], x: null, ok: true },
    status: { phase: 'Pending' },
  });
  const a = JSON.parse(text);
  const b = JSON.parse(text);
  const before = structuredClone(b);
  assert.equal(internStrings(a, t), a, 'in place');
  assert.equal(internStrings(b, t), b);
  assert.deepEqual(b, before, 'same values, same shape');
  // V8 does not expose string identity, but an interner hands back the copy it holds: the table
  // must already hold every repeated value after the first object
  const held = new StringInterner();
  internStrings(JSON.parse(text), held);
  for (const s of ['v1', 'Pod', 'default', 'web', 'c', 'nginx', '-v', 'k', 'Pending']) {
    const n = held.size;
    held.intern(copies(s)[0]);
    assert.equal(held.size, n, `${s} was interned`);
  }
  // metadata name, uid and resourceVersion are unique per object: never put in the table
  for (const s of ['p', 'u-1', '7']) {
    const n = held.size;
    held.intern(s);
    assert.equal(held.size, n + 1, `${s} was not interned`);
  }
});

test('internStrings: odd input (arrays at the top, empty objects, no metadata) is handled', () => {
  const t = new StringInterner();
  assert.deepEqual(internStrings({}, t), {});
  assert.deepEqual(internStrings(['a', ['b', { c: 'd' }]], t), ['a', ['b', { c: 'd' }]]);
  assert.deepEqual(internStrings({ metadata: null, items: [] }, t), { metadata: null, items: [] });
  assert.deepEqual(internStrings({ metadata: ['name'] }, t), { metadata: ['name'] });
});
