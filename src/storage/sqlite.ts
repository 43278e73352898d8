// SQLite Backend (the embedded default). Durability first: WAL with synchronous=FULL, and a write
// is resolved only after the transaction that holds it has committed (fsynced).
//
// Group commit: create/update/delete only enqueue; one flush per event-loop turn (setImmediate)
// applies every queued write in a single transaction — each with its own revision and its own
// compare-and-swap check against an in-memory key index — commits once, then settles all of them
// and publishes their watch events as one batch. better-sqlite3 is synchronous, so writes that
// arrive while a commit (and its fsync) runs simply queue up for the next group.

import Database from 'better-sqlite3';
import type { Database as DB, Statement } from 'better-sqlite3';
import {
  type Backend, type KeyValue, type RangeOptions, type RangeResult, type WatchEvent, type WriteResult,
  CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionMismatchError,
} from './interface.js';
import { prefixEnd, rangeStart } from './keys.js';
import { KEY_MAX, SCHEMA } from './sqlite-schema.js';
import { WatchHub } from './watch-hub.js';

interface IndexEntry { modRev: number; createRev: number }

type Op =
  | { kind: 'create'; key: string; value: Buffer }
  | { kind: 'update'; key: string; value: Buffer; expected: number }
  | { kind: 'delete'; key: string; expected?: number };

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
  /** SQLite page cache in KiB (default 64 MiB) */
  cacheKiB?: number;
}

/** revisions compacted per transaction, so a large compaction never blocks writes for long */
const COMPACT_CHUNK = 5000;

export class SqliteBackend implements Backend {
  readonly name = 'sqlite';
  private readonly db: DB;
  private rev = 0;
  private compacted = 0;
  /**
   * Cache of each key's current revisions for compare-and-swap, filled on first use (a cold start
   * does not read every key): an entry, or null when the key is known to be absent.
   */
  private readonly index = new Map<string, IndexEntry | null>();
  private pending: Pending[] = [];
  private flushTimer: NodeJS.Immediate | undefined;
  private compacting: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly hub: WatchHub;
  private readonly counters: SqliteStats = { commits: 0, writes: 0, maxBatch: 0 };
  private readonly st: Record<string, Statement>;

