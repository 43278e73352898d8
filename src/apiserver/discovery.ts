// Discovery documents: /api, /apis, /apis/<group>, per group-version APIResourceLists, and
// aggregated discovery (apidiscovery.k8s.io v2 and v2beta1) which kubectl 1.27+ prefers.
// Documents are built once per registry change and served as cached bytes with an ETag.

import { createHash } from 'node:crypto';
import type { ResourceType } from '../api/types.js';
import { apiVersionOf } from '../api/types.js';
import { groupOrder } from '../api/resources.js';
import type { APIRegistry } from './apis.js';
import type { AggregatedDiscoverySource } from './aggregator/index.js';

interface SubresourceInfo { kind: string; group?: string; version?: string; verbs: string[] }

const SUBRESOURCES: Record<string, SubresourceInfo> = {
  status: { kind: '', verbs: ['get', 'patch', 'update'] },
  scale: { kind: 'Scale', group: 'autoscaling', version: 'v1', verbs: ['get', 'patch', 'update'] },
  binding: { kind: 'Binding', group: '', version: 'v1', verbs: ['create'] },
  eviction: { kind: 'Eviction', group: 'policy', version: 'v1', verbs: ['create'] },
  finalize: { kind: '', verbs: ['update'] },
  approval: { kind: '', verbs: ['get', 'patch', 'update'] },
  proxy: { kind: '', verbs: ['create', 'delete', 'get', 'patch', 'update'] },
  token: { kind: 'TokenRequest', group: 'authentication.k8s.io', version: 'v1', verbs: ['create'] },
};

function subKind(t: ResourceType, sub: string): string {
  const s = SUBRESOURCES[sub];
  if (s.kind) return s.kind;
  if (sub === 'proxy') return t.kind === 'Node' ? 'NodeProxyOptions' : t.kind === 'Service' ? 'ServiceProxyOptions' : 'PodProxyOptions';
  return t.kind;
}

function storageVersionHash(t: ResourceType): string {
  return createHash('sha256').update(`${t.group}/${t.version}/${t.kind}`).digest().subarray(0, 8).toString('base64');
}

export interface Doc { body: string; etag: string }

function doc(value: unknown): Doc {
  const body = JSON.stringify(value);
  return { body, etag: `"${createHash('sha256').update(body).digest('hex').slice(0, 32)}"` };
}

export class Discovery {
  private docs = new Map<string, Doc>();
  private aggregation?: AggregatedDiscoverySource;

  constructor(private readonly registry: APIRegistry, private readonly serverAddress: () => string) {
    this.rebuild();
    registry.onChange(() => this.rebuild());
  }

  /** The aggregation layer orders groups by APIService priority and adds extension servers' group versions. */
  setAggregation(source: AggregatedDiscoverySource): void {
    this.aggregation = source;
    source.onChange(() => this.rebuild());
    this.rebuild();
  }

  /** groups in upstream order, each with its versions (preferred first) */
  private groups(): Map<string, string[]> {
    const gvs = this.registry.groupVersionList();
    if (this.aggregation) return this.aggregation.order([...gvs, ...this.aggregation.remoteGroupVersions()]);
    const groups = new Map<string, string[]>();
    const known = [...groupOrder];
    const rank = (g: string) => { const i = known.indexOf(g); return i < 0 ? known.length : i; };
    const sorted = [...gvs].sort((a, b) => {
      const ga = a.includes('/') ? a.split('/')[0] : '', gb = b.includes('/') ? b.split('/')[0] : '';
      return rank(ga) - rank(gb) || ga.localeCompare(gb);
    });
    for (const gv of sorted) {
      const [g, v] = gv.includes('/') ? gv.split('/') : ['', gv];
      if (!groups.has(g)) groups.set(g, []);
      groups.get(g)!.push(v);
    }
    for (const vs of groups.values()) vs.sort(compareVersions);
    return groups;
  }

