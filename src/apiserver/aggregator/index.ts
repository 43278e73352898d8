// kube-aggregator inside Kumo's API server. APIServices (apiregistration.k8s.io/v1) say which server
// answers each group version: local ones (service: null) are Kumo's own built-in and CRD group
// versions, registered automatically as upstream's autoregister and crd-registration controllers do;
// the others are proxied to an extension API server reached through their Service (after Kumo's own
// authentication and authorization, with the front-proxy client certificate and X-Remote-* headers).
// An availability controller keeps each APIService's Available condition, and the extension servers'
// discovery documents are merged into /apis and aggregated discovery in APIService priority order.
// metrics.k8s.io (metrics-server) is served this way: it is one more APIService with a service.
import type { KObject } from '../../api/types.js';
import type { APIRegistry, ServedResource } from '../apis.js';
import type { RequestContext } from '../http/types.js';
import { nowTimestamp } from '../registry/store.js';
import { StatusError } from '../../machinery/errors.js';
import {
  AUTOMANAGED_LABEL, BUILTIN_PRIORITIES, CRD_PRIORITY, DEFAULT_BUILTIN, apiServiceName, availableCondition, isAvailable, isLocal,
  localAvailableCondition, orderedOf, setCondition, sortByGroupAndVersion, type APIService, type APIServiceCondition, type Ordered,
  type Priority,
} from './apiservice.js';
import { checkAvailability } from './availability.js';
import { plainError, proxyTo } from './proxy.js';
import { RemoteDiscovery } from './remotediscovery.js';
import { resolveEndpoint, type ServiceState } from './resolver.js';
import { ProxyTransport, type ClientCertificate } from './transport.js';

import { RemoteOpenAPI } from './remoteopenapi.js';
export type { ClientCertificate } from './transport.js';

export interface AggregatorOptions {
  registry: APIRegistry;
  /** the front-proxy client certificate (--proxy-client-cert-file); read on every new connection */
  proxyClient: () => ClientCertificate | undefined;
  /** how often every remote APIService is re-checked (upstream: 30 s) */
  resyncMs?: number;
  log?: (msg: string) => void;
}

/** What discovery takes from the aggregation layer (see Discovery.setAggregation). */
export interface AggregatedDiscoverySource {
  /** group versions (group/version) served by extension API servers, available or not */
  remoteGroupVersions(): string[];
  /** groups in discovery order, each with its versions in preference order */
  order(groupVersions: string[]): Map<string, string[]>;
  /** the aggregated-discovery version entry of a remote group version, once fetched */
  remoteVersion(groupVersion: string): Record<string, unknown> | undefined;
  onChange(fn: () => void): void;
}

const SERVICE_NAME_LABEL = 'kubernetes.io/service-name';

const splitGV = (gv: string): [string, string] => (gv.includes('/') ? gv.split('/', 2) as [string, string] : ['', gv]);

export class Aggregator implements AggregatedDiscoverySource {
  private readonly transport: ProxyTransport;
  private readonly remote: RemoteDiscovery;
  /** extension servers' OpenAPI documents, merged into /openapi/v2 and /openapi/v3 */
  readonly openapi: RemoteOpenAPI;
  private readonly listeners = new Set<() => void>();
  private readonly inflight = new Set<string>();
  private readonly pending = new Set<string>();
  private readonly failures = new Map<string, number>();
  private readonly retryTimers = new Map<string, NodeJS.Timeout>();
  private readonly lastSpec = new Map<string, string>();
  private timer?: NodeJS.Timeout;
  private syncLocalTimer?: NodeJS.Timeout;
  private stopped = false;
  private started = false;
  private firstLocalSync = true;
  private readonly log: (m: string) => void;

  constructor(private readonly o: AggregatorOptions) {
    this.transport = new ProxyTransport(o.proxyClient);
    this.remote = new RemoteDiscovery(this.transport);
    this.openapi = new RemoteOpenAPI(this.transport);
    this.log = o.log ?? ((m) => console.error(m));
  }

  private sr(group: string, resource: string, version = 'v1'): ServedResource {
    const s = this.o.registry.lookup(group, version, resource);
    if (!s) throw new Error(`aggregator: ${group}/${version} ${resource} is not served`);
    return s;
  }

