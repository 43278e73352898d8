// Test helper for sqlite.test.ts: writes keys forever with 16 concurrent writers into the SQLite
// file given as argv[2], printing each key only after its write was acknowledged. The test
// kill -9s this process and checks that every printed key survived.

import { SqliteBackend } from './sqlite.js';

const b = new SqliteBackend(process.argv[2]);
const value = new Uint8Array(1024).fill(120);
let next = 0;

async function writer(): Promise<never> {
  for (;;) {
    const key = `/crash/${String(next++).padStart(8, '0')}`;
    await b.create(key, value);
    process.stdout.write(`${key}\n`);
  }
}

for (let i = 0; i < 16; i++) void writer();
