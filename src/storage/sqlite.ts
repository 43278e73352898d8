// SQLite Backend (the embedded default). Durability first: WAL with synchronous=FULL, and a write
// is resolved only after the transaction that holds it has committed (fsynced).
//
// Writes run on a writer thread (sqlite-writer.ts) with its own connection, so the inserts and the
// COMMIT (WAL write + fsync) stay off the main thread. Group commit: create/update/delete only
// enqueue; one batch at a time goes to the writer, which applies it in a single transaction — each
// write with its own revision and compare-and-swap check — and commits once. Writes arriving
// meanwhile queue up for the next batch. On the answer, main advances its revision, settles the
// writes and publishes their watch events as one batch.
//
// Reads (get, range, watch replay) stay on the main thread's connection; WAL lets them run while
// the writer commits. They are served at main's revision, which may lag the database by the batch
// whose answer is on its way: reads are bounded by that revision (see readNow).

import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Database as DB, Statement, Transaction } from 'better-sqlite3';
import {
  type Backend, type KeyValue, type RangeOptions, type RangeResult, type WatchEvent, type WriteResult,
  CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionMismatchError,
} from './interface.js';
import { prefixEnd, rangeStart } from './keys.js';
import {
  type FromWriter, type ToWriter, type WriterInit,
  KEY_EXISTS, KEY_NOT_FOUND, OK, OP_CREATE, OP_DELETE, OP_STRIDE, OP_UPDATE, RES_STRIDE, REVISION_MISMATCH,
} from './sqlite-protocol.js';
import { KEY_MAX, SCHEMA } from './sqlite-schema.js';
import { WatchHub } from './watch-hub.js';

/** kind: OP_*; expected: NaN = none; value: empty for deletes */
interface Op { kind: number; key: string; value: Buffer; expected: number }

interface Pending { op: Op; resolve: (r: WriteResult) => void; reject: (e: Error) => void }

interface Row { key: string; create_rev: number; rev: number; value: Buffer | null }
interface EventRow extends Row {
  deleted: number;
  p_rev: number | null; p_create: number | null; p_deleted: number | null; p_value: Buffer | null;
}

export interface SqliteStats {
  /** committed write transactions (group commits) */
  commits: number;
  /** writes applied (successful) */
  writes: number;
  /** largest number of writes handled by one flush */
  maxBatch: number;
}

export interface SqliteOptions {
  /** SQLite page cache in KiB, per connection (default 64 MiB) */
  cacheKiB?: number;
}

/** revisions compacted per transaction, so a large compaction never delays writes for long */
const COMPACT_CHUNK = 5000;
const EMPTY = Buffer.alloc(0);

export class SqliteBackend implements Backend {
  readonly name = 'sqlite';
  /** the main thread's connection: schema at open, then reads only */
  private readonly db: DB;
  /** the newest revision main has been told about: every read and watch is bounded by it */
  private rev = 0;
  private compacted = 0;
  private readonly worker: Worker;
  private readonly exited: Promise<void>;
  private pending: Pending[] = [];
  /** the batch the writer is working on (at most one, so answers arrive in order) */
  private inflight: { id: number; batch: Pending[] } | undefined;
  /** other requests to the writer (compaction chunks, pragmas) */
  private readonly calls = new Map<number, { resolve: (m: FromWriter) => void; reject: (e: Error) => void }>();
  private nextId = 1;
  private flushTimer: NodeJS.Immediate | undefined;
  private idleWaiters: Array<() => void> = [];
  private compacting: Promise<void> = Promise.resolve();
  private closing: Promise<void> | undefined;
  private writerClosing = false;
  private closed = false;
  /** set when the writer thread died: every later call fails with it */
  private failure: Error | undefined;
  private readonly hub: WatchHub;
  private readonly counters: SqliteStats = { commits: 0, writes: 0, maxBatch: 0 };
  private readonly st: Record<string, Statement>;
  private readonly readNowTx: Transaction<(start: string, end: string, at: number, limit: number, countOnly: boolean) => { rows: Row[]; count: number }>;