  private get apiServices(): ServedResource { return this.sr('apiregistration.k8s.io', 'apiservices'); }

  get(name: string): APIService | undefined {
    const s = this.o.registry.lookup('apiregistration.k8s.io', 'v1', 'apiservices');
    return s?.store.cache.objects.get(s.store.key('', name))?.obj as APIService | undefined;
  }

  list(): APIService[] {
    const s = this.o.registry.lookup('apiregistration.k8s.io', 'v1', 'apiservices');
    return s ? [...s.store.cache.objects.values()].map((c) => c.obj as APIService) : [];
  }

  /** the API server's caches as the resolver reads them */
  readonly state: ServiceState = {
    service: (ns, name) => this.cached('', 'services', ns, name),
    endpoints: (ns, name) => this.cached('', 'endpoints', ns, name),
    endpointSlices: (ns, name) => {
      const s = this.o.registry.lookup('discovery.k8s.io', 'v1', 'endpointslices');
      if (!s) return [];
      const prefix = s.store.listPrefix(ns);
      const out: KObject[] = [];
      for (const [k, c] of s.store.cache.objects) {
        if (k.startsWith(prefix) && c.obj.metadata?.labels?.[SERVICE_NAME_LABEL] === name) out.push(c.obj);
      }
      return out;
    },
  };

  private cached(group: string, resource: string, ns: string, name: string): KObject | undefined {
    const s = this.o.registry.lookup(group, 'v1', resource);
    return s?.store.cache.objects.get(s.store.key(ns, name))?.obj;
  }

  /** Registers local APIServices and starts the availability checks (after the stores are up). */
  async start(): Promise<void> {
    this.started = true;
    await this.syncLocal();
    this.o.registry.onChange(() => this.scheduleLocalSync());
    const watch = (sr: ServedResource, fn: (obj: KObject, deleted: boolean) => void) => {
      sr.store.cache.listeners.add((ev) => fn(ev.object.obj, ev.type === 'DELETED'));
    };
    watch(this.apiServices, (obj, deleted) => this.onAPIService(obj as APIService, deleted));
    const byService = (ns: string, name: string) => {
      for (const a of this.list()) {
        const ref = a.spec?.service;
        if (ref && ref.namespace === ns && ref.name === name) this.enqueue(a.metadata!.name!);
      }
    };
    watch(this.sr('', 'services'), (o) => byService(o.metadata?.namespace ?? '', o.metadata?.name ?? ''));
    watch(this.sr('', 'endpoints'), (o) => byService(o.metadata?.namespace ?? '', o.metadata?.name ?? ''));
    const slices = this.o.registry.lookup('discovery.k8s.io', 'v1', 'endpointslices');
    if (slices) watch(slices, (o) => byService(o.metadata?.namespace ?? '', o.metadata?.labels?.[SERVICE_NAME_LABEL] ?? ''));
    for (const a of this.list()) { this.lastSpec.set(a.metadata!.name!, JSON.stringify(a.spec ?? {})); this.enqueue(a.metadata!.name!); }
    this.timer = setInterval(() => { for (const a of this.list()) if (!isLocal(a)) this.enqueue(a.metadata!.name!); }, this.o.resyncMs ?? 30_000);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    if (this.syncLocalTimer) clearTimeout(this.syncLocalTimer);
    for (const t of this.retryTimers.values()) clearTimeout(t);
    this.transport.close();
  }

  onChange(fn: () => void): void { this.listeners.add(fn); }

  private emit(): void { for (const fn of this.listeners) fn(); }

  private onAPIService(a: APIService, deleted: boolean): void {
    const name = a.metadata?.name ?? '';
    const spec = JSON.stringify(a.spec ?? {});
    const gv = `${a.spec?.group ?? ''}/${a.spec?.version ?? ''}`;
    if (deleted) {
      this.lastSpec.delete(name);
      this.remote.forget(gv);
      this.openapi.forget(a.spec?.group ?? '', a.spec?.version ?? '');
      this.emit();
      return;
    }
    if (this.lastSpec.get(name) === spec) {
      // a status change: availability decides whether requests are proxied; discovery follows it
      return;
    }
    this.lastSpec.set(name, spec);
    this.failures.delete(name);
    this.emit();
    this.enqueue(name);
  }

