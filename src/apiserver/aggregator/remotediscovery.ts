// Discovery of extension API servers, for /apis and aggregated discovery (v2, v2beta1): the
// aggregator asks each available server for its aggregated document, and when it serves none, for
// /apis/<group>/<version>, which it converts (upstream's discovery aggregation controller).
import { createHash } from 'node:crypto';
import type { APIService } from './apiservice.js';
import type { Endpoint } from './resolver.js';
import { tlsTargetOf, type ProxyTransport } from './transport.js';

const AGGREGATED_ACCEPT = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,'
  + 'application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';

interface APIResource {
  name: string; singularName?: string; namespaced?: boolean; group?: string; version?: string; kind?: string;
  verbs?: string[]; shortNames?: string[]; categories?: string[];
}

/** An APIResourceList converted to an aggregated-discovery version entry (apidiscovery.k8s.io APIVersionDiscovery). */
export function resourceListToAggregated(list: { resources?: APIResource[] }, group: string, version: string): Record<string, unknown> {
  const top = new Map<string, Record<string, unknown>>();
  const subs: APIResource[] = [];
  for (const r of list.resources ?? []) {
    if (r.name.includes('/')) { subs.push(r); continue; }
    const e: Record<string, unknown> = {
      resource: r.name,
      responseKind: { group: r.group ?? group, version: r.version ?? version, kind: r.kind ?? '' },
      scope: r.namespaced ? 'Namespaced' : 'Cluster',
      singularResource: r.singularName ?? '',
      verbs: r.verbs ?? [],
    };
    if (r.shortNames?.length) e.shortNames = r.shortNames;
    if (r.categories?.length) e.categories = r.categories;
    top.set(r.name, e);
  }
  for (const s of subs) {
    const [parent, sub] = s.name.split('/', 2);
    const p = top.get(parent);
    if (!p) continue;
    ((p.subresources ??= []) as unknown[]).push({
      subresource: sub,
      responseKind: { group: s.group ?? group, version: s.version ?? version, kind: s.kind ?? '' },
      verbs: s.verbs ?? [],
    });
  }
  const resources = [...top.values()].sort((a, b) => (String(a.resource) < String(b.resource) ? -1 : 1));
  return { version, resources, freshness: 'Current' };
}

/** the version entry for group/version out of an aggregated APIGroupDiscoveryList, if listed */
export function pickAggregatedVersion(doc: unknown, group: string, version: string): Record<string, unknown> | undefined {
  const items = (doc as { items?: { metadata?: { name?: string }; versions?: { version?: string }[] }[] } | undefined)?.items ?? [];
  const g = items.find((i) => (i.metadata?.name ?? '') === group);
  const v = g?.versions?.find((x) => x.version === version);
  return v ? { ...v, freshness: 'Current' } as Record<string, unknown> : undefined;
}

interface Entry { version: Record<string, unknown>; hash: string }

export class RemoteDiscovery {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly transport: ProxyTransport) {}

  /** group versions whose discovery was fetched (group/version) */
  has(gv: string): boolean { return this.entries.has(gv); }

  /** the aggregated-discovery version entry of a remote group version */
  version(gv: string): Record<string, unknown> | undefined { return this.entries.get(gv)?.version; }

  /**
   * Fetches the extension server's discovery for the APIService's group version. Returns true when
   * what discovery shows changed. A failed fetch keeps the last document, marked Stale.
   */
  async refresh(a: APIService, ep: Endpoint): Promise<boolean> {
    const group = a.spec?.group ?? '';
    const version = a.spec?.version ?? '';
    const gv = `${group}/${version}`;
    const t = tlsTargetOf(a);
    let entry: Record<string, unknown> | undefined;
    try {
      const agg = await this.transport.get(ep, t, '/apis', AGGREGATED_ACCEPT, 5000);
      if (agg.status === 200 && /as=APIGroupDiscoveryList/.test(agg.contentType)) entry = pickAggregatedVersion(JSON.parse(agg.body), group, version);
      if (!entry) {
        const r = await this.transport.get(ep, t, `/apis/${group}/${version}`, 'application/json', 5000);
        if (r.status !== 200) throw new Error(`status ${r.status}`);
        entry = resourceListToAggregated(JSON.parse(r.body) as { resources?: APIResource[] }, group, version);
      }
    } catch {
      return this.markStale(gv);
    }
    const hash = createHash('sha256').update(JSON.stringify(entry)).digest('hex');
    if (this.entries.get(gv)?.hash === hash) return false;
    this.entries.set(gv, { version: entry, hash });
    return true;
  }

  markStale(gv: string): boolean {
    const e = this.entries.get(gv);
    if (!e || e.version.freshness === 'Stale') return false;
    const version = { ...e.version, freshness: 'Stale' };
    this.entries.set(gv, { version, hash: createHash('sha256').update(JSON.stringify(version)).digest('hex') });
    return true;
  }

  forget(gv: string): boolean { return this.entries.delete(gv); }

  groupVersions(): string[] { return [...this.entries.keys()]; }
}
