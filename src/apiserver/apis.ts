// The set of served group/version/resources, each bound to its store. Several versions of one
// resource share one store (e.g. autoscaling/v1 and v2 HorizontalPodAutoscalers) with conversion.

import type { ResourceType } from '../api/types.js';
import { apiVersionOf } from '../api/types.js';
import type { Store } from './registry/store.js';
import type { Converter } from '../api/conversion/index.js';
import type { VirtualHandler } from './virtual.js';

export interface ServedResource {
  type: ResourceType;
  store: Store;
  /** set when this version is not the store's (storage) version */
  convert?: Converter;
  /** subresources answered by their own logic instead of the generic store (e.g. serviceaccounts/token) */
  subresourceHandlers?: Record<string, VirtualHandler>;
}

/** a resource with no storage (reviews): every request goes to its handler */
export interface VirtualResource {
  type: ResourceType;
  handler: VirtualHandler;
}

export class APIRegistry {
  private readonly byPath = new Map<string, ServedResource>();
  private readonly groupVersions = new Map<string, { type: ResourceType }[]>();
  private readonly virtuals = new Map<string, VirtualResource>();
  private readonly listeners = new Set<() => void>();

  /** Called after resources are added or removed at run time (CRDs): discovery rebuilds. */
  onChange(fn: () => void): void { this.listeners.add(fn); }

  changed(): void { for (const fn of this.listeners) fn(); }

  /** Stop serving a resource (a CRD version no longer served, or the CRD deleted). */
  remove(group: string, version: string, resource: string): void {
    const gv = group ? `${group}/${version}` : version;
    const sr = this.byPath.get(`${gv}/${resource}`);
    if (!sr) return;
    this.byPath.delete(`${gv}/${resource}`);
    const list = (this.groupVersions.get(gv) ?? []).filter((r) => r !== sr);
    if (list.length) this.groupVersions.set(gv, list); else this.groupVersions.delete(gv);
  }

  /** Serve a resource with no storage (e.g. authorization.k8s.io/v1 subjectaccessreviews). */
  addVirtual(type: ResourceType, handler: VirtualHandler): void {
    const gv = apiVersionOf(type);
    this.virtuals.set(`${gv}/${type.resource}`, { type, handler });
    if (!this.groupVersions.has(gv)) this.groupVersions.set(gv, []);
    this.groupVersions.get(gv)!.push({ type });
  }

  lookupVirtual(group: string, version: string, resource: string): VirtualResource | undefined {
    return this.virtuals.get(`${group ? `${group}/` : ''}${version}/${resource}`);
  }

  /** Answer `<resource>/<subresource>` with its own handler (adds the subresource to discovery). */
  addSubresource(group: string, version: string, resource: string, subresource: string, handler: VirtualHandler): void {
    const sr = this.lookup(group, version, resource);
    if (!sr) throw new Error(`no resource ${group}/${version}/${resource}`);
    (sr.subresourceHandlers ??= {})[subresource] = handler;
    if (!sr.type.subresources.includes(subresource)) sr.type.subresources.push(subresource);
  }

  add(type: ResourceType, store: Store, convert?: Converter): void {
    const gv = apiVersionOf(type);
    const sr: ServedResource = { type, store, convert };
    this.byPath.set(`${gv}/${type.resource}`, sr);
    if (!this.groupVersions.has(gv)) this.groupVersions.set(gv, []);
    this.groupVersions.get(gv)!.push(sr);
  }

  lookup(group: string, version: string, resource: string): ServedResource | undefined {
    return this.byPath.get(`${group ? `${group}/` : ''}${version}/${resource}`);
  }

  /** resources of one group version (stored and virtual), in insertion order */
  resources(groupVersion: string): { type: ResourceType }[] | undefined {
    return this.groupVersions.get(groupVersion);
  }

  groupVersionList(): string[] {
    return [...this.groupVersions.keys()];
  }

  all(): ServedResource[] {
    return [...this.byPath.values()];
  }

  /** every served type, stored and virtual (for OpenAPI) */
  allTypes(): ResourceType[] {
    return [...this.byPath.values(), ...this.virtuals.values()].map((r) => r.type);
  }

  /** the store for a kind in any served version (used for owner/namespace lookups) */
  byKind(group: string, kind: string): ServedResource | undefined {
    for (const s of this.byPath.values()) if (s.type.group === group && s.type.kind === kind) return s;
    return undefined;
  }
}
