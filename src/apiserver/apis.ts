// The set of served group/version/resources, each bound to its store. Several versions of one
// resource share one store (e.g. autoscaling/v1 and v2 HorizontalPodAutoscalers) with conversion.

import type { ResourceType } from '../api/types.js';
import { apiVersionOf } from '../api/types.js';
import type { Store } from './registry/store.js';
import type { Converter } from '../api/conversion/index.js';

export interface ServedResource {
  type: ResourceType;
  store: Store;
  /** set when this version is not the store's (storage) version */
  convert?: Converter;
}

export class APIRegistry {
  private readonly byPath = new Map<string, ServedResource>();
  private readonly groupVersions = new Map<string, ServedResource[]>();

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

  /** resources of one group version, in insertion order */
  resources(groupVersion: string): ServedResource[] | undefined {
    return this.groupVersions.get(groupVersion);
  }

  groupVersionList(): string[] {
    return [...this.groupVersions.keys()];
  }

  all(): ServedResource[] {
    return [...this.byPath.values()];
  }

  /** the store for a kind in any served version (used for owner/namespace lookups) */
  byKind(group: string, kind: string): ServedResource | undefined {
    for (const s of this.byPath.values()) if (s.type.group === group && s.type.kind === kind) return s;
    return undefined;
  }
}