  constructor(readonly path: string, opts: SqliteOptions = {}) {
    this.db = new Database(path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`cache_size = -${opts.cacheKiB ?? 65536}`);
    this.db.pragma('foreign_keys = OFF');
    this.db.exec(SCHEMA);
    const p = (sql: string): Statement => this.db.prepare(sql);
    this.st = {
      begin: p('BEGIN IMMEDIATE'),
      commit: p('COMMIT'),
      rollback: p('ROLLBACK'),
      insertLog: p('INSERT INTO log (rev, key, create_rev, prev_rev, deleted, value) VALUES (?, ?, ?, ?, ?, ?)'),
      upsertCurrent: p('INSERT INTO current (key, rev) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET rev = excluded.rev'),
      deleteCurrent: p('DELETE FROM current WHERE key = ?'),
      setMeta: p('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      getMeta: p('SELECT value FROM meta WHERE name = ?'),
      byRev: p('SELECT key, create_rev, rev, value FROM log WHERE rev = ?'),
      keyAt: p('SELECT key, create_rev, rev, deleted, value FROM log WHERE key = ? AND rev <= ? ORDER BY rev DESC LIMIT 1'),
      rangeNow: p(`SELECT l.key, l.create_rev, l.rev, l.value FROM current c JOIN log l ON l.rev = c.rev
        WHERE c.key >= ? AND c.key < ? ORDER BY c.key LIMIT ?`),
      countNow: p('SELECT count(*) AS n FROM current WHERE key >= ? AND key < ?'),
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
      compactPrev: p('DELETE FROM log WHERE rev IN (SELECT prev_rev FROM log WHERE rev > ? AND rev <= ? AND prev_rev > 0)'),
      compactTombstones: p('DELETE FROM log WHERE rev > ? AND rev <= ? AND deleted = 1'),
      maxRev: p('SELECT coalesce(max(rev), 0) AS n FROM log'),
      indexOne: p('SELECT c.rev AS rev, l.create_rev AS create_rev FROM current c JOIN log l ON l.rev = c.rev WHERE c.key = ?'),
    };
    const meta = (name: string): number => (this.st.getMeta.get(name) as { value: number } | undefined)?.value ?? 0;
    // like etcd, an empty store is at revision 1: resourceVersion "0" means "any" to Kubernetes
    this.rev = Math.max(1, meta('rev'), (this.st.maxRev.get() as { n: number }).n);
    this.compacted = meta('compact_rev');
    this.hub = new WatchHub({
      currentRevisionSync: () => this.rev,
      compactedRevisionSync: () => this.compacted,
      readEvents: (prefix, end, after, upto, limit) => this.readEvents(prefix, end, after, upto, limit),
    });
  }

  /** the key's current revisions (inside a write transaction this sees the transaction's own writes) */
  private entry(key: string): IndexEntry | undefined {
    let e = this.index.get(key);
    if (e === undefined) {
      const r = this.st.indexOne.get(key) as { rev: number; create_rev: number } | undefined;
      e = r ? { modRev: r.rev, createRev: r.create_rev } : null;
      this.index.set(key, e);
    }
    return e ?? undefined;
  }

  /** group-commit counters (for tests and metrics) */
  stats(): SqliteStats { return { ...this.counters }; }

  async currentRevision(): Promise<number> { this.check(); return this.rev; }
  async compactedRevision(): Promise<number> { this.check(); return this.compacted; }

  async get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined> {
    this.check();
    const at = this.readRevision(opts?.revision);
    if (at === this.rev) {
      const e = this.entry(key);
      return e ? toKv(this.st.byRev.get(e.modRev) as Row) : undefined;
    }
    const r = this.st.keyAt.get(key, at) as (Row & { deleted: number }) | undefined;
    return r && !r.deleted ? toKv(r) : undefined;
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.check();
    const at = this.readRevision(opts.revision);
    const start = rangeStart(prefix, opts.startKey);
    const end = prefixEnd(prefix) ?? KEY_MAX;
    const now = at === this.rev;
    const count = now
      ? (this.st.countNow.get(start, end) as { n: number }).n
      : (this.st.countAt.get(start, end, at) as { n: number }).n;
    if (opts.countOnly) return { kvs: [], revision: at, more: false, count };
    const limit = opts.limit && opts.limit > 0 ? opts.limit : -1;
    const rows = (now ? this.st.rangeNow.all(start, end, limit) : this.st.rangeAt.all(start, end, at, limit)) as Row[];
    const kvs = rows.map(toKv);
    return { kvs, revision: at, more: count > kvs.length, count };
  }

  create(key: string, value: Uint8Array): Promise<WriteResult> {
    return this.enqueue({ kind: 'create', key, value: Buffer.from(value) });
  }

  update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    return this.enqueue({ kind: 'update', key, value: Buffer.from(value), expected: expectedModRevision });
  }

  delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    return this.enqueue({ kind: 'delete', key, expected: expectedModRevision });
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

  async close(): Promise<void> {
    if (this.closed) return;
    if (this.flushTimer) clearImmediate(this.flushTimer);
    this.flush();
    await this.compacting;
    this.closed = true;
    this.hub.closeAll();
    this.db.close();
  }

  private enqueue(op: Op): Promise<WriteResult> {
    if (this.closed) return Promise.reject(new Error('datastore is closed'));
    return new Promise<WriteResult>((resolve, reject) => {
      this.pending.push({ op, resolve, reject });
      this.flushTimer ??= setImmediate(() => this.flush());
    });
  }

