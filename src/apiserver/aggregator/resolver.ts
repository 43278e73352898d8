// Service → endpoint resolution for APIServices (upstream ResolveEndpoint as the aggregator uses it
// with --enable-aggregator-routing): the Service's port named by spec.service.port, then a ready
// address from the Service's EndpointSlices carrying that port name. Kumo falls back to the
// Endpoints object when no EndpointSlice exists (no mirroring controller running), so a selector-less
// Service with a hand-written Endpoints works either way.
import type { KObject } from '../../api/types.js';

/** what resolution reads: the API server's own caches */
export interface ServiceState {
  service(namespace: string, name: string): KObject | undefined;
  /** EndpointSlices labelled kubernetes.io/service-name=name */
  endpointSlices(namespace: string, name: string): KObject[];
  endpoints(namespace: string, name: string): KObject | undefined;
}

export interface Endpoint { host: string; port: number }

interface SlicePort { name?: string; port?: number }
interface SliceEndpoint { addresses?: string[]; conditions?: { ready?: boolean } }
export interface SliceLike { ports?: SlicePort[]; endpoints?: SliceEndpoint[] }

export class ServiceUnavailableError extends Error {}

/** the Service's EndpointSlices, or its Endpoints' subsets shaped as slices (not-ready addresses dropped) */
export function slicesFor(state: ServiceState, namespace: string, name: string): SliceLike[] | undefined {
  const slices = state.endpointSlices(namespace, name);
  if (slices.length) return slices as SliceLike[];
  const ep = state.endpoints(namespace, name);
  if (!ep) return undefined;
  const subsets = ((ep as { subsets?: { addresses?: { ip: string }[]; ports?: SlicePort[] }[] }).subsets ?? []);
  return subsets.map((s) => ({
    ports: (s.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port })),
    endpoints: (s.addresses ?? []).map((a) => ({ addresses: [a.ip], conditions: { ready: true } })),
  }));
}

export function servicePortName(svc: KObject, port: number): string | undefined {
  const ports = ((svc.spec as { ports?: { name?: string; port?: number }[] } | undefined)?.ports ?? []);
  const p = ports.find((x) => x.port === port);
  return p ? (p.name ?? '') : undefined;
}

/** ready endpoints of the slices for the port named portName */
export function readyEndpoints(slices: SliceLike[], portName: string): Endpoint[] {
  const out: Endpoint[] = [];
  for (const s of slices) {
    const p = (s.ports ?? []).find((x) => (x.name ?? '') === portName && x.port !== undefined);
    if (!p) continue;
    for (const e of s.endpoints ?? []) {
      if (e.conditions?.ready === false) continue;
      for (const a of e.addresses ?? []) out.push({ host: a, port: p.port! });
    }
  }
  return out;
}

/** Every address the APIService's service resolves to; throws with upstream's messages. */
export function resolveAll(state: ServiceState, namespace: string, name: string, port: number): Endpoint[] {
  const svc = state.service(namespace, name);
  if (!svc) throw new Error(`service "${name}" not found`);
  const type = (svc.spec as { type?: string } | undefined)?.type ?? 'ClusterIP';
  if (type !== 'ClusterIP' && type !== 'NodePort' && type !== 'LoadBalancer') throw new Error(`unsupported service type "${type}"`);
  const portName = servicePortName(svc, port);
  if (portName === undefined) throw new Error(`no service port ${port} found for service "${name}"`);
  const slices = slicesFor(state, namespace, name) ?? [];
  const eps = readyEndpoints(slices, portName);
  if (!eps.length) throw new ServiceUnavailableError(`no endpoints available for service "${name}"`);
  return eps;
}

/** one address, picked at random as upstream does */
export function resolveEndpoint(state: ServiceState, namespace: string, name: string, port: number): Endpoint {
  const all = resolveAll(state, namespace, name, port);
  return all[Math.floor(Math.random() * all.length)];
}

/** host:port for a URL (IPv6 in brackets) */
export function hostPort(e: Endpoint): string {
  return e.host.includes(':') ? `[${e.host}]:${e.port}` : `${e.host}:${e.port}`;
}
