// The EndpointSlice reconciler (upstream staging k8s.io/endpointslice reconciler.go + utils.go): turns a
// Service's pods into EndpointSlices with minimal churn. Per address type (from spec.ipFamilies) and
// per distinct port set it keeps endpoints where they are, updates those that changed, drops those
// no longer wanted, fills slices being updated anyway before touching unchanged ones, packs leftovers
// into the unchanged slice that ends up closest to full, creates new slices only when needed (at most
// maxEndpointsPerSlice each), turns create+delete pairs into updates, and keeps one empty placeholder
// slice when a Service has no endpoints at all.
import { APIError, type RESTClient } from '../../client/rest.js';
import type { Obj } from '../../client/informer.js';
import {
  ANNOTATION_TRIGGER_TIME, LABEL_HEADLESS, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, deepEqual, endpointSlicePrefix, findPort,
  formatRFC3339Nano, isIPv6, isNamespaceTerminating, isPodReady, isServiceIPSet, podIPs, shouldPodBeInEndpoints,
  shouldSetHostname, type EPPod, type Service,
} from '../endpoint/util.js';
import { EndpointSet, endpointsEqualBeyondHash, portMapKey, type Endpoint, type EndpointSlice, type SlicePort } from './endpointset.js';
import type { EndpointSliceTracker } from './tracker.js';

export const CONTROLLER_NAME = 'endpointslice-controller.k8s.io';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';
export const SLICES_API = '/apis/discovery.k8s.io/v1';

export type Node = Obj & { metadata: Obj['metadata'] };

/** getAddressTypesForService: from ipFamilies; without them, the ClusterIP's family, or both for headless. */
export function addressTypesForService(svc: Service): string[] {
  const out = new Set<string>();
  for (const f of svc.spec?.ipFamilies ?? []) {
    if (f === 'IPv4') out.add('IPv4');
    if (f === 'IPv6') out.add('IPv6');
  }
  if (out.size) return [...out];
  if (isServiceIPSet(svc)) return [isIPv6(svc.spec!.clusterIP!) ? 'IPv6' : 'IPv4'];
  return ['IPv4', 'IPv6'];
}

/** getEndpointPorts: each service port resolved on this pod; ports the pod lacks are left out. */
export function endpointPorts(svc: Service, pod: EPPod): SlicePort[] {
  const ports = svc.spec?.ports ?? [];
  const out: SlicePort[] = [];
  if (ports.length === 0 && svc.spec?.clusterIP === 'None') return out;
  for (const sp of ports) {
    const num = findPort(pod, sp);
    if (num === undefined) continue;
    const p: SlicePort = { name: sp.name ?? '', port: num, protocol: sp.protocol ?? 'TCP' };
    if (sp.appProtocol !== undefined) p.appProtocol = sp.appProtocol;
    out.push(p);
  }
  return out;
}

/** podToEndpoint: conditions from readiness and deletion; ready stays false while terminating unless publishNotReadyAddresses. */
export function podToEndpoint(pod: EPPod, node: Node | undefined, svc: Service, addressType: string): Endpoint {
  const serving = isPodReady(pod);
  const terminating = Boolean(pod.metadata.deletionTimestamp);
  const ready = Boolean(svc.spec?.publishNotReadyAddresses) || (serving && !terminating);
  const ep: Endpoint = {
    addresses: podIPs(pod).filter((ip) => isIPv6(ip) === (addressType === 'IPv6')),
    conditions: { ready, serving, terminating },
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
  if (pod.spec?.nodeName) ep.nodeName = pod.spec.nodeName;
  const zone = node?.metadata.labels?.[LABEL_ZONE];
  if (zone) ep.zone = zone;
  if (shouldSetHostname(pod, svc)) ep.hostname = pod.spec!.hostname;
  return ep;
}

const RESERVED = new Set([LABEL_SERVICE_NAME, LABEL_MANAGED_BY, LABEL_HEADLESS]);

/** setEndpointSliceLabels: the Service's labels (reserved ones excepted) plus the reserved ones; and whether they changed. */
export function sliceLabels(slice: EndpointSlice | undefined, svc: Service, controllerName: string): [Record<string, string>, boolean] {
  const have: Record<string, string> = {}, want: Record<string, string> = {};
  for (const [k, v] of Object.entries(slice?.metadata.labels ?? {})) if (!RESERVED.has(k)) have[k] = v;
  for (const [k, v] of Object.entries(svc.metadata.labels ?? {})) if (!RESERVED.has(k)) want[k] = v;
  const changed = !deepEqual(have, want);
  if (!isServiceIPSet(svc)) want[LABEL_HEADLESS] = '';
  want[LABEL_SERVICE_NAME] = String(svc.metadata.name);
  want[LABEL_MANAGED_BY] = controllerName;
  return [want, changed];
}

export function ownedBy(slice: EndpointSlice, svc: Service): boolean {
  return (slice.metadata.ownerReferences ?? []).some((o) => o.uid === svc.metadata.uid && o.kind === 'Service' && o.apiVersion === 'v1');
}

export function newEndpointSlice(svc: Service, ports: SlicePort[], addressType: string, controllerName: string): EndpointSlice {
  const [labels] = sliceLabels(undefined, svc, controllerName);
  return {
    apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice',
    metadata: {
      generateName: endpointSlicePrefix(String(svc.metadata.name)), namespace: svc.metadata.namespace, labels,
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: String(svc.metadata.name), uid: String(svc.metadata.uid), controller: true, blockOwnerDeletion: true }],
    },
    addressType, endpoints: [], ports,
  };
}