  /** apply every queued write in one transaction, commit once, then settle and publish */
  private flush(): void {
    this.flushTimer = undefined;
    const batch = this.pending;
    if (batch.length === 0) return;
    this.pending = [];
    const startRev = this.rev;
    const undo: Array<[string, IndexEntry | undefined]> = [];
    const outcomes: Array<WriteResult | Error> = [];
    const events: WatchEvent[] = [];
    try {
      this.st.begin.run();
      for (const { op } of batch) {
        const r = this.apply(op, undo);
        outcomes.push(r instanceof Error ? r : r.result);
        if (!(r instanceof Error)) events.push(r.event);
      }
      if (this.rev !== startRev) {
        this.st.setMeta.run('rev', this.rev);
        this.st.commit.run();
        this.counters.commits++;
      } else {
        this.st.rollback.run(); // every write failed its check: nothing to make durable
      }
    } catch (err) {
      if (this.db.inTransaction) this.st.rollback.run();
      // the index is a cache of committed state: forget what the rolled-back group touched
      for (const [key] of undo) this.index.delete(key);
      this.rev = startRev;
      const e = err instanceof Error ? err : new Error(String(err));
      for (const p of batch) p.reject(e);
      return;
    }
    this.counters.writes += events.length;
    this.counters.maxBatch = Math.max(this.counters.maxBatch, batch.length);
    batch.forEach((p, i) => {
      const o = outcomes[i];
      if (o instanceof Error) p.reject(o); else p.resolve(o);
    });
    this.hub.publish(events);
  }

  /** one write inside the open transaction: CAS against the index, then log + current rows */
  private apply(op: Op, undo: Array<[string, IndexEntry | undefined]>): { result: WriteResult; event: WatchEvent } | Error {
    const cur = this.entry(op.key);
    const actual = cur?.modRev ?? 0;
    if (op.kind === 'create' && cur) return new KeyExistsError(op.key);
    if (op.kind === 'update' && actual !== op.expected) return new RevisionMismatchError(op.key, actual);
    if (op.kind === 'delete') {
      if (!cur) return new KeyNotFoundError(op.key);
      if (op.expected !== undefined && op.expected !== actual) return new RevisionMismatchError(op.key, actual);
    }
    const prevKv = cur ? toKv(this.st.byRev.get(cur.modRev) as Row) : undefined;
    const rev = this.rev + 1;
    // a (re-)create has no prev row: a tombstone needs no link, compaction drops it by its flag
    const prevRev = cur ? cur.modRev : 0;
    undo.push([op.key, cur]);
    if (op.kind === 'delete') {
      this.st.insertLog.run(rev, op.key, cur!.createRev, prevRev, 1, null);
      this.st.deleteCurrent.run(op.key);
      this.index.set(op.key, null);
      this.rev = rev;
      const kv = { ...prevKv!, modRevision: rev };
      return { result: { revision: rev, kv: prevKv }, event: { type: 'DELETE', kv, prevKv } };
    }
    const createRev = cur ? cur.createRev : rev;
    this.st.insertLog.run(rev, op.key, createRev, prevRev, 0, op.value);
    this.st.upsertCurrent.run(op.key, rev);
    this.index.set(op.key, { modRev: rev, createRev });
    this.rev = rev;
    const kv: KeyValue = { key: op.key, value: op.value, createRevision: createRev, modRevision: rev };
    return { result: { revision: rev, kv }, event: prevKv ? { type: 'PUT', kv, prevKv } : { type: 'PUT', kv } };
  }

  private async doCompact(revision: number): Promise<void> {
    this.check();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    while (this.compacted < revision && !this.closed) {
      const from = this.compacted;
      const to = Math.min(revision, from + COMPACT_CHUNK);
      // a row superseded at or below `to` is the prev_rev of a later row <= `to`; tombstones <= `to` go too
      this.db.transaction(() => {
        this.st.compactPrev.run(from, to);
        this.st.compactTombstones.run(from, to);
        this.st.setMeta.run('compact_rev', to);
      }).immediate();
      this.compacted = to;
      if (this.compacted < revision) await new Promise((r) => setImmediate(r));
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
    if (this.closed) throw new Error('datastore is closed');
  }
}

function toKv(r: Row): KeyValue {
  return { key: r.key, value: r.value ?? Buffer.alloc(0), createRevision: r.create_rev, modRevision: r.rev };
}
