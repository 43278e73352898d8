// The generic REST store (upstream's registry/generic/registry.Store): create, get, update with
// optimistic concurrency, graceful deletion with finalizers, over the datastore and watch cache.

import { randomUUID } from 'node:crypto';
import type { Backend } from '../../storage/interface.js';
import { KeyExistsError, KeyNotFoundError, RevisionMismatchError } from '../../storage/interface.js';
import {
  StatusError, alreadyExists, conflict, notFound, invalid, badRequest, CONFLICT_MODIFIED, type FieldError,
} from '../../machinery/errors.js';
import type { KObject, ResourceType } from '../../api/types.js';
import { apiVersionOf } from '../../api/types.js';
import type { WatchCache, ResourceCache } from '../storage/watchcache.js';
import { encodeForStorage, decodeFromStorage, isStaleObject, type ValueTransformer } from '../storage/codec.js';
import type { CachedObject } from '../storage/cached.js';
import type { Strategy } from './strategy.js';
import { generateName } from './names.js';
import { deepCopyJSON } from '../../machinery/deepcopy.js';

export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Orphan' | 'Background' | 'Foreground';
  orphanDependents?: boolean;
  preconditions?: { uid?: string; resourceVersion?: string };
  dryRun?: string[];
}

/**
 * The admission phases for one write, built by the handler from the request (user, subresource).
 * `admit` may mutate the object; `validate` only rejects. Both throw a StatusError to refuse.
 */
export interface Admission {
  admit(op: 'CREATE' | 'UPDATE' | 'DELETE', obj: KObject | undefined, old: KObject | undefined): Promise<void>;
  validate(op: 'CREATE' | 'UPDATE' | 'DELETE', obj: KObject | undefined, old: KObject | undefined): Promise<void>;
}

export interface WriteOptions {
  dryRun: boolean;
  admission?: Admission;
  /** records field ownership in metadata.managedFields (apply/handler.ts updateHook); old is undefined on create */
  fieldManager?: (obj: KObject, old: KObject | undefined) => void;
}

/** Answers whether a namespace exists / is terminating, for create-in-namespace checks. */
export type NamespaceLookup = (name: string) => KObject | undefined;

