// The SQLite datastore's writer thread (worker_threads): owns the write connection, the
// compare-and-swap index and revision assignment, so the inserts, prevKv reads and the COMMIT
// (WAL write + fsync) run off the API server's main thread. sqlite.ts sends one batch of writes
// at a time and gets back, per write, its revision or why it failed; it alone publishes events.
// Everything here is synchronous: messages are handled strictly one after another, in order.

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import type { Statement } from 'better-sqlite3';
import {
  type FromWriter, type ToWriter, type WriterInit,
  KEY_EXISTS, KEY_NOT_FOUND, OK, OP_CREATE, OP_DELETE, OP_STRIDE, OP_UPDATE, RES_STRIDE, REVISION_MISMATCH,
} from './sqlite-protocol.js';

interface IndexEntry { modRev: number; createRev: number }

class Writer {
  private readonly db: Database.Database;
  private readonly st: Record<string, Statement>;
  /**
   * CAS cache of live keys' revisions, filled on first use. Absent keys are not remembered: events
   * and generated-name pods would otherwise leave an entry per key ever written (unbounded growth);
   * a create of a new key costs one indexed lookup instead.
   */
  private readonly index = new Map<string, IndexEntry>();
  private failKey: string | null = null;

  constructor(init: WriterInit, private rev: number = init.rev) {
    // main created the schema and set WAL; this is the only connection that writes from now on
    this.db = new Database(init.path);
    this.db.pragma('journal_mode = WAL');
    this.db.pragma('synchronous = FULL');
    this.db.pragma(`cache_size = -${init.cacheKiB}`);
    const p = (sql: string): Statement => this.db.prepare(sql);
    this.st = {
      begin: p('BEGIN IMMEDIATE'),
      commit: p('COMMIT'),
      rollback: p('ROLLBACK'),
      insertLog: p('INSERT INTO log (rev, key, create_rev, prev_rev, deleted, value) VALUES (?, ?, ?, ?, ?, ?)'),
      upsertCurrent: p('INSERT INTO current (key, rev) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET rev = excluded.rev'),
      deleteCurrent: p('DELETE FROM current WHERE key = ?'),
      setMeta: p('INSERT INTO meta (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = excluded.value'),
      valueAt: p('SELECT value FROM log WHERE rev = ?').pluck(),
      indexOne: p('SELECT c.rev AS rev, l.create_rev AS create_rev FROM current c JOIN log l ON l.rev = c.rev WHERE c.key = ?'),
      compactPrev: p('DELETE FROM log WHERE rev IN (SELECT prev_rev FROM log WHERE rev > ? AND rev <= ? AND prev_rev > 0)'),
      compactTombstones: p('DELETE FROM log WHERE rev > ? AND rev <= ? AND deleted = 1'),
    };
  }

  handle(m: ToWriter): FromWriter | undefined {
    switch (m.t) {
      case 'batch': return this.batch(m);
      case 'compact': return this.compact(m);
      case 'pragma': return { t: 'pragma', id: m.id, value: this.db.pragma(m.name, { simple: true }) };
      case 'fail': this.failKey = m.key; return undefined;
      case 'close': this.db.close(); parentPort!.close(); return undefined;
    }
  }

  private entry(key: string): IndexEntry | undefined {
    let e = this.index.get(key);
    if (e === undefined) {
      const r = this.st.indexOne.get(key) as { rev: number; create_rev: number } | undefined;
      if (!r) return undefined;
      e = { modRev: r.rev, createRev: r.create_rev };
      this.index.set(key, e);
    }
    return e;
  }

