// Main-thread cost of datastore writes: a burst of durable creates, then CAS updates of the same
// keys (the prevKv path), from W concurrent writers into a fresh SQLite file. Reports the rate and
// how busy the calling thread's event loop was (performance.eventLoopUtilization), i.e. how much
// of the API server's main thread each write costs; cpu_us_per_write is the whole process (all
// threads).   make build && node dist/storage/sqlite-bench.js [N] [writers]

import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { SqliteBackend } from './sqlite.js';

const total = Number(process.argv[2] ?? 20000);
const writers = Number(process.argv[3] ?? 32);
const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-sqlite-'));
const store = new SqliteBackend(join(dir, 'state.db'));
const value = new Uint8Array(1024).map((_, i) => 97 + (i % 26));
const key = (i: number): string => `/registry/bench/ns/obj-${String(i).padStart(8, '0')}`;
const revs: number[] = [];

async function phase(name: string, write: (i: number) => Promise<void>): Promise<Record<string, number | string>> {
  let next = 0;
  const elu0 = performance.eventLoopUtilization();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(Array.from({ length: writers }, async () => {
    while (next < total) await write(next++);
  }));
  const ms = performance.now() - t0;
  const elu = performance.eventLoopUtilization(elu0);
  const cpu = process.cpuUsage(cpu0);
  const r = (x: number): number => Math.round(x * 100) / 100;
  return {
    phase: name,
    per_sec: Math.round(total / (ms / 1000)),
    main_elu: r(elu.utilization),
    main_active_us_per_write: r((elu.active * 1000) / total),
    cpu_us_per_write: r((cpu.user + cpu.system) / total),
  };
}

await new Promise((r) => setTimeout(r, 100)); // let the store finish opening
const out = [
  await phase('create', async (i) => { revs[i] = (await store.create(key(i), value)).revision; }),
  await phase('update', async (i) => { revs[i] = (await store.update(key(i), value, revs[i])).revision; }),
];
const stats = store.stats();
await store.close();
rmSync(dir, { recursive: true, force: true });
for (const o of out) console.log(JSON.stringify({ ...o, writes: total, writers, writes_per_commit: Math.round((stats.writes / stats.commits) * 10) / 10 }));
