// The CRD controllers of upstream's apiextensions-apiserver, run inside the API server on the CRD
// store's watch cache: naming (NamesAccepted, acceptedNames, conflicts with other CRDs and built-in
// resources of the group), establishing (Established), serving (each served version registered with
// the API registry, discovery and OpenAPI updated), and finalizing (the customresourcecleanup
// finalizer: delete every custom resource, then let the CRD go).

import type { KObject, ResourceType } from '../api/types.js';
import { setExtraDefinitions } from '../api/schema/definitions.js';
import type { Backend } from '../storage/interface.js';
import type { APIRegistry, ServedResource } from '../apiserver/apis.js';
import type { WatchCache } from '../apiserver/storage/watchcache.js';
import type { ValueTransformer } from '../apiserver/storage/codec.js';
import { Store, nowTimestamp } from '../apiserver/registry/store.js';
import { StatusError } from '../machinery/errors.js';
import { CLEANUP_FINALIZER, condition, isEstablished, setCondition, storageVersion, type CRD, type CRDNames, type CRDStatus } from './crd.js';
import { customResourceConverter, customResourceStrategy, customResourceType } from './resource.js';
import { scaleHandler } from './scale.js';
import { definitionsFor } from './openapi.js';
import { WebhookConverter, type ServiceResolver } from './webhook.js';

export interface CRDControllerDeps {
  registry: APIRegistry;
  backend: Backend;
  cache: WatchCache;
  transformer: ValueTransformer;
}

interface Served { rv: string; paths: [string, string, string][]; defs: string[]; store: Store }

export class CRDController {
  private readonly crds: ServedResource;
  private readonly served = new Map<string, Served>();
  private readonly terminating = new Set<string>();
  private readonly queue = new Set<string>();
  private draining = false;
  private stopped = false;
  private retry?: NodeJS.Timeout;
  private readonly listener: (ev: { object: { obj: KObject } }) => void;

  constructor(private readonly deps: CRDControllerDeps) {
    const crds = deps.registry.lookup('apiextensions.k8s.io', 'v1', 'customresourcedefinitions');
    if (!crds) throw new Error('apiextensions: the customresourcedefinitions resource is not registered');
    this.crds = crds;
    this.listener = (ev) => this.enqueue(ev.object.obj.metadata?.name ?? '');
    crds.store.cache.listeners.add(this.listener);
    for (const c of crds.store.cache.objects.values()) this.enqueue(c.obj.metadata?.name ?? '');
  }

  stop(): void {
    this.stopped = true;
    this.crds.store.cache.listeners.delete(this.listener);
    if (this.retry) clearTimeout(this.retry);
  }

  enqueue(name: string): void {
    if (!name || this.stopped) return;
    this.queue.add(name);
    if (!this.draining) { this.draining = true; setImmediate(() => void this.drain()); }
  }

  private async drain(): Promise<void> {
    try {
      while (this.queue.size && !this.stopped) {
        const name = this.queue.values().next().value as string;
        this.queue.delete(name);
        try {
          await this.sync(name);
        } catch (err) {
          if (!(err instanceof StatusError && err.code === 409)) console.error(`apiextensions: sync of ${name} failed: ${(err as Error).message}`);
          this.retry = setTimeout(() => this.enqueue(name), 500);
          this.retry.unref();
        }
      }
    } finally {
      this.draining = false;
    }
  }

  private current(name: string): CRD | undefined {
    return this.crds.store.cache.objects.get(this.crds.store.key('', name))?.obj as CRD | undefined;
  }

  private async sync(name: string): Promise<void> {
    const crd = this.current(name);
    if (!crd) { this.unserve(name); this.terminating.delete(name); return; }
    if (crd.metadata?.deletionTimestamp) this.terminating.add(name); else this.terminating.delete(name);
    const status = this.calculateStatus(crd);
    if (JSON.stringify(status) !== JSON.stringify(crd.status ?? {})) {
      // the status write comes back as a watch event, which syncs again
      await this.crds.store.update('', name, (cur) => ({ ...cur, status }), { dryRun: false, subresource: 'status' });
      return;
    }
    if (crd.metadata?.deletionTimestamp) {
      if (isEstablished(crd)) this.serve(crd);
      await this.finalize(crd);
      return;
    }
    if (isEstablished(crd)) this.serve(crd); else this.unserve(name);
  }

