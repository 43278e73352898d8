// EndpointSlice shapes and the endpoint set the reconcilers work with (upstream
// k8s.io/endpointslice/util endpointset.go and controller_utils.go): endpoints are identified by their
// addresses, hostname and target pod; slices are grouped by their port set (PortMapKey).
import type { Obj } from '../../client/informer.js';
import type { ObjectReference } from '../endpoint/util.js';

export interface SlicePort { name?: string; port?: number; protocol?: string; appProtocol?: string }
export interface Endpoint {
  addresses: string[];
  conditions: { ready?: boolean; serving?: boolean; terminating?: boolean };
  hostname?: string;
  targetRef?: ObjectReference;
  nodeName?: string;
  zone?: string;
  hints?: unknown;
}
export type EndpointSlice = Obj & {
  apiVersion?: string;
  kind?: string;
  metadata: Obj['metadata'] & { generateName?: string; annotations?: Record<string, string>; generation?: number };
  addressType: string;
  endpoints?: Endpoint[] | null;
  ports?: SlicePort[] | null;
};

/** The identity of an endpoint: sorted addresses, hostname, and the target's namespace/name. */
export function endpointKey(e: Endpoint): string {
  return JSON.stringify([[...e.addresses].sort(), e.hostname ?? '', e.targetRef?.namespace ?? '', e.targetRef?.name ?? '']);
}

const portJSON = (p: SlicePort) => JSON.stringify([p.name ?? '', p.port ?? null, p.protocol ?? '', p.appProtocol ?? null]);

/** NewPortMapKey: the same ports in any order give the same key. */
export function portMapKey(ports: SlicePort[] | null | undefined): string {
  return JSON.stringify((ports ?? []).map(portJSON).sort());
}

/** EndpointsEqualBeyondHash: node, zone, conditions and target (resourceVersion ignored). */
export function endpointsEqualBeyondHash(a: Endpoint, b: Endpoint): boolean {
  if ((a.nodeName ?? null) !== (b.nodeName ?? null) || (a.zone ?? null) !== (b.zone ?? null)) return false;
  const c1 = a.conditions ?? {}, c2 = b.conditions ?? {};
  if ((c1.ready ?? null) !== (c2.ready ?? null) || (c1.serving ?? null) !== (c2.serving ?? null)
    || (c1.terminating ?? null) !== (c2.terminating ?? null)) return false;
  const t1 = a.targetRef, t2 = b.targetRef;
  if (!t1 || !t2) return !t1 && !t2;
  return (t1.kind ?? '') === (t2.kind ?? '') && (t1.namespace ?? '') === (t2.namespace ?? '') && (t1.name ?? '') === (t2.name ?? '')
    && (t1.uid ?? '') === (t2.uid ?? '');
}

/** A set of endpoints keyed by identity; popAny takes them in insertion order (deterministic). */
export class EndpointSet {
  private items = new Map<string, Endpoint>();
  insert(e: Endpoint): void { this.items.set(endpointKey(e), e); }
  get(e: Endpoint): Endpoint | undefined { return this.items.get(endpointKey(e)); }
  delete(e: Endpoint): void { this.items.delete(endpointKey(e)); }
  popAny(): Endpoint | undefined {
    const first = this.items.entries().next();
    if (first.done) return undefined;
    this.items.delete(first.value[0]);
    return first.value[1];
  }
  get size(): number { return this.items.size; }
}
