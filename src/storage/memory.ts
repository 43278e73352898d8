// In-memory Backend for unit tests: the full contract (history, revision reads, replaying
// watches, compaction) with no durability. Not tuned for size: ranges sort the key set.

import {
  type Backend, type KeyValue, type RangeOptions, type RangeResult, type WatchEvent, type WriteResult,
  CompactedError, FutureRevisionError, KeyExistsError, KeyNotFoundError, RevisionMismatchError,
} from './interface.js';
import { hasPrefix, prefixEnd, rangeStart } from './keys.js';
import { WatchHub } from './watch-hub.js';

/** One row of history: a write (PUT) or a tombstone (DELETE) of a key at a revision. */
interface Entry {
  key: string;
  rev: number;
  createRev: number;
  deleted: boolean;
  value: Uint8Array;
  /** the live value this write replaced (for prevKv / DELETE events) */
  prev?: KeyValue;
}

function kvOf(e: Entry): KeyValue {
  return { key: e.key, value: e.value, createRevision: e.createRev, modRevision: e.rev };
}

export class MemoryBackend implements Backend {
  readonly name = 'memory';
  /** like etcd, an empty store is at revision 1: resourceVersion "0" means "any" to Kubernetes */
  private rev = 1;
  private compacted = 0;
  private closed = false;
  /** all history in revision order */
  private log: Entry[] = [];
  /** per key: its history in revision order */
  private byKey = new Map<string, Entry[]>();
  /** live keys → latest entry */
  private live = new Map<string, Entry>();
  private readonly hub: WatchHub;

  constructor() {
    this.hub = new WatchHub({
      currentRevisionSync: () => this.rev,
      compactedRevisionSync: () => this.compacted,
      readEvents: (prefix, end, after, upto, limit) => this.readEvents(prefix, end, after, upto, limit),
    });
  }

  async currentRevision(): Promise<number> { this.check(); return this.rev; }
  async compactedRevision(): Promise<number> { this.check(); return this.compacted; }

  async get(key: string, opts?: { revision?: number }): Promise<KeyValue | undefined> {
    this.check();
    const at = this.readRevision(opts?.revision);
    const e = at === this.rev ? this.live.get(key) : this.entryAt(key, at);
    return e && !e.deleted ? kvOf(e) : undefined;
  }

  async range(prefix: string, opts: RangeOptions = {}): Promise<RangeResult> {
    this.check();
    const at = this.readRevision(opts.revision);
    const end = prefixEnd(prefix);
    const start = rangeStart(prefix, opts.startKey);
    const keys = at === this.rev ? [...this.live.keys()] : [...this.byKey.keys()];
    const inRange = keys.filter((k) => k >= start && hasPrefix(k, prefix, end)).sort(compareKeys);
    const found: Entry[] = [];
    for (const k of inRange) {
      const e = at === this.rev ? this.live.get(k) : this.entryAt(k, at);
      if (e && !e.deleted) found.push(e);
    }
    const count = found.length;
    if (opts.countOnly) return { kvs: [], revision: at, more: false, count };
    const limit = opts.limit && opts.limit > 0 ? opts.limit : count;
    const kvs = found.slice(0, limit).map(kvOf);
    return { kvs, revision: at, more: count > kvs.length, count };
  }

  async create(key: string, value: Uint8Array): Promise<WriteResult> {
    this.check();
    if (this.live.has(key)) throw new KeyExistsError(key);
    return this.put(key, value, undefined);
  }

  async update(key: string, value: Uint8Array, expectedModRevision: number): Promise<WriteResult> {
    this.check();
    const cur = this.live.get(key);
    const actual = cur?.rev ?? 0;
    if (actual !== expectedModRevision) throw new RevisionMismatchError(key, actual);
    return this.put(key, value, cur);
  }