/** getSliceToFill: the slice that ends closest to full once `n` endpoints are added, if any fits. */
export function sliceToFill(slices: EndpointSlice[], n: number, max: number): EndpointSlice | undefined {
  let closestDiff = max;
  let closest: EndpointSlice | undefined;
  for (const s of slices) {
    const diff = max - (n + (s.endpoints?.length ?? 0));
    if (diff >= 0 && diff < closestDiff) {
      closestDiff = diff;
      closest = s;
      if (diff === 0) return s;
    }
  }
  return closest;
}

const copy = (s: EndpointSlice): EndpointSlice => structuredClone(s);

/** placeholderSliceCompare: namespace, labels, owners, type, and no endpoints or ports. */
function isSamePlaceholder(existing: EndpointSlice, placeholder: EndpointSlice): boolean {
  const refs = (s: EndpointSlice) => JSON.stringify((s.metadata.ownerReferences ?? []).map((r) =>
    [r.apiVersion, r.kind, r.name, r.uid, r.controller ?? null, r.blockOwnerDeletion ?? null]));
  return existing.metadata.namespace === placeholder.metadata.namespace
    && deepEqual(existing.metadata.labels ?? {}, placeholder.metadata.labels ?? {})
    && refs(existing) === refs(placeholder) && existing.addressType === placeholder.addressType
    && (existing.endpoints?.length ?? 0) === 0 && (existing.ports?.length ?? 0) === 0;
}

export interface SliceChanges { toCreate: EndpointSlice[]; toUpdate: EndpointSlice[]; toDelete: EndpointSlice[] }

/** Joins several errors as utilerrors.NewAggregate prints them. */
export function aggregate(errs: Error[]): Error | undefined {
  if (errs.length === 0) return undefined;
  if (errs.length === 1) return errs[0];
  return new Error(`[${errs.map((e) => e.message).join(', ')}]`);
}

export class Reconciler {
  constructor(private readonly client: RESTClient, private readonly nodeOf: (name: string) => Node | undefined,
    readonly maxEndpointsPerSlice: number, private readonly tracker: EndpointSliceTracker,
    readonly controllerName = CONTROLLER_NAME) {}

  /** Reconcile: `existing` are the slices this controller manages for the Service. */
  async reconcile(svc: Service, pods: EPPod[], existing: EndpointSlice[], triggerTime: number): Promise<void> {
    const errs: Error[] = [];
    const types = addressTypesForService(svc);
    const byType = new Map<string, EndpointSlice[]>();
    const wrongType: EndpointSlice[] = [];
    for (const s of existing) {
      if (!types.includes(s.addressType)) { wrongType.push(s); continue; }
      let l = byType.get(s.addressType);
      if (!l) byType.set(s.addressType, (l = []));
      l.push(s);
    }
    for (const t of types) {
      try { await this.reconcileByAddressType(svc, pods, byType.get(t) ?? [], triggerTime, t); } catch (err) { errs.push(err as Error); }
    }
    for (const s of wrongType) {
      try { await this.deleteSlice(svc, s); } catch (err) {
        errs.push(new Error(`error deleting ${s.metadata.name} EndpointSlice for Service ${svc.metadata.namespace}/${svc.metadata.name}: ${(err as Error).message}`));
      }
    }
    const err = aggregate(errs);
    if (err) throw err;
  }

