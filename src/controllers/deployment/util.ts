// Pure helpers of upstream pkg/controller/deployment/util: annotations, revisions, fenceposts
// (maxSurge/maxUnavailable with upstream's rounding), new/old ReplicaSet selection, proportional
// scaling fractions, and the orderings the rollout uses. No I/O here, so the math is unit-testable.
import { canonicalJSON } from './hash.js';
import type { Deployment, IntOrString, PodTemplate, ReplicaSet } from './types.js';

export const DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY = 'pod-template-hash';
export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
export const LAST_APPLIED_CONFIG_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
/** upstream maxRevHistoryLengthInChars */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;
const MAX_INT32 = 2147483647;

const ANNOTATIONS_TO_SKIP = new Set([
  LAST_APPLIED_CONFIG_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, DEPRECATED_ROLLBACK_TO,
]);

export const skipCopyAnnotation = (k: string): boolean => ANNOTATIONS_TO_SKIP.has(k);

export const replicas = (o: { spec: { replicas?: number } } | undefined): number => o?.spec.replicas ?? 1;
const rsReplicas = (rs: ReplicaSet): number => rs.spec.replicas ?? 0;

// ---- int-or-percent and fenceposts ----

/** intstr.GetScaledValueFromIntOrPercent: ints as is, "N%" of total rounded up or down. */
export function scaledValueFromIntOrPercent(v: IntOrString | null | undefined, total: number, roundUp: boolean): number {
  if (v === null || v === undefined) return 0;
  if (typeof v === 'number') return v;
  if (!v.endsWith('%')) throw new Error('invalid value for IntOrString: invalid type: string is not a percentage');
  const digits = v.slice(0, -1);
  if (!/^[+-]?\d+$/.test(digits)) {
    throw new Error(`invalid value for IntOrString: invalid value "${v}": strconv.Atoi: parsing "${digits}": invalid syntax`);
  }
  const scaled = (Number(digits) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

export const isRollingUpdate = (d: Deployment): boolean => (d.spec.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';

/** ResolveFenceposts: surge rounds up, unavailable rounds down, and both zero means unavailable 1. */
export function resolveFenceposts(maxSurge: IntOrString | null | undefined, maxUnavailable: IntOrString | null | undefined,
  desired: number): { surge: number; unavailable: number } {
  const surge = scaledValueFromIntOrPercent(maxSurge ?? 0, desired, true);
  let unavailable = scaledValueFromIntOrPercent(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return { surge, unavailable };
}

function fenceposts(d: Deployment): { surge: number; unavailable: number } {
  const ru = d.spec.strategy?.rollingUpdate;
  return resolveFenceposts(ru?.maxSurge, ru?.maxUnavailable, replicas(d));
}

export function maxSurge(d: Deployment): number {
  if (!isRollingUpdate(d)) return 0;
  return fenceposts(d).surge;
}

export function maxUnavailable(d: Deployment): number {
  const want = replicas(d);
  if (!isRollingUpdate(d) || want === 0) return 0;
  return Math.min(fenceposts(d).unavailable, want);
}

// ---- annotations and revisions ----

/** Revision of an object: 0 without the annotation, NaN when it is not a number. */
export function revision(o: { metadata: { annotations?: Record<string, string> } } | undefined): number {
  const v = o?.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  return /^-?\d+$/.test(v) ? Number(v) : NaN;
}

export function maxRevision(rss: ReplicaSet[]): number {
  let max = 0;
  for (const rs of rss) { const v = revision(rs); if (!Number.isNaN(v) && v > max) max = v; }
  return max;
}

/** LastRevision: the second highest revision (the one before the current). */
export function lastRevision(rss: ReplicaSet[]): number {
  let max = 0, sec = 0;
  for (const rs of rss) {
    const v = revision(rs);
    if (Number.isNaN(v)) continue;
    if (v >= max) { sec = max; max = v; } else if (v > sec) sec = v;
  }
  return sec;
}

/** Copies the Deployment's annotations onto the RS (skipping ours and last-applied); true when it changed. */
export function copyDeploymentAnnotationsToReplicaSet(d: Deployment, rs: ReplicaSet): boolean {
  let changed = false;
  const ann = (rs.metadata.annotations ??= {});
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (skipCopyAnnotation(k) || ann[k] === v) continue;
    ann[k] = v;
    changed = true;
  }
  return changed;
}

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when either changed. */
export function setReplicasAnnotations(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = (rs.metadata.annotations ??= {});
  let changed = false;
  if (ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) { ann[DESIRED_REPLICAS_ANNOTATION] = String(desired); changed = true; }
  if (ann[MAX_REPLICAS_ANNOTATION] !== String(max)) { ann[MAX_REPLICAS_ANNOTATION] = String(max); changed = true; }
  return changed;
}

export function replicasAnnotationsNeedUpdate(rs: ReplicaSet, desired: number, max: number): boolean {
  const ann = rs.metadata.annotations ?? {};
  return ann[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || ann[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/**
 * SetNewReplicaSetAnnotations: copy the Deployment's annotations, raise the revision to newRevision
 * (remembering the previous one in revision-history, bounded to `limit` characters), and on a new RS
 * the replica annotations. True when anything changed.
 */
export function setNewReplicaSetAnnotations(d: Deployment, rs: ReplicaSet, newRevision: string, exists: boolean,
  limit = MAX_REV_HISTORY_LENGTH_IN_CHARS): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const ann = (rs.metadata.annotations ??= {});
  const had = REVISION_ANNOTATION in ann;
  const oldRevision = ann[REVISION_ANNOTATION] ?? '';
  let oldInt = 0;
  if (oldRevision !== '') {
    if (!/^-?\d+$/.test(oldRevision)) return false;
    oldInt = Number(oldRevision);
  }
  if (!/^-?\d+$/.test(newRevision)) return false;
  const newInt = Number(newRevision);
  if (oldInt < newInt) { ann[REVISION_ANNOTATION] = newRevision; changed = true; }
  // an existing RS getting a newer revision is a rollback to it: keep its old revision as history
  if (had && oldInt < newInt) {
    const history = ann[REVISION_HISTORY_ANNOTATION] ?? '';
    let old = history.split(',');
    if (old[0].length === 0) {
      ann[REVISION_HISTORY_ANNOTATION] = oldRevision;
    } else {
      let total = history.length + oldRevision.length + 1;
      let start = 0;
      while (total > limit && start < old.length) { total -= old[start].length + 1; start++; }
      if (total <= limit) {
        old = [...old.slice(start), oldRevision];
        ann[REVISION_HISTORY_ANNOTATION] = old.join(',');
      }
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicas(d), replicas(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentRevision: true when the Deployment's revision annotation changed. */
export function setDeploymentRevision(d: Deployment, rev: string): boolean {
  const ann = (d.metadata.annotations ??= {});
  if (ann[REVISION_ANNOTATION] === rev) return false;
  ann[REVISION_ANNOTATION] = rev;
  return true;
}

/** SetDeploymentAnnotationsTo (rollback): keep the Deployment's own skipped annotations, take the rest from the RS. */
export function setDeploymentAnnotationsTo(d: Deployment, rs: ReplicaSet): void {
  const kept: Record<string, string> = {};
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) if (skipCopyAnnotation(k)) kept[k] = v;
  for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!skipCopyAnnotation(k)) kept[k] = v;
  d.metadata.annotations = kept;
}

function intAnnotation(rs: ReplicaSet, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}
export const desiredReplicasAnnotation = (rs: ReplicaSet) => intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
export const maxReplicasAnnotation = (rs: ReplicaSet) => intAnnotation(rs, MAX_REPLICAS_ANNOTATION);

// ---- templates and ReplicaSet selection ----

function withoutHash(t: PodTemplate | undefined): unknown {
  const c = structuredClone(t ?? {});
  if (c.metadata?.labels) delete c.metadata.labels[DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY];
  return c;
}

/** EqualIgnoreHash: the two templates are the same apart from the pod-template-hash label. */
export function equalIgnoreHash(a: PodTemplate | undefined, b: PodTemplate | undefined): boolean {
  return canonicalJSON(withoutHash(a)) === canonicalJSON(withoutHash(b));
}

const created = (rs: ReplicaSet): number => {
  const t = Date.parse(rs.metadata.creationTimestamp ?? '');
  return Number.isNaN(t) ? 0 : t;
};

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreationTimestamp(a: ReplicaSet, b: ReplicaSet): number {
  const d = created(a) - created(b);
  if (d !== 0) return d;
  return String(a.metadata.name) < String(b.metadata.name) ? -1 : String(a.metadata.name) > String(b.metadata.name) ? 1 : 0;
}

/** ReplicaSetsBySizeOlder: larger first, ties oldest first. */
export function bySizeOlder(a: ReplicaSet, b: ReplicaSet): number {
  if (rsReplicas(a) !== rsReplicas(b)) return rsReplicas(b) - rsReplicas(a);
  return byCreationTimestamp(a, b);
}

/** ReplicaSetsBySizeNewer: larger first, ties newest first. */
export function bySizeNewer(a: ReplicaSet, b: ReplicaSet): number {
  if (rsReplicas(a) !== rsReplicas(b)) return rsReplicas(b) - rsReplicas(a);
  return byCreationTimestamp(b, a);
}

/** ReplicaSetsByRevision: lowest revision first, ties by creation. */
export function byRevision(a: ReplicaSet, b: ReplicaSet): number {
  const ra = revision(a) || 0, rb = revision(b) || 0;
  if (ra !== rb) return ra - rb;
  return byCreationTimestamp(a, b);
}

/** FindNewReplicaSet: the oldest RS whose template equals the Deployment's (ignoring the hash label). */
export function findNewReplicaSet(d: Deployment, rss: ReplicaSet[]): ReplicaSet | undefined {
  return [...rss].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec.template, d.spec.template));
}

/** FindOldReplicaSets: every other RS, and those of them that still have replicas. */
export function findOldReplicaSets(d: Deployment, rss: ReplicaSet[]): { required: ReplicaSet[]; all: ReplicaSet[] } {
  const n = findNewReplicaSet(d, rss);
  const all = rss.filter((rs) => !n || rs.metadata.uid !== n.metadata.uid);
  return { required: all.filter((rs) => rsReplicas(rs) !== 0), all };
}

export const filterActive = (rss: (ReplicaSet | undefined)[]): ReplicaSet[] =>
  rss.filter((rs): rs is ReplicaSet => rs !== undefined && rsReplicas(rs) > 0);

/** FindActiveOrLatest: the only active RS, or the newest when none is active; undefined when several are. */
export function findActiveOrLatest(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): ReplicaSet | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

export const specReplicaCount = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs ? rsReplicas(rs) : 0), 0);
export const actualReplicaCount = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.replicas ?? 0), 0);
export const readyReplicaCount = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.readyReplicas ?? 0), 0);
export const availableReplicaCount = (rss: (ReplicaSet | undefined)[]): number => rss.reduce((n, rs) => n + (rs?.status?.availableReplicas ?? 0), 0);

