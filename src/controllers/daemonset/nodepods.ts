// Per-node decisions of the daemonset controller (upstream podsShouldBeOnNode,
// getUnscheduledPodsWithoutNode, updateDaemonSetStatus' counting): pure functions of a node, its
// daemon pods and the DaemonSet, so they are unit-tested without a cluster.
import { isPodAvailable, isPodReady } from '../replicaset/pods.js';
import { nodeShouldRunDaemonPod } from './eligibility.js';
import { allowsSurge, isPodUpdated, templateGeneration } from './update.js';
import { DAEMONSET_UNIQUE_LABEL, type DaemonSet, type DaemonSetStatus, type Node, type Pod } from './types.js';

const created = (p: Pod) => { const t = Date.parse(p.metadata.creationTimestamp ?? ''); return Number.isNaN(t) ? 0 : t; };

/** podByCreationTimestampAndPhase: scheduled pods first, then oldest first, then by name. */
export function byCreationTimestampAndPhase(a: Pod, b: Pod): number {
  const sa = Boolean(a.spec?.nodeName), sb = Boolean(b.spec?.nodeName);
  if (sa !== sb) return sa ? -1 : 1;
  const ta = created(a), tb = created(b);
  if (ta === tb) return String(a.metadata.name) < String(b.metadata.name) ? -1 : String(a.metadata.name) > String(b.metadata.name) ? 1 : 0;
  return ta - tb;
}

export interface NodeDecision {
  /** a daemon pod must be created on this node */
  create: boolean;
  /** names of daemon pods to delete */
  podsToDelete: string[];
  /** failed pods found (and to be deleted now): FailedDaemonPod events */
  failed: Pod[];
  /** succeeded pods found: SucceededDaemonPod events */
  succeeded: Pod[];
  /** failed pods left alone because of backoff: sync again after this many ms */
  retryAfterMs?: number;
}

/**
 * Failed-pod backoff as podsShouldBeOnNode uses it: `inBackoff` says whether deleting a failed pod
 * on this node must wait (and for how long), `next` records a deletion.
 */
export interface FailedPodBackoff {
  inBackoff(nodeName: string): number | undefined;
  next(nodeName: string): void;
}

/** podsShouldBeOnNode */
export function podsShouldBeOnNode(node: Node, daemonPods: Pod[] | undefined, ds: DaemonSet, hash: string,
  backoff: FailedPodBackoff, now: number): NodeDecision {
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const d: NodeDecision = { create: false, podsToDelete: [], failed: [], succeeded: [] };
  const nodeName = String(node.metadata.name);
  const exists = daemonPods !== undefined && daemonPods.length > 0;
  if (shouldRun && !exists) { d.create = true; return d; }
  if (shouldContinueRunning) {
    const running: Pod[] = [];
    for (const p of daemonPods ?? []) {
      if (p.metadata.deletionTimestamp) continue;
      const phase = p.status?.phase;
      if (phase === 'Failed') {
        // a node that keeps rejecting the pod must not make us hot-loop: back off per node
        const wait = backoff.inBackoff(nodeName);
        if (wait !== undefined) { d.retryAfterMs = Math.min(d.retryAfterMs ?? Infinity, wait); continue; }
        backoff.next(nodeName);
        d.failed.push(p);
        d.podsToDelete.push(String(p.metadata.name));
      } else if (phase === 'Succeeded') {
        d.succeeded.push(p);
        d.podsToDelete.push(String(p.metadata.name));
      } else running.push(p);
    }
    running.sort(byCreationTimestampAndPhase);
    if (!allowsSurge(ds)) {
      // one pod per node: keep the oldest
      for (const p of running.slice(1)) d.podsToDelete.push(String(p.metadata.name));
      return d;
    }
    if (running.length <= 1) {
      if (running.length === 0 && shouldRun) d.create = true;
      return d;
    }
    // surging: keep the oldest new pod and the oldest old pod; the old one goes once it is not
    // ready or the new one is available
    let oldestNew: Pod | undefined, oldestOld: Pod | undefined;
    for (const p of running) {
      if (p.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] === hash) {
        if (!oldestNew) { oldestNew = p; continue; }
      } else if (!oldestOld) { oldestOld = p; continue; }
      d.podsToDelete.push(String(p.metadata.name));
    }
    if (oldestNew && oldestOld) {
      if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec.minReadySeconds ?? 0, now)) {
        d.podsToDelete.push(String(oldestOld.metadata.name));
      }
    }
    return d;
  }
  if (exists) {
    // the daemon must not run here (any more): remove every pod of it
    for (const p of daemonPods!) if (!p.metadata.deletionTimestamp) d.podsToDelete.push(String(p.metadata.name));
  }
  return d;
}

/**
 * getUnscheduledPodsWithoutNode: pods still waiting for a node that no longer exists can never be
 * scheduled and pod GC does not see them, so the DaemonSet removes them.
 */
export function unscheduledPodsWithoutNode(nodes: Node[], nodeToPods: Map<string, Pod[]>): string[] {
  const live = new Set(nodes.map((n) => String(n.metadata.name)));
  const out: string[] = [];
  for (const [n, pods] of nodeToPods) {
    if (live.has(n)) continue;
    for (const p of pods) if (!p.spec?.nodeName) out.push(String(p.metadata.name));
  }
  return out;
}

export type CountedStatus = Required<Pick<DaemonSetStatus, 'desiredNumberScheduled' | 'currentNumberScheduled' | 'numberMisscheduled'
  | 'numberReady' | 'updatedNumberScheduled' | 'numberAvailable' | 'numberUnavailable'>>;

/** updateDaemonSetStatus' counts: per node that should run it, the oldest daemon pod decides. */
export function calculateStatus(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string, now: number): CountedStatus {
  let desired = 0, current = 0, misscheduled = 0, ready = 0, updated = 0, available = 0;
  const gen = templateGeneration(ds);
  for (const node of nodes) {
    const { shouldRun } = nodeShouldRunDaemonPod(node, ds);
    const pods = nodeToPods.get(String(node.metadata.name)) ?? [];
    const scheduled = pods.length > 0;
    if (!shouldRun) {
      if (scheduled) misscheduled++;
      continue;
    }
    desired++;
    if (!scheduled) continue;
    current++;
    const pod = [...pods].sort(byCreationTimestampAndPhase)[0];
    if (isPodReady(pod)) {
      ready++;
      if (isPodAvailable(pod, ds.spec.minReadySeconds ?? 0, now)) available++;
    }
    if (isPodUpdated(pod, hash, gen)) updated++;
  }
  return {
    desiredNumberScheduled: desired, currentNumberScheduled: current, numberMisscheduled: misscheduled,
    numberReady: ready, updatedNumberScheduled: updated, numberAvailable: available, numberUnavailable: desired - available,
  };
}
