// Raw datastore write rate: N durable creates of 1 KiB values from 32 concurrent writers into a
// fresh SQLite file in a temp dir. Run after `npx tsc`:  node bench/datastore.mjs [N] [writers]
// Prints JSON: { creates_per_sec, p50_ms, p99_ms, ... }.

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteBackend } from '../dist/storage/sqlite.js';

const total = Number(process.argv[2] ?? 20000);
const writers = Number(process.argv[3] ?? 32);
const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-datastore-'));
const store = new SqliteBackend(join(dir, 'state.db'));
const value = new Uint8Array(1024).map((_, i) => 97 + (i % 26));
const latencies = [];
let next = 0;

async function writer() {
  while (next < total) {
    const i = next++;
    const t0 = process.hrtime.bigint();
    await store.create(`/registry/bench/ns/obj-${String(i).padStart(8, '0')}`, value);
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
}

const start = process.hrtime.bigint();
await Promise.all(Array.from({ length: writers }, writer));
const seconds = Number(process.hrtime.bigint() - start) / 1e9;
const stats = store.stats();
await store.close();
rmSync(dir, { recursive: true, force: true });

latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
const round = (x) => Math.round(x * 1000) / 1000;
console.log(JSON.stringify({
  creates_per_sec: Math.round(total / seconds),
  p50_ms: round(pct(50)),
  p99_ms: round(pct(99)),
  creates: total,
  writers,
  value_bytes: value.length,
  commits: stats.commits,
  writes_per_commit: round(stats.writes / stats.commits),
  seconds: round(seconds),
}));
