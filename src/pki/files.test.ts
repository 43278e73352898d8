import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensurePrivateDir, readIfExists, restrictMode, writeFileAtomic } from './files.js';

test('writeFileAtomic replaces content, applies the mode exactly, leaves no temp files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kumo-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const path = join(dir, 'ca.key');
  await writeFile(path, 'old', { mode: 0o644 });
  await writeFileAtomic(path, 'new', 0o600);
  assert.equal(await readFile(path, 'utf8'), 'new');
  assert.equal((await stat(path)).mode & 0o777, 0o600);
  await writeFileAtomic(join(dir, 'ca.crt'), new Uint8Array([104, 105]), 0o644);
  assert.equal(await readFile(join(dir, 'ca.crt'), 'utf8'), 'hi');
  assert.equal((await stat(join(dir, 'ca.crt'))).mode & 0o777, 0o644, 'not narrowed by the umask');
  assert.deepEqual((await readdir(dir)).sort(), ['ca.crt', 'ca.key']);
  await assert.rejects(writeFileAtomic(join(dir, 'missing', 'x'), 'data', 0o600), /ENOENT/);
  assert.deepEqual((await readdir(dir)).sort(), ['ca.crt', 'ca.key']);
});

test('ensurePrivateDir creates or tightens to 0700 and refuses a file; readIfExists; restrictMode', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'kumo-files-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const pki = join(dir, 'a', 'pki');
  await ensurePrivateDir(pki);
  assert.equal((await stat(pki)).mode & 0o777, 0o700);
  await writeFile(join(dir, 'file'), '');
  await assert.rejects(ensurePrivateDir(join(dir, 'file')), /not a directory|EEXIST/);
  assert.equal(await readIfExists(join(dir, 'nope')), undefined);
  assert.equal(await readIfExists(join(dir, 'file')), '');
  await assert.rejects(readIfExists(pki), /EISDIR/);
  await writeFile(join(dir, 'k'), '', { mode: 0o666 });
  await restrictMode(join(dir, 'k'), 0o600);
  assert.equal((await stat(join(dir, 'k'))).mode & 0o777, 0o600);
  await writeFile(join(dir, 'tight'), '', { mode: 0o400 });
  await restrictMode(join(dir, 'tight'), 0o600);
  assert.equal((await stat(join(dir, 'tight'))).mode & 0o777, 0o400, 'never widened');
});

