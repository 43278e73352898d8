// What a kubelet writes about its node: the Node it registers (labels, taints, podCIDR, status with
// capacity, conditions, addresses, nodeInfo) and its Lease in kube-node-lease.
import { createHash } from 'node:crypto';
import type { SimOptions, Taint } from './options.js';

type Obj = Record<string, unknown>;

export interface NodeCondition {
  type: string; status: 'True' | 'False' | 'Unknown';
  lastHeartbeatTime: string; lastTransitionTime: string; reason: string; message: string;
}

/** RFC 3339 with seconds precision, as metav1.Time serializes. */
export const timestamp = (ms: number): string => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** metav1.MicroTime: RFC 3339 with six fractional digits. */
export const microTime = (ms: number): string => new Date(ms).toISOString().replace(/\.(\d{3})Z$/, '.$1000Z');

/**
 * The kubelet's four node conditions. Pressure conditions stay False; Ready follows `ready`.
 * A condition keeps its lastTransitionTime unless its status changes (as the kubelet setters do).
 */
export function nodeConditions(ready: boolean, nowMs: number, previous: NodeCondition[] = []): NodeCondition[] {
  const now = timestamp(nowMs);
  const prev = new Map(previous.map((c) => [c.type, c]));
  const make = (type: string, status: 'True' | 'False', reason: string, message: string): NodeCondition => {
    const p = prev.get(type);
    return { type, status, lastHeartbeatTime: now, lastTransitionTime: p && p.status === status ? p.lastTransitionTime : now, reason, message };
  };
  return [
    make('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
    make('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
    make('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
    ready
      ? make('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
      : make('Ready', 'False', 'KubeletNotReady', 'container runtime is down (simulated node failure)'),
  ];
}

/** A stable fake machine identity per node name. */
function machineID(name: string): string {
  return createHash('sha256').update(`kumo-sim/${name}`).digest('hex').slice(0, 32);
}

export interface NodeIdentity { name: string; index: number; podCIDR: string; internalIP: string }

export function nodeStatus(o: Pick<SimOptions, 'capacity'>, id: NodeIdentity, kubeletVersion: string, ready: boolean,
  nowMs: number, previous?: NodeCondition[]): Obj {
  const mid = machineID(id.name);
  const uuid = `${mid.slice(0, 8)}-${mid.slice(8, 12)}-${mid.slice(12, 16)}-${mid.slice(16, 20)}-${mid.slice(20, 32)}`;
  return {
    capacity: { ...o.capacity },
    allocatable: { ...o.capacity },
    conditions: nodeConditions(ready, nowMs, previous),
    addresses: [{ type: 'InternalIP', address: id.internalIP }, { type: 'Hostname', address: id.name }],
    daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
    nodeInfo: {
      machineID: mid, systemUUID: uuid, bootID: uuid,
      kernelVersion: '6.1.0-sim', osImage: 'Kumo simulated node',
      containerRuntimeVersion: 'sim://1.0', kubeletVersion, kubeProxyVersion: kubeletVersion,
      operatingSystem: 'linux', architecture: 'amd64',
    },
  };
}

export function nodeObject(o: Pick<SimOptions, 'capacity' | 'taints'>, id: NodeIdentity, labels: Record<string, string>,
  kubeletVersion: string, ready: boolean, nowMs: number): Obj {
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: {
      name: id.name, labels,
      annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'sim.kumo.dev/node': 'simulated' },
    },
    spec: {
      podCIDR: id.podCIDR, podCIDRs: [id.podCIDR],
      ...(o.taints.length ? { taints: o.taints.map((t: Taint) => ({ ...t })) } : {}),
    },
    status: nodeStatus(o, id, kubeletVersion, ready, nowMs),
  };
}

export const LEASE_NAMESPACE = 'kube-node-lease';
export const LEASE_DURATION_SECONDS = 40;

/** The node's Lease, owned by the Node so it goes with it (as the kubelet sets it). */
export function leaseObject(nodeName: string, nodeUID: string | undefined, nowMs: number): Obj {
  return {
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease',
    metadata: {
      name: nodeName, namespace: LEASE_NAMESPACE,
      ...(nodeUID ? { ownerReferences: [{ apiVersion: 'v1', kind: 'Node', name: nodeName, uid: nodeUID }] } : {}),
    },
    spec: { holderIdentity: nodeName, leaseDurationSeconds: LEASE_DURATION_SECONDS, renewTime: microTime(nowMs) },
  };
}