export function nowTimestamp(ms = Date.now()): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export class Store {
  readonly prefix: string;
  readonly cache: ResourceCache;

  constructor(
    readonly type: ResourceType,
    readonly storageResource: string,
    private readonly backend: Backend,
    private readonly watchCache: WatchCache,
    private readonly transformer: ValueTransformer,
    readonly strategy: Strategy,
    private readonly namespaces: NamespaceLookup,
  ) {
    this.prefix = `/registry/${storageResource}/`;
    this.cache = watchCache.resource(this.prefix);
  }

  key(namespace: string, name: string): string {
    return this.type.namespaced ? `${this.prefix}${namespace}/${name}` : `${this.prefix}${name}`;
  }

  /** the listing prefix for a namespace ('' = all) */
  listPrefix(namespace: string): string {
    return this.type.namespaced && namespace ? `${this.prefix}${namespace}/` : this.prefix;
  }

  private gr(): [string, string] { return [this.type.group, this.type.resource]; }

  /** Current object from the cache after it caught up with every acknowledged write. */
  async get(namespace: string, name: string): Promise<CachedObject> {
    await this.watchCache.sync();
    const c = this.cache.objects.get(this.key(namespace, name));
    if (!c) throw this.cache.undecodable.get(this.key(namespace, name)) ?? notFound(...this.gr(), name);
    return c;
  }

  /** fresh read straight from the datastore (for read-modify-write retries) */
  private async getFresh(key: string, name: string): Promise<{ obj: KObject; rv: number }> {
    const kv = await this.backend.get(key);
    if (!kv) throw notFound(...this.gr(), name);
    return { obj: decodeFromStorage(kv, this.transformer), rv: kv.modRevision };
  }

  setTypeMeta(obj: KObject): void {
    obj.apiVersion = apiVersionOf(this.type);
    obj.kind = this.type.kind;
  }

  async create(obj: KObject, namespace: string, opts: WriteOptions): Promise<KObject> {
    const meta = (obj.metadata ??= {});
    if (this.type.namespaced) {
      if (meta.namespace && namespace && meta.namespace !== namespace) {
        throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
      }
      meta.namespace = namespace || meta.namespace;
    } else {
      delete meta.namespace;
    }
    if (!meta.name && meta.generateName) meta.name = generateName(meta.generateName);
    delete meta.deletionTimestamp;
    delete meta.deletionGracePeriodSeconds;
    delete meta.resourceVersion;
    delete meta.selfLink;
    meta.uid = randomUUID();
    meta.creationTimestamp = nowTimestamp();
    if (this.type.generationOnSpec) meta.generation = 1; else delete meta.generation;
    this.setTypeMeta(obj);
    this.strategy.defaults(obj);
    opts.fieldManager?.(obj, undefined);
    await this.strategy.prepareForCreate(obj, { type: this.type, dryRun: opts.dryRun });
    try {
      // upstream order: mutating admission, validation, validating admission, storage
      await opts.admission?.admit('CREATE', obj, undefined);
      this.check(obj, undefined);
      await opts.admission?.validate('CREATE', obj, undefined);
      if (this.type.namespaced) await this.checkNamespace(meta.namespace!);
      const key = this.key(meta.namespace ?? '', meta.name!);
      if (opts.dryRun) {
        if (this.cache.objects.has(key)) throw alreadyExists(...this.gr(), meta.name!);
        return obj;
      }
      try {
        const res = await this.backend.create(key, encodeForStorage(obj, key, this.transformer));
        meta.resourceVersion = String(res.revision);
        return obj;
      } catch (err) {
        if (err instanceof KeyExistsError) throw alreadyExists(...this.gr(), meta.name!);
        throw err;
      }
    } catch (err) {
      this.strategy.afterDelete(obj); // release what prepareForCreate allocated
      throw err;
    }
  }

  private async checkNamespace(ns: string): Promise<void> {
    let nsObj = this.namespaces(ns);
    if (!nsObj) {
      // the namespace may have been created a moment ago: catch the cache up and look again
      await this.watchCache.sync();
      nsObj = this.namespaces(ns);
    }
    if (!nsObj) throw new StatusError(404, 'NotFound', `namespaces "${ns}" not found`, { name: ns, kind: 'namespaces' });
    if (nsObj.metadata?.deletionTimestamp || (nsObj.status as { phase?: string } | undefined)?.phase === 'Terminating') {
      throw new StatusError(403, 'Forbidden',
        `unable to create new content in namespace ${ns} because it is being terminated`,
        { name: ns, kind: 'namespaces', causes: [{ reason: 'NamespaceTerminating', message: `namespace ${ns} is being terminated`, field: 'metadata.namespace' }] });
    }
  }

  private check(obj: KObject, old: KObject | undefined): void {
    // the per-kind validators check ObjectMeta too, with each kind's name rule
    const errs: FieldError[] = this.strategy.validate(obj, old);
    if (errs.length) throw invalid(this.type.kind, this.type.group, obj.metadata?.name ?? '', errs);
  }

  /**
   * Read-modify-write with optimistic concurrency. `mutate` gets a private copy of the current object
   * and returns the desired object. When the caller pinned a resourceVersion (in the returned
   * object), a mismatch is a 409; otherwise the loop retries on concurrent writes, as upstream's
   * GuaranteedUpdate does.
   */
  async update(namespace: string, name: string,
    mutate: (current: KObject) => KObject | Promise<KObject>,
    opts: WriteOptions & { subresource?: string; allowCreate?: boolean },
  ): Promise<{ obj: KObject; created: boolean }> {
    const key = this.key(namespace, name);
    await this.watchCache.sync();
    let cached = this.cache.objects.get(key);
    let current: { obj: KObject; rv: number } | undefined = cached ? { obj: cached.obj, rv: cached.rv } : undefined;
    for (let attempt = 0; ; attempt++) {
      if (!current) {
        if (opts.allowCreate) {
          const desired = await mutate({ metadata: { name, namespace: this.type.namespaced ? namespace : undefined } });
          try {
            return { obj: await this.create(desired, namespace, opts), created: true };
          } catch (err) {
            if (err instanceof StatusError && err.reason === 'AlreadyExists' && attempt < 5) {
              current = await this.getFresh(key, name); continue;
            }
            throw err;
          }
        }
        throw notFound(...this.gr(), name);
      }
      const old = current.obj;
      const desired = await mutate(deepCopyJSON(old));
      const meta = (desired.metadata ??= {});
      if (meta.name !== undefined && meta.name !== name) {
        throw badRequest(`the name of the object (${meta.name}) does not match the name on the URL (${name})`);
      }
      meta.name = name;
      if (this.type.namespaced) {
        if (meta.namespace && meta.namespace !== namespace) {
          throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
        }
        meta.namespace = namespace;
      } else delete meta.namespace;
      const pinned = meta.resourceVersion;
      if (pinned !== undefined && pinned !== '' && pinned !== String(current.rv)) {
        if (!/^[0-9]+$/.test(pinned)) {
          throw invalid(this.type.kind, this.type.group, name,
            [{ type: 'FieldValueInvalid', field: 'metadata.resourceVersion', message: `Invalid value: ${JSON.stringify(pinned)}: must be specified for an update` }]);
        }
        throw conflict(...this.gr(), name, CONFLICT_MODIFIED);
      }
      if (!meta.resourceVersion) meta.resourceVersion = String(current.rv);
      this.prepareUpdate(desired, old, opts.subresource);
      // upstream defaults every decoded object, on update as on create
      this.strategy.defaults(desired);
      opts.fieldManager?.(desired, old);
      await this.strategy.prepareForUpdate(desired, old, { type: this.type, dryRun: opts.dryRun, subresource: opts.subresource });
      await opts.admission?.admit('UPDATE', desired, old);
      // pods/binding sets spec.nodeName, which a pod update may not change: validate it as a new object
      this.check(desired, opts.subresource === 'binding' ? undefined : old);
      await opts.admission?.validate('UPDATE', desired, old);
      // no-op updates do not write (upstream skips the etcd write and keeps the resourceVersion)
      // … unless the stored bytes are stale (written with an older encryption key): rewrite those
      if (sameObject(desired, old) && !isStaleObject(old)) return { obj: old, created: false };
      if (opts.dryRun) { desired.metadata!.resourceVersion = String(current.rv); return { obj: desired, created: false }; }
      try {
        const res = await this.backend.update(key, encodeForStorage(desired, key, this.transformer), current.rv);
        // prepareUpdate may have replaced desired.metadata (status, finalize): stamp the object returned
        desired.metadata!.resourceVersion = String(res.revision);
        return { obj: desired, created: false };
      } catch (err) {
        if (err instanceof RevisionMismatchError || err instanceof KeyNotFoundError) {
          if (pinned) throw conflict(...this.gr(), name, CONFLICT_MODIFIED);
          if (attempt > 20) throw conflict(...this.gr(), name, CONFLICT_MODIFIED);
          try { current = await this.getFresh(key, name); } catch { current = undefined; }
          continue;
        }
        throw err;
      }
    }
  }

  /** System fields a client cannot change, and status/spec separation between the resource and /status. */
  private prepareUpdate(desired: KObject, old: KObject, subresource?: string): void {
    const m = desired.metadata!;
    const om = old.metadata!;
    m.uid = om.uid;
    m.creationTimestamp = om.creationTimestamp;
    m.deletionTimestamp = om.deletionTimestamp;
    m.deletionGracePeriodSeconds = om.deletionGracePeriodSeconds;
    if (m.deletionTimestamp === undefined) delete m.deletionTimestamp;
    if (m.deletionGracePeriodSeconds === undefined) delete m.deletionGracePeriodSeconds;
    if (om.generateName !== undefined && m.generateName === undefined) m.generateName = om.generateName;
    delete m.selfLink;
    this.setTypeMeta(desired);
    if (subresource === 'status' || subresource === 'approval') {
      // /status (and CSR /approval) writes change only status (and nothing in spec or metadata except what status owns)
      const status = desired.status;
      for (const k of Object.keys(desired)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) delete desired[k];
      for (const k of Object.keys(old)) if (!['apiVersion', 'kind', 'metadata', 'status'].includes(k)) desired[k] = deepCopyJSON(old[k]);
      // user metadata may change through /status as upstream's status strategies allow (they reset
      // spec, and a few kinds also labels or owner references); system fields stay as stored
      const kept = STATUS_RESETS_METADATA[`${this.type.group}/${this.type.resource}`] ?? [];
      const next: Record<string, unknown> = { ...deepCopyJSON(om), resourceVersion: m.resourceVersion };
      for (const f of STATUS_USER_METADATA) {
        if (kept.includes(f) || subresource === 'approval') continue;
        if (m[f] === undefined) delete next[f]; else next[f] = m[f];
      }
      desired.metadata = next as typeof desired.metadata;
      if (status === undefined) delete desired.status; else desired.status = status;
    } else if (subresource === 'finalize') {
      // /finalize writes only spec.finalizers (namespaces)
      const fin = (desired.spec as { finalizers?: unknown } | undefined)?.finalizers;
      for (const k of Object.keys(desired)) if (!['apiVersion', 'kind', 'metadata'].includes(k)) delete desired[k];
      for (const k of Object.keys(old)) if (!['apiVersion', 'kind', 'metadata'].includes(k)) desired[k] = deepCopyJSON(old[k]);
      desired.metadata = { ...deepCopyJSON(om), resourceVersion: m.resourceVersion };
      const spec = (desired.spec ??= {}) as { finalizers?: unknown };
      if (fin === undefined) delete spec.finalizers; else spec.finalizers = fin;
    } else if (this.type.statusSubresource && subresource !== 'binding') {
      if (old.status === undefined) delete desired.status; else desired.status = deepCopyJSON(old.status);
    }
    if (this.type.generationOnSpec) {
      m.generation = om.generation ?? 1;
      if (subresource !== 'status' && specChanged(desired, old)) m.generation = (om.generation ?? 0) + 1;
    } else if (om.generation !== undefined) {
      m.generation = om.generation;
    } else delete m.generation;
  }

  /**
   * Delete honouring preconditions, finalizers and graceful deletion. Returns the object and
   * whether it is gone now (200) or pending (202 — finalizers or grace period).
   */
  async delete(namespace: string, name: string, options: DeleteOptions, opts: WriteOptions,
    graceful?: (obj: KObject, options: DeleteOptions) => number | undefined): Promise<{ obj: KObject; deleted: boolean }> {
    const key = this.key(namespace, name);
    await this.watchCache.sync();
    const cached = this.cache.objects.get(key);
    let current: { obj: KObject; rv: number } | undefined = cached ? { obj: cached.obj, rv: cached.rv } : undefined;
    for (let attempt = 0; ; attempt++) {
      if (!current) throw notFound(...this.gr(), name);
      const obj = deepCopyJSON(current.obj);
      const meta = obj.metadata!;
      const pre = options.preconditions;
      if (attempt === 0) {
        await opts.admission?.admit('DELETE', undefined, current.obj);
        await opts.admission?.validate('DELETE', undefined, current.obj);
      }
      // upstream's rest.BeforeDelete names the Kind here, not the resource
      if (pre?.uid && pre.uid !== meta.uid) {
        throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${this.type.kind} "${name}": the UID in the precondition (${pre.uid}) does not match the UID in record (${meta.uid}). The object might have been deleted and then recreated`,
          { name, kind: this.type.kind });
      }
      if (pre?.resourceVersion && pre.resourceVersion !== meta.resourceVersion) {
        throw new StatusError(409, 'Conflict', `Operation cannot be fulfilled on ${this.type.kind} "${name}": the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${meta.resourceVersion}). The object might have been modified`,
          { name, kind: this.type.kind });
      }
      // asked first: a held delete may add its own finalizer (CRDs' customresourcecleanup)
      const held = this.strategy.deletePending?.(obj) ?? false;
      const finalizers = new Set(meta.finalizers ?? []);
      // orphanDependents is the legacy spelling: true = Orphan, false = Foreground
      const policy = options.propagationPolicy
        ?? (options.orphanDependents === true ? 'Orphan' : options.orphanDependents === false ? 'Foreground' : undefined);
      // an explicit policy replaces the other GC finalizer (upstream deletionFinalizersForGarbageCollection)
      if (policy) { finalizers.delete('foregroundDeletion'); finalizers.delete('orphan'); }
      if (policy === 'Foreground') finalizers.add('foregroundDeletion');
      if (policy === 'Orphan') finalizers.add('orphan');
      const grace = graceful?.(obj, options);
      const pending = held || finalizers.size > 0 || (grace !== undefined && grace > 0);
      if (pending) {
        // first deletion sets the timestamp; later deletes may only shorten the grace period
        const already = meta.deletionTimestamp !== undefined;
        let changed = false;
        if (!already) {
          meta.deletionTimestamp = nowTimestamp(Date.now() + (grace ?? 0) * 1000);
          meta.deletionGracePeriodSeconds = grace ?? 0;
          changed = true;
        } else if (grace !== undefined && meta.deletionGracePeriodSeconds !== undefined && grace < meta.deletionGracePeriodSeconds) {
          meta.deletionTimestamp = nowTimestamp(Date.now() + grace * 1000);
          meta.deletionGracePeriodSeconds = grace;
          changed = true;
        }
        const f = [...finalizers];
        if (f.length !== (meta.finalizers ?? []).length || f.some((x, i) => meta.finalizers?.[i] !== x)) { meta.finalizers = f; changed = true; }
        if (held && !deepEqual(obj.status, current.obj.status)) changed = true;
        if (!changed || opts.dryRun) return { obj: changed ? obj : current.obj, deleted: false };
        try {
          const res = await this.backend.update(key, encodeForStorage(obj, key, this.transformer), current.rv);
          meta.resourceVersion = String(res.revision);
          return { obj, deleted: false };
        } catch (err) {
          if ((err instanceof RevisionMismatchError || err instanceof KeyNotFoundError) && attempt < 20) {
            try { current = await this.getFresh(key, name); } catch { current = undefined; }
            continue;
          }
          throw err;
        }
      }
      if (opts.dryRun) return { obj, deleted: true };
      try {
        const res = await this.backend.delete(key, current.rv);
        meta.resourceVersion = String(res.revision);
        this.strategy.afterDelete(obj);
        return { obj, deleted: true };
      } catch (err) {
        if ((err instanceof RevisionMismatchError || err instanceof KeyNotFoundError) && attempt < 20) {
          try { current = await this.getFresh(key, name); } catch { current = undefined; }
          continue;
        }
        throw err;
      }
    }
  }

  /** After an update removed the last finalizer of an object being deleted, remove it for real. */
  async finishDeletionIfDone(obj: KObject): Promise<boolean> {
    const m = obj.metadata!;
    if (!m.deletionTimestamp || (m.finalizers && m.finalizers.length > 0)) return false;
    if (this.strategy.deletePending?.(deepCopyJSON(obj))) return false;
    if ((m.deletionGracePeriodSeconds ?? 0) > 0) return false;
    const key = this.key(m.namespace ?? '', m.name!);
    try {
      await this.backend.delete(key, Number(m.resourceVersion));
      this.strategy.afterDelete(obj);
      return true;
    } catch (err) {
      if (err instanceof RevisionMismatchError || err instanceof KeyNotFoundError) return false;
      throw err;
    }
  }
}

/** metadata a /status write may change (upstream status strategies reset spec, not these) */
const STATUS_USER_METADATA = ['labels', 'annotations', 'finalizers', 'ownerReferences'] as const;
/** …except where a kind's status strategy resets them too */
const STATUS_RESETS_METADATA: Record<string, readonly string[]> = {
  'apps/deployments': ['labels'],
  // old kubelets corrupted owner references through pods/status (upstream podStatusStrategy)
  '/pods': ['ownerReferences'],
};

function specChanged(a: KObject, b: KObject): boolean {
  for (const k of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (k === 'metadata' || k === 'status' || k === 'apiVersion' || k === 'kind') continue;
    if (!deepEqual(a[k], b[k])) return true;
  }
  return false;
}

function sameObject(a: KObject, b: KObject): boolean {
  const strip = (o: KObject) => ({ ...o, metadata: { ...o.metadata, resourceVersion: undefined } });
  return deepEqual(strip(a), strip(b));
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === undefined || b === undefined || a === null || b === null) return a === b;
  if (typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    if (a.length !== bb.length) return false;
    for (let i = 0; i < a.length; i++) if (!deepEqual(a[i], bb[i])) return false;
    return true;
  }
  const ao = a as Record<string, unknown>, bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  for (const k of ak) if (!deepEqual(ao[k], bo[k])) return false;
  return true;
}