  // ---- local APIServices (autoregister + crd-registration controllers) ----------------------

  private scheduleLocalSync(): void {
    if (this.syncLocalTimer || this.stopped || !this.started) return;
    this.syncLocalTimer = setTimeout(() => {
      this.syncLocalTimer = undefined;
      this.syncLocal().catch((err) => this.log(`aggregator: registering local APIServices: ${(err as Error).message}`));
    }, 50);
  }

  /** the priority Kumo's own group versions get */
  priorityOf(gv: string): Priority {
    const builtin = BUILTIN_PRIORITIES[gv];
    if (builtin) return builtin;
    const custom = (this.o.registry.resources(gv) ?? []).some((r) => r.type.custom);
    return custom ? CRD_PRIORITY : DEFAULT_BUILTIN;
  }

  private desiredLocal(): Map<string, APIService> {
    const out = new Map<string, APIService>();
    for (const gv of this.o.registry.groupVersionList()) {
      const [group, version] = splitGV(gv);
      const p = this.priorityOf(gv);
      const custom = (this.o.registry.resources(gv) ?? []).some((r) => r.type.custom);
      const name = apiServiceName(group, version);
      out.set(name, {
        apiVersion: 'apiregistration.k8s.io/v1', kind: 'APIService',
        metadata: { name, labels: { [AUTOMANAGED_LABEL]: custom ? 'true' : 'onstart' } },
        spec: { group, version, groupPriorityMinimum: p.group, versionPriority: p.version },
      });
    }
    return out;
  }

  async syncLocal(): Promise<void> {
    const store = this.apiServices.store;
    const desired = this.desiredLocal();
    const first = this.firstLocalSync;
    this.firstLocalSync = false;
    for (const cur of this.list()) {
      const name = cur.metadata!.name!;
      const managed = cur.metadata?.labels?.[AUTOMANAGED_LABEL];
      if (!managed || desired.has(name)) continue;
      // 'true' ones follow what is served; 'onstart' ones are only cleaned up when the server starts
      if (managed === 'true' || first) {
        await store.delete('', name, {}, { dryRun: false }).catch((err) => this.log(`aggregator: deleting APIService ${name}: ${(err as Error).message}`));
      }
    }
    for (const [name, want] of desired) {
      const cur = this.get(name);
      try {
        if (!cur) {
          await store.create(structuredClone(want), '', { dryRun: false });
        } else if (cur.metadata?.labels?.[AUTOMANAGED_LABEL] && JSON.stringify(cur.spec) !== JSON.stringify(want.spec)) {
          await store.update('', name, (o) => ({ ...o, spec: want.spec } as KObject), { dryRun: false });
        }
      } catch (err) {
        if (err instanceof StatusError && err.reason === 'AlreadyExists') continue;
        this.log(`aggregator: registering APIService ${name}: ${(err as Error).message}`);
      }
    }
  }

  // ---- availability ---------------------------------------------------------------------------

  private enqueue(name: string): void {
    if (this.stopped) return;
    if (this.inflight.has(name)) { this.pending.add(name); return; }
    this.inflight.add(name);
    void this.sync(name)
      .catch((err) => this.log(`aggregator: checking APIService ${name}: ${(err as Error).message}`))
      .finally(() => {
        this.inflight.delete(name);
        if (this.pending.delete(name)) this.enqueue(name);
      });
  }

  private retryLater(name: string): void {
    const n = (this.failures.get(name) ?? 0) + 1;
    this.failures.set(name, n);
    if (this.retryTimers.has(name) || this.stopped) return;
    const t = setTimeout(() => { this.retryTimers.delete(name); this.enqueue(name); }, Math.min(30_000, 250 * 2 ** Math.min(n, 7)));
    t.unref();
    this.retryTimers.set(name, t);
  }