  /** names, NamesAccepted and Established as upstream's naming and establishing controllers */
  private calculateStatus(crd: CRD): CRDStatus {
    const status: CRDStatus = structuredClone(crd.status ?? {});
    const now = nowTimestamp();
    const requested = crd.spec.names;
    const accepted: CRDNames = structuredClone(status.acceptedNames ?? { plural: '', kind: '' });
    const used = this.namesInUse(crd);
    // as upstream, each name is checked in turn and the last conflict found is the one reported
    let conflict: { reason: string; message: string } | undefined;
    const take = (field: 'plural' | 'singular' | 'kind' | 'listKind', reason: string, set: Set<string>) => {
      const want = field === 'listKind' ? requested.listKind ?? `${requested.kind}List` : field === 'singular' ? requested.singular ?? (requested.kind ?? '').toLowerCase() : requested[field];
      if (want === undefined) return;
      if (want !== accepted[field] && set.has(want)) { conflict = { reason, message: `${JSON.stringify(want)} is already in use` }; return; }
      accepted[field] = want;
    };
    take('plural', 'PluralConflict', used.resources);
    take('singular', 'SingularConflict', used.resources);
    const shorts = requested.shortNames ?? [];
    const clash = shorts.find((s) => used.resources.has(s) && !(accepted.shortNames ?? []).includes(s));
    if (clash) conflict = { reason: 'ShortNamesConflict', message: `${JSON.stringify(clash)} is already in use` };
    else if (shorts.length) accepted.shortNames = [...shorts]; else delete accepted.shortNames;
    take('kind', 'KindConflict', used.kinds);
    take('listKind', 'ListKindConflict', used.kinds);
    if (requested.categories?.length) accepted.categories = [...requested.categories]; else delete accepted.categories;
    status.acceptedNames = accepted;
    setCondition(status, conflict
      ? { type: 'NamesAccepted', status: 'False', ...conflict }
      : { type: 'NamesAccepted', status: 'True', reason: 'NoConflicts', message: 'no conflicts found' }, now);
    if (!isEstablished(crd)) {
      setCondition(status, conflict
        ? { type: 'Established', status: 'False', reason: 'NotAccepted', message: 'not all names are accepted' }
        : { type: 'Established', status: 'True', reason: 'InitialNamesAccepted', message: 'the initial names have been accepted' }, now);
    }
    const sv = storageVersion(crd);
    status.storedVersions ??= sv ? [sv] : [];
    // the conditions list keeps upstream's order: NamesAccepted, Established, then the rest
    const order = ['NamesAccepted', 'Established', 'Terminating'];
    status.conditions?.sort((a, b) => order.indexOf(a.type) - order.indexOf(b.type));
    return status;
  }

  /** plural/singular/short names and kinds other CRDs and built-in resources already use in this group */
  private namesInUse(crd: CRD): { resources: Set<string>; kinds: Set<string> } {
    const resources = new Set<string>(), kinds = new Set<string>();
    for (const c of this.crds.store.cache.objects.values()) {
      const other = c.obj as CRD;
      if (other.metadata?.name === crd.metadata?.name || other.spec?.group !== crd.spec.group) continue;
      const n = other.status?.acceptedNames;
      if (!n) continue;
      for (const x of [n.plural, n.singular, ...(n.shortNames ?? [])]) if (x) resources.add(x);
      for (const x of [n.kind, n.listKind]) if (x) kinds.add(x);
    }
    for (const sr of this.deps.registry.all()) {
      const t = sr.type;
      if (t.group !== crd.spec.group || t.custom) continue;
      for (const x of [t.resource, t.singular, ...t.shortNames]) resources.add(x);
      kinds.add(t.kind); kinds.add(t.listKind);
    }
    return { resources, kinds };
  }

  private storeFor(crd: CRD): Store {
    const name = crd.metadata!.name!;
    const existing = this.served.get(name);
    if (existing && existing.rv === crd.metadata?.resourceVersion) return existing.store;
    const storage = crd.spec.versions.find((v) => v.storage)!;
    const type = customResourceType(crd, storage);
    const namespaces = this.deps.registry.lookup('', 'v1', 'namespaces')!;
    // one key segment per resource, as the watch cache groups keys by /registry/<segment>/
    return new Store(type, `${type.resource}.${crd.spec.group}`, this.deps.backend, this.deps.cache, this.deps.transformer,
      customResourceStrategy(crd, storage, { terminating: () => this.terminating.has(name) }),
      (ns) => namespaces.store.cache.objects.get(namespaces.store.key('', ns))?.obj);
  }

