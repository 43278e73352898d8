import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openBackend, MemoryBackend, SqliteBackend } from './index.js';

const dir = mkdtempSync(join(tmpdir(), 'kumo-open-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));

describe('openBackend', () => {
  it('defaults to SQLite at DATADIR/db/state.db, creating directories', async () => {
    const b = await openBackend(undefined, join(dir, 'data'));
    assert.ok(b instanceof SqliteBackend);
    assert.equal(b.name, 'sqlite');
    assert.ok(existsSync(join(dir, 'data', 'db', 'state.db')));
    await b.close();
  });

  it('accepts sqlite://PATH and a bare path', async () => {
    const viaUrl = await openBackend(`sqlite://${join(dir, 'x', 'a.db')}`, dir);
    assert.ok(viaUrl instanceof SqliteBackend);
    assert.equal(viaUrl.path, join(dir, 'x', 'a.db'));
    await viaUrl.create('/k', new Uint8Array([1]));
    await viaUrl.close();
    const bare = await openBackend(join(dir, 'x', 'a.db'), dir);
    assert.ok(await bare.get('/k'), 'the same file');
    await bare.close();
  });

  it('memory:// gives a MemoryBackend', async () => {
    const b = await openBackend('memory://', dir);
    assert.ok(b instanceof MemoryBackend);
    await b.close();
  });

  it('refuses etcd for now, and unknown schemes', async () => {
    await assert.rejects(openBackend('https://127.0.0.1:2379', dir), /etcd datastore not implemented yet/);
    await assert.rejects(openBackend('http://etcd:2379', dir), /etcd datastore not implemented yet/);
    await assert.rejects(openBackend('sqlite://', dir), /needs a file path/);
    await assert.rejects(openBackend('postgres://db', dir), /unsupported datastore endpoint/);
  });
});