  constructor(readonly path: string, opts: SqliteOptions = {}) {
    const cacheKiB = opts.cacheKiB ?? 65536;
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`cache_size = -${cacheKiB}`);
    this.db.pragma('foreign_keys = OFF');
    this.db.exec(SCHEMA);
    const p = (sql: string): Statement => this.db.prepare(sql);
    this.st = {
      getMeta: p('SELECT value FROM meta WHERE name = ?'),
      keyAt: p('SELECT key, create_rev, rev, deleted, value FROM log WHERE key = ? AND rev <= ? ORDER BY rev DESC LIMIT 1'),
      rangeNow: p(`SELECT l.key, l.create_rev, l.rev, l.value FROM current c JOIN log l ON l.rev = c.rev
        WHERE c.key >= ? AND c.key < ? ORDER BY c.key LIMIT ?`),
      countNow: p('SELECT count(*) AS n FROM current WHERE key >= ? AND key < ?'),
      inCurrent: p('SELECT 1 FROM current WHERE key = ?').pluck(),
      // keys written above a revision, by rowid range (one batch); never a scan of the key index
      touchedAfter: p('SELECT key FROM log NOT INDEXED WHERE rev > ? AND key >= ? AND key < ?').pluck(),
      rangeAt: p(`SELECT l.key, l.create_rev, l.rev, l.value
        FROM (SELECT key, max(rev) AS rev FROM log WHERE key >= ? AND key < ? AND rev <= ? GROUP BY key) m
        JOIN log l ON l.rev = m.rev WHERE l.deleted = 0 ORDER BY m.key LIMIT ?`),
      countAt: p(`SELECT count(*) AS n
        FROM (SELECT key, max(rev) AS rev FROM log WHERE key >= ? AND key < ? AND rev <= ? GROUP BY key) m
        JOIN log l ON l.rev = m.rev WHERE l.deleted = 0`),
      events: p(`SELECT l.key, l.create_rev, l.rev, l.deleted, l.value,
          p.rev AS p_rev, p.create_rev AS p_create, p.deleted AS p_deleted, p.value AS p_value
        FROM log l LEFT JOIN log p ON p.rev = l.prev_rev
        WHERE l.rev > ? AND l.rev <= ? AND l.key >= ? AND l.key < ? ORDER BY l.rev LIMIT ?`),
      maxRev: p('SELECT coalesce(max(rev), 0) AS n FROM log'),
    };
    // one snapshot for the revision check, the count and the rows
    this.readNowTx = this.db.transaction((start: string, end: string, at: number, limit: number, countOnly: boolean) =>
      this.readNow(start, end, at, limit, countOnly));
    // like etcd, an empty store is at revision 1: resourceVersion "0" means "any" to Kubernetes
    this.rev = Math.max(1, this.meta('rev'), (this.st.maxRev.get() as { n: number }).n);
    this.compacted = this.meta('compact_rev');
    this.hub = new WatchHub({
      currentRevisionSync: () => this.rev,
      compactedRevisionSync: () => this.compacted,
      readEvents: (prefix, end, after, upto, limit) => this.readEvents(prefix, end, after, upto, limit),
    });
    // the writer opens its own connection while the caller goes on; batches sent before it is up wait in its port
    this.worker = startWriter({ path, cacheKiB, rev: this.rev });
    this.worker.unref(); // referenced only while it has work (an unclosed store must not keep a process alive)
    this.worker.on('message', (m: FromWriter) => this.onMessage(m));
    this.worker.on('error', (err) => this.fail(new Error(`datastore writer thread failed: ${err.message}`, { cause: err })));
    this.exited = new Promise((resolve) => this.worker.once('exit', (code) => {
      this.fail(this.writerClosing ? new Error('datastore is closed') : new Error(`datastore writer thread exited unexpectedly (code ${code})`));
      resolve();
    }));
  }

  private meta(name: string): number {
    return (this.st.getMeta.get(name) as { value: number } | undefined)?.value ?? 0;
  }

  /** group-commit counters (for tests and metrics) */
  stats(): SqliteStats { return { ...this.counters }; }

  async currentRevision(): Promise<number> { this.check(); return this.rev; }
  async compactedRevision(): Promise<number> { this.check(); return this.compacted; }

  async get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined> {
    this.check();
    // newest row at or below the revision: also right while the writer is one batch ahead
    const r = this.st.keyAt.get(key, this.readRevision(opts?.revision)) as (Row & { deleted: number }) | undefined;
    return r && !r.deleted ? toKv(r) : undefined;
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.check();
    const at = this.readRevision(opts.revision);
    const start = rangeStart(prefix, opts.startKey);
    const end = prefixEnd(prefix) ?? KEY_MAX;
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const countOnly = !!opts.countOnly;
    const { rows, count } = at === this.rev
      ? this.readNowTx(start, end, at, limit, countOnly)
      : {
        // rows at or below `at` never change (compaction only removes rows below this.compacted <= at)
        count: (this.st.countAt.get(start, end, at) as { n: number }).n,
        rows: countOnly ? [] : this.st.rangeAt.all(start, end, at, limit) as Row[],
      };
    if (countOnly) return { kvs: [], revision: at, more: false, count };
    const kvs = rows.map(toKv);
    return { kvs, revision: at, more: count > kvs.length, count };
  }

  /**
   * The range at main's revision from the fast `current` table. Inside one read transaction; if the
   * writer has already committed revisions above `at` (their answer is on its way), `current` is
   * ahead for the keys they touched — few, one batch — so those keys are read as of `at` instead.
   */
  private readNow(start: string, end: string, at: number, limit: number, countOnly: boolean): { rows: Row[]; count: number } {
    let count = (this.st.countNow.get(start, end) as { n: number }).n;
    const hidden = new Set(this.meta('rev') > at ? this.st.touchedAfter.all(at, start, end) as string[] : []);
    if (hidden.size === 0) return { count, rows: countOnly ? [] : this.st.rangeNow.all(start, end, limit) as Row[] };
    const asOfAt: Row[] = [];
    for (const key of hidden) {
      if (this.st.inCurrent.get(key)) count--;
      const r = this.st.keyAt.get(key, at) as (Row & { deleted: number }) | undefined;
      if (r && !r.deleted) { count++; asOfAt.push(r); }
    }
    if (countOnly) return { count, rows: [] };
    // at most hidden.size of the first limit + hidden.size current rows are dropped, so enough remain
    const rows = (this.st.rangeNow.all(start, end, limit < 0 ? -1 : limit + hidden.size) as Row[])
      .filter((r) => !hidden.has(r.key));
    const merged = [...rows, ...asOfAt].sort((a, b) => compareKeys(a.key, b.key));
    return { count, rows: limit < 0 ? merged : merged.slice(0, limit) };
  }

  create(key: string, value: Uint8Array): Promise<WriteResult> {
    return this.enqueue({ kind: OP_CREATE, key, value: Buffer.from(value), expected: NaN });
  }

  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    return this.enqueue({ kind: OP_UPDATE, key, value: Buffer.from(value), expected: expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    return this.enqueue({ kind: OP_DELETE, key, value: EMPTY, expected: expectedModRevision ?? NaN });
  }

  watch(prefix: string, fromRevision: number, onEvents: (events: WatchEvent[]) => void,
    onError: (err: Error) => void): () => void {
    this.check();
    return this.hub.watch(prefix, fromRevision, onEvents, onError);
  }

  compact(revision: number): Promise<void> {
    const run = this.compacting.then(() => this.doCompact(revision));
    this.compacting = run.catch(() => undefined);
    return run;
  }

  /** flushes queued writes, waits for them and for compaction, stops the writer, closes */
  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  /** a pragma as the writer's connection sees it (tests, diagnostics) */
  async writerPragma(name: string): Promise<unknown> {
    this.check();
    const m = await this.call({ t: 'pragma', id: this.nextId++, name });
    return m.t === 'pragma' ? m.value : undefined;
  }

  private async doClose(): Promise<void> {
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flush();
    await new Promise<void>((resolve) => {
      if (!this.inflight && this.pending.length === 0) resolve();
      else this.idleWaiters.push(resolve);
    });
    await this.compacting;
    if (!this.failure) {
      this.writerClosing = true;
      this.worker.ref();
      this.worker.postMessage({ t: 'close' } satisfies ToWriter);
    }
    await this.exited; // the writer's connection is closed before main's (the last one checkpoints)
    this.closed = true;
    this.hub.closeAll();
    this.db.close();
  }

  private enqueue(op: Op): Promise<WriteResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.closing) return Promise.reject(new Error('datastore is closed'));
    return new Promise<WriteResult>((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (!this.inflight && !this.flushTimer && this.pending.length > 0) this.flushTimer = setImmediate(() => this.flush());
  }

  /** sends every queued write to the writer as one batch (unless one is already there) */
  private flush(): void {
    this.flushTimer = undefined;
    if (this.inflight || this.failure || this.pending.length === 0) return;
    const batch = this.pending;
    this.pending = [];
    const n = batch.length;
    const keys = new Array<string>(n);
    const nums = new Float64Array(n * OP_STRIDE);
    let total = 0;
    for (const p of batch) total += p.op.value.length;
    // one fresh (non-pooled) buffer holding every value, transferred rather than cloned
    const values = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (let i = 0; i < n; i++) {
      const op = batch[i].op;
      keys[i] = op.key;
      nums[i * OP_STRIDE] = op.kind;
      nums[i * OP_STRIDE + 1] = op.expected;
      nums[i * OP_STRIDE + 2] = op.value.length;
      op.value.copy(values, at);
      at += op.value.length;
    }
    const id = this.nextId++;
    this.inflight = { id, batch };
    this.worker.ref();
    const m: ToWriter = { t: 'batch', id, base: this.rev, keys, nums, values: values.buffer as ArrayBuffer };
    this.worker.postMessage(m, [nums.buffer as ArrayBuffer, m.values]);
  }

  private onMessage(m: FromWriter): void {
    if (this.inflight && m.id === this.inflight.id) {
      const { batch } = this.inflight;
      this.inflight = undefined;
      if (m.t === 'done') this.settle(batch, m);
      else if (m.t === 'failed') {
        const e = writerError(m);
        for (const p of batch) p.reject(e);
      }
      this.afterWork();
      return;
    }
    const call = this.calls.get(m.id);
    if (!call) return;
    this.calls.delete(m.id);
    if (m.t === 'failed') call.reject(writerError(m));
    else call.resolve(m);
    this.afterWork();
  }

  /** a committed batch: advance the revision, then settle the writes, then publish their events */
  private settle(batch: Pending[], m: Extract<FromWriter, { t: 'done' }>): void {
    const { res, prev } = m;
    const outcomes: Array<WriteResult | Error> = new Array(batch.length);
    const events: WatchEvent[] = [];
    let off = 0;
    for (let i = 0; i < batch.length; i++) {
      const { op } = batch[i];
      const o = i * RES_STRIDE;
      switch (res[o]) {
        case OK: break;
        case KEY_EXISTS: outcomes[i] = new KeyExistsError(op.key); continue;
        case REVISION_MISMATCH: outcomes[i] = new RevisionMismatchError(op.key, res[o + 1]); continue;
        case KEY_NOT_FOUND: outcomes[i] = new KeyNotFoundError(op.key); continue;
        default: outcomes[i] = new Error(`datastore writer: unknown status ${res[o]}`); continue;
      }
      const rev = res[o + 1];
      let prevKv: KeyValue | undefined;
      if (res[o + 3] > 0) {
        // a view into the answer's buffer (it was transferred to us, nothing else holds it)
        const len = res[o + 5];
        prevKv = { key: op.key, value: Buffer.from(prev, off, len), createRevision: res[o + 4], modRevision: res[o + 3] };
        off += len;
      }
      if (op.kind === OP_DELETE) {
        outcomes[i] = { revision: rev, kv: prevKv };
        events.push({ type: 'DELETE', kv: { ...prevKv!, modRevision: rev }, prevKv });
      } else {
        const kv: KeyValue = { key: op.key, value: op.value, createRevision: res[o + 2], modRevision: rev };
        outcomes[i] = { revision: rev, kv };
        events.push(prevKv ? { type: 'PUT', kv, prevKv } : { type: 'PUT', kv });
      }
    }
    this.rev = m.rev;
    if (m.committed) this.counters.commits++;
    this.counters.writes += events.length;
    this.counters.maxBatch = Math.max(this.counters.maxBatch, batch.length);
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o instanceof Error) p.reject(o); else p.resolve(o);
    });
    this.hub.publish(events);
  }

  /** after an answer: next batch (on the next turn, so writers woken by this one can join it), or idle */
  private afterWork(): void {
    if (this.pending.length > 0) {
      if (this.closing) this.flush(); else this.schedule();
    }
    if (!this.inflight && this.calls.size === 0 && !this.writerClosing) this.worker.unref();
    if (!this.inflight && this.pending.length === 0) for (const w of this.idleWaiters.splice(0)) w();
  }

  private call(m: Extract<ToWriter, { id: number }>): Promise<FromWriter> {
    if (this.failure) return Promise.reject(this.failure);
    if (this.writerClosing) return Promise.reject(new Error('datastore is closed'));
    return new Promise((resolve, reject) => {
      this.calls.set(m.id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(m);
    });
  }

  /** the writer thread is gone: fail everything pending and in flight, and every later call */
  private fail(err: Error): void {
    if (this.failure) return;
    this.failure = err;
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flushTimer = undefined;
    const lost = [...(this.inflight?.batch ?? []), ...this.pending];
    this.inflight = undefined;
    this.pending = [];
    for (const p of lost) p.reject(err);
    for (const c of this.calls.values()) c.reject(err);
    this.calls.clear();
    if (!this.writerClosing) this.hub.closeAll(err);
    for (const w of this.idleWaiters.splice(0)) w();
  }

  private async doCompact(revision: number): Promise<void> {
    this.check();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    while (this.compacted < revision) {
      const from = this.compacted;
      const to = Math.min(revision, from + COMPACT_CHUNK);
      // refuse reads below `to` before the writer drops their rows; back again if the chunk fails
      this.compacted = to;
      try {
        await this.call({ t: 'compact', id: this.nextId++, from, to });
      } catch (err) {
        if (this.compacted === to) this.compacted = from;
        throw err;
      }
    }
  }

  private readEvents(prefix: string, end: string | undefined, after: number, upto: number, limit: number): WatchEvent[] {
    const rows = this.st.events.all(after, upto, prefix, end ?? KEY_MAX, limit) as EventRow[];
    return rows.map((r) => {
      const prevKv = r.p_rev !== null && !r.p_deleted
        ? { key: r.key, value: r.p_value ?? Buffer.alloc(0), createRevision: r.p_create!, modRevision: r.p_rev }
        : undefined;
      if (r.deleted) {
        const kv = { key: r.key, value: prevKv?.value ?? Buffer.alloc(0), createRevision: r.create_rev, modRevision: r.rev };
        return { type: 'DELETE', kv, prevKv };
      }
      return prevKv ? { type: 'PUT', kv: toKv(r), prevKv } : { type: 'PUT', kv: toKv(r) };
    });
  }

  private readRevision(revision: number | undefined): number {
    if (!revision || revision <= 0) return this.rev;
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision < this.compacted) throw new CompactedError(revision, this.compacted);
    return revision;
  }

  private check(): void {
    if (this.failure) throw this.failure;
    if (this.closed) throw new Error('datastore is closed');
  }
}

/**
 * The writer thread. Compiled, it is sqlite-writer.js next to this file. Under tsx (tests in
 * development) a worker does not inherit tsx's loader, so a two-line bootstrap registers it first.
 */
function startWriter(init: WriterInit): Worker {
  const workerData = { sqliteWriter: init };
  if (import.meta.url.endsWith('.ts')) {
    const tsx = import.meta.resolve('tsx/esm/api');
    const entry = new URL('./sqlite-writer.ts', import.meta.url).href;
    const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
    return new Worker(boot, { eval: true, workerData });
  }
  return new Worker(new URL('./sqlite-writer.js', import.meta.url), { workerData });
}

function writerError(m: Extract<FromWriter, { t: 'failed' }>): Error {
  const e = new Error(m.message) as Error & { code?: string };
  if (m.code) e.code = m.code;
  return e;
}

/** SQLite's key order (BINARY on UTF-8), which differs from JS string order above U+FFFF */
function compareKeys(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

function toKv(r: Row): KeyValue {
  return { key: r.key, value: r.value ?? Buffer.alloc(0), createRevision: r.create_rev, modRevision: r.rev };
}
