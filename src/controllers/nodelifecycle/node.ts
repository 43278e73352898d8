// Node helpers the node controllers share (upstream pkg/controller/util/node, pkg/util/taints and
// component-helpers node/topology): conditions, the zone key, taint set maths, taint writes and
// node events in upstream's wording.
import type { Obj } from '../../client/informer.js';
import type { RESTClient } from '../../client/rest.js';
import type { EventRecorder } from '../manager/events.js';

export interface NodeCondition {
  type: string; status: string; reason?: string; message?: string; lastHeartbeatTime?: string; lastTransitionTime?: string;
}
export interface Taint { key: string; value?: string; effect: string; timeAdded?: string }
export type Node = Obj & {
  metadata: Obj['metadata'] & { creationTimestamp?: string };
  spec?: { unschedulable?: boolean; taints?: Taint[]; podCIDR?: string; podCIDRs?: string[]; [k: string]: unknown };
  status?: { conditions?: NodeCondition[]; [k: string]: unknown };
};

export const TAINT_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
export const TAINT_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

export const UNREACHABLE_NO_EXECUTE: Taint = { key: TAINT_UNREACHABLE, effect: 'NoExecute' };
export const NOT_READY_NO_EXECUTE: Taint = { key: TAINT_NOT_READY, effect: 'NoExecute' };

/** RFC 3339 with second precision, as metav1.Time serialises. */
export function rfc3339(ms: number = Date.now()): string {
  return new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
}

export function getNodeCondition(node: { status?: { conditions?: NodeCondition[] } } | undefined, type: string): NodeCondition | undefined {
  return node?.status?.conditions?.find((c) => c.type === type);
}

export function isNodeReady(node: Node): boolean { return getNodeCondition(node, 'Ready')?.status === 'True'; }

/** upstream GetZoneKey: "region:\0:zone" from the topology labels (beta ones as fallback), "" when neither is set. */
export function zoneKey(node: Node): string {
  const l = node.metadata.labels ?? {};
  const zone = l['topology.kubernetes.io/zone'] ?? l['failure-domain.beta.kubernetes.io/zone'] ?? '';
  const region = l['topology.kubernetes.io/region'] ?? l['failure-domain.beta.kubernetes.io/region'] ?? '';
  if (!zone && !region) return '';
  return `${region}:\x00:${zone}`;
}

/** Taint.MatchTaint: same key and effect (the value does not matter). */
export function matchTaint(a: Taint, b: Taint): boolean { return a.key === b.key && a.effect === b.effect; }

export function taintExists(taints: Taint[] | undefined, t: Taint): boolean {
  return (taints ?? []).some((x) => matchTaint(x, t));
}

/** TaintSetDiff: taints of `want` missing from `have`, and taints of `have` not in `want`. */
export function taintSetDiff(want: Taint[], have: Taint[]): { add: Taint[]; remove: Taint[] } {
  return {
    add: want.filter((t) => !have.some((h) => matchTaint(h, t))),
    remove: have.filter((h) => !want.some((t) => matchTaint(h, t))),
  };
}

/**
 * Adds `add` (stamped with timeAdded) and removes `remove` from a Node's taints (upstream
 * SwapNodeControllerTaint): a merge patch carrying the resourceVersion read, retried on conflict.
 */
export async function swapNodeTaints(client: RESTClient, nodeName: string, add: Taint[], remove: Taint[], cached?: Node): Promise<void> {
  const path = `/api/v1/nodes/${encodeURIComponent(nodeName)}`;
  let node = cached;
  for (let attempt = 0; ; attempt++) {
    if (!node || attempt > 0) node = await client.request<Node>('GET', path);
    const old = node.spec?.taints ?? [];
    let next = old.filter((t) => !remove.some((r) => matchTaint(r, t)));
    let changed = next.length !== old.length;
    const now = rfc3339();
    for (const t of add) {
      const i = next.findIndex((x) => matchTaint(x, t));
      if (i >= 0 && (next[i].value ?? '') === (t.value ?? '')) continue;
      const stamped = { ...t, timeAdded: now };
      next = i >= 0 ? next.map((x, j) => (j === i ? stamped : x)) : [...next, stamped];
      changed = true;
    }
    if (!changed) return;
    try {
      await client.request('PATCH', path, { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: next.length ? next : null } },
        'application/merge-patch+json');
      return;
    } catch (err) {
      if ((err as { code?: number }).code !== 409 || attempt >= 4) throw err;
    }
  }
}

/** RecordNodeEvent: "Node <name> event: <event>". */
export function recordNodeEvent(recorder: EventRecorder, node: Node, type: 'Normal' | 'Warning', reason: string, event: string): void {
  recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata.name, uid: node.metadata.uid } }, type, reason,
    `Node ${node.metadata.name} event: ${event}`);
}

/** RecordNodeStatusChange: a Normal event "Node <name> status is now: <status>". */
export function recordNodeStatusChange(recorder: EventRecorder, node: Node, status: string): void {
  recorder.event({ apiVersion: 'v1', kind: 'Node', metadata: { name: node.metadata.name, uid: node.metadata.uid } }, 'Normal', status,
    `Node ${node.metadata.name} status is now: ${status}`);
}

/** Pods indexed by spec.nodeName (the index name upstream uses). */
export const NODE_NAME_INDEX = 'spec.nodeName';
export const byNodeName = (o: Obj): string[] => {
  const n = (o as { spec?: { nodeName?: string } }).spec?.nodeName;
  return n ? [n] : [];
};
