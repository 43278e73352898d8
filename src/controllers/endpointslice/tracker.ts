// EndpointSliceTracker (upstream k8s.io/endpointslice/util/endpointslice_tracker.go): remembers, per
// Service, the version of every slice this controller last wrote (or that it expects deleted), so
// that it ignores the echo of its own writes and refuses to sync from a cache that is behind them.
// Upstream compares metadata.generation; Kumo's API server keeps no generation for EndpointSlices,
// so the resourceVersion (numeric, increasing) plays that role.
import { olderRV } from '../../client/informer.js';
import type { EndpointSlice } from './endpointset.js';

const DELETION_EXPECTED = '-1';

function serviceKeyOf(slice: EndpointSlice): string {
  return `${slice.metadata.namespace}/${slice.metadata.labels?.['kubernetes.io/service-name'] ?? ''}`;
}

export class EndpointSliceTracker {
  private versions = new Map<string, Map<string, string>>();

  has(slice: EndpointSlice): boolean {
    return this.versions.get(serviceKeyOf(slice))?.has(String(slice.metadata.uid)) ?? false;
  }

  /** True when the slice is not one we wrote, or is newer than what we wrote. */
  shouldSync(slice: EndpointSlice): boolean {
    const m = this.versions.get(serviceKeyOf(slice));
    const v = m?.get(String(slice.metadata.uid));
    if (v === undefined) return true;
    if (v === DELETION_EXPECTED) return true;
    return olderRV(v, slice.metadata.resourceVersion);
  }

  /** True when the cache misses a slice we wrote, holds an older one, or holds one we deleted. */
  staleSlices(namespace: string, name: string, slices: EndpointSlice[]): boolean {
    const m = this.versions.get(`${namespace}/${name}`);
    if (!m) return false;
    const provided = new Map(slices.map((s) => [String(s.metadata.uid), s.metadata.resourceVersion]));
    for (const [uid, v] of m) {
      if (v === DELETION_EXPECTED) {
        if (provided.has(uid)) return true;
        continue;
      }
      if (!provided.has(uid) || olderRV(provided.get(uid), v)) return true;
    }
    return false;
  }

  update(slice: EndpointSlice): void {
    const key = serviceKeyOf(slice);
    let m = this.versions.get(key);
    if (!m) this.versions.set(key, (m = new Map()));
    m.set(String(slice.metadata.uid), String(slice.metadata.resourceVersion ?? ''));
  }

  expectDeletion(slice: EndpointSlice): void {
    const key = serviceKeyOf(slice);
    let m = this.versions.get(key);
    if (!m) this.versions.set(key, (m = new Map()));
    m.set(String(slice.metadata.uid), DELETION_EXPECTED);
  }

  /** Forgets a deleted slice; false when we expected that deletion (no resync needed). */
  handleDeletion(slice: EndpointSlice): boolean {
    const m = this.versions.get(serviceKeyOf(slice));
    const uid = String(slice.metadata.uid);
    const v = m?.get(uid);
    if (v !== undefined) {
      m!.delete(uid);
      if (v === DELETION_EXPECTED) return false;
    }
    return true;
  }

  deleteService(namespace: string, name: string): void { this.versions.delete(`${namespace}/${name}`); }
}
