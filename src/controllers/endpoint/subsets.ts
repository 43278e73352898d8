// Endpoints subsets in canonical form (upstream pkg/api/v1/endpoints RepackSubsets/SortSubsets) and
// the 1000-address cap of the endpoints controller (truncateEndpoints and the over-capacity annotation).
import type { EndpointAddress, EndpointPort, EndpointSubset } from './util.js';

/** upstream maxCapacity: addresses kept in one Endpoints object */
export const MAX_CAPACITY = 1000;

const NO_PORT: EndpointPort = { port: -1 };
const addrKey = (a: EndpointAddress) => `${a.ip}\u0000${a.targetRef?.uid ?? ''}`;
const portKey = (p: EndpointPort) => JSON.stringify([p.name ?? '', p.port, p.protocol ?? '', p.appProtocol ?? null]);

/** LessEndpointAddress: by IP bytes, then target UID (no target first). */
export function lessAddress(a: EndpointAddress, b: EndpointAddress): number {
  if (a.ip !== b.ip) return Buffer.compare(Buffer.from(a.ip), Buffer.from(b.ip));
  const ua = a.targetRef?.uid, ub = b.targetRef?.uid;
  if (ub === undefined) return ua === undefined ? 0 : 1;
  if (ua === undefined) return -1;
  return ua < ub ? -1 : ua > ub ? 1 : 0;
}

/**
 * Expands subsets to (address, port, ready) and regroups them: addresses offering the same ports
 * share a subset; an address not ready on any port counts as not ready there (not-ready wins).
 * Addresses are de-duplicated by IP + target UID.
 */
export function repackSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  const all = new Map<string, EndpointAddress>();
  const byPort = new Map<string, { port: EndpointPort; addrs: Map<string, boolean> }>();
  const map = (a: EndpointAddress, port: EndpointPort, ready: boolean) => {
    const k = addrKey(a);
    if (!all.has(k)) all.set(k, { ...a });
    const pk = portKey(port);
    let entry = byPort.get(pk);
    if (!entry) byPort.set(pk, (entry = { port, addrs: new Map() }));
    const was = entry.addrs.get(k);
    if (was === undefined || was) entry.addrs.set(k, ready);
  };
  for (const s of subsets) {
    // addresses without ports are kept under a sentinel port (headless services without ports)
    for (const port of s.ports?.length ? s.ports : [NO_PORT]) {
      for (const a of s.addresses ?? []) map(a, port, true);
      for (const a of s.notReadyAddresses ?? []) map(a, port, false);
    }
  }
  const groups = new Map<string, { addrs: Map<string, boolean>; ports: EndpointPort[] }>();
  for (const { port, addrs } of byPort.values()) {
    const key = [...addrs.entries()].map(([k, r]) => `${k}\u0001${r}`).sort().join('\u0002');
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { addrs, ports: [] }));
    g.ports.push(port);
  }
  const out: EndpointSubset[] = [];
  for (const g of groups.values()) {
    const ready: EndpointAddress[] = [], notReady: EndpointAddress[] = [];
    for (const [k, r] of g.addrs) (r ? ready : notReady).push(all.get(k)!);
    const s: EndpointSubset = {};
    if (ready.length) s.addresses = ready;
    if (notReady.length) s.notReadyAddresses = notReady;
    if (!(g.ports.length === 1 && g.ports[0] === NO_PORT)) s.ports = g.ports;
    out.push(s);
  }
  return sortSubsets(out);
}

/** A deterministic canonical order (upstream orders ports and subsets by a hash of their contents). */
export function sortSubsets(subsets: EndpointSubset[]): EndpointSubset[] {
  for (const s of subsets) {
    s.addresses?.sort(lessAddress);
    s.notReadyAddresses?.sort(lessAddress);
    s.ports?.sort((a, b) => (portKey(a) < portKey(b) ? -1 : portKey(a) > portKey(b) ? 1 : 0));
  }
  const key = (s: EndpointSubset) => JSON.stringify(s);
  return subsets.sort((a, b) => (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

export function countAddresses(subsets: EndpointSubset[] | undefined): number {
  let n = 0;
  for (const s of subsets ?? []) n += (s.addresses?.length ?? 0) + (s.notReadyAddresses?.length ?? 0);
  return n;
}

/**
 * truncateEndpoints: beyond MAX_CAPACITY addresses, keep ready ones first and share the room among
 * subsets in proportion to their size (rounded up). Returns true when it truncated.
 */
export function truncateSubsets(subsets: EndpointSubset[], max = MAX_CAPACITY): boolean {
  let totalReady = 0, totalNotReady = 0;
  for (const s of subsets) { totalReady += s.addresses?.length ?? 0; totalNotReady += s.notReadyAddresses?.length ?? 0; }
  if (totalReady + totalNotReady <= max) return false;
  const truncateReady = totalReady > max;
  const room = truncateReady ? max : max - totalReady;
  const total = truncateReady ? totalReady : totalNotReady;
  let canBeAdded = room;
  for (const s of subsets) {
    const inSubset = truncateReady ? (s.addresses?.length ?? 0) : (s.notReadyAddresses?.length ?? 0);
    const toBeAdded = Math.min(Math.ceil((inSubset / total) * room), canBeAdded);
    if (truncateReady) {
      s.addresses = (s.addresses ?? []).slice(0, toBeAdded);
      delete s.notReadyAddresses;
      canBeAdded -= s.addresses.length;
    } else {
      s.notReadyAddresses = (s.notReadyAddresses ?? []).slice(0, toBeAdded);
      canBeAdded -= s.notReadyAddresses.length;
    }
  }
  return true;
}

/** Subsets equal apart from the target pods' resourceVersions (which the controller never sets). */
export function subsetsEqual(a: EndpointSubset[] | undefined, b: EndpointSubset[] | undefined): boolean {
  const norm = (ss: EndpointSubset[] | undefined) => JSON.stringify((ss ?? []).map((s) => ({
    addresses: (s.addresses ?? []).map(normAddr), notReadyAddresses: (s.notReadyAddresses ?? []).map(normAddr),
    ports: (s.ports ?? []).map((p) => ({ name: p.name ?? '', port: p.port, protocol: p.protocol ?? '', appProtocol: p.appProtocol ?? null })),
  })));
  return norm(a) === norm(b);
}

function normAddr(a: EndpointAddress) {
  const t = a.targetRef;
  return {
    ip: a.ip, hostname: a.hostname ?? '', nodeName: a.nodeName ?? null,
    targetRef: t ? { kind: t.kind ?? '', namespace: t.namespace ?? '', name: t.name ?? '', uid: t.uid ?? '' } : null,
  };
}