/** IsSaturated: the new RS has all the Deployment's replicas, annotated, and all available. */
export function isSaturated(d: Deployment, rs: ReplicaSet | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  return rsReplicas(rs) === replicas(d) && desired === replicas(d) && (rs.status?.availableReplicas ?? 0) === replicas(d);
}

/** NewRSNewReplicas: how big the new RS may be now (rolling: within maxSurge; recreate: everything). */
export function newRSNewReplicas(d: Deployment, allRSs: ReplicaSet[], newRS: ReplicaSet): number {
  if (!isRollingUpdate(d)) {
    if (d.spec.strategy?.type === 'Recreate') return replicas(d);
    throw new Error(`deployment type ${d.spec.strategy?.type} isn't supported`);
  }
  const want = replicas(d);
  const surge = scaledValueFromIntOrPercent(d.spec.strategy?.rollingUpdate?.maxSurge ?? 0, want, true);
  const current = specReplicaCount(allRSs);
  const maxTotal = want + surge;
  if (current >= maxTotal) return rsReplicas(newRS);
  const up = Math.min(maxTotal - current, want - rsReplicas(newRS));
  return rsReplicas(newRS) + up;
}

/** integer.RoundToInt32: half away from zero, truncating. */
const roundToInt32 = (a: number): number => (a < 0 ? Math.trunc(a - 0.5) : Math.trunc(a + 0.5));

