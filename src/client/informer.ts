// A shared informer (client-go's name): one reflector per resource feeding an in-memory store keyed
// "namespace/name", with indexers (by namespace, by owner uid, …) and add/update/delete handlers.
// Events older than what the store holds (by resourceVersion) are dropped so that a resumed watch
// never moves an object back in time. The factory hands every controller the same informer per path.
import type { RESTClient } from './rest.js';
import { reflect } from './reflector.js';

export interface ObjectMeta {
  name?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  labels?: Record<string, string>;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid: string; controller?: boolean; blockOwnerDeletion?: boolean }[];
  deletionTimestamp?: string;
  [k: string]: unknown;
}
export type Obj = Record<string, unknown> & { metadata: ObjectMeta };

export interface EventHandler<T extends Obj = Obj> {
  add?(obj: T): void;
  update?(oldObj: T, newObj: T): void;
  delete?(obj: T): void;
}

export type IndexFunc<T extends Obj = Obj> = (obj: T) => string[];

/** "namespace/name", or "name" for cluster-scoped objects (client-go MetaNamespaceKeyFunc). */
export function metaKey(obj: { metadata: ObjectMeta }): string {
  const ns = obj.metadata.namespace;
  return ns ? `${ns}/${obj.metadata.name}` : String(obj.metadata.name);
}

export const byNamespace: IndexFunc = (o) => [o.metadata.namespace ?? ''];
export const byOwnerUID: IndexFunc = (o) => (o.metadata.ownerReferences ?? []).map((r) => r.uid);

/** True when resourceVersion `a` is older than `b` (numeric when both are; unknown forms never compare older). */
export function olderRV(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b || !/^\d+$/.test(a) || !/^\d+$/.test(b)) return false;
  return a.length !== b.length ? a.length < b.length : a < b;
}

/** An indexed store of objects by key. */
export class Indexer<T extends Obj = Obj> {
  private items = new Map<string, T>();
  private indexers = new Map<string, IndexFunc<T>>();
  private indices = new Map<string, Map<string, Set<string>>>();

  addIndexer(name: string, fn: IndexFunc<T>): void {
    if (this.indexers.has(name)) return;
    this.indexers.set(name, fn);
    const idx = new Map<string, Set<string>>();
    this.indices.set(name, idx);
    for (const [k, o] of this.items) for (const v of fn(o)) this.link(idx, v, k);
  }

  private link(idx: Map<string, Set<string>>, v: string, k: string): void {
    let s = idx.get(v);
    if (!s) idx.set(v, (s = new Set()));
    s.add(k);
  }

  private unindex(k: string, o: T): void {
    for (const [name, fn] of this.indexers) {
      const idx = this.indices.get(name)!;
      for (const v of fn(o)) {
        const s = idx.get(v);
        s?.delete(k);
        if (s && s.size === 0) idx.delete(v);
      }
    }
  }

  set(o: T): T | undefined {
    const k = metaKey(o);
    const old = this.items.get(k);
    if (old) this.unindex(k, old);
    this.items.set(k, o);
    for (const [name, fn] of this.indexers) for (const v of fn(o)) this.link(this.indices.get(name)!, v, k);
    return old;
  }

  delete(k: string): T | undefined {
    const old = this.items.get(k);
    if (!old) return undefined;
    this.unindex(k, old);
    this.items.delete(k);
    return old;
  }

  get(key: string): T | undefined { return this.items.get(key); }
  list(): T[] { return [...this.items.values()]; }
  keys(): string[] { return [...this.items.keys()]; }
  get size(): number { return this.items.size; }

  byIndex(name: string, value: string): T[] {
    const idx = this.indices.get(name);
    if (!idx) throw new Error(`index with name ${name} does not exist`);
    return [...(idx.get(value) ?? [])].map((k) => this.items.get(k)!).filter(Boolean);
  }
}

export interface InformerOptions {
  retryMs?: number;
  log?: (m: string) => void;
  /**
   * Applied to every listed or watched object before it is stored or handed to handlers
   * (client-go's WithTransform), e.g. trimManagedFields.
   */
  transform?: (obj: Obj) => Obj;
  /** LIST in pages of this many objects (see ReflectorOptions.pageSize); 0 or unset: one LIST */
  pageSize?: number;
}

/**
 * Drops metadata.managedFields, as kube-controller-manager's informers do: controllers never read
 * them, and they are about half of a pod's memory in the cache. The metadata object is rebuilt
 * rather than `delete`d from, which would turn it into a slower, larger dictionary-mode object.
 */
