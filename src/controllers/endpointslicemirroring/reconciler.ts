// The mirroring reconciler (upstream pkg/controller/endpointslicemirroring reconciler.go, utils.go):
// each Endpoints subset becomes one EndpointSlice per address type and port set, holding at most
// --mirroring-max-endpoints-per-subset addresses (ready ones first). Slices carry the Endpoints'
// labels and annotations (minus the trigger time and last-applied), the service-name label, the
// managed-by label of this controller, and a controller reference to the Endpoints.
import { isIP } from 'node:net';
import { APIError, type RESTClient } from '../../client/rest.js';
import {
  ANNOTATION_LAST_APPLIED, ANNOTATION_TRIGGER_TIME, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, deepEqual, endpointSlicePrefix,
  isNamespaceTerminating, type EndpointAddress, type EndpointPort, type Endpoints,
} from '../endpoint/util.js';
import type { EventRecorder } from '../manager/events.js';
import { EndpointSet, endpointsEqualBeyondHash, portMapKey, type Endpoint, type EndpointSlice, type SlicePort } from '../endpointslice/endpointset.js';
import type { EndpointSliceTracker } from '../endpointslice/tracker.js';
import { SLICES_API } from '../endpointslice/reconciler.js';

export const MIRRORING_CONTROLLER_NAME = 'endpointslicemirroring-controller.k8s.io';
export const DEFAULT_MAX_ENDPOINTS_PER_SUBSET = 1000;

/** addressToEndpoint: undefined for an address that is not an IP. */
export function addressToEndpoint(a: EndpointAddress, ready: boolean): { endpoint: Endpoint; addressType: string } | undefined {
  const fam = isIP(a.ip ?? '');
  if (fam === 0) return undefined;
  const endpoint: Endpoint = { addresses: [a.ip], conditions: { ready } };
  if (a.targetRef) endpoint.targetRef = a.targetRef;
  if (a.nodeName) endpoint.nodeName = a.nodeName;
  if (a.hostname) endpoint.hostname = a.hostname;
  return { endpoint, addressType: fam === 6 ? 'IPv6' : 'IPv4' };
}

export function epPortsToSlicePorts(ports: EndpointPort[] | undefined): SlicePort[] {
  return (ports ?? []).map((p) => {
    const out: SlicePort = { name: p.name ?? '', port: p.port, protocol: p.protocol ?? 'TCP' };
    if (p.appProtocol !== undefined) out.appProtocol = p.appProtocol;
    return out;
  });
}

/** The labels and annotations a mirrored slice carries. */
export function mirroredMeta(ep: Endpoints): { labels: Record<string, string>; annotations: Record<string, string> } {
  const labels: Record<string, string> = { ...(ep.metadata.labels ?? {}) };
  labels[LABEL_SERVICE_NAME] = String(ep.metadata.name);
  labels[LABEL_MANAGED_BY] = MIRRORING_CONTROLLER_NAME;
  const annotations: Record<string, string> = {};
  for (const [k, v] of Object.entries(ep.metadata.annotations ?? {})) {
    if (k !== ANNOTATION_TRIGGER_TIME && k !== ANNOTATION_LAST_APPLIED) annotations[k] = v;
  }
  return { labels, annotations };
}

export function newMirroredSlice(ep: Endpoints, ports: SlicePort[], addressType: string, name?: string): EndpointSlice {
  const { labels, annotations } = mirroredMeta(ep);
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      ...(name ? { name } : { generateName: endpointSlicePrefix(String(ep.metadata.name)) }),
      namespace: ep.metadata.namespace, labels, annotations,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Endpoints', name: String(ep.metadata.name), uid: String(ep.metadata.uid), controller: true, blockOwnerDeletion: true }],
    },
    addressType, endpoints: [], ports,
  };
}

interface Desired { set: EndpointSet; ports: SlicePort[]; addressType: string }
const desiredKey = (addressType: string, ports: SlicePort[]) => `${addressType}${portMapKey(ports)}`;

export interface MirrorChanges { toCreate: EndpointSlice[]; toUpdate: EndpointSlice[]; toDelete: EndpointSlice[] }

export class MirroringReconciler {
  constructor(private readonly client: RESTClient, private readonly tracker: EndpointSliceTracker,
    private readonly recorder: EventRecorder, readonly maxEndpointsPerSubset = DEFAULT_MAX_ENDPOINTS_PER_SUBSET) {}