  /** every write of the batch in one transaction, each with its own revision and CAS check; one COMMIT */
  private batch(m: Extract<ToWriter, { t: 'batch' }>): FromWriter {
    const n = m.keys.length;
    const startRev = this.rev;
    if (m.base !== startRev) {
      // cannot happen with one batch in flight; refuse rather than assign revisions twice
      return { t: 'failed', id: m.id, message: `datastore writer at revision ${startRev}, main at ${m.base}` };
    }
    const res = new Float64Array(n * RES_STRIDE);
    const prevVals: Buffer[] = [];
    const touched: string[] = [];
    let off = 0;
    let committed = false;
    try {
      this.st.begin.run();
      for (let i = 0; i < n; i++) {
        const len = m.nums[i * OP_STRIDE + 2];
        const value = Buffer.from(m.values, off, len);
        off += len;
        this.apply(m.keys[i], m.nums[i * OP_STRIDE], m.nums[i * OP_STRIDE + 1], value, res, i * RES_STRIDE, prevVals, touched);
      }
      if (this.rev !== startRev) {
        this.st.setMeta.run('rev', this.rev);
        this.st.commit.run();
        committed = true;
      } else {
        this.st.rollback.run(); // every write failed its check: nothing to make durable
      }
    } catch (err) {
      if (this.db.inTransaction) this.st.rollback.run();
      // the index caches committed state: forget what the rolled-back batch touched
      for (const key of touched) this.index.delete(key);
      this.rev = startRev;
      const e = err as Error & { code?: unknown };
      return { t: 'failed', id: m.id, message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined };
    }
    // one fresh (non-pooled) buffer, so it can be transferred rather than copied
    let total = 0;
    for (const v of prevVals) total += v.length;
    const prev = Buffer.allocUnsafeSlow(total);
    let at = 0;
    for (const v of prevVals) { v.copy(prev, at); at += v.length; }
    return { t: 'done', id: m.id, rev: this.rev, committed, res, prev: prev.buffer as ArrayBuffer };
  }

  /** one write inside the open transaction: CAS against the index, then the log + current rows */
  private apply(key: string, kind: number, expected: number, value: Buffer, res: Float64Array, o: number,
    prevVals: Buffer[], touched: string[]): void {
    const cur = this.entry(key);
    const actual = cur?.modRev ?? 0;
    if (kind === OP_CREATE && cur) { res[o] = KEY_EXISTS; return; }
    if (kind === OP_UPDATE && actual !== expected) { res[o] = REVISION_MISMATCH; res[o + 1] = actual; return; }
    if (kind === OP_DELETE) {
      if (!cur) { res[o] = KEY_NOT_FOUND; return; }
      if (!Number.isNaN(expected) && expected !== actual) { res[o] = REVISION_MISMATCH; res[o + 1] = actual; return; }
    }
    if (key === this.failKey) throw Object.assign(new Error('disk I/O error (injected)'), { code: 'SQLITE_IOERR' });
    const rev = this.rev + 1;
    touched.push(key);
    // a (re-)create has no prev row: a tombstone needs no link, compaction drops it by its flag
    const prevRev = cur ? cur.modRev : 0;
    const createRev = cur ? cur.createRev : rev;
    if (cur) {
      const pv = (this.st.valueAt.get(prevRev) as Buffer | null | undefined) ?? Buffer.alloc(0);
      prevVals.push(pv);
      res[o + 4] = cur.createRev;
      res[o + 5] = pv.length;
    }
    if (kind === OP_DELETE) {
      this.st.insertLog.run(rev, key, createRev, prevRev, 1, null);
      this.st.deleteCurrent.run(key);
      this.index.delete(key);
    } else {
      this.st.insertLog.run(rev, key, createRev, prevRev, 0, value);
      this.st.upsertCurrent.run(key, rev);
      this.index.set(key, { modRev: rev, createRev });
    }
    this.rev = rev;
    res[o] = OK;
    res[o + 1] = rev;
    res[o + 2] = createRev;
    res[o + 3] = prevRev;
  }

  /** one chunk: a row superseded at or below `to` is the prev_rev of a later row <= `to`; tombstones go too */
  private compact(m: Extract<ToWriter, { t: 'compact' }>): FromWriter {
    try {
      this.db.transaction(() => {
        this.st.compactPrev.run(m.from, m.to);
        this.st.compactTombstones.run(m.from, m.to);
        this.st.setMeta.run('compact_rev', m.to);
      }).immediate();
    } catch (err) {
      const e = err as Error & { code?: unknown };
      return { t: 'failed', id: m.id, message: e?.message ?? String(err), code: typeof e?.code === 'string' ? e.code : undefined };
    }
    return { t: 'compacted', id: m.id };
  }
}

if (parentPort && (workerData as { sqliteWriter?: WriterInit } | undefined)?.sqliteWriter) {
  const port = parentPort;
  const w = new Writer((workerData as { sqliteWriter: WriterInit }).sqliteWriter);
  port.on('message', (m: ToWriter) => {
    const out = w.handle(m);
    if (!out) return;
    if (out.t === 'done') port.postMessage(out, [out.res.buffer as ArrayBuffer, out.prev]);
    else port.postMessage(out);
  });
}
