import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadTokenFile, parseCSV, parseTokenFile, tokenFileLookup } from './tokenfile.js';

// temp dirs made by this file's tests, removed when they are done
const tempDirs: string[] = [];
after(() => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });
function tempDir(prefix: string): string { const d = mkdtempSync(join(tmpdir(), prefix)); tempDirs.push(d); return d; }

test('token file: token,user,uid,"groups" as upstream', () => {
  const m = parseTokenFile('t1,alice,u1,"dev,ops"\nt2,bob,u2\n  t3, carol ,,g1\n');
  assert.deepEqual(m.get('t1'), { name: 'alice', uid: 'u1', groups: ['dev', 'ops'] });
  assert.deepEqual(m.get('t2'), { name: 'bob', uid: 'u2', groups: [] });
  // leading spaces trimmed (TrimLeadingSpace), trailing kept; an empty uid is left out
  assert.deepEqual(m.get('t3'), { name: 'carol ', groups: ['g1'] });
  assert.equal(m.size, 3);
});

test('token file: empty tokens skipped, later duplicates win, CRLF and blank lines', () => {
  const m = parseTokenFile(',nobody,0\r\n\r\ndup,first,1\r\ndup,second,2\r\n');
  assert.equal(m.size, 1);
  assert.equal(m.get('dup')?.name, 'second');
});

test('token file: fewer than 3 columns is an error naming the file', () => {
  assert.throws(() => parseTokenFile('t1,alice\n', '/etc/tokens.csv'),
    /token file '\/etc\/tokens.csv' must have at least 3 columns \(token, user name, user uid\), found 2/);
});

test('token file: malformed quoting is an error', () => {
  assert.throws(() => parseTokenFile('t1,al"ice,u1\n', 'f'), /bare " in non-quoted-field/);
  assert.throws(() => parseTokenFile('t1,alice,u1,"dev\n', 'f'), /extraneous or missing " in quoted-field/);
});

test('csv: quoted fields with commas, doubled quotes and newlines', () => {
  assert.deepEqual(parseCSV('a,"b,""c""\nd",e\nx').map((r) => r.fields), [['a', 'b,"c"\nd', 'e'], ['x']]);
});

test('loadTokenFile: a missing file is a clear startup error', () => {
  assert.throws(() => loadTokenFile('/nonexistent/tokens.csv'), /--token-auth-file: cannot read \/nonexistent\/tokens.csv: ENOENT/);
  const dir = tempDir('kumo-tokens-');
  writeFileSync(join(dir, 't.csv'), 'secret,dave,7,"a"\n');
  assert.equal(loadTokenFile(join(dir, 't.csv')).get('secret')?.name, 'dave');
});

test('tokenFileLookup: exact match only', () => {
  const look = tokenFileLookup(parseTokenFile('abc,alice,1\n'));
  assert.equal(look('abc')?.name, 'alice');
  assert.equal(look('ab'), undefined);
  assert.equal(look('abcd'), undefined);
  assert.equal(look(''), undefined);
});
