// The apiserver's watch cache (DESIGN.md §4): one datastore watch over /registry/ feeds, per
// resource prefix, the current objects and a ring of recent events. Lists and watches are
// served from memory; each object version is parsed and serialized once for every reader.

import type { Backend, WatchEvent } from '../../storage/interface.js';
import { cachedFromStorage, cachedObject, type CacheEvent, type CachedObject } from './cached.js';
import { decodeFromStorage, type ValueTransformer } from './codec.js';

export type CacheListener = (ev: CacheEvent) => void;

/** Per-resource state: current objects plus the recent event window. */
export class ResourceCache {
  readonly objects = new Map<string, CachedObject>();
  private sortedKeys: string[] | undefined;
  private ring: CacheEvent[] = [];
  private ringStart = 0;
  /** every event for this resource with rv > startRv is in the ring */
  startRv: number;
  readonly listeners = new Set<CacheListener>();
  /** keys whose stored value cannot be decoded (e.g. missing encryption key) → why */
  readonly undecodable = new Map<string, Error>();

  constructor(readonly prefix: string, startRv: number, private readonly capacity: number) {
    this.startRv = startRv;
  }

  apply(ev: CacheEvent): void {
    if (this.undecodable.size) this.undecodable.delete(ev.object.key);
    if (ev.type === 'DELETED') {
      if (this.objects.delete(ev.object.key)) this.sortedKeys = undefined;
    } else {
      if (!this.objects.has(ev.object.key)) this.sortedKeys = undefined;
      this.objects.set(ev.object.key, ev.object);
    }
    this.ring.push(ev);
    if (this.ring.length - this.ringStart > this.capacity) {
      this.startRv = this.ring[this.ringStart].rv;
      this.ringStart++;
      if (this.ringStart > 4096 && this.ringStart * 2 > this.ring.length) {
        this.ring = this.ring.slice(this.ringStart);
        this.ringStart = 0;
      }
    }
    for (const l of this.listeners) l(ev);
  }

  /** keys in datastore order (lexicographic by key), cached until membership changes */
  keys(): string[] {
    if (!this.sortedKeys) this.sortedKeys = [...this.objects.keys()].sort();
    return this.sortedKeys;
  }

  /** events with rv > fromRv, or undefined when the window no longer reaches back that far */
  eventsSince(fromRv: number): CacheEvent[] | undefined {
    if (fromRv < this.startRv) return undefined;
    const out: CacheEvent[] = [];
    // binary search the first event with rv > fromRv
    let lo = this.ringStart, hi = this.ring.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.ring[mid].rv <= fromRv) lo = mid + 1; else hi = mid;
    }
    for (let i = lo; i < this.ring.length; i++) out.push(this.ring[i]);
    return out;
  }
}

export class WatchCache {
  private readonly resources = new Map<string, ResourceCache>();
  private rev = 0;
  /** revision of the initial load: a resource with no events since then is complete from here */
  private loadRev = 0;
  private waiters: { rv: number; resolve: () => void }[] = [];
  private cancel?: () => void;
  private readyPromise?: Promise<void>;
  /** set when the datastore watch fails; the server reports not-ready */
  failure?: Error;

  constructor(private readonly backend: Backend, private readonly transformer: ValueTransformer,
    private readonly capacity = 10_000) {}

  get revision(): number { return this.rev; }

  /** Load everything under /registry/ and start following the datastore. */
  start(): Promise<void> {
    if (!this.readyPromise) this.readyPromise = this.load();
    return this.readyPromise;
  }

  private async load(): Promise<void> {
    const res = await this.backend.range('/registry/');
    this.rev = res.revision;
    this.loadRev = res.revision;
    for (const kv of res.kvs) {
      const rc = this.resourceFor(kv.key);
      try {
        rc.objects.set(kv.key, cachedFromStorage(kv, this.transformer));
      } catch (err) {
        // e.g. encrypted with a key no longer configured: serve everything else, fail reads of this one
        console.error(`watch cache: cannot decode ${kv.key}: ${(err as Error).message}`);
        rc.undecodable.set(kv.key, err as Error);
      }
    }
    for (const rc of this.resources.values()) rc.startRv = this.rev;
    this.cancel = this.backend.watch('/registry/', this.rev, (evs) => this.onEvents(evs), (err) => {
      this.failure = err;
    });
  }

  stop(): void {
    this.cancel?.();
  }

  /** The resource prefix of a key: /registry/<resource>/ (namespaced or not, the prefix is the first segment). */
  static prefixOf(key: string): string {
    const i = key.indexOf('/', '/registry/'.length);
    return i < 0 ? key : key.slice(0, i + 1);
  }

  resource(prefix: string): ResourceCache {
    let rc = this.resources.get(prefix);
    if (!rc) {
      rc = new ResourceCache(prefix, this.loadRev, this.capacity);
      this.resources.set(prefix, rc);
    }
    return rc;
  }

  private resourceFor(key: string): ResourceCache {
    return this.resource(WatchCache.prefixOf(key));
  }

  private onEvents(evs: WatchEvent[]): void {
    for (const ev of evs) {
      const rc = this.resourceFor(ev.kv.key);
      const prev = rc.objects.get(ev.kv.key);
      let ce: CacheEvent;
      try {
        if (ev.type === 'PUT') {
          ce = { type: prev ? 'MODIFIED' : 'ADDED', object: cachedFromStorage(ev.kv, this.transformer), prev, rv: ev.kv.modRevision };
        } else {
          // the deleted object's last state, stamped with the delete's revision (as upstream)
          const base = prev?.obj ?? (ev.prevKv ? decodeFromStorage(ev.prevKv, this.transformer) : undefined);
          if (!base) { this.bump(ev.kv.modRevision); continue; }
          const obj = { ...base, metadata: { ...base.metadata, resourceVersion: String(ev.kv.modRevision) } };
          ce = { type: 'DELETED', object: cachedObject(ev.kv.key, obj, ev.kv.modRevision), prev, rv: ev.kv.modRevision };
        }
      } catch (err) {
        // an undecodable value (e.g. encrypted with a key we no longer have) must not stop the cache
        console.error(`watch cache: cannot decode ${ev.kv.key}: ${(err as Error).message}`);
        if (ev.type === 'PUT') rc.undecodable.set(ev.kv.key, err as Error); else rc.undecodable.delete(ev.kv.key);
        this.bump(ev.kv.modRevision);
        continue;
      }
      rc.apply(ce);
      this.bump(ce.rv);
    }
  }

  private bump(rv: number): void {
    if (rv <= this.rev) return;
    this.rev = rv;
    if (this.waiters.length) {
      const still: typeof this.waiters = [];
      for (const w of this.waiters) (w.rv <= rv ? w.resolve() : still.push(w));
      this.waiters = still;
    }
  }

  /** Resolves once the cache has seen revision rv; false on timeout. */
  waitFor(rv: number, timeoutMs = 3000): Promise<boolean> {
    if (rv <= this.rev) return Promise.resolve(true);
    return new Promise((resolve) => {
      const w = { rv, resolve: () => { clearTimeout(t); resolve(true); } };
      const t = setTimeout(() => {
        this.waiters = this.waiters.filter((x) => x !== w);
        resolve(false);
      }, timeoutMs);
      this.waiters.push(w);
    });
  }

  /** Waits until the cache reflects every write the datastore has acknowledged (consistent read). */
  async sync(): Promise<void> {
    const cur = await this.backend.currentRevision();
    if (!(await this.waitFor(cur, 10_000))) throw new Error(`watch cache did not reach revision ${cur}`);
  }
}