  /** The changes for one address type, without applying them (exposed for tests). */
  plan(svc: Service, pods: EPPod[], existing: EndpointSlice[], addressType: string): { changes: SliceChanges; errs: Error[] } {
    const errs: Error[] = [];
    const toCreate: EndpointSlice[] = [], toUpdate: EndpointSlice[] = [], toDelete: EndpointSlice[] = [];
    const existingByPorts = new Map<string, EndpointSlice[]>();
    for (const s of existing) {
      if (!ownedBy(s, svc)) { toDelete.push(s); continue; }
      const k = portMapKey(s.ports);
      let l = existingByPorts.get(k);
      if (!l) existingByPorts.set(k, (l = []));
      l.push(s);
    }
    const desiredPorts = new Map<string, SlicePort[]>();
    const desired = new Map<string, EndpointSet>();
    for (const pod of pods) {
      if (!shouldPodBeInEndpoints(pod, true)) continue;
      const ports = endpointPorts(svc, pod);
      const k = portMapKey(ports);
      if (!desired.has(k)) { desired.set(k, new EndpointSet()); desiredPorts.set(k, ports); }
      const nodeName = pod.spec?.nodeName ?? '';
      const node = this.nodeOf(nodeName);
      if (!node && !svc.spec?.publishNotReadyAddresses) {
        // the pod's Node is unknown: leave the pod out now and retry later
        errs.push(new Error(`skipping Pod ${pod.metadata.name} for Service ${svc.metadata.namespace}/${svc.metadata.name}: Node ${nodeName} Not Found`));
        continue;
      }
      const ep = podToEndpoint(pod, node, svc, addressType);
      if (ep.addresses.length > 0) desired.get(k)!.insert(ep);
    }
    for (const [k, set] of desired) {
      const c = this.reconcileByPortMapping(svc, existingByPorts.get(k) ?? [], set, desiredPorts.get(k)!, addressType);
      toCreate.push(...c.toCreate); toUpdate.push(...c.toUpdate); toDelete.push(...c.toDelete);
    }
    for (const [k, slices] of existingByPorts) if (!desired.has(k)) toDelete.push(...slices);

    // a Service without endpoints keeps one empty slice
    if (existing.length === toDelete.length && toCreate.length < 1) {
      const placeholder = newEndpointSlice(svc, [], addressType, this.controllerName);
      if (toDelete.length === 1 && isSamePlaceholder(toDelete[0], placeholder)) toDelete.length = 0;
      else toCreate.push(placeholder);
    }

    // no topology hints: strip any left over on slices we would otherwise leave alone
    const changed = new Set([...toUpdate, ...toDelete].map((s) => s.metadata.name));
    for (const s of existing) {
      if (changed.has(s.metadata.name) || !(s.endpoints ?? []).some((e) => e.hints !== undefined)) continue;
      const c = copy(s);
      for (const e of c.endpoints ?? []) delete e.hints;
      toUpdate.push(c);
    }
    return { changes: { toCreate, toUpdate, toDelete }, errs };
  }

  private async reconcileByAddressType(svc: Service, pods: EPPod[], existing: EndpointSlice[], triggerTime: number, addressType: string): Promise<void> {
    const { changes, errs } = this.plan(svc, pods, existing, addressType);
    try { await this.finalize(svc, changes, triggerTime); } catch (err) { errs.push(err as Error); }
    const err = aggregate(errs);
    if (err) throw err;
  }

