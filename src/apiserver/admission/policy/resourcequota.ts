// ResourceQuota admission (upstream plugin/pkg/admission/resourcequota) and the usage
// recalculation that upstream's resourcequota controller does. Admission charges a new object's
// usage to every matching quota in its namespace (status.used, written through the /status
// update path) or rejects it with 403; the controller recomputes status.used from the watch cache
// periodically, when quotas change and when objects are deleted, so freed usage comes back.
import type { KObject } from '../../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../chain.js';
import type { APIServer } from '../../server.js';
import type { ServedResource } from '../../apis.js';
import { parseQuantity } from '../../../machinery/quantity.js';
import { cachedIn, forbidden, resourceList, type ResourceList } from './common.js';
import { mask, podConstraintError, prettyPrint, resourceOfName, usageOf } from './quota-usage.js';
import { quotaMatches, scopeAllowsName } from './quota-scopes.js';

const QUOTA_KEY = '/registry/resourcequotas/';

/** a charge made by admission for an object not yet in the watch cache */
interface Pending { key: string; namespace: string; usage: ResourceList; group: string; resource: string; obj: KObject; expires: number }

export class QuotaController {
  private readonly locks = new Map<string, Promise<void>>();
  private pending: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly scheduled = new Map<string, NodeJS.Timeout>();
  private listening = false;

