// networking.k8s.io (ingresses, ingress classes, network policies) and discovery.k8s.io endpoint slices.

import type { Printer } from '../types.js';
import { formatLabelSelector } from './labels.js';
import { loadBalancerStatus } from './core.js';
import { ageColumn, ageOf, arr, col, get, listWithMore, nameColumn, nameOf, str, strs, type Obj } from './util.js';

/** up to three rule hosts, "*" when no rule names a host */
export function formatHosts(rules: Obj[]): string {
  const list: string[] = [];
  const max = 3;
  let more = false;
  for (const rule of rules) {
    if (list.length === max) more = true;
    if (!more && str(rule, 'host')) list.push(str(rule, 'host'));
  }
  if (list.length === 0) return '*';
  const ret = list.join(',');
  return more ? `${ret} + ${rules.length - max} more...` : ret;
}

export const ingressPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Class', 'string', 'The name of the IngressClass resource that should be used for additional configuration'),
    col('Hosts', 'string', 'Hosts that incoming requests are matched against before the ingress rule'),
    col('Address', 'string', 'Address is a list containing ingress points for the load-balancer'),
    col('Ports', 'string', 'Ports of TLS configurations that open'),
    ageColumn(),
  ],
  cells(o, now) {
    const cls = get(o, 'spec.ingressClassName');
    return [nameOf(o), typeof cls === 'string' ? cls : '<none>', formatHosts(arr(o, 'spec.rules')),
      loadBalancerStatus(o, 'status.loadBalancer.ingress', true), arr(o, 'spec.tls').length > 0 ? '80, 443' : '80', ageOf(o, now)];
  },
};

export const ingressClassPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Controller', 'string', 'Controller that is responsible for handling this class'),
    col('Parameters', 'string', 'A reference to a resource with additional parameters'),
    ageColumn(),
  ],
  cells(o, now) {
    const p = get(o, 'spec.parameters');
    let parameters = '<none>';
    if (p && typeof p === 'object') {
      const group = get(p, 'apiGroup');
      parameters = `${str(p, 'kind')}${typeof group === 'string' ? `.${group}` : ''}/${str(p, 'name')}`;
    }
    return [nameOf(o), str(o, 'spec.controller'), parameters, ageOf(o, now)];
  },
};

export const networkPolicyPrinter: Printer = {
  columns: [nameColumn(), col('Pod-Selector', 'string', 'Selects the pods to which this NetworkPolicy applies.'), ageColumn()],
  // upstream formats the (non-pointer) podSelector, so a missing one reads as empty: "<none>"
  cells: (o, now) => [nameOf(o), formatLabelSelector(get(o, 'spec.podSelector') ?? {}), ageOf(o, now)],
};

export function formatDiscoveryPorts(ports: Obj[]): string {
  const max = 3;
  const list = ports.slice(0, max).map((p) => {
    if (typeof p.port === 'number') return String(p.port);
    if (typeof p.name === 'string') return p.name;
    return '*';
  });
  return listWithMore(list, ports.length > max, ports.length, max);
}

export function formatDiscoveryEndpoints(endpoints: Obj[]): string {
  const all = endpoints.flatMap((e) => strs(e, 'addresses'));
  const max = 3;
  return listWithMore(all.slice(0, max), all.length > max, all.length, max);
}

export const endpointSlicePrinter: Printer = {
  columns: [
    nameColumn(),
    col('AddressType', 'string', 'The type of address carried by this EndpointSlice: IPv4, IPv6 or FQDN.'),
    col('Ports', 'string', 'The network ports exposed by each endpoint in this slice.'),
    col('Endpoints', 'string', 'The addresses of the endpoints in this slice.'),
    ageColumn(),
  ],
  cells: (o, now) => [nameOf(o), str(o, 'addressType'), formatDiscoveryPorts(arr(o, 'ports')),
    formatDiscoveryEndpoints(arr(o, 'endpoints')), ageOf(o, now)],
};
