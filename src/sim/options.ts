// Flag values of `kumo sim-nodes` turned into what the simulator needs: node names, labels with
// zones spread round-robin, taints, capacity, intervals.
import { parseDuration } from './duration.js';
import { parseCIDR, type CIDR } from './ipam.js';

export type TaintEffect = 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
export interface Taint { key: string; value?: string; effect: TaintEffect }

export interface SimOptions {
  count: number;
  namePrefix: string;
  capacity: { cpu: string; memory: string; pods: string; 'ephemeral-storage': string };
  labels: Record<string, string>;
  zones: number;
  taints: Taint[];
  podCIDRBase: CIDR;
  /** Lease renew interval (kubelet: 10 s) */
  heartbeatMs: number;
  /** NodeStatus report interval when nothing changed (kubelet: 5 min) */
  statusReportMs: number;
  /** longest wait before finishing a graceful pod deletion */
  maxGraceMs: number;
  /** nodes that register but never heartbeat (kubelet gone) */
  failNodes: Set<string>;
  /** nodes that heartbeat but report Ready=False */
  notReadyNodes: Set<string>;
  /** pod writes in flight at once */
  concurrency: number;
  /** Lease and node status writes in flight at once (a pool of their own) */
  heartbeatConcurrency: number;
}

/**
 * Pools sized by node count when --concurrency is 0: every real kubelet has its own connection, so
 * 5,000 nodes renew ~500 Leases/s whatever one of them waits for. A fixed pool of 8 renewals in flight
 * needed ≤ 16 ms per renewal; with the server busy (100–200 ms) Leases fell 80 s behind and nodes
 * went NotReady. One renewal slot per 25 nodes holds 500/s up to 250 ms a renewal.
 */
export function writePools(count: number, concurrency: number): { pods: number; heartbeats: number } {
  const pods = concurrency > 0 ? concurrency : Math.max(16, Math.ceil(count / 100));
  return { pods, heartbeats: Math.max(4, Math.floor(pods / 2), Math.ceil(count / 25)) };
}

const EFFECTS: TaintEffect[] = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];

/** `k=v,k2=v2` (kubectl label syntax, values may be empty). */
export function parseLabels(s: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    if (eq <= 0) throw new Error(`invalid label "${part}": expected key=value`);
    const key = part.slice(0, eq);
    const value = part.slice(eq + 1);
    if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(key)) throw new Error(`invalid label key "${key}"`);
    if (value !== '' && !/^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/.test(value)) throw new Error(`invalid label value "${value}" for key "${key}"`);
    out[key] = value;
  }
  return out;
}

/** `key=value:Effect,key:Effect` (kubectl taint syntax). */
export function parseTaints(s: string): Taint[] {
  const out: Taint[] = [];
  for (const part of s.split(',').map((p) => p.trim()).filter(Boolean)) {
    const colon = part.lastIndexOf(':');
    if (colon <= 0) throw new Error(`invalid taint spec: ${part}`);
    const effect = part.slice(colon + 1) as TaintEffect;
    if (!EFFECTS.includes(effect)) throw new Error(`invalid taint effect: ${effect}, unsupported taint effect`);
    const kv = part.slice(0, colon);
    const eq = kv.indexOf('=');
    const key = eq < 0 ? kv : kv.slice(0, eq);
    if (key === '') throw new Error(`invalid taint spec: ${part}`);
    out.push(eq < 0 ? { key, effect } : { key, value: kv.slice(eq + 1), effect });
  }
  return out;
}

export const nodeName = (o: Pick<SimOptions, 'namePrefix'>, i: number): string => `${o.namePrefix}${i}`;

/** Labels a kubelet sets on its Node, then the operator's, then the zone of node i. */
export function nodeLabels(o: Pick<SimOptions, 'labels' | 'zones'>, name: string, i: number): Record<string, string> {
  const l: Record<string, string> = {
    'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux',
    'kubernetes.io/arch': 'amd64', 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux',
    'sim.kumo.dev/simulated': 'true',
    ...o.labels,
  };
  if (o.zones > 0) l['topology.kubernetes.io/zone'] = `zone-${i % o.zones}`;
  return l;
}

export function nameSet(s: string): Set<string> {
  return new Set(s.split(',').map((x) => x.trim()).filter(Boolean));
}

export interface RawFlags {
  count: number; 'name-prefix': string; cpu: string; memory: string; pods: number; labels: string; zones: number;
  taints: string; 'pod-cidr-base': string; 'heartbeat-interval': string; 'node-status-report-interval': string;
  'max-grace-period': string; 'fail-nodes': string; 'not-ready-nodes': string; concurrency: number;
}

export function optionsFromFlags(f: RawFlags): SimOptions {
  if (!Number.isInteger(f.count) || f.count < 0) throw new Error(`invalid argument "${f.count}" for "--count" flag: must be >= 0`);
  if (f['name-prefix'] === '' || !/^[a-z0-9]([-a-z0-9.]*)?$/.test(f['name-prefix'])) throw new Error(`invalid argument "${f['name-prefix']}" for "--name-prefix" flag: must start a DNS subdomain name`);
  if (f.zones < 0) throw new Error(`invalid argument "${f.zones}" for "--zones" flag: must be >= 0`);
  if (f.pods < 1) throw new Error(`invalid argument "${f.pods}" for "--pods" flag: must be >= 1`);
  if (!Number.isInteger(f.concurrency) || f.concurrency < 0) throw new Error(`invalid argument "${f.concurrency}" for "--concurrency" flag: must be >= 0`);
  const dur = (flag: keyof RawFlags) => {
    try { return parseDuration(String(f[flag])); } catch (e) { throw new Error(`invalid argument "${f[flag]}" for "--${flag}" flag: ${(e as Error).message}`); }
  };
  const heartbeatMs = dur('heartbeat-interval');
  if (heartbeatMs < 100) throw new Error(`invalid argument "${f['heartbeat-interval']}" for "--heartbeat-interval" flag: must be at least 100ms`);
  return {
    count: f.count,
    namePrefix: f['name-prefix'],
    capacity: { cpu: f.cpu, memory: f.memory, pods: String(f.pods), 'ephemeral-storage': '100Gi' },
    labels: parseLabels(f.labels),
    zones: f.zones,
    taints: parseTaints(f.taints),
    podCIDRBase: parseCIDR(f['pod-cidr-base']),
    heartbeatMs,
    statusReportMs: Math.max(dur('node-status-report-interval'), heartbeatMs),
    maxGraceMs: dur('max-grace-period'),
    failNodes: nameSet(f['fail-nodes']),
    notReadyNodes: nameSet(f['not-ready-nodes']),
    ...(({ pods, heartbeats }) => ({ concurrency: pods, heartbeatConcurrency: heartbeats }))(writePools(f.count, f.concurrency)),
  };
}
