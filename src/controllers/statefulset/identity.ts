// A StatefulSet pod's identity and storage (upstream stateful_set_utils.go): names `<set>-<ordinal>`,
// the ordinal range [ordinals.start, start+replicas), the pod-name/pod-index labels, hostname and
// subdomain, PVCs `<claim>-<set>-<ordinal>` and the pod volumes pointing at them, the revision label,
// health checks, and the owner references the PVC retention policy asks for.
import { controllerRef, type OwnerReference } from '../common/controllerref.js';
import { CONTROLLER_REVISION_HASH_LABEL } from '../history/index.js';
import { isPodAvailable, isPodReady } from '../replicaset/pods.js';
import type { PersistentVolumeClaim, Pod, StatefulSet, Volume } from './types.js';

export const STATEFULSET_POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';

export const STATEFULSET_GVK = { apiVersion: 'apps/v1', kind: 'StatefulSet' } as const;

const PARENT_AND_ORDINAL = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: ("web", 3) for "web-3"; ordinal -1 when the name has no ordinal. */
export function parentAndOrdinal(pod: { metadata: { name?: string } }): { parent: string; ordinal: number } {
  const m = PARENT_AND_ORDINAL.exec(String(pod.metadata.name ?? ''));
  if (!m) return { parent: '', ordinal: -1 };
  const n = Number(m[2]);
  return Number.isSafeInteger(n) && n <= 2147483647 ? { parent: m[1], ordinal: n } : { parent: m[1], ordinal: -1 };
}

export const getOrdinal = (pod: Pod): number => parentAndOrdinal(pod).ordinal;

export function startOrdinal(set: StatefulSet): number { return set.spec.ordinals?.start ?? 0; }
export function replicasOf(set: StatefulSet): number { return set.spec.replicas ?? 1; }
/** The last ordinal in range (start-1 when there are no replicas). */
export function endOrdinal(set: StatefulSet): number { return startOrdinal(set) + replicasOf(set) - 1; }

export function podInOrdinalRange(pod: Pod, set: StatefulSet): boolean {
  const o = getOrdinal(pod);
  return o >= startOrdinal(set) && o <= endOrdinal(set);
}

/** isMemberOf: the pod's name says it belongs to the set. */
export function isMemberOf(set: StatefulSet, pod: Pod): boolean {
  return parentAndOrdinal(pod).parent === set.metadata.name;
}

export const podName = (set: StatefulSet, ordinal: number): string => `${set.metadata.name}-${ordinal}`;
export const claimName = (set: StatefulSet, claim: string, ordinal: number): string => `${claim}-${set.metadata.name}-${ordinal}`;

/** identityMatches: name, namespace and the pod-name/pod-index labels fit the ordinal. */
export function identityMatches(set: StatefulSet, pod: Pod): boolean {
  const { parent, ordinal } = parentAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata.name && pod.metadata.name === podName(set, ordinal)
    && pod.metadata.namespace === set.metadata.namespace
    && pod.metadata.labels?.[STATEFULSET_POD_NAME_LABEL] === pod.metadata.name
    && pod.metadata.labels?.[POD_INDEX_LABEL] === String(ordinal);
}

/** updateIdentity (mutates): name, namespace and labels from the ordinal. */
export function updateIdentity(set: StatefulSet, pod: Pod): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = podName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [STATEFULSET_POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** The claims a pod of the set should have, by template name (getPersistentVolumeClaims). */
export function claimsFor(set: StatefulSet, ordinal: number): Map<string, PersistentVolumeClaim> {
  const out = new Map<string, PersistentVolumeClaim>();
  const selectorLabels = set.spec.selector?.matchLabels ?? {};
  for (const t of set.spec.volumeClaimTemplates ?? []) {
    const tname = String(t.metadata?.name ?? '');
    const claim = structuredClone(t);
    delete claim.status;
    claim.apiVersion = 'v1';
    claim.kind = 'PersistentVolumeClaim';
    claim.metadata = {
      ...claim.metadata, name: claimName(set, tname, ordinal), namespace: set.metadata.namespace,
      labels: { ...(claim.metadata?.labels ?? {}), ...selectorLabels },
    };
    out.set(tname, claim);
  }
  return out;
}

/** storageMatches: every claim template is a pod volume naming the right claim. */
export function storageMatches(set: StatefulSet, pod: Pod): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const vols = new Map(((pod.spec?.volumes ?? []) as Volume[]).map((v) => [v.name, v]));
  for (const [tname, claim] of claimsFor(set, ordinal)) {
    const v = vols.get(tname);
    if (v?.persistentVolumeClaim?.claimName !== claim.metadata.name) return false;
  }
  return true;
}

