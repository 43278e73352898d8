// Choosing the datastore from --etcd-servers-style endpoint strings (DESIGN.md §2.5).
//   undefined | ''          → SQLite at DATADIR/db/state.db (the embedded default)
//   sqlite://PATH | PATH    → SQLite at PATH (relative paths resolve against the working directory)
//   memory://               → in-memory, for tests
//   http(s)://…             → etcd (not implemented yet)

import { mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { Backend } from './interface.js';
import { MemoryBackend } from './memory.js';
import { SqliteBackend } from './sqlite.js';

export type { Backend } from './interface.js';
export { MemoryBackend } from './memory.js';
export { SqliteBackend } from './sqlite.js';

export async function openBackend(endpoint: string | undefined, dataDir: string): Promise<Backend> {
  const ep = endpoint?.trim() ?? '';
  if (ep === '') return openSqlite(join(dataDir, 'db', 'state.db'));
  if (ep.startsWith('memory://')) return new MemoryBackend();
  if (/^https?:\/\//i.test(ep)) {
    throw new Error(`etcd datastore not implemented yet (endpoint ${ep}); use sqlite://PATH or leave it unset for the embedded SQLite datastore`);
  }
  if (ep.startsWith('sqlite://')) {
    const path = ep.slice('sqlite://'.length);
    if (path === '') throw new Error('sqlite:// endpoint needs a file path, e.g. sqlite:///var/lib/kumo/db/state.db');
    return openSqlite(path);
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(ep)) throw new Error(`unsupported datastore endpoint ${ep}`);
  return openSqlite(ep);
}

function openSqlite(path: string): Backend {
  const file = resolve(path);
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  return new SqliteBackend(file);
}