  /** The changes needed (and the events about skipped addresses), without applying them. */
  plan(ep: Endpoints, existing: EndpointSlice[]): MirrorChanges {
    const desired = new Map<string, Desired>();
    let invalid = 0, skipped = 0;
    for (const subset of ep.subsets ?? []) {
      const ports = epPortsToSlicePorts(subset.ports);
      const keys: Record<string, string> = {};
      for (const t of ['IPv4', 'IPv6']) {
        const k = desiredKey(t, ports);
        keys[t] = k;
        if (!desired.has(k)) desired.set(k, { set: new EndpointSet(), ports, addressType: t });
      }
      const total = (subset.addresses?.length ?? 0) + (subset.notReadyAddresses?.length ?? 0);
      let added = 0;
      const addAll = (addrs: EndpointAddress[] | undefined, ready: boolean) => {
        for (const a of addrs ?? []) {
          // at most maxEndpointsPerSubset per subset: one subset maps to one slice
          if (added >= this.maxEndpointsPerSubset) break;
          const r = addressToEndpoint(a, ready);
          if (!r) { invalid++; continue; }
          desired.get(keys[r.addressType])!.set.insert(r.endpoint);
          added++;
        }
      };
      addAll(subset.addresses, true);
      addAll(subset.notReadyAddresses, false);
      skipped += total - added;
    }
    const subject = { ...ep, apiVersion: 'v1', kind: 'Endpoints' };
    if (invalid > 0) {
      this.recorder.event(subject, 'Warning', 'InvalidIPAddress', `Skipped ${invalid} invalid IP addresses when mirroring to EndpointSlices`);
    }
    if (skipped > invalid) {
      this.recorder.event(subject, 'Warning', 'TooManyAddressesToMirror',
        `A max of ${this.maxEndpointsPerSubset} addresses can be mirrored to EndpointSlices per Endpoints subset. ${skipped} addresses were skipped`);
    }
    const existingByKey = new Map<string, EndpointSlice[]>();
    for (const s of existing) {
      const k = desiredKey(s.addressType, s.ports ?? []);
      let l = existingByKey.get(k);
      if (!l) existingByKey.set(k, (l = []));
      l.push(s);
    }
    const changes: MirrorChanges = { toCreate: [], toUpdate: [], toDelete: [] };
    for (const [k, d] of desired) {
      const c = this.reconcileByPortMapping(ep, existingByKey.get(k) ?? [], d);
      changes.toCreate.push(...c.toCreate); changes.toUpdate.push(...c.toUpdate); changes.toDelete.push(...c.toDelete);
    }
    for (const [k, slices] of existingByKey) if (!desired.has(k)) changes.toDelete.push(...slices);
    return changes;
  }

  /** One slice per port set: the first existing one is rewritten, any others deleted. */
  private reconcileByPortMapping(ep: Endpoints, existing: EndpointSlice[], d: Desired): MirrorChanges {
    const out: MirrorChanges = { toCreate: [], toUpdate: [], toDelete: [] };
    if (d.set.size === 0) { out.toDelete = existing; return out; }
    if (existing.length > 0) {
      out.toDelete = existing.slice(1);
      const first = existing[0];
      const { labels, annotations } = mirroredMeta(ep);
      let matched = 0, changed = false;
      for (const e of first.endpoints ?? []) {
        const got = d.set.get(e);
        if (!got) { changed = true; continue; }
        matched++;
        if (!endpointsEqualBeyondHash(got, e)) changed = true;
      }
      if (!changed && matched === d.set.size && deepEqual(first.metadata.labels ?? {}, labels)
        && deepEqual(first.metadata.annotations ?? {}, annotations)) return out;
    }
    const slice = newMirroredSlice(ep, d.ports, d.addressType, existing[0]?.metadata.name);
    const eps = slice.endpoints!;
    while (d.set.size > 0 && eps.length < this.maxEndpointsPerSubset) eps.push(d.set.popAny()!);
    if (slice.metadata.name) out.toUpdate.push(slice); else out.toCreate.push(slice);
    return out;
  }

  async reconcile(ep: Endpoints, existing: EndpointSlice[]): Promise<void> {
    await this.finalize(ep, this.plan(ep, existing));
  }

  /** recycleSlices, then create, update, delete. */
  async finalize(ep: Endpoints, c: MirrorChanges): Promise<void> {
    for (let i = 0; i < c.toDelete.length && c.toCreate.length > 0;) {
      const del = c.toDelete[i];
      const create = c.toCreate.findIndex((s) => s.addressType === del.addressType);
      if (create < 0) { i++; continue; }
      const [s] = c.toCreate.splice(create, 1);
      s.metadata.name = del.metadata.name;
      delete s.metadata.generateName;
      c.toUpdate.push(s);
      c.toDelete.splice(i, 1);
    }
    const ns = String(ep.metadata.namespace);
    const base = `${SLICES_API}/namespaces/${ns}/endpointslices`;
    const key = `${ns}/${ep.metadata.name}`;
    if (!ep.metadata.deletionTimestamp) {
      for (const s of c.toCreate) {
        try {
          const created = await this.client.request<EndpointSlice>('POST', base, s);
          if (created?.metadata) this.tracker.update(created);
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          throw new Error(`failed to create EndpointSlice for Endpoints ${key}: ${(err as Error).message}`);
        }
      }
    }
    for (const s of c.toUpdate) {
      try {
        const updated = await this.client.request<EndpointSlice>('PUT', `${base}/${s.metadata.name}`, s);
        if (updated?.metadata) this.tracker.update(updated);
      } catch (err) {
        throw new Error(`failed to update ${s.metadata.name} EndpointSlice for Endpoints ${key}: ${(err as Error).message}`);
      }
    }
    for (const s of c.toDelete) {
      try {
        await this.client.request('DELETE', `${base}/${s.metadata.name}`);
      } catch (err) {
        if (!(err instanceof APIError && err.code === 404)) {
          throw new Error(`failed to delete ${s.metadata.name} EndpointSlice for Endpoints ${key}: ${(err as Error).message}`);
        }
      }
      this.tracker.expectDeletion(s);
    }
  }

  /** deleteEndpoints: removes every mirrored slice of an Endpoints that should no longer be mirrored. */
  async deleteAll(namespace: string, name: string, slices: EndpointSlice[]): Promise<void> {
    const errs: Error[] = [];
    for (const s of slices) {
      try {
        await this.client.request('DELETE', `${SLICES_API}/namespaces/${namespace}/endpointslices/${s.metadata.name}`);
      } catch (err) {
        if (!(err instanceof APIError && err.code === 404)) errs.push(err as Error);
      }
    }
    if (errs.length) {
      throw new Error(`Error(s) deleting ${errs.length}/${slices.length} EndpointSlices for ${namespace}/${name} Endpoints, including: ${errs[0].message}`);
    }
  }
}
