// The arithmetic of a PodDisruptionBudget's status (upstream pkg/controller/disruption and
// component-helpers/apps/poddisruptionbudget): desired healthy pods from minAvailable/maxUnavailable
// (percentages of the owners' scale, rounded up), healthy pods not already promised to an eviction,
// the disruptedPods map with its 2-minute expiry, and the DisruptionAllowed condition.
import type { Obj } from '../../client/informer.js';
import { isPodReady, type Pod } from '../replicaset/pods.js';

/** upstream DeletionTimeout: an eviction not followed by a deletion within this is forgotten */
export const DELETION_TIMEOUT_MS = 2 * 60_000;
/** upstream stalePodDisruptionTimeout: a DisruptionTarget condition on a live pod is reset after this */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60_000;

export type IntOrString = number | string;

export interface Condition {
  type: string; status: string; reason?: string; message?: string; observedGeneration?: number; lastTransitionTime?: string;
}

export interface PDBStatus {
  observedGeneration?: number;
  disruptedPods?: Record<string, string>;
  disruptionsAllowed?: number;
  currentHealthy?: number;
  desiredHealthy?: number;
  expectedPods?: number;
  conditions?: Condition[];
}

export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}

export type PDB = Obj & {
  apiVersion?: string;
  kind?: string;
  metadata: Obj['metadata'] & { generation?: number };
  spec?: {
    minAvailable?: IntOrString;
    maxUnavailable?: IntOrString;
    selector?: LabelSelectorSpec | null;
    unhealthyPodEvictionPolicy?: string;
  };
  status?: PDBStatus;
};

export const rfc3339 = (ms: number) => new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');

/** intstr.GetScaledValueFromIntOrPercent(v, total, roundUp=true), with upstream's error texts. */
export function scaledValue(v: IntOrString | undefined | null, total: number): number {
  if (v === undefined || v === null) throw new Error('nil value for IntOrString');
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) {
    throw new Error(`invalid value for IntOrString: invalid value ${JSON.stringify(v)}: strconv.Atoi: parsing ${JSON.stringify(digits)}: invalid syntax`);
  }
  return Math.ceil(Number(digits) * total / 100);
}

/** What getExpectedPodCount needs: whether counting the owners' scale is required. */
export function needsScale(pdb: PDB): boolean {
  const s = pdb.spec ?? {};
  if (s.maxUnavailable !== undefined && s.maxUnavailable !== null) return true;
  return typeof s.minAvailable === 'string';
}

/**
 * getExpectedPodCount once the owners' total scale is known (`scale`, only used when needsScale):
 * maxUnavailable → expected = scale, desired = scale - ceil(maxUnavailable); minAvailable as a
 * number → expected = matching pods, desired = minAvailable; as a percentage → ceil(% of scale).
 */
export function expectedPodCount(pdb: PDB, podCount: number, scale: number): { expectedCount: number; desiredHealthy: number } {
  const s = pdb.spec ?? {};
  if (s.maxUnavailable !== undefined && s.maxUnavailable !== null) {
    const maxUnavailable = scaledValue(s.maxUnavailable, scale);
    return { expectedCount: scale, desiredHealthy: Math.max(0, scale - maxUnavailable) };
  }
  if (typeof s.minAvailable === 'number') return { expectedCount: podCount, desiredHealthy: s.minAvailable };
  if (typeof s.minAvailable === 'string') return { expectedCount: scale, desiredHealthy: scaledValue(s.minAvailable, scale) };
  return { expectedCount: 0, desiredHealthy: 0 };
}

/** countHealthyPods: ready, not terminating, not promised to an eviction in the last 2 minutes. */
export function countHealthyPods(pods: Pod[], disrupted: Record<string, string>, now: number): number {
  let n = 0;
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    const t = disrupted[String(p.metadata.name)];
    if (t !== undefined && Date.parse(t) + DELETION_TIMEOUT_MS > now) continue;
    if (isPodReady(p)) n++;
  }
  return n;
}

/**
 * buildDisruptedPodMap: keeps the entries of pods that still exist and are not terminating yet,
 * drops the expired ones (reported in `notDeleted`), and says when the earliest entry expires.
 */
export function buildDisruptedPodMap(pods: Pod[], pdb: PDB, now: number):
  { disruptedPods: Record<string, string>; recheckAt?: number; notDeleted: Pod[] } {
  const old = pdb.status?.disruptedPods;
  const disruptedPods: Record<string, string> = {};
  const notDeleted: Pod[] = [];
  let recheckAt: number | undefined;
  if (!old) return { disruptedPods, notDeleted };
  for (const p of pods) {
    if (p.metadata.deletionTimestamp) continue;
    const t = old[String(p.metadata.name)];
    if (t === undefined) continue;
    const expected = Date.parse(t) + DELETION_TIMEOUT_MS;
    if (expected < now) { notDeleted.push(p); continue; }
    if (recheckAt === undefined || expected < recheckAt) recheckAt = expected;
    disruptedPods[String(p.metadata.name)] = t;
  }
  return { disruptedPods, recheckAt, notDeleted };
}