  async delete(key: string, expectedModRevision?: number): Promise<WriteResult> {
    this.check();
    const cur = this.live.get(key);
    if (!cur) throw new KeyNotFoundError(key);
    if (expectedModRevision !== undefined && expectedModRevision !== cur.rev) {
      throw new RevisionMismatchError(key, cur.rev);
    }
    const rev = ++this.rev;
    const prev = kvOf(cur);
    const tomb: Entry = { key, rev, createRev: cur.createRev, deleted: true, value: cur.value, prev };
    this.append(tomb);
    this.live.delete(key);
    this.hub.publish([eventOf(tomb)]);
    return { revision: rev, kv: prev };
  }

  watch(prefix: string, fromRevision: number, onEvents: (events: WatchEvent[]) => void,
    onError: (err: Error) => void): () => void {
    this.check();
    return this.hub.watch(prefix, fromRevision, onEvents, onError);
  }

  async compact(revision: number): Promise<void> {
    this.check();
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision <= this.compacted) return;
    // keep every entry above the revision, and the newest entry <= revision of each key unless it is a tombstone
    const keep = (list: Entry[]): Entry[] => {
      let newestOld = -1;
      for (let i = 0; i < list.length && list[i].rev <= revision; i++) newestOld = i;
      return list.filter((e, i) => e.rev > revision || (i === newestOld && !e.deleted));
    };
    for (const [k, list] of this.byKey) {
      const kept = keep(list);
      if (kept.length === 0) this.byKey.delete(k);
      else this.byKey.set(k, kept);
    }
    const survivors = new Set<Entry>();
    for (const list of this.byKey.values()) for (const e of list) survivors.add(e);
    this.log = this.log.filter((e) => survivors.has(e));
    this.compacted = revision;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.hub.closeAll();
  }

  private put(key: string, value: Uint8Array, cur: Entry | undefined): WriteResult {
    const rev = ++this.rev;
    const e: Entry = { key, rev, createRev: cur ? cur.createRev : rev, deleted: false, value: value.slice(), prev: cur && kvOf(cur) };
    this.append(e);
    this.live.set(key, e);
    this.hub.publish([eventOf(e)]);
    return { revision: rev, kv: kvOf(e) };
  }

  private append(e: Entry): void {
    this.log.push(e);
    let list = this.byKey.get(e.key);
    if (!list) this.byKey.set(e.key, (list = []));
    list.push(e);
  }

  private entryAt(key: string, at: number): Entry | undefined {
    const list = this.byKey.get(key);
    if (!list) return undefined;
    for (let i = list.length - 1; i >= 0; i--) if (list[i].rev <= at) return list[i];
    return undefined;
  }

  private readRevision(revision: number | undefined): number {
    if (!revision || revision <= 0) return this.rev;
    if (revision > this.rev) throw new FutureRevisionError(revision, this.rev);
    if (revision < this.compacted) throw new CompactedError(revision, this.compacted);
    return revision;
  }

  private readEvents(prefix: string, end: string | undefined, after: number, upto: number, limit: number): WatchEvent[] {
    const out: WatchEvent[] = [];
    // binary search for the first entry after `after`
    let lo = 0, hi = this.log.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.log[mid].rev <= after) lo = mid + 1; else hi = mid;
    }
    for (let i = lo; i < this.log.length && out.length < limit; i++) {
      const e = this.log[i];
      if (e.rev > upto) break;
      if (hasPrefix(e.key, prefix, end)) out.push(eventOf(e));
    }
    return out;
  }

  private check(): void {
    if (this.closed) throw new Error('datastore is closed');
  }
}

function eventOf(e: Entry): WatchEvent {
  if (e.deleted) {
    return { type: 'DELETE', kv: { key: e.key, value: e.value, createRevision: e.createRev, modRevision: e.rev }, prevKv: e.prev };
  }
  return e.prev ? { type: 'PUT', kv: kvOf(e), prevKv: e.prev } : { type: 'PUT', kv: kvOf(e) };
}

function compareKeys(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
