// Service references → a ready endpoint address, through the Service's EndpointSlices (Endpoints as
// a fallback), like upstream's endpoint service resolver (--enable-aggregator-routing): Kumo's API
// server has no kube-proxy in front of cluster IPs. Errors read like upstream's.

import type { KObject } from '../../../api/types.js';
import type { ServiceResolver } from './client.js';

export interface ServiceLookup {
  service(namespace: string, name: string): KObject | undefined;
  endpointSlices(namespace: string, serviceName: string): KObject[];
  endpoints(namespace: string, name: string): KObject | undefined;
}

type Obj = Record<string, unknown>;
const arr = (v: unknown): Obj[] => (Array.isArray(v) ? v.filter((x) => x && typeof x === 'object') as Obj[] : []);

let rotation = 0;
const pick = <T>(xs: T[]): T => xs[(rotation++) % xs.length];

export function serviceResolver(lookup: ServiceLookup): ServiceResolver {
  return (namespace, name, port) => {
    const svc = lookup.service(namespace, name);
    if (!svc) return { error: `service "${name}" not found` };
    const spec = (svc.spec ?? {}) as Obj;
    if (spec.type === 'ExternalName') {
      return typeof spec.externalName === 'string' ? { host: spec.externalName, port } : { error: `service "${name}" has no external name` };
    }
    const svcPort = arr(spec.ports).find((p) => p.port === port);
    if (!svcPort) return { error: `no service port ${port} found for service "${name}"` };
    const portName = typeof svcPort.name === 'string' ? svcPort.name : '';
    // EndpointSlices: ready endpoints of slices whose port of this name exists
    const candidates: { host: string; port: number }[] = [];
    for (const slice of lookup.endpointSlices(namespace, name)) {
      const sp = arr(slice.ports).find((p) => (typeof p.name === 'string' ? p.name : '') === portName);
      if (!sp || typeof sp.port !== 'number') continue;
      for (const ep of arr(slice.endpoints)) {
        const ready = ((ep.conditions ?? {}) as Obj).ready;
        if (ready === false) continue;
        const addrs = Array.isArray(ep.addresses) ? ep.addresses : [];
        if (typeof addrs[0] === 'string') candidates.push({ host: addrs[0], port: sp.port });
      }
    }
    if (candidates.length === 0) {
      const eps = lookup.endpoints(namespace, name);
      for (const ss of arr(eps?.subsets)) {
        const ep = arr(ss.ports).find((p) => (typeof p.name === 'string' ? p.name : '') === portName);
        if (!ep || typeof ep.port !== 'number') continue;
        for (const a of arr(ss.addresses)) if (typeof a.ip === 'string') candidates.push({ host: a.ip, port: ep.port });
      }
    }
    if (candidates.length === 0) return { error: `no endpoints available for service "${name}"` };
    return pick(candidates);
  };
}