export function trimManagedFields<T extends Obj>(obj: T): T {
  const meta = obj.metadata;
  if (!meta || meta.managedFields === undefined) return obj;
  const { managedFields: _dropped, ...rest } = meta;
  return { ...obj, metadata: rest };
}

export class SharedInformer<T extends Obj = Obj> {
  readonly store = new Indexer<T>();
  private handlers: EventHandler<T>[] = [];
  private synced = false;
  private stopper: { stop(): void } | undefined;
  private starting: Promise<void> | undefined;

  constructor(private readonly client: RESTClient, readonly path: string, private readonly opts: InformerOptions = {}) {
    this.store.addIndexer('namespace', byNamespace as IndexFunc<T>);
  }

  addIndexer(name: string, fn: IndexFunc<T>): void { this.store.addIndexer(name, fn); }

  /** Handlers added after the initial list get an add for every object already known (as client-go). */
  addEventHandler(h: EventHandler<T>): void {
    this.handlers.push(h);
    if (this.synced) for (const o of this.store.list()) h.add?.(o);
  }

  hasSynced(): boolean { return this.synced; }

  /** Applies one watch event to the store and notifies the handlers. Exposed for tests. */
  handle(type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: T): void {
    const key = metaKey(obj);
    const old = this.store.get(key);
    if (type === 'DELETED') {
      if (old && olderRV(obj.metadata.resourceVersion, old.metadata.resourceVersion) && old.metadata.uid === obj.metadata.uid) return;
      this.store.delete(key);
      for (const h of this.handlers) this.call(() => h.delete?.(old ?? obj));
      return;
    }
    if (old) {
      if (old.metadata.uid === obj.metadata.uid && olderRV(obj.metadata.resourceVersion, old.metadata.resourceVersion)) return;
      if (old.metadata.resourceVersion === obj.metadata.resourceVersion && old.metadata.uid === obj.metadata.uid) return;
      this.store.set(obj);
      for (const h of this.handlers) this.call(() => h.update?.(old, obj));
      return;
    }
    this.store.set(obj);
    for (const h of this.handlers) this.call(() => h.add?.(obj));
  }

  /**
   * After a (re-)LIST: objects the store holds that the list no longer has were deleted while the
   * watch was down; deliver them as deletions (client-go's DeletedFinalStateUnknown case).
   */
  replace(listed: T[]): void {
    const present = new Set(listed.map((o) => metaKey(o)));
    for (const key of [...this.store.keys()]) {
      if (present.has(key)) continue;
      const old = this.store.get(key);
      this.store.delete(key);
      if (old) for (const h of this.handlers) this.call(() => h.delete?.(old));
    }
  }

  private call(fn: () => void): void {
    // one handler's bug must not stop the others (or the watch)
    try { fn(); } catch (err) { this.opts.log?.(`informer ${this.path}: handler failed: ${(err as Error).stack ?? String(err)}`); }
  }

  /** Lists and starts watching; resolves once the first list is in the store. Idempotent. */
  run(): Promise<void> {
    this.starting ??= reflect(this.client, this.path, (type, obj) => this.handle(type, obj as T),
      { retryMs: this.opts.retryMs, log: this.opts.log, onList: (items) => this.replace(items as T[]),
        pageSize: this.opts.pageSize, transform: this.opts.transform as ((o: Record<string, unknown>) => Record<string, unknown>) | undefined })
      .then((s) => { this.stopper = s; this.synced = true; });
    return this.starting;
  }

  stop(): void { this.stopper?.stop(); }
}

/** One informer per collection path, shared by every controller that asks for it. */
export class SharedInformerFactory {
  private informers = new Map<string, SharedInformer>();
  constructor(private readonly client: RESTClient, private readonly opts: InformerOptions = {}) {}

  /** e.g. forPath('/api/v1/pods') or forPath('/apis/apps/v1/replicasets') */
  forPath<T extends Obj = Obj>(path: string): SharedInformer<T> {
    let inf = this.informers.get(path);
    if (!inf) this.informers.set(path, (inf = new SharedInformer(this.client, path, this.opts)));
    return inf as unknown as SharedInformer<T>;
  }

  /** True when some controller already asked for `path` (so sharing it costs nothing extra). */
  has(path: string): boolean { return this.informers.has(path); }

  /** Starts every informer asked for so far and waits for their caches to sync. */
  async start(): Promise<void> {
    await Promise.all([...this.informers.values()].map((i) => i.run()));
  }

  hasSynced(): boolean { return [...this.informers.values()].every((i) => i.hasSynced()); }

  stop(): void { for (const i of this.informers.values()) i.stop(); }
}