  constructor(private readonly server: () => APIServer, private readonly intervalMs = 3000) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => { void this.tick(); }, this.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const t of this.scheduled.values()) clearTimeout(t);
    this.scheduled.clear();
  }

  private srv(): APIServer | undefined {
    try { return this.server(); } catch { return undefined; }
  }

  private quotaStore(): ServedResource | undefined {
    return this.srv()?.lookup('', 'v1', 'resourcequotas');
  }

  /** serialize quota reads-checks-writes of one namespace (admission and recalculation) */
  async withLock<T>(ns: string, fn: () => Promise<T>): Promise<T> {
    const prev = this.locks.get(ns) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((r) => { release = r; });
    const chained = prev.then(() => mine);
    this.locks.set(ns, chained);
    await prev;
    try { return await fn(); } finally {
      release();
      if (this.locks.get(ns) === chained) this.locks.delete(ns);
    }
  }

  private async tick(): Promise<void> {
    const qs = this.quotaStore();
    if (!qs) return;
    this.listen();
    const namespaces = new Set<string>();
    for (const key of qs.store.cache.objects.keys()) namespaces.add(key.slice(QUOTA_KEY.length).split('/')[0]);
    for (const ns of namespaces) {
      try { await this.syncNamespace(ns); } catch { /* retried next tick */ }
    }
  }

  /** react to deletions, pods turning terminal, and new or changed quotas, without waiting for the tick */
  private listen(): void {
    const srv = this.srv();
    if (this.listening || !srv) return;
    this.listening = true;
    const seen = new Set<unknown>();
    for (const sr of srv.registry.all()) {
      if (!sr.type.namespaced || seen.has(sr.store.cache)) continue;
      seen.add(sr.store.cache);
      const isQuota = sr.store.prefix === QUOTA_KEY;
      const isPod = sr.store.prefix === '/registry/pods/';
      const prefix = sr.store.prefix;
      sr.store.cache.listeners.add((ev) => {
        if (ev.type === 'ADDED' && this.pending.length) this.pending = this.pending.filter((p) => p.key !== ev.object.key);
        // the namespace is in the key (<prefix><namespace>/<name>): most events need nothing parsed
        const key = ev.object.key;
        const slash = key.startsWith(prefix) ? key.indexOf('/', prefix.length) : -1;
        const ns = slash > 0 ? key.slice(prefix.length, slash) : '';
        if (!ns) return;
        if (isQuota) {
          if (ev.type === 'ADDED' || (ev.type === 'MODIFIED' && JSON.stringify(ev.prev?.obj.spec) !== JSON.stringify(ev.object.obj.spec))) this.schedule(ns);
          return;
        }
        if (!this.hasQuotas(ns)) return;
        if (ev.type === 'DELETED') this.schedule(ns);
        else if (isPod && ev.type === 'MODIFIED' && JSON.stringify(ev.prev?.obj.status) !== JSON.stringify(ev.object.obj.status)) this.schedule(ns);
      });
    }
  }

  private hasQuotas(ns: string): boolean {
    const qs = this.quotaStore();
    if (!qs) return false;
    const prefix = `${QUOTA_KEY}${ns}/`;
    for (const k of qs.store.cache.objects.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }

  private schedule(ns: string): void {
    if (this.scheduled.has(ns)) return;
    const t = setTimeout(() => {
      this.scheduled.delete(ns);
      void this.syncNamespace(ns).catch(() => { /* the periodic tick retries */ });
    }, 50);
    t.unref();
    this.scheduled.set(ns, t);
  }

  /** what the namespace's objects use of the quota's hard resources, from the watch cache */
  computeUsed(quota: KObject): ResourceList {
    const srv = this.srv();
    const ns = quota.metadata!.namespace!;
    const hard = Object.keys(resourceList((quota.spec as { hard?: unknown } | undefined)?.hard));
    const used: ResourceList = {};
    const byResource = new Map<string, { group: string; resource: string; names: string[] }>();
    for (const name of hard) {
      used[name] = parseQuantity(0);
      const r = resourceOfName(name);
      if (!r) continue;
      const id = `${r.group}/${r.resource}`;
      if (!byResource.has(id)) byResource.set(id, { ...r, names: [] });
      byResource.get(id)!.names.push(name);
    }
    if (!srv) return used;
    const now = Date.now();
    this.pending = this.pending.filter((p) => p.expires > now);
    for (const { group, resource, names } of byResource.values()) {
      const sr = srv.registry.all().find((s) => s.type.group === group && s.type.resource === resource);
      if (!sr) continue;
      const prefix = sr.store.listPrefix(ns);
      const add = (obj: KObject) => {
        if (!quotaMatches(quota, group, resource, obj)) return;
        const u = usageOf(group, resource, obj);
        for (const n of names) if (u[n] && scopeAllowsName(quota, n)) used[n] = used[n].add(u[n]);
      };
      for (const [key, c] of sr.store.cache.objects) if (key.startsWith(prefix)) add(c.obj);
      // charged by admission a moment ago but not stored (or not yet seen) — keep counting it
      for (const p of this.pending) {
        if (p.namespace === ns && p.group === group && p.resource === resource && !sr.store.cache.objects.has(p.key)) add(p.obj);
      }
    }
    return used;
  }

  /** recompute every quota of a namespace and write status where it changed */
  async syncNamespace(ns: string): Promise<void> {
    const qs = this.quotaStore();
    if (!qs) return;
    await this.withLock(ns, async () => {
      for (const q of cachedIn(this.srv()!, '', 'v1', 'resourcequotas', ns)) {
        const used = this.computeUsed(q);
        await this.writeStatus(qs, q.metadata!.name!, ns, () => used);
      }
    });
  }

  /** set status.hard = spec.hard and status.used = f(current), if that changes anything */
  private async writeStatus(qs: ServedResource, name: string, ns: string, usedOf: (current: KObject) => ResourceList): Promise<void> {
    try {
      await qs.store.update(ns, name, (cur) => {
        const spec = (cur.spec ?? {}) as { hard?: Record<string, string> };
        const used = usedOf(cur);
        const status = { ...(cur.status ?? {}) } as Record<string, unknown>;
        status.hard = { ...(spec.hard ?? {}) };
        status.used = Object.fromEntries(Object.keys(used).sort().map((k) => [k, used[k].toString()]));
        cur.status = status;
        return cur;
      }, { dryRun: false, subresource: 'status' });
    } catch (err) {
      // the quota was deleted meanwhile: nothing to record
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }

  /** the admission check and charge for one write */
  async admit(a: AdmissionAttributes): Promise<void> {
    if (a.subresource || !a.object || (a.operation !== 'CREATE' && a.operation !== 'UPDATE')) return;
    if (!a.type.namespaced || !a.namespace) return;
    const srv = this.srv();
    const qs = this.quotaStore();
    if (!srv || !qs) return;
    this.listen();
    if (!this.hasQuotas(a.namespace)) return;
    const { group, resource } = a.type;
    const obj = a.object;
    let delta = usageOf(group, resource, obj);
    if (a.operation === 'UPDATE') {
      if (!a.oldObject) return;
      const prev = usageOf(group, resource, a.oldObject);
      const grown: ResourceList = {};
      for (const [k, v] of Object.entries(delta)) {
        const d = prev[k] ? v.sub(prev[k]) : v;
        if (d.sign() > 0) grown[k] = d;
      }
      delta = grown;
      if (Object.keys(delta).length === 0) return;
    }
    await this.withLock(a.namespace, async () => {
      await srv.cache.sync();
      const quotas = cachedIn(srv, '', 'v1', 'resourcequotas', a.namespace)
        .sort((x, y) => (x.metadata!.name! < y.metadata!.name! ? -1 : 1));
      const charges: { quota: KObject; requested: ResourceList; used: ResourceList }[] = [];
      for (const q of quotas) {
        if (!quotaMatches(q, group, resource, obj)) continue;
        const hard = resourceList((q.spec as { hard?: unknown } | undefined)?.hard);
        const hardNames = Object.keys(hard).filter((n) => scopeAllowsName(q, n));
        if (a.operation === 'CREATE' && group === '' && resource === 'pods') {
          const missing = podConstraintError(obj, hardNames);
          if (missing) throw forbidden(a, `failed quota: ${q.metadata!.name}: ${missing}`);
        }
        const requested = mask(delta, hardNames);
        if (Object.keys(requested).length === 0) continue;
        const recorded = resourceList((q.status as { used?: unknown } | undefined)?.used);
        // status not computed yet (a quota created a moment ago): compute it now rather than refuse
        const used = hardNames.every((n) => recorded[n]) ? recorded : this.computeUsed(q);
        const exceeded = Object.keys(requested).filter((n) => (used[n] ?? parseQuantity(0)).add(requested[n]).cmp(hard[n]) > 0).sort();
        if (exceeded.length) {
          throw forbidden(a, `exceeded quota: ${q.metadata!.name}, requested: ${prettyPrint(mask(requested, exceeded))}, `
            + `used: ${prettyPrint(mask(used, exceeded))}, limited: ${prettyPrint(mask(hard, exceeded))}`);
        }
        charges.push({ quota: q, requested, used });
      }
      if (a.dryRun || charges.length === 0) return;
      for (const c of charges) {
        await this.writeStatus(qs, c.quota.metadata!.name!, a.namespace, (cur) => {
          const recorded = resourceList((cur.status as { used?: unknown } | undefined)?.used);
          const hard = Object.keys(resourceList((cur.spec as { hard?: unknown } | undefined)?.hard));
          const base = hard.every((n) => recorded[n]) ? recorded : c.used;
          const out: ResourceList = {};
          for (const n of hard) out[n] = base[n] ?? parseQuantity(0);
          for (const [n, v] of Object.entries(c.requested)) if (out[n]) out[n] = out[n].add(v);
          return out;
        });
      }
      if (a.operation === 'CREATE') {
        const sr = srv.lookup(group, a.type.version, resource);
        const key = sr ? sr.store.key(a.namespace, obj.metadata?.name ?? '') : '';
        this.pending.push({ key, namespace: a.namespace, usage: delta, group, resource, obj: structuredClone(obj), expires: Date.now() + 10_000 });
      }
    });
  }
}

export function resourceQuota(server: () => APIServer): AdmissionPlugin & { controller: QuotaController } {
  const controller = new QuotaController(server);
  controller.start();
  return {
    name: 'ResourceQuota',
    controller,
    validate: (a) => controller.admit(a),
  };
}