  private serve(crd: CRD): void {
    const name = crd.metadata!.name!;
    const prev = this.served.get(name);
    if (prev && prev.rv === crd.metadata?.resourceVersion) return;
    const store = this.storeFor(crd);
    this.unserve(name, false);
    const storage = crd.spec.versions.find((v) => v.storage)!;
    const webhook = crd.spec.conversion?.strategy === 'Webhook' ? new WebhookConverter(crd, this.resolveService) : undefined;
    const paths: [string, string, string][] = [];
    let defs: Record<string, import('../api/schema/definitions.js').OpenAPIv2Schema> = {};
    for (const v of crd.spec.versions) {
      if (!v.served) continue;
      const type: ResourceType = v === storage ? store.type : customResourceType(crd, v);
      this.deps.registry.add(type, store, customResourceConverter(crd, v, storage, v === storage ? undefined : webhook));
      const scale = v.subresources?.scale;
      if (scale) {
        const g = crd.spec.group, ver = v.name, plural = type.resource;
        this.deps.registry.addSubresource(g, ver, plural, 'scale', scaleHandler(() => this.deps.registry.lookup(g, ver, plural)!, scale));
      }
      paths.push([crd.spec.group, v.name, type.resource]);
      defs = { ...defs, ...definitionsFor(crd, v) };
    }
    setExtraDefinitions(defs);
    this.served.set(name, { rv: crd.metadata!.resourceVersion!, paths, defs: Object.keys(defs), store });
    this.deps.registry.changed();
  }

  private unserve(name: string, notify = true): void {
    const s = this.served.get(name);
    if (!s) return;
    for (const [g, v, r] of s.paths) this.deps.registry.remove(g, v, r);
    setExtraDefinitions(Object.fromEntries(s.defs.map((d) => [d, undefined])));
    this.served.delete(name);
    if (notify) this.deps.registry.changed();
  }

  /** the customresourcecleanup finalizer: remove every custom resource, then release the CRD */
  private async finalize(crd: CRD): Promise<void> {
    const name = crd.metadata!.name!;
    if (!(crd.metadata?.finalizers ?? []).includes(CLEANUP_FINALIZER)) { this.unserve(name); return; }
    const store = this.storeFor(crd);
    const cond = condition(crd, 'Terminating');
    if (cond?.reason !== 'InstanceDeletionInProgress') {
      await this.crds.store.update('', name, (cur) => {
        const status = (cur.status ??= {}) as CRDStatus;
        setCondition(status, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionInProgress', message: 'CustomResource deletion is in progress' }, nowTimestamp());
        return cur;
      }, { dryRun: false, subresource: 'status' });
      return;
    }
    const items = [...store.cache.objects.values()].map((c) => c.obj);
    for (const o of items) {
      if (o.metadata?.deletionTimestamp) continue;
      try {
        await store.delete(o.metadata?.namespace ?? '', o.metadata!.name!, {}, { dryRun: false });
      } catch (err) {
        if (!(err instanceof StatusError && err.code === 404)) throw err;
      }
    }
    await this.deps.cache.sync();
    if (store.cache.objects.size > 0) {
      // objects held by their own finalizers: look again shortly (upstream requeues too)
      this.retry = setTimeout(() => this.enqueue(name), 1000);
      this.retry.unref();
      return;
    }
    this.unserve(name);
    const r = await this.crds.store.update('', name, (cur) => {
      cur.metadata!.finalizers = (cur.metadata!.finalizers ?? []).filter((f) => f !== CLEANUP_FINALIZER);
      if (!cur.metadata!.finalizers.length) delete cur.metadata!.finalizers;
      const status = (cur.status ??= {}) as CRDStatus;
      setCondition(status, { type: 'Terminating', status: 'True', reason: 'InstanceDeletionCompleted', message: 'removed all instances' }, nowTimestamp());
      return cur;
    }, { dryRun: false });
    await this.crds.store.finishDeletionIfDone(r.obj);
  }

  /** a conversion webhook's service: the first ready address of its endpoints */
  private readonly resolveService: ServiceResolver = (namespace, name, port) => {
    const eps = this.deps.registry.lookup('', 'v1', 'endpoints');
    const svcs = this.deps.registry.lookup('', 'v1', 'services');
    const svc = svcs?.store.cache.objects.get(svcs.store.key(namespace, name))?.obj;
    if (!svc) return `service "${name}" not found`;
    const ep = eps?.store.cache.objects.get(eps.store.key(namespace, name))?.obj as { subsets?: { addresses?: { ip: string }[]; ports?: { port: number; name?: string }[] }[] } | undefined;
    const svcPort = ((svc.spec as { ports?: { port: number; targetPort?: number | string; name?: string }[] } | undefined)?.ports ?? []).find((p) => p.port === port);
    for (const ss of ep?.subsets ?? []) {
      const addr = ss.addresses?.[0];
      if (!addr) continue;
      const target = ss.ports?.find((p) => p.name === svcPort?.name) ?? ss.ports?.[0];
      return { host: addr.ip, port: target?.port ?? (typeof svcPort?.targetPort === 'number' ? svcPort.targetPort : port) };
    }
    return `no endpoints available for service "${name}"`;
  };
}
