import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { loopbackSocketPath } from './loopback.js';

test('loopback socket: in the data dir when the path fits a socket address', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-lbdir-'));
  try {
    assert.equal(loopbackSocketPath(dir), join(dir, 'loopback.sock'));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('loopback socket: a data dir too deep for a socket address gets a private directory under the temp dir', () => {
  const deep = join('/srv', 'x'.repeat(120));
  const p = loopbackSocketPath(deep);
  assert.ok(Buffer.byteLength(p) <= 100, p);
  assert.equal(dirname(dirname(p)), tmpdir());
  assert.equal(statSync(dirname(p)).mode & 0o777, 0o700);
  // stable per data dir, different between data dirs
  assert.equal(loopbackSocketPath(deep), p);
  assert.notEqual(loopbackSocketPath(`${deep}y`), p);
});

test('loopback socket: a temp directory others can enter is refused', () => {
  const p = loopbackSocketPath(join('/srv', 'z'.repeat(120)));
  chmodSync(dirname(p), 0o755);
  try {
    assert.throws(() => loopbackSocketPath(join('/srv', 'z'.repeat(120))), /not a private directory/);
  } finally {
    chmodSync(dirname(p), 0o700);
  }
});

test('loopback socket: a data dir others may write to is not used for it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-lbdir-'));
  try {
    assert.equal(loopbackSocketPath(dir), join(dir, 'loopback.sock'));
    chmodSync(dir, 0o777);
    const p = loopbackSocketPath(dir);
    assert.notEqual(dirname(p), dir);
    assert.equal(dirname(dirname(p)), tmpdir());
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