/** apimeta.SetStatusCondition: the transition time moves only when the status changes. */
export function setStatusCondition(conds: Condition[], c: Condition, now: number): Condition[] {
  const out = conds.map((x) => ({ ...x }));
  const cur = out.find((x) => x.type === c.type);
  if (!cur) { out.push({ ...c, lastTransitionTime: c.lastTransitionTime ?? rfc3339(now) }); return out; }
  if (cur.status !== c.status) { cur.status = c.status; cur.lastTransitionTime = c.lastTransitionTime ?? rfc3339(now); }
  cur.reason = c.reason;
  cur.message = c.message;
  cur.observedGeneration = c.observedGeneration;
  return out;
}

/** pdbhelper.UpdateDisruptionAllowedCondition on a status (returns the new conditions). */
export function disruptionAllowedConditions(st: PDBStatus, now: number): Condition[] {
  const ok = (st.disruptionsAllowed ?? 0) > 0;
  return setStatusCondition(st.conditions ?? [], {
    type: 'DisruptionAllowed', status: ok ? 'True' : 'False', reason: ok ? 'SufficientPods' : 'InsufficientPods',
    message: '', observedGeneration: st.observedGeneration,
  }, now);
}

/** pdbhelper.ConditionsAreUpToDate */
export function conditionsAreUpToDate(pdb: PDB): boolean {
  const st = pdb.status ?? {};
  const c = st.conditions?.find((x) => x.type === 'DisruptionAllowed');
  if (!c) return false;
  if ((st.observedGeneration ?? 0) !== (pdb.metadata.generation ?? 0)) return false;
  if ((st.disruptionsAllowed ?? 0) > 0) return c.status === 'True' && c.reason === 'SufficientPods';
  return c.status === 'False' && c.reason === 'InsufficientPods';
}

/**
 * updatePdbStatus: the status to write, or undefined when the current one is already right.
 * Disruptions are allowed only when some pods are expected (a budget that matches nothing yet must
 * not approve evictions of pods that appear before the next sync).
 */
export function nextStatus(pdb: PDB, currentHealthy: number, desiredHealthy: number, expectedCount: number,
  disruptedPods: Record<string, string>, now: number): PDBStatus | undefined {
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const st = pdb.status ?? {};
  const gen = pdb.metadata.generation ?? 0;
  if ((st.currentHealthy ?? 0) === currentHealthy && (st.desiredHealthy ?? 0) === desiredHealthy
    && (st.expectedPods ?? 0) === expectedCount && (st.disruptionsAllowed ?? 0) === disruptionsAllowed
    && sameDisruptedPods(st.disruptedPods, disruptedPods) && (st.observedGeneration ?? 0) === gen && conditionsAreUpToDate(pdb)) {
    return undefined;
  }
  const next: PDBStatus = {
    observedGeneration: gen, disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods: expectedCount,
    ...(Object.keys(disruptedPods).length ? { disruptedPods } : {}),
  };
  next.conditions = disruptionAllowedConditions({ ...next, conditions: st.conditions }, now);
  return next;
}

/** failSafe: no disruptions, and DisruptionAllowed=False with reason SyncFailed and the error. */
export function failSafeStatus(pdb: PDB, err: Error, now: number): PDBStatus {
  const st = pdb.status ?? {};
  return {
    ...structuredClone(st), disruptionsAllowed: 0,
    conditions: setStatusCondition(st.conditions ?? [], {
      type: 'DisruptionAllowed', status: 'False', reason: 'SyncFailed', message: err.message, observedGeneration: st.observedGeneration,
    }, now),
  };
}

/** apiequality.Semantic.DeepEqual of two disruptedPods maps (nil equals empty, times compared as instants). */
function sameDisruptedPods(a: Record<string, string> | undefined, b: Record<string, string>): boolean {
  const ka = Object.keys(a ?? {});
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => b[k] !== undefined && Date.parse(b[k]) === Date.parse(a![k]));
}

/**
 * nonTerminatingPodHasStaleDisruptionCondition: a live, non-terminal pod whose DisruptionTarget=True
 * (not set by the kubelet) has had it for a while; returns how long to wait before resetting it.
 */
export function staleDisruptionWait(p: Pod, now: number, timeoutMs = STALE_POD_DISRUPTION_TIMEOUT_MS): number | undefined {
  if (p.metadata.deletionTimestamp) return undefined;
  const c = (p.status?.conditions as Condition[] | undefined)?.find((x) => x.type === 'DisruptionTarget');
  const phase = p.status?.phase;
  if (!c || c.status !== 'True' || c.reason === 'TerminationByKubelet' || phase === 'Succeeded' || phase === 'Failed') return undefined;
  const since = c.lastTransitionTime ? Date.parse(c.lastTransitionTime) : NaN;
  const waited = Number.isNaN(since) ? timeoutMs : now - since;
  return Math.max(0, timeoutMs - waited);
}

/** The LabelSelector as Go's %v prints it (the gogo String()), for the UnmanagedPods event. */
export function goSelectorString(sel: LabelSelectorSpec | null | undefined): string {
  if (!sel) return 'nil';
  const ml = sel.matchLabels ?? {};
  const labels = Object.keys(ml).sort().map((k) => `${k}: ${ml[k]},`).join('');
  const exprs = (sel.matchExpressions ?? []).map((e) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${labels}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}
