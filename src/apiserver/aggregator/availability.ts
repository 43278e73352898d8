// The Available condition of an APIService that points at a Service (upstream's remote
// AvailableConditionController, v1.33): the Service must exist; a ClusterIP Service must listen on
// spec.service.port and have EndpointSlices with a ready address for that port's name; then the
// extension server must answer GET /apis/<group>/<version> with a 2xx/3xx within 5 seconds.
import type { APIService, APIServiceCondition } from './apiservice.js';
import { hostPort, readyEndpoints, resolveAll, servicePortName, slicesFor, type Endpoint, type ServiceState } from './resolver.js';

/** GETs a URL on an endpoint with the front-proxy identity; resolves to the HTTP status */
export type Probe = (endpoint: Endpoint, path: string) => Promise<number>;

export const DISCOVERY_ATTEMPTS = 5;

/** the condition (without lastTransitionTime) a remote APIService should have now */
export async function checkAvailability(a: APIService, state: ServiceState, probe: Probe): Promise<Omit<APIServiceCondition, 'lastTransitionTime'>> {
  const ref = a.spec!.service!;
  const ns = ref.namespace ?? '';
  const name = ref.name ?? '';
  const port = ref.port ?? 443;
  const cond = (status: APIServiceCondition['status'], reason: string, message: string) => ({ type: 'Available', status, reason, message });
  const svc = state.service(ns, name);
  if (!svc) return cond('False', 'ServiceNotFound', `service/${name} in ${JSON.stringify(ns)} is not present`);
  const type = (svc.spec as { type?: string } | undefined)?.type ?? 'ClusterIP';
  if (type === 'ClusterIP') {
    const portName = servicePortName(svc, port);
    if (portName === undefined) return cond('False', 'ServicePortError', `service/${name} in ${JSON.stringify(ns)} is not listening on port ${port}`);
    const slices = slicesFor(state, ns, name);
    if (!slices) return cond('False', 'EndpointsNotFound', `cannot find endpointslices for service/${name} in ${JSON.stringify(ns)}`);
    if (!readyEndpoints(slices, portName).length) {
      return cond('False', 'MissingEndpoints', `endpointslices for service/${name} in ${JSON.stringify(ns)} have no addresses with port name ${JSON.stringify(portName)}`);
    }
  }
  const path = a.metadata?.name === 'v1.' ? `/api/${a.spec!.version}` : `/apis/${a.spec!.group}/${a.spec!.version}`;
  let eps: Endpoint[];
  try {
    eps = resolveAll(state, ns, name, port);
  } catch (err) {
    return cond('False', 'FailedDiscoveryCheck', (err as Error).message);
  }
  // upstream makes several attempts, each to a randomly picked address; one success is enough
  const picks = Array.from({ length: Math.min(DISCOVERY_ATTEMPTS, Math.max(eps.length, 1)) }, (_, i) => eps[i % eps.length]);
  const results = await Promise.all(picks.map(async (ep) => {
    const url = `https://${hostPort(ep)}${path}`;
    try {
      const code = await probe(ep, path);
      return code >= 200 && code < 300 || code >= 300 && code < 400 ? undefined : `bad status from ${url}: ${code}`;
    } catch (err) {
      const e = err as Error & { timedOut?: boolean };
      return e.timedOut ? `timed out waiting for ${url}` : `failing or missing response from ${url}: ${goStyleError(url, ep, e)}`;
    }
  }));
  if (results.some((r) => r === undefined)) return cond('True', 'Passed', 'all checks passed');
  return cond('False', 'FailedDiscoveryCheck', results[results.length - 1]!);
}

/** a Node network error worded as Go's net/http reports it (the message clients know) */
export function goStyleError(url: string, ep: Endpoint, err: Error & { code?: string }): string {
  const dial = `Get ${JSON.stringify(url)}: dial tcp ${hostPort(ep)}: connect:`;
  switch (err.code) {
    case 'ECONNREFUSED': return `${dial} connection refused`;
    case 'EHOSTUNREACH': return `${dial} no route to host`;
    case 'ENETUNREACH': return `${dial} network is unreachable`;
    case 'ECONNRESET': return `Get ${JSON.stringify(url)}: read: connection reset by peer`;
    default: return `Get ${JSON.stringify(url)}: ${err.message}`;
  }
}
