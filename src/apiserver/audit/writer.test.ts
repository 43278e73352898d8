import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync, statSync, utimesSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { RotatingFileWriter, backupTimestamp } from './writer.js';

function tmp(): string { return mkdtempSync(join(tmpdir(), 'kumo-audit-writer-')); }

test('backup names use lumberjack\'s UTC layout', () => {
  assert.equal(backupTimestamp(new Date('2024-03-05T07:08:09.012Z')), '2024-03-05T07-08-09.012');
});

test('creates the file 0600 at start and writes lines in order after flush', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'sub', 'audit.log');
    const w = new RotatingFileWriter(path);
    assert.equal(statSync(path).mode & 0o777, 0o600);
    for (let i = 0; i < 100; i++) w.write(`{"n":${i}}`);
    assert.equal(readFileSync(path, 'utf8'), '', 'writes are not synchronous');
    await w.flush();
    const lines = readFileSync(path, 'utf8').trimEnd().split('\n');
    assert.deepEqual(lines.map((l) => JSON.parse(l).n), [...Array(100).keys()]);
    w.write('{"n":100}');
    await w.close();
    assert.equal(readFileSync(path, 'utf8').trimEnd().split('\n').length, 101, 'close flushes');
    w.write('{"after":"close"}');
    await w.flush();
    assert.ok(!readFileSync(path, 'utf8').includes('after'));
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('rotates past maxSize, keeps maxBackups and loses no line', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'audit.log');
    let t = Date.parse('2024-01-01T00:00:00.000Z');
    const w = new RotatingFileWriter(path, { maxSizeBytes: 100, maxBackups: 3, now: () => new Date(t) });
    const line = (i: number) => `{"i":${String(i).padStart(4, ' ')},"pad":"xxxxxxxxxxxxxxx"}`; // 36 bytes with newline
    for (let i = 0; i < 5; i++) { w.write(line(i)); }
    await w.flush();
    t += 1000;
    for (let i = 5; i < 20; i++) { w.write(line(i)); await w.flush(); t += 1000; }
    await w.close();
    const files = readdirSync(dir).sort();
    assert.ok(files.includes('audit.log'));
    const backups = files.filter((f) => f !== 'audit.log');
    assert.equal(backups.length, 3, files.join(' '));
    for (const b of backups) assert.match(b, /^audit-\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}\.\d{3}\.log$/);
    for (const f of files) assert.ok(statSync(join(dir, f)).size <= 100, `${f} is over maxSize`);
    // the newest backups and the live file hold the last lines, in order
    const all = [...backups, 'audit.log'].flatMap((f) => readFileSync(join(dir, f), 'utf8').trimEnd().split('\n')).map((l) => JSON.parse(l).i);
    assert.deepEqual(all, [...Array(all.length).keys()].map((k) => 20 - all.length + k));
    assert.equal(all.at(-1), 19);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('rotations in the same millisecond get distinct names', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'audit');
    const w = new RotatingFileWriter(path, { maxSizeBytes: 10, now: () => new Date('2024-01-01T00:00:00.000Z') });
    for (let i = 0; i < 6; i++) w.write('123456789');
    await w.close();
    const files = readdirSync(dir).sort();
    assert.equal(files.length, 6, files.join(' '));
    assert.deepEqual(files.slice(0, 2), ['audit', 'audit-2024-01-01T00-00-00.000']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('a line longer than maxSize gets a file of its own', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'a.log');
    const w = new RotatingFileWriter(path, { maxSizeBytes: 10 });
    w.write('short');
    w.write('x'.repeat(50));
    w.write('tail');
    await w.close();
    const contents = readdirSync(dir).map((f) => readFileSync(join(dir, f), 'utf8')).sort();
    assert.deepEqual(contents, ['short\n', 'tail\n', 'x'.repeat(50) + '\n']);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('appends to an existing file and deletes backups older than maxAge', async () => {
  const dir = tmp();
  try {
    const path = join(dir, 'audit.log');
    writeFileSync(path, 'old\n');
    const now = Date.parse('2024-06-10T00:00:00.000Z');
    writeFileSync(join(dir, 'audit-2024-06-01T00-00-00.000.log'), 'stale\n');
    writeFileSync(join(dir, 'audit-2024-06-09T12-00-00.000.log'), 'recent\n');
    writeFileSync(join(dir, 'other-2024-01-01T00-00-00.000.log'), 'not ours\n');
    writeFileSync(join(dir, 'audit-notatime.log'), 'not a backup\n');
    utimesSync(path, now / 1000, now / 1000);
    const w = new RotatingFileWriter(path, { maxSizeBytes: 8, maxAgeDays: 2, now: () => new Date(now) });
    w.write('new');
    await w.flush();
    assert.equal(readFileSync(path, 'utf8'), 'old\nnew\n', 'appended while it fits');
    w.write('more');
    await w.close();
    const files = readdirSync(dir).sort();
    assert.deepEqual(files, ['audit-2024-06-09T12-00-00.000.log', 'audit-2024-06-10T00-00-00.000.log', 'audit-notatime.log', 'audit.log', 'other-2024-01-01T00-00-00.000.log']);
    assert.equal(readFileSync(join(dir, 'audit-2024-06-10T00-00-00.000.log'), 'utf8'), 'old\nnew\n');
    assert.equal(readFileSync(path, 'utf8'), 'more\n');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('an unwritable path fails at start', () => {
  const dir = tmp();
  try {
    writeFileSync(join(dir, 'file'), '');
    assert.throws(() => new RotatingFileWriter(join(dir, 'file', 'audit.log')), /ENOTDIR|EEXIST/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});