  rebuild(): void {
    this.docs.clear();
    const groups = this.groups();
    this.docs.set('/api', doc({
      kind: 'APIVersions', versions: groups.get('') ?? ['v1'],
      serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: this.serverAddress() }],
    }));
    const apiGroups: unknown[] = [];
    for (const [g, versions] of groups) {
      if (g === '') continue;
      const group = {
        name: g,
        versions: versions.map((v) => ({ groupVersion: `${g}/${v}`, version: v })),
        preferredVersion: { groupVersion: `${g}/${versions[0]}`, version: versions[0] },
      };
      apiGroups.push(group);
      this.docs.set(`/apis/${g}`, doc({ kind: 'APIGroup', apiVersion: 'v1', ...group }));
    }
    this.docs.set('/apis', doc({ kind: 'APIGroupList', apiVersion: 'v1', groups: apiGroups }));
    for (const gv of this.registry.groupVersionList()) {
      const path = gv.includes('/') ? `/apis/${gv}` : `/api/${gv}`;
      this.docs.set(path, doc(this.resourceList(gv)));
    }
    for (const v of ['v2', 'v2beta1']) {
      this.docs.set(`aggregated:${v}:/api`, doc(this.aggregated(v, true, groups)));
      this.docs.set(`aggregated:${v}:/apis`, doc(this.aggregated(v, false, groups)));
    }
  }

  private resourceList(gv: string): unknown {
    const resources: unknown[] = [];
    for (const { type: t } of this.registry.resources(gv) ?? []) {
      const r: Record<string, unknown> = {
        name: t.resource, singularName: t.singular, namespaced: t.namespaced, kind: t.kind, verbs: t.verbs,
      };
      if (t.shortNames.length) r.shortNames = t.shortNames;
      if (t.categories.length) r.categories = t.categories;
      r.storageVersionHash = storageVersionHash(t);
      resources.push(r);
      for (const sub of t.subresources) {
        const s = SUBRESOURCES[sub];
        if (!s) continue;
        const e: Record<string, unknown> = { name: `${t.resource}/${sub}`, singularName: '', namespaced: t.namespaced, kind: subKind(t, sub), verbs: s.verbs };
        if (s.group !== undefined) { e.group = s.group; e.version = s.version; }
        resources.push(e);
      }
    }
    resources.sort((a, b) => ((a as { name: string }).name < (b as { name: string }).name ? -1 : 1));
    return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: gv, resources };
  }

  private aggregated(v: string, legacy: boolean, groups: Map<string, string[]>): unknown {
    const items: unknown[] = [];
    for (const [g, versions] of groups) {
      if (legacy !== (g === '')) continue;
      items.push({
        metadata: g ? { name: g, creationTimestamp: null } : { creationTimestamp: null },
        versions: versions.flatMap((ver) => {
          const local = this.registry.resources(g ? `${g}/${ver}` : ver);
          // a group version of an extension API server: its fetched entry, or nothing until fetched
          if (!local) { const r = this.aggregation?.remoteVersion(`${g}/${ver}`); return r ? [r] : []; }
          return [{
          version: ver,
          resources: local
            .map(({ type: t }) => t)
            .sort((a, b) => (a.resource < b.resource ? -1 : 1))
            .map((t) => {
              const r: Record<string, unknown> = {
                resource: t.resource,
                responseKind: { group: t.group, version: t.version, kind: t.kind },
                scope: t.namespaced ? 'Namespaced' : 'Cluster',
                singularResource: t.singular,
                verbs: t.verbs,
              };
              if (t.shortNames.length) r.shortNames = t.shortNames;
              if (t.categories.length) r.categories = t.categories;
              const subs = t.subresources.filter((s) => SUBRESOURCES[s]).map((sub) => {
                const s = SUBRESOURCES[sub];
                return {
                  subresource: sub,
                  responseKind: { group: s.group ?? t.group, version: s.version ?? t.version, kind: subKind(t, sub) },
                  verbs: s.verbs,
                };
              });
              if (subs.length) r.subresources = subs;
              return r;
            }),
          freshness: 'Current',
          }];
        }),
      });
    }
    // a group whose only versions are extension servers' not yet fetched is left out
    const listed = items.filter((i) => (i as { versions: unknown[] }).versions.length > 0);
    return { kind: 'APIGroupDiscoveryList', apiVersion: `apidiscovery.k8s.io/${v}`, metadata: {}, items: listed };
  }

  get(path: string): Doc | undefined {
    return this.docs.get(path);
  }

  aggregatedDoc(path: '/api' | '/apis', version: string): Doc | undefined {
    return this.docs.get(`aggregated:${version}:${path}`);
  }
}

/** Kubernetes version priority: GA > beta > alpha, higher numbers first (v2 > v1 > v1beta1 > v1alpha1). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(v);
    if (!m) return [0, 0, 0, v] as const;
    const level = m[2] === undefined ? 3 : m[2] === 'beta' ? 2 : 1;
    return [level, Number(m[1]), Number(m[3] ?? 0), v] as const;
  };
  const pa = parse(a), pb = parse(b);
  if (pa[0] !== pb[0]) return pb[0] - pa[0];
  if (pa[1] !== pb[1]) return pb[1] - pa[1];
  if (pa[2] !== pb[2]) return pb[2] - pa[2];
  return a.localeCompare(b);
}

export { apiVersionOf };