/** updateStorage (mutates): claim volumes first (template order), then the pod's other volumes. */
export function updateStorage(set: StatefulSet, pod: Pod): void {
  const claims = claimsFor(set, getOrdinal(pod));
  if (claims.size === 0) return;
  const current = (pod.spec?.volumes ?? []) as Volume[];
  const volumes: Volume[] = [...claims].map(([name, c]) => ({ name, persistentVolumeClaim: { claimName: String(c.metadata.name) } }));
  for (const v of current) if (!claims.has(v.name)) volumes.push(v);
  pod.spec = { ...(pod.spec ?? {}), volumes };
}

/** newStatefulSetPod: the template as a pod with controller reference, identity and storage. */
export function newStatefulSetPod(set: StatefulSet, ordinal: number): Pod {
  const t = set.spec.template ?? {};
  const pod: Pod = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: {
      name: podName(set, ordinal), namespace: set.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      ...(t.metadata?.annotations ? { annotations: { ...t.metadata.annotations } } : {}),
      ...(t.metadata?.finalizers ? { finalizers: [...t.metadata.finalizers] } : {}),
      ownerReferences: [controllerRef({ ...STATEFULSET_GVK, metadata: set.metadata })],
    },
    spec: structuredClone(t.spec ?? {}),
  };
  updateIdentity(set, pod);
  updateStorage(set, pod);
  // initIdentity: a stable DNS name under the governing service
  pod.spec = { ...pod.spec, hostname: String(pod.metadata.name), ...(set.spec.serviceName ? { subdomain: set.spec.serviceName } : {}) };
  return pod;
}

export function getPodRevision(pod: Pod): string { return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? ''; }

function setPodRevision(pod: Pod, revision: string): void {
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [CONTROLLER_REVISION_HASH_LABEL]: revision };
}

/**
 * newVersionedStatefulSetPod: ordinals below the partition (or below currentReplicas without a
 * rollingUpdate block) are created at the current revision, the rest at the update revision.
 */
export function newVersionedStatefulSetPod(currentSet: StatefulSet, updateSet: StatefulSet,
  currentRevision: string, updateRevision: string, ordinal: number): Pod {
  const us = currentSet.spec.updateStrategy;
  const start = startOrdinal(currentSet);
  const atCurrent = (us?.type ?? 'RollingUpdate') === 'RollingUpdate'
    && ((!us?.rollingUpdate && ordinal < start + (currentSet.status?.currentReplicas ?? 0))
      || (us?.rollingUpdate !== undefined && ordinal < start + (us.rollingUpdate.partition ?? 0)));
  const pod = newStatefulSetPod(atCurrent ? currentSet : updateSet, ordinal);
  setPodRevision(pod, atCurrent ? currentRevision : updateRevision);
  return pod;
}

