// Pod helpers the replica controllers share (upstream pkg/api/v1/pod and pkg/controller): activity,
// readiness, availability, and the deletion ranking ActivePodsWithRanks.
import type { Obj } from '../../client/informer.js';

export interface PodCondition { type: string; status: string; lastTransitionTime?: string }
export type Pod = Obj & {
  spec?: { nodeName?: string; [k: string]: unknown };
  status?: {
    phase?: string;
    conditions?: PodCondition[];
    containerStatuses?: { restartCount?: number }[];
    initContainerStatuses?: { restartCount?: number }[];
  };
  metadata: Obj['metadata'] & { creationTimestamp?: string; annotations?: Record<string, string> };
};

export const POD_DELETION_COST = 'controller.kubernetes.io/pod-deletion-cost';

/** Not finished and not being deleted (controller.IsPodActive). */
export function isPodActive(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !p.metadata.deletionTimestamp;
}

function readyCondition(p: Pod): PodCondition | undefined {
  return p.status?.conditions?.find((c) => c.type === 'Ready');
}

export function isPodReady(p: Pod): boolean { return readyCondition(p)?.status === 'True'; }

/** Ready for at least minReadySeconds at `now` (podutil.IsPodAvailable). */
export function isPodAvailable(p: Pod, minReadySeconds: number, now: number): boolean {
  const c = readyCondition(p);
  if (c?.status !== 'True') return false;
  if (minReadySeconds === 0) return true;
  const t = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  return !Number.isNaN(t) && t + minReadySeconds * 1000 <= now;
}

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };
const phaseOrdinal = (p: Pod) => PHASE_ORDINAL[p.status?.phase ?? ''] ?? 0;

function deletionCost(p: Pod): number {
  const v = p.metadata.annotations?.[POD_DELETION_COST];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) && n >= -2147483648 && n <= 2147483647 ? n : 0;
}

const time = (s: string | undefined): number | undefined => {
  if (!s) return undefined;
  const t = Date.parse(s);
  return Number.isNaN(t) ? undefined : t;
};

/** t1 sorts first when it is zero, else when it is later (upstream afterOrZero). */
function afterOrZero(t1: number | undefined, t2: number | undefined): boolean {
  if (t1 === undefined || t2 === undefined) return t1 === undefined;
  return t1 > t2;
}

/** Difference of the log2 buckets of how long ago t1 and t2 were (LogarithmicScaleDown). */
function logarithmicRankDiff(t1: number, t2: number, now: number): number {
  const bucket = (t: number) => { const d = (now - t) * 1e6; return d > 0 ? Math.floor(Math.log2(d)) : -1; };
  return bucket(t1) - bucket(t2);
}

function maxRestarts(p: Pod): number {
  let m = 0;
  for (const c of p.status?.containerStatuses ?? []) m = Math.max(m, c.restartCount ?? 0);
  return m;
}

/** A pod ranked for deletion: rank = how many related active pods share its node. */
export interface RankedPod { pod: Pod; rank: number }

/**
 * True when `a` should be deleted before `b` (ActivePodsWithRanks.Less): unassigned < assigned;
 * Pending < Unknown < Running; not ready < ready; lower deletion cost < higher; more pods on the same
 * node < fewer; ready more recently < longer (log2 buckets); more restarts < fewer; newer < older.
 */
export function deleteBefore(a: RankedPod, b: RankedPod, now: number): boolean {
  const pa = a.pod, pb = b.pod;
  const na = pa.spec?.nodeName ?? '', nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '';
  const oa = phaseOrdinal(pa), ob = phaseOrdinal(pb);
  if (oa !== ob) return oa < ob;
  const ra = isPodReady(pa), rb = isPodReady(pb);
  if (ra !== rb) return !ra;
  const ca = deletionCost(pa), cb = deletionCost(pb);
  if (ca !== cb) return ca < cb;
  if (a.rank !== b.rank) return a.rank > b.rank;
  if (ra && rb) {
    const ta = time(readyCondition(pa)?.lastTransitionTime), tb = time(readyCondition(pb)?.lastTransitionTime);
    if (ta !== tb) {
      if (ta === undefined || tb === undefined) return afterOrZero(ta, tb);
      const d = logarithmicRankDiff(ta, tb, now);
      if (d === 0) return String(pa.metadata.uid ?? '') < String(pb.metadata.uid ?? '');
      return d < 0;
    }
  }
  const ma = maxRestarts(pa), mb = maxRestarts(pb);
  if (ma !== mb) return ma > mb;
  const cta = time(pa.metadata.creationTimestamp), ctb = time(pb.metadata.creationTimestamp);
  if (cta !== ctb) {
    if (cta === undefined || ctb === undefined) return afterOrZero(cta, ctb);
    const d = logarithmicRankDiff(cta, ctb, now);
    if (d === 0) return String(pa.metadata.uid ?? '') < String(pb.metadata.uid ?? '');
    return d < 0;
  }
  return false;
}

/**
 * The `diff` pods to delete first (getPodsToDelete): when only some go, rank them by related
 * active pods on the same node and sort by deleteBefore.
 */
export function podsToDelete(filtered: Pod[], related: Pod[], diff: number, now = Date.now()): Pod[] {
  if (diff >= filtered.length) return filtered.slice(0, diff);
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) { const n = p.spec?.nodeName ?? ''; onNode.set(n, (onNode.get(n) ?? 0) + 1); }
  const ranked = filtered.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
  ranked.sort((a, b) => (deleteBefore(a, b, now) ? -1 : deleteBefore(b, a, now) ? 1 : 0));
  return ranked.slice(0, diff).map((r) => r.pod);
}
