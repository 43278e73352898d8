// Which nodes a DaemonSet runs on (upstream NodeShouldRunDaemonPod and daemon/util): the pod it
// would create — its template plus the tolerations every daemon pod gets — must fit the node's
// name, nodeSelector and required node affinity, and tolerate the node's NoSchedule/NoExecute
// taints. A pod already running may stay while it tolerates the NoExecute ones. Unschedulable
// nodes still get daemon pods: the automatic unschedulable toleration covers their taint.
import { tolerationsTolerateTaint } from '../../scheduler/plugins/helpers.js';
import { podMatchesNode } from '../../scheduler/plugins/nodeaffinity.js';
import type { Node as SchedNode, Pod as SchedPod } from '../../scheduler/types.js';
import type { DaemonSet, Node, PodTemplate, Taint, Toleration } from './types.js';

/** Toleration.MatchToleration: same key, operator, value and effect (tolerationSeconds aside). */
function sameToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? '') === (b.operator ?? '')
    && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

/** AddOrUpdateTolerationInPodSpec: replaces a matching toleration (e.g. one with tolerationSeconds) or appends. */
export function addOrUpdateToleration(tolerations: Toleration[] | undefined, t: Toleration): Toleration[] {
  const out: Toleration[] = [];
  let replaced = false;
  for (const cur of tolerations ?? []) {
    if (sameToleration(cur, t)) { out.push({ ...t }); replaced = true; } else out.push(cur);
  }
  if (!replaced) out.push({ ...t });
  return out;
}

/**
 * AddOrUpdateDaemonPodTolerations: daemon pods survive node problems (not-ready and unreachable
 * NoExecute forever) and ignore the condition taints and cordoning; host-network pods also the
 * network-unavailable taint.
 */
export function daemonPodTolerations(spec: { tolerations?: Toleration[]; hostNetwork?: boolean }): Toleration[] {
  let ts = spec.tolerations;
  const add = (key: string, effect: string) => { ts = addOrUpdateToleration(ts, { key, operator: 'Exists', effect }); };
  add('node.kubernetes.io/not-ready', 'NoExecute');
  add('node.kubernetes.io/unreachable', 'NoExecute');
  add('node.kubernetes.io/disk-pressure', 'NoSchedule');
  add('node.kubernetes.io/memory-pressure', 'NoSchedule');
  add('node.kubernetes.io/pid-pressure', 'NoSchedule');
  add('node.kubernetes.io/unschedulable', 'NoSchedule');
  if (spec.hostNetwork) add('node.kubernetes.io/network-unavailable', 'NoSchedule');
  return ts ?? [];
}

/** FindMatchingUntoleratedTaint: the first taint passing `filter` that no toleration tolerates. */
export function findUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[],
  filter: (t: Taint) => boolean): Taint | undefined {
  return (taints ?? []).find((t) => filter(t) && !tolerationsTolerateTaint(tolerations, t));
}

export interface ShouldRun {
  /** a daemon pod should be created on the node when none is there */
  shouldRun: boolean;
  /** a daemon pod already there may keep running */
  shouldContinueRunning: boolean;
}

/** NodeShouldRunDaemonPod */
export function nodeShouldRunDaemonPod(node: Node, ds: DaemonSet): ShouldRun {
  const tmpl: PodTemplate = ds.spec.template ?? {};
  const spec = tmpl.spec ?? {};
  const nodeName = String(node.metadata.name);
  if (spec.nodeName && spec.nodeName !== nodeName) return { shouldRun: false, shouldContinueRunning: false };
  const pod = { metadata: { name: '', labels: tmpl.metadata?.labels }, spec: { ...spec, containers: [], nodeName } } as unknown as SchedPod;
  // ignore parsing errors, as upstream: a malformed affinity simply does not match
  let fitsAffinity = false;
  try { fitsAffinity = podMatchesNode(pod, node as unknown as SchedNode); } catch { fitsAffinity = false; }
  if (!fitsAffinity) return { shouldRun: false, shouldContinueRunning: false };
  const tolerations = daemonPodTolerations(spec);
  const taints = node.spec?.taints;
  const blocking = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute' || t.effect === 'NoSchedule');
  if (blocking) {
    const evicting = findUntoleratedTaint(taints, tolerations, (t) => t.effect === 'NoExecute');
    return { shouldRun: false, shouldContinueRunning: !evicting };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the pod's required node affinity becomes the single term
 * `metadata.name In [node]`, so the default scheduler binds it there (other required terms are
 * replaced: the node was already checked against them).
 */
export function withNodeNameAffinity(affinity: Record<string, unknown> | undefined, nodeName: string): Record<string, unknown> {
  const term = { matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] };
  const out = structuredClone(affinity ?? {}) as Record<string, any>;
  out.nodeAffinity ??= {};
  const req = out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution;
  if (!req) out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { nodeSelectorTerms: [term] };
  else req.nodeSelectorTerms = [term];
  return out;
}

/**
 * GetTargetNodeName: the node a daemon pod is for — spec.nodeName once bound, else the single
 * `metadata.name In` value of its required node affinity; undefined when it has neither.
 */
export function targetNodeName(pod: { spec?: Record<string, any> }): string | undefined {
  const spec = pod.spec ?? {};
  if (spec.nodeName) return String(spec.nodeName);
  const terms = spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms;
  if (!Array.isArray(terms)) return undefined;
  for (const term of terms) {
    for (const r of term?.matchFields ?? []) {
      if (r.key === 'metadata.name' && r.operator === 'In') return Array.isArray(r.values) && r.values.length === 1 ? String(r.values[0]) : undefined;
    }
  }
  return undefined;
}