/** The pod exists in the API (a placeholder built locally has no phase yet). */
export const isCreated = (p: Pod): boolean => Boolean(p.status?.phase);
export const isPending = (p: Pod): boolean => p.status?.phase === 'Pending';
export const isFailed = (p: Pod): boolean => p.status?.phase === 'Failed';
export const isSucceeded = (p: Pod): boolean => p.status?.phase === 'Succeeded';
export const isTerminating = (p: Pod): boolean => Boolean(p.metadata.deletionTimestamp);
export const isRunningAndReady = (p: Pod): boolean => p.status?.phase === 'Running' && isPodReady(p);
export function isRunningAndAvailable(p: Pod, minReadySeconds: number, now = Date.now()): boolean {
  return isRunningAndReady(p) && isPodAvailable(p, minReadySeconds, now);
}
export const isHealthy = (p: Pod): boolean => isRunningAndReady(p) && !isTerminating(p);
export function isUnavailable(p: Pod, minReadySeconds: number, now = Date.now()): boolean {
  return !isHealthy(p) || !isPodAvailable(p, minReadySeconds, now);
}

/** OrderedReady (the default) is monotonic; Parallel allows bursts. */
export const allowsBurst = (set: StatefulSet): boolean => set.spec.podManagementPolicy === 'Parallel';

/** getStatefulSetMaxUnavailable: int or percent of replicas rounded up, at least 1. */
export function maxUnavailableOf(set: StatefulSet): number {
  const v = set.spec.updateStrategy?.rollingUpdate?.maxUnavailable;
  const replicas = replicasOf(set);
  let n = 1;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string') {
    const m = /^(\d+)%$/.exec(v);
    if (!m) throw new Error(`invalid value for IntOrString: invalid value "${v}": must be an integer or percentage (e.g '5%')`);
    n = Math.ceil((Number(m[1]) * replicas) / 100);
  }
  return n < 1 ? 1 : n;
}

// --- PVC retention policy (StatefulSetAutoDeletePVC) ---

const hasOwnerRef = (o: { metadata: { ownerReferences?: OwnerReference[] } }, uid: string | undefined) =>
  Boolean(uid) && (o.metadata.ownerReferences ?? []).some((r) => r.uid === uid);

function retention(set: StatefulSet): { whenDeleted: string; whenScaled: string } {
  const p = set.spec.persistentVolumeClaimRetentionPolicy;
  return { whenDeleted: p?.whenDeleted ?? 'Retain', whenScaled: p?.whenScaled ?? 'Retain' };
}

/**
 * Which owners a pod's claim should have (claimOwnerMatchesSetAndPod): the set when whenDeleted is
 * Delete (unless the pod is scaled away under whenScaled=Delete), the pod when whenScaled is Delete
 * and the pod's ordinal is out of range — so the garbage collector removes the claim with its owner.
 */
export function wantedClaimOwners(set: StatefulSet, pod: Pod): { set: boolean; pod: boolean } {
  const { whenDeleted, whenScaled } = retention(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (whenScaled === 'Delete') return { set: whenDeleted === 'Delete' && !scaledDown, pod: scaledDown };
  return { set: whenDeleted === 'Delete', pod: false };
}

export function claimOwnerMatches(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): boolean {
  const want = wantedClaimOwners(set, pod);
  return hasOwnerRef(claim, set.metadata.uid) === want.set && hasOwnerRef(claim, pod.metadata.uid) === want.pod;
}

/** The claim's owner references after applying the policy (updateClaimOwnerRefForSetAndPod); other owners kept. */
export function claimOwnerRefs(claim: PersistentVolumeClaim, set: StatefulSet, pod: Pod): OwnerReference[] {
  const want = wantedClaimOwners(set, pod);
  let refs = [...(claim.metadata.ownerReferences ?? [])];
  const fix = (uid: string | undefined, wanted: boolean, ref: () => OwnerReference) => {
    if (!uid) return;
    const has = refs.some((r) => r.uid === uid);
    if (wanted && !has) refs.push(ref());
    if (!wanted && has) refs = refs.filter((r) => r.uid !== uid);
  };
  fix(set.metadata.uid, want.set, () => ({ ...STATEFULSET_GVK, name: String(set.metadata.name), uid: String(set.metadata.uid) }));
  fix(pod.metadata.uid, want.pod, () => ({ apiVersion: 'v1', kind: 'Pod', name: String(pod.metadata.name), uid: String(pod.metadata.uid) }));
  return refs;
}
