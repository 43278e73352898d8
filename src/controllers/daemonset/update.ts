// Rolling update decisions (upstream daemon/update.go rollingUpdate and daemon/util): which old pods
// to delete and which nodes get a new pod this round, bounded by maxUnavailable (delete first) or
// maxSurge (create first). Pure functions over the node → daemon pods map, so they are unit-tested.
import { isPodAvailable } from '../replicaset/pods.js';
import { DAEMONSET_UNIQUE_LABEL, DEPRECATED_TEMPLATE_GENERATION, TEMPLATE_GENERATION_LABEL, type DaemonSet, type IntOrString, type Pod } from './types.js';

/** intstr.GetScaledValueFromIntOrPercent with roundUp, upstream's error wording. */
export function scaledValue(v: IntOrString | undefined | null, total: number, roundUp = true): number {
  if (v === undefined || v === null) throw new Error('nil value for IntOrString');
  if (typeof v === 'number') return Math.trunc(v);
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const s = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(s)) throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(s)}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`);
  const pct = Number(s);
  return roundUp ? Math.ceil((pct * total) / 100) : Math.floor((pct * total) / 100);
}

const isRolling = (ds: DaemonSet) => ds.spec.updateStrategy?.type === 'RollingUpdate';

/** SurgeCount: 0 unless RollingUpdate with maxSurge set. */
export function surgeCount(ds: DaemonSet, numberToSchedule: number): number {
  const r = ds.spec.updateStrategy?.rollingUpdate;
  if (!isRolling(ds) || !r || r.maxSurge === undefined || r.maxSurge === null) return 0;
  return scaledValue(r.maxSurge, numberToSchedule);
}

/** UnavailableCount: 0 unless RollingUpdate. */
export function unavailableCount(ds: DaemonSet, numberToSchedule: number): number {
  const r = ds.spec.updateStrategy?.rollingUpdate;
  if (!isRolling(ds) || !r) return 0;
  return scaledValue(r.maxUnavailable, numberToSchedule);
}

/** AllowsSurge: more than one pod per node may exist during an update. */
export function allowsSurge(ds: DaemonSet): boolean {
  try { return surgeCount(ds, 1) > 0; } catch { return false; }
}

/** GetTemplateGeneration: the API server's deprecated annotation; undefined when absent or unparsable. */
export function templateGeneration(ds: DaemonSet): number | undefined {
  const a = ds.metadata.annotations?.[DEPRECATED_TEMPLATE_GENERATION];
  if (a === undefined || !/^[+-]?\d+$/.test(a)) return undefined;
  return Number(a);
}

/** IsPodUpdated: the pod carries the current hash, or (older pods) the current template generation. */
export function isPodUpdated(pod: Pod, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[DAEMONSET_UNIQUE_LABEL] === hash;
  return hashMatches || templateMatches;
}

/**
 * findUpdatedPodsOnNode: the node's one new and one old pod (terminating pods ignored); ok=false
 * when it has two of either kind, which the manage loop cleans up first.
 */
export function findUpdatedPodsOnNode(ds: DaemonSet, pods: Pod[], hash: string): { newPod?: Pod; oldPod?: Pod; ok: boolean } {
  const gen = templateGeneration(ds);
  let newPod: Pod | undefined, oldPod: Pod | undefined;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    if (isPodUpdated(p, hash, gen)) {
      if (newPod) return { ok: false };
      newPod = p;
    } else {
      if (oldPod) return { ok: false };
      oldPod = p;
    }
  }
  return { newPod, oldPod, ok: true };
}

/**
 * updatedDesiredNodeCounts' numbers: maxSurge and maxUnavailable out of `desired` nodes; both 0
 * (an impossible configuration) falls back to one unavailable, as upstream.
 */
export function desiredCounts(ds: DaemonSet, desired: number): { maxSurge: number; maxUnavailable: number } {
  let maxUnavailable: number, maxSurge: number;
  try { maxUnavailable = unavailableCount(ds, desired); } catch (err) { throw new Error(`invalid value for MaxUnavailable: ${(err as Error).message}`); }
  try { maxSurge = surgeCount(ds, desired); } catch (err) { throw new Error(`invalid value for MaxSurge: ${(err as Error).message}`); }
  if (desired > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable };
}

export interface RollingPlan {
  /** names of old pods to delete */
  podsToDelete: string[];
  /** nodes that get a new pod now (surge only) */
  nodesToCreate: string[];
}

/**
 * rollingUpdate's choice. `nodeToPods` holds every node that should run the daemon (an empty list
 * when it has no pod yet) plus any other node with daemon pods. Nodes are visited in name order so
 * the choice is deterministic (upstream walks a Go map).
 */
export function planRollingUpdate(ds: DaemonSet, nodeToPods: Map<string, Pod[]>, hash: string,
  maxSurge: number, maxUnavailable: number, now: number): RollingPlan {
  const minReady = ds.spec.minReadySeconds ?? 0;
  const available = (p: Pod) => isPodAvailable(p, minReady, now);
  const nodes = [...nodeToPods.keys()].sort();
  if (maxSurge === 0) {
    // delete just enough old pods to stay within maxUnavailable; manage() creates their replacements
    let numUnavailable = 0;
    const allowedReplacements: string[] = [], candidates: string[] = [];
    for (const n of nodes) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, nodeToPods.get(n) ?? [], hash);
      if (!ok) { numUnavailable++; continue; }
      if ((!oldPod && !newPod) || (oldPod && newPod)) { numUnavailable++; continue; }
      if (newPod) { if (!available(newPod)) numUnavailable++; continue; }
      if (!available(oldPod!)) allowedReplacements.push(String(oldPod!.metadata.name));
      else if (numUnavailable < maxUnavailable) candidates.push(String(oldPod!.metadata.name));
    }
    const remaining = Math.min(Math.max(0, maxUnavailable - numUnavailable), candidates.length);
    return { podsToDelete: [...allowedReplacements, ...candidates.slice(0, remaining)], nodesToCreate: [] };
  }
  // surge: a new pod beside each old one (at most maxSurge in flight), the old one goes once the new is available
  let numSurge = 0;
  const podsToDelete: string[] = [], allowedNew: string[] = [], candidateNew: string[] = [];
  for (const n of nodes) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, nodeToPods.get(n) ?? [], hash);
    if (!ok) { numSurge++; continue; }
    if (!oldPod) continue;
    if (!newPod) {
      if (!available(oldPod)) allowedNew.push(n);
      else if (numSurge < maxSurge) candidateNew.push(n);
      continue;
    }
    if (!available(newPod)) { numSurge++; continue; }
    podsToDelete.push(String(oldPod.metadata.name));
  }
  const remaining = Math.min(Math.max(0, maxSurge - numSurge), candidateNew.length);
  return { podsToDelete, nodesToCreate: [...allowedNew, ...candidateNew.slice(0, remaining)] };
}
