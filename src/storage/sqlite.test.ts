import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { backendContractSuite } from './contract.js';
import { KeyExistsError, RevisionMismatchError, type Backend } from './interface.js';
import { SqliteBackend } from './sqlite.js';

const dir = mkdtempSync(join(tmpdir(), 'kumo-sqlite-test-'));
after(() => rmSync(dir, { recursive: true, force: true }));
let n = 0;
const fresh = (): string => join(dir, `t${n++}.db`);
const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
type Internals = { worker: Worker };
/** test hook: the writer thread throws inside the transaction when it writes this key */
const failOn = (b: SqliteBackend, key: string | null): void => (b as unknown as Internals).worker.postMessage({ t: 'fail', key });

backendContractSuite('sqlite', async () => new SqliteBackend(fresh()), async (b: Backend) => {
  const path = (b as SqliteBackend).path;
  await b.close();
  return new SqliteBackend(path);
});

describe('SqliteBackend specifics', () => {
  it('uses WAL and keeps data and the revision across reopen', async () => {
    const path = fresh();
    const b = new SqliteBackend(path);
    const w = await b.create('/a', enc('1'));
    await b.update('/a', enc('2'), w.revision);
    const rev = await b.currentRevision();
    await b.close();
    const raw = new Database(path, { readonly: true });
    assert.equal((raw.prepare('SELECT count(*) AS n FROM log').get() as { n: number }).n, 2, 'both writes are in the log');
    assert.equal(raw.pragma('journal_mode', { simple: true }), 'wal');
    raw.close();
    const b2 = new SqliteBackend(path);
    assert.equal(await b2.currentRevision(), rev);
    const kv = await b2.get('/a');
    assert.equal(new TextDecoder().decode(kv!.value), '2');
    assert.equal(kv!.createRevision, w.revision);
    await assert.rejects(b2.update('/a', enc('3'), w.revision), RevisionMismatchError);
    await b2.close();
  });

  it('commits durably: synchronous=FULL and WAL on the writer thread\'s connection', async () => {
    const b = new SqliteBackend(fresh());
    assert.equal(await b.writerPragma('synchronous'), 2);
    assert.equal(await b.writerPragma('journal_mode'), 'wal');
    await b.close();
  });

  it('a watch replays more than one page of history, then continues live in order', async () => {
    const b = new SqliteBackend(fresh());
    const from = await b.currentRevision();
    for (let i = 0; i < 2500; i += 500) {
      await Promise.all(Array.from({ length: 500 }, (_, j) => b.create(`/many/${i + j}`, enc('v'))));
    }
    const revs: number[] = [];
    let done!: () => void;
    const finished = new Promise<void>((r) => { done = r; });
    const cancel = b.watch('/many/', from, (evs) => {
      for (const e of evs) revs.push(e.kv.modRevision);
      if (revs.length >= 2600) done();
    }, (err) => assert.fail(err));
    await Promise.all(Array.from({ length: 100 }, (_, j) => b.create(`/many/live${j}`, enc('v'))));
    await finished;
    cancel();
    assert.equal(revs.length, 2600);
    revs.forEach((r, i) => assert.equal(r, from + 1 + i));
    await b.close();
  });

  it('compaction removes superseded rows and tombstones across many chunks', async () => {
    const path = fresh();
    const b = new SqliteBackend(path);
    for (let i = 0; i < 6000; i += 1000) {
      await Promise.all(Array.from({ length: 1000 }, (_, j) => b.create(`/cp/${i + j}`, enc('v'))));
    }
    const kept = await b.create('/cp/kept', enc('k1'));
    await b.update('/cp/kept', enc('k2'), kept.revision);
    await Promise.all(Array.from({ length: 6000 }, (_, i) => b.delete(`/cp/${i}`)));
    const rev = await b.currentRevision();
    await b.compact(rev);
    await b.close();
    const raw = new Database(path, { readonly: true });
    const rows = raw.prepare('SELECT key, deleted FROM log').all() as Array<{ key: string; deleted: number }>;
    raw.close();
    assert.deepEqual(rows, [{ key: '/cp/kept', deleted: 0 }]);
    const b2 = new SqliteBackend(path);
    assert.equal(await b2.compactedRevision(), rev);
    assert.equal(await b2.currentRevision(), rev);
    assert.deepEqual((await b2.range('/cp/')).kvs.map((kv) => new TextDecoder().decode(kv.value)), ['k2']);
    await b2.close();
  });

  it('group commit: 100 concurrent creates share far fewer than 100 commits', async () => {
    const b = new SqliteBackend(fresh());
    const before = b.stats();
    await Promise.all(Array.from({ length: 100 }, (_, i) => b.create(`/g/${i}`, new Uint8Array(1024))));
    const s = b.stats();
    assert.equal(s.writes - before.writes, 100);
    assert.ok(s.commits - before.commits <= 5, `expected grouped commits, got ${s.commits - before.commits}`);
    assert.ok(s.maxBatch >= 20);
    assert.equal((await b.range('/g/', { countOnly: true })).count, 100);
    await b.close();
  });

  it('a failed check inside a group rejects only that write', async () => {
    const b = new SqliteBackend(fresh());
    await b.create('/dup', enc('first'));
    const before = b.stats().commits;
    const outcomes = await Promise.allSettled([
      b.create('/ok1', enc('1')), b.create('/dup', enc('second')), b.create('/ok2', enc('2')),
      b.update('/dup', enc('x'), 999),
    ]);
    assert.deepEqual(outcomes.map((o) => o.status), ['fulfilled', 'rejected', 'fulfilled', 'rejected']);
    assert.ok((outcomes[1] as PromiseRejectedResult).reason instanceof KeyExistsError);
    assert.ok((outcomes[3] as PromiseRejectedResult).reason instanceof RevisionMismatchError);
    assert.equal(b.stats().commits - before, 1);
    const revs = outcomes.filter((o) => o.status === 'fulfilled').map((o) => (o as PromiseFulfilledResult<{ revision: number }>).value.revision);
    assert.equal(revs[1], revs[0] + 1, 'failed writes consume no revision');
    assert.equal(new TextDecoder().decode((await b.get('/dup'))!.value), 'first');
    await b.close();
  });

  it('a storage error inside a group rolls back the whole group and the writer\'s index', async () => {
    const b = new SqliteBackend(fresh());
    const base = await b.create('/base', enc('0'));
    failOn(b, '/boom'); // the writer throws inside the transaction when it gets to this key
    const outcomes = await Promise.allSettled([
      b.create('/a', enc('1')), b.update('/base', enc('1'), base.revision), b.create('/boom', enc('x')),
    ]);
    assert.ok(outcomes.every((o) => o.status === 'rejected' && /disk I\/O error/.test(String(o.reason))));
    assert.equal((outcomes[0] as PromiseRejectedResult).reason.code, 'SQLITE_IOERR');
    failOn(b, null);
    assert.equal(await b.currentRevision(), base.revision);
    assert.equal(await b.get('/a'), undefined);
    const again = await b.update('/base', enc('2'), base.revision); // the index was restored
    assert.equal(again.revision, base.revision + 1);
    await b.create('/a', enc('1'));
    await b.close();
  });

  it('a watch sees each group commit as one batch', async () => {
    const b = new SqliteBackend(fresh());
    const batches: number[] = [];
    const cancel = b.watch('/', await b.currentRevision(), (evs) => batches.push(evs.length), assert.fail);
    await Promise.all(Array.from({ length: 10 }, (_, i) => b.create(`/wb/${i}`, enc('v'))));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(batches, [10]);
    cancel();
    await b.close();
  });

  it('an every-write-fails group commits nothing and the store stays usable after close/reopen', async () => {
    const path = fresh();
    const b = new SqliteBackend(path);
    await b.create('/k', enc('v'));
    const commits = b.stats().commits;
    await assert.rejects(b.create('/k', enc('again')), KeyExistsError);
    assert.equal(b.stats().commits, commits);
    await b.close();
    await assert.rejects(b.create('/late', enc('x')), /closed/);
    const b2 = new SqliteBackend(path);
    assert.equal(await b2.currentRevision(), 2, 'fresh store at 1, one write');
    await b2.close();
  });

  it('every acknowledged write survives kill -9 of the writing process', async () => {
    const path = fresh();
    // run the child the way this test runs: TypeScript via tsx in development, compiled JS from dist/
    const ts = import.meta.url.endsWith('.ts');
    const childFile = fileURLToPath(new URL(ts ? './sqlite-crash-child.ts' : './sqlite-crash-child.js', import.meta.url));
    const child = spawn(process.execPath, [...(ts ? ['--import', 'tsx'] : []), childFile, path],
      { stdio: ['ignore', 'pipe', 'inherit'] });
    const acked: string[] = [];
    let buf = '';
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`child acknowledged only ${acked.length} writes`)); }, 30000);
      child.stdout!.on('data', (chunk: Buffer) => {
        buf += chunk.toString();
        const lines = buf.split('\n');
        buf = lines.pop()!;
        acked.push(...lines);
        if (acked.length >= 2000 && !child.killed) {
          child.kill('SIGKILL'); // mid-stream: writes are in flight right now
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('exit', (code, signal) => {
        if (signal !== 'SIGKILL') { clearTimeout(timer); reject(new Error(`child exited early: ${code}`)); }
      });
    });
    await new Promise((r) => child.once('close', r));
    const b = new SqliteBackend(path);
    const present = new Set((await b.range('/crash/')).kvs.map((kv) => kv.key));
    const missing = acked.filter((k) => !present.has(k));
    assert.deepEqual(missing, []);
    assert.ok(present.size >= acked.length);
    assert.equal(await b.currentRevision(), present.size + 1, 'the revision continues from the last durable write');
    await b.close();
  });
});