/** getReplicaSetFraction: this RS's share of a Deployment resize, from its max-replicas annotation. */
export function replicaSetFraction(rs: ReplicaSet, d: Deployment): number {
  if (replicas(d) === 0) return -rsReplicas(rs);
  const deploymentMax = replicas(d) + maxSurge(d);
  let annotated = maxReplicasAnnotation(rs);
  // no annotation (the user resized the RS by hand): fall back to the Deployment's current size
  if (annotated === undefined) annotated = d.status?.replicas ?? 0;
  if (annotated === 0) return 0;
  return roundToInt32((rsReplicas(rs) * deploymentMax) / annotated) - rsReplicas(rs);
}

/** GetProportion: the fraction, bounded by what is left to add (or remove). */
export function proportion(rs: ReplicaSet | undefined, d: Deployment, toAdd: number, added: number): number {
  if (!rs || rsReplicas(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = replicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * The proportional resize of `scale()` when a rolling Deployment is resized mid-rollout: the new
 * size of every active RS (keyed by name), and the scaling direction for the events.
 */
export function proportionalSizes(d: Deployment, active: ReplicaSet[]): { sizes: Map<string, number>; order: ReplicaSet[]; operation: string } {
  const total = specReplicaCount(active);
  const allowed = replicas(d) > 0 ? replicas(d) + maxSurge(d) : 0;
  const toAdd = allowed - total;
  let operation = '';
  const order = [...active];
  if (toAdd > 0) { order.sort(bySizeNewer); operation = 'up'; }
  else if (toAdd < 0) { order.sort(bySizeOlder); operation = 'down'; }
  const sizes = new Map<string, number>();
  let added = 0;
  for (const rs of order) {
    if (toAdd !== 0) {
      const p = proportion(rs, d, toAdd, added);
      sizes.set(String(rs.metadata.name), rsReplicas(rs) + p);
      added += p;
    } else sizes.set(String(rs.metadata.name), rsReplicas(rs));
  }
  // leftovers go to the largest (first) RS
  if (order.length && toAdd !== 0) {
    const name = String(order[0].metadata.name);
    sizes.set(name, Math.max(0, sizes.get(name)! + toAdd - added));
  }
  return { sizes, order, operation };
}

export const hasProgressDeadline = (d: Deployment): boolean =>
  d.spec.progressDeadlineSeconds !== undefined && d.spec.progressDeadlineSeconds !== null && d.spec.progressDeadlineSeconds !== MAX_INT32;

export const hasRevisionHistoryLimit = (d: Deployment): boolean =>
  d.spec.revisionHistoryLimit !== undefined && d.spec.revisionHistoryLimit !== null && d.spec.revisionHistoryLimit !== MAX_INT32;
