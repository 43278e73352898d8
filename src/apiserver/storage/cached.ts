// One cached object version: parsed once, serialized once, shared by every list and watcher.

import type { KObject } from '../../api/types.js';
import type { KeyValue } from '../../storage/interface.js';
import { decodeFromStorage, markStale, withResourceVersion, type ValueTransformer } from './codec.js';

export interface CachedObject {
  key: string;
  /** the parsed object; for objects from the datastore parsed on demand and kept only while recent (see RecentlyParsed) */
  readonly obj: KObject;
  /**
   * What selectors read (labels, selectable fields), computed once per object version and kept:
   * small, so filtering a list or a watch does not need the parsed object again. `by` identifies
   * the computation (a kind's field selectors); a different one recomputes.
   */
  attrs<T>(by: object, compute: (obj: KObject) => T): T;
  /** UTF-8 JSON of obj (resourceVersion included), serialized lazily once; kept off the JS heap */
  bytes(): Buffer;
  /** the same JSON as a string (not memoized: for single-object answers) */
  json(): string;
  rv: number;
}

/**
 * A cached object straight from the datastore: decrypted now (errors surface at once), parsed only
 * when something needs the object — lists and watches without selectors serve the bytes as they are,
 * so a cold start does not parse every stored object.
 */
export function cachedFromStorage(kv: KeyValue, t: ValueTransformer): CachedObject {
  const plain = t.fromStorage(kv.key, kv.value);
  const buf = withResourceVersion(Buffer.from(plain.buffer, plain.byteOffset, plain.byteLength), kv.modRevision);
  if (!buf) return cachedObject(kv.key, decodeFromStorage(kv, t), kv.modRevision);
  return new StoredObject(kv.key, kv.modRevision, buf, t.isStale?.(kv.key, kv.value) ?? false, !isBulk(kv.key));
}

/**
 * The resources that grow with the workload (pods, events): their parsed objects only stay while
 * recent. Everything else — RBAC roles, webhook and policy configurations, namespaces, Deployments —
 * stays parsed once read: there are few of them, and caches keyed by the parsed object (compiled CEL,
 * webhook matchers, role rules) must not be recomputed every time pod churn evicts them.
 */
const BULK_PREFIXES = ['/registry/pods/', '/registry/events/'];
function isBulk(key: string): boolean { return BULK_PREFIXES.some((p) => key.startsWith(p)); }

/**
 * The watch cache keeps every object's bytes, not its parsed form: at 150,000 pods the parsed
 * copies alone were gigabytes of heap (and the garbage collector's work). Objects parsed recently —
 * those being written, watched with selectors or read — stay parsed in a bounded LRU, so a pod's
 * create → bind → status updates parse it once.
 */
class RecentlyParsed {
  private readonly map = new Map<StoredObject, KObject>();
  constructor(private readonly capacity: number) {}

  get(c: StoredObject): KObject | undefined {
    const o = this.map.get(c);
    if (o !== undefined && this.map.size > this.capacity / 2) {
      // refresh only when eviction is near: most lookups skip the delete/set
      this.map.delete(c);
      this.map.set(c, o);
    }
    return o;
  }

  set(c: StoredObject, o: KObject): void {
    this.map.set(c, o);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value!);
  }
}

const recent = new RecentlyParsed(8192);

class StoredObject implements CachedObject {
  private selection?: { by: object; value: unknown };
  private parsed?: KObject;

  constructor(readonly key: string, readonly rv: number, private readonly buf: Buffer, private readonly stale: boolean,
    private readonly keepParsed: boolean) {}

  get obj(): KObject {
    if (this.parsed) return this.parsed;
    if (this.keepParsed) return (this.parsed = this.parse());
    let o = recent.get(this);
    if (o === undefined) {
      o = this.parse();
      recent.set(this, o);
    }
    return o;
  }

  private parse(): KObject {
    const o = JSON.parse(this.buf.toString('utf8')) as KObject;
    if (this.stale) markStale(o);
    return o;
  }

  attrs<T>(by: object, compute: (obj: KObject) => T): T {
    if (this.selection?.by !== by) this.selection = { by, value: compute(this.obj) };
    return this.selection.value as T;
  }

  // own properties, not methods: callers pass them on detached (e.g. writeObject(…, c.json))
  readonly bytes = (): Buffer => this.buf;
  readonly json = (): string => this.buf.toString('utf8');
}

export function cachedObject(key: string, obj: KObject, rv: number): CachedObject {
  let buf: Buffer | undefined;
  const bytes = () => (buf ??= Buffer.from(JSON.stringify(obj)));
  let selection: { by: object; value: unknown } | undefined;
  return {
    key, obj, rv, bytes, json: () => bytes().toString('utf8'),
    attrs<T>(by: object, compute: (o: KObject) => T): T {
      if (selection?.by !== by) selection = { by, value: compute(obj) };
      return selection.value as T;
    },
  };
}

export type CacheEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface CacheEvent {
  type: CacheEventType;
  /** the new object (for DELETED: the last state, with the delete's resourceVersion) */
  object: CachedObject;
  prev?: CachedObject;
  rv: number;
}