  private async writeCondition(a: APIService, c: Omit<APIServiceCondition, 'lastTransitionTime'>): Promise<void> {
    const cur = availableCondition(a);
    if (cur && cur.status === c.status && cur.reason === c.reason && cur.message === c.message) return;
    const name = a.metadata!.name!;
    await this.apiServices.store.update('', name, (o) => {
      const next = o as APIService;
      setCondition(next, { ...c, lastTransitionTime: nowTimestamp() });
      return next;
    }, { dryRun: false, subresource: 'status' });
    if ((cur?.status === 'True') !== (c.status === 'True')) {
      this.log(`aggregator: APIService ${name} ${c.status === 'True' ? 'is available' : `is unavailable: ${c.reason}: ${c.message}`}`);
    }
  }

  private async sync(name: string): Promise<void> {
    const a = this.get(name);
    if (!a) return;
    const gv = `${a.spec?.group ?? ''}/${a.spec?.version ?? ''}`;
    if (isLocal(a)) {
      await this.writeCondition(a, localAvailableCondition(''));
      if (this.remote.forget(gv)) this.emit();
      return;
    }
    const c = await checkAvailability(a, this.state, (ep, path) => this.transport.probe(ep, path));
    const latest = this.get(name);
    if (!latest || JSON.stringify(latest.spec) !== JSON.stringify(a.spec)) return; // changed meanwhile: the next sync decides
    await this.writeCondition(latest, c);
    if (c.status === 'True') {
      this.failures.delete(name);
      let changed = false;
      try {
        const ep = resolveEndpoint(this.state, a.spec!.service!.namespace ?? '', a.spec!.service!.name ?? '', a.spec!.service!.port ?? 443);
        changed = await this.remote.refresh(latest, ep);
        await this.openapi.refresh(latest, ep);
      } catch { changed = this.remote.markStale(gv); }
      if (changed) this.emit();
    } else {
      if (this.remote.markStale(gv)) this.emit();
      if (c.reason === 'FailedDiscoveryCheck') this.retryLater(name);
    }
  }

  // ---- requests -------------------------------------------------------------------------------

  /**
   * Answers a request for a group version served by an extension API server (after authentication
   * and authorization). Returns false when the path belongs to Kumo itself.
   */
  async serve(ctx: RequestContext): Promise<boolean> {
    const m = /^\/apis\/([^/]+)\/([^/]+)(?:\/|$)/.exec(ctx.url.pathname);
    if (!m) return false;
    const a = this.get(apiServiceName(m[1], m[2]));
    if (!a || isLocal(a)) return false;
    if (!isAvailable(a)) { plainError(ctx.res, 503, 'service unavailable'); return true; }
    const ref = a.spec!.service!;
    let ep;
    try {
      ep = resolveEndpoint(this.state, ref.namespace ?? '', ref.name ?? '', ref.port ?? 443);
    } catch (err) {
      this.log(`aggregator: error resolving ${ref.namespace}/${ref.name}: ${(err as Error).message}`);
      plainError(ctx.res, 503, 'service unavailable');
      return true;
    }
    await proxyTo(ctx, a, ep, this.transport);
    return true;
  }

  // ---- discovery ------------------------------------------------------------------------------

  remoteGroupVersions(): string[] {
    return this.list().filter((a) => !isLocal(a) && a.spec?.version).map((a) => `${a.spec!.group ?? ''}/${a.spec!.version}`);
  }

  remoteVersion(gv: string): Record<string, unknown> | undefined {
    return this.remote.version(gv);
  }

  order(groupVersions: string[]): Map<string, string[]> {
    const items: Ordered[] = [];
    const seen = new Set<string>();
    for (const gv of groupVersions) {
      if (seen.has(gv)) continue;
      seen.add(gv);
      const [group, version] = splitGV(gv);
      const a = this.get(apiServiceName(group, version));
      if (a) { items.push(orderedOf(a)); continue; }
      const p = this.priorityOf(gv);
      items.push({ name: apiServiceName(group, version), group, version, groupPriorityMinimum: p.group, versionPriority: p.version });
    }
    return new Map(sortByGroupAndVersion(items).map((g) => [g[0].group, g.map((x) => x.version)]));
  }
}