  /** reconcileByPortMapping: steps 1–3 of upstream (keep/update/remove, fill updated, then unchanged or new). */
  reconcileByPortMapping(svc: Service, existing: EndpointSlice[], desired: EndpointSet, ports: SlicePort[], addressType: string): SliceChanges {
    const max = this.maxEndpointsPerSlice;
    const byName = new Map<string, EndpointSlice>();
    const unchanged = new Set<string>(), update = new Set<string>(), del = new Set<string>();
    for (const s of existing) {
      const name = String(s.metadata.name);
      byName.set(name, s);
      const kept: Endpoint[] = [];
      let endpointUpdated = false;
      for (const e of s.endpoints ?? []) {
        const got = desired.get(e);
        if (!got) continue;
        kept.push(got);
        if (!endpointsEqualBeyondHash(got, e)) endpointUpdated = true;
        desired.delete(e);
      }
      const [labels, labelsChanged] = sliceLabels(s, svc, this.controllerName);
      if (endpointUpdated || (s.endpoints?.length ?? 0) !== kept.length) {
        if (kept.length === 0) del.add(name);
        else {
          const c = copy(s);
          c.endpoints = kept;
          c.metadata.labels = labels;
          byName.set(name, c);
          update.add(name);
        }
      } else if (labelsChanged) {
        const c = copy(s);
        c.metadata.labels = labels;
        byName.set(name, c);
        update.add(name);
      } else unchanged.add(name);
    }
    // 2. fill the slices being updated anyway, fullest first
    if (desired.size > 0 && update.size > 0) {
      const slices = [...update].map((n) => byName.get(n)!).sort((a, b) => (b.endpoints?.length ?? 0) - (a.endpoints?.length ?? 0));
      for (const s of slices) {
        s.endpoints ??= [];
        while (desired.size > 0 && s.endpoints.length < max) s.endpoints.push(desired.popAny()!);
      }
    }
    // 3. leftovers go into the unchanged slice they fill best, else into new slices
    const toCreate: EndpointSlice[] = [];
    while (desired.size > 0) {
      let fill: EndpointSlice | undefined;
      if (desired.size < max && unchanged.size > 0) {
        fill = sliceToFill([...unchanged].map((n) => byName.get(n)!), desired.size, max);
      }
      if (!fill) fill = newEndpointSlice(svc, ports, addressType, this.controllerName);
      else {
        fill = copy(fill);
        byName.set(String(fill.metadata.name), fill);
      }
      fill.endpoints ??= [];
      while (desired.size > 0 && fill.endpoints.length < max) fill.endpoints.push(desired.popAny()!);
      if (fill.metadata.name) {
        update.add(String(fill.metadata.name));
        unchanged.delete(String(fill.metadata.name));
      } else toCreate.push(fill);
    }
    return { toCreate, toUpdate: [...update].map((n) => byName.get(n)!), toDelete: [...del].map((n) => byName.get(n)!) };
  }

  /** finalize: creates that can reuse a slice about to be deleted become updates; then create, update, delete. */
  async finalize(svc: Service, changes: SliceChanges, triggerTime: number): Promise<void> {
    const { toCreate, toUpdate, toDelete } = changes;
    for (let i = 0; i < toDelete.length && toCreate.length > 0;) {
      const del = toDelete[i];
      const slice = toCreate[toCreate.length - 1];
      if (del.addressType === slice.addressType && ownedBy(del, svc)) {
        slice.metadata.name = del.metadata.name;
        toCreate.pop();
        toUpdate.push(slice);
        toDelete.splice(i, 1);
      } else i++;
    }
    const ns = String(svc.metadata.namespace);
    const base = `${SLICES_API}/namespaces/${ns}/endpointslices`;
    const svcName = `${ns}/${svc.metadata.name}`;
    // no new slices for a Service being deleted: the garbage collector would race us
    if (!svc.metadata.deletionTimestamp) {
      for (const s of toCreate) {
        setTriggerTime(s, triggerTime);
        try {
          const created = await this.client.request<EndpointSlice>('POST', base, withKind(s));
          if (created?.metadata) this.tracker.update(created);
        } catch (err) {
          if (isNamespaceTerminating(err)) return;
          throw new Error(`failed to create EndpointSlice for Service ${svcName}: ${(err as Error).message}`);
        }
      }
    }
    for (const s of toUpdate) {
      setTriggerTime(s, triggerTime);
      try {
        const updated = await this.client.request<EndpointSlice>('PUT', `${base}/${s.metadata.name}`, withKind(s));
        if (updated?.metadata) this.tracker.update(updated);
      } catch (err) {
        throw new Error(`failed to update ${s.metadata.name} EndpointSlice for Service ${svcName}: ${(err as Error).message}`);
      }
    }
    for (const s of toDelete) {
      try { await this.deleteSlice(svc, s); } catch (err) {
        throw new Error(`failed to delete ${s.metadata.name} EndpointSlice for Service ${svcName}: ${(err as Error).message}`);
      }
    }
  }

  /** deleteEndpointSlice: an already-deleted slice is fine. */
  async deleteSlice(svc: Service, s: EndpointSlice): Promise<void> {
    try {
      await this.client.request('DELETE', `${SLICES_API}/namespaces/${svc.metadata.namespace}/endpointslices/${s.metadata.name}`);
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return;
      throw err;
    }
    this.tracker.expectDeletion(s);
  }
}

function withKind(s: EndpointSlice): EndpointSlice {
  return { ...s, apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice' };
}

function setTriggerTime(s: EndpointSlice, t: number): void {
  const a = { ...(s.metadata.annotations ?? {}) };
  if (t) a[ANNOTATION_TRIGGER_TIME] = formatRFC3339Nano(t);
  else delete a[ANNOTATION_TRIGGER_TIME];
  s.metadata.annotations = a;
}
