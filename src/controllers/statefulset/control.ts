// The StatefulSet reconcile decisions (upstream stateful_set_control.go): find or create the update
// revision, lay the pods out by ordinal, create missing ones (OrderedReady: one at a time, each after
// its predecessors are Running, Ready and available; Parallel: all at once), recreate failed ones,
// delete out-of-range ones from the highest ordinal down, then roll pods at the wrong revision from
// the highest ordinal down to the partition (one at a time, or maxUnavailable at a time).
import { findEqualRevisions, equalRevision, nextRevision, revisionsToTruncate, sortControllerRevisions,
  type ControllerRevision } from '../history/index.js';
import { slowStartBatch } from '../replicaset/slowstart.js';
import {
  allowsBurst, getOrdinal, getPodRevision, identityMatches, isCreated, isFailed, isPending, isRunningAndAvailable,
  isRunningAndReady, isSucceeded, isTerminating, isUnavailable, maxUnavailableOf, newVersionedStatefulSetPod,
  podInOrdinalRange, replicasOf, startOrdinal, storageMatches,
} from './identity.js';
import { applyRevision, newRevision } from './revision.js';
import type { Pod, StatefulSet, StatefulSetStatus } from './types.js';

/** What the decisions are carried out with (StatefulPodControl); a fake in unit tests. */
export interface StatefulPodControl {
  /** creates the pod's missing PVCs, then the pod */
  createStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  /** brings identity, storage and claim owners in line with the set */
  updateStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void>;
  createMissingPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void>;
  /** every existing claim of the pod has the owners the retention policy asks for */
  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean;
  updatePodClaimForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void>;
  /** a claim of a not-yet-created pod is still being deleted: wait for it */
  podClaimIsStale(set: StatefulSet, pod: Pod): boolean;
}

/** The parts of history.History the control writes through. */
export interface RevisionWriter {
  create(parent: { apiVersion: string; kind: string; metadata: StatefulSet['metadata'] }, rev: ControllerRevision, collisionCount: number):
    Promise<{ revision: ControllerRevision; collisionCount: number }>;
  updateRevision(rev: ControllerRevision, n: number): Promise<ControllerRevision>;
  delete(rev: ControllerRevision): Promise<void>;
}

export interface UpdateResult {
  status?: StatefulSetStatus;
  currentRevision?: ControllerRevision;
  updateRevision?: ControllerRevision;
  error?: Error;
}

const GVK = { apiVersion: 'apps/v1', kind: 'StatefulSet' };

export class StatefulSetControl {
  constructor(private readonly pods: StatefulPodControl, private readonly history: RevisionWriter,
    private readonly now: () => number = Date.now) {}

  /**
   * getStatefulSetRevisions: the current revision (by status.currentRevision, else the update one)
   * and the update revision — the newest revision when equal to the template, an older equal one
   * renumbered to the top (a rollback), or a new one.
   */
  async getRevisions(set: StatefulSet, sorted: ControllerRevision[]):
    Promise<{ current: ControllerRevision; update: ControllerRevision; collisionCount: number }> {
    let collisionCount = set.status?.collisionCount ?? 0;
    let update = newRevision(set, nextRevision(sorted), collisionCount);
    const equal = findEqualRevisions(sorted, update);
    if (equal.length > 0 && equalRevision(sorted[sorted.length - 1], equal[equal.length - 1])) {
      update = sorted[sorted.length - 1];
    } else if (equal.length > 0) {
      update = await this.history.updateRevision(equal[equal.length - 1], update.revision);
    } else {
      ({ revision: update, collisionCount } = await this.history.create({ ...GVK, metadata: set.metadata }, update, collisionCount));
    }
    const current = sorted.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
    return { current, update, collisionCount };
  }

  /** UpdateStatefulSet: revisions, pods, then history truncation. The caller writes the status. */
  async sync(set: StatefulSet, pods: Pod[], revisions: ControllerRevision[]): Promise<UpdateResult> {
    const sorted = sortControllerRevisions(revisions);
    const { current, update, collisionCount } = await this.getRevisions(set, sorted);
    const { status, error } = await this.updatePods(set, current, update, collisionCount, pods);
    if (error) return { status, currentRevision: current, updateRevision: update, error };
    const live = new Set<string>([String(current.metadata.name), String(update.metadata.name)]);
    for (const p of pods) live.add(getPodRevision(p));
    try {
      for (const r of revisionsToTruncate(sorted, live, set.spec.revisionHistoryLimit ?? 10)) await this.history.delete(r);
    } catch (err) {
      return { status, currentRevision: current, updateRevision: update, error: err as Error };
    }
    return { status, currentRevision: current, updateRevision: update };
  }

  /** updateStatefulSet: the pod-level pass. Returns the status to record even when it stops early. */
  async updatePods(set: StatefulSet, currentRevision: ControllerRevision, updateRevision: ControllerRevision,
    collisionCount: number, pods: Pod[]): Promise<{ status: StatefulSetStatus; error?: Error }> {
    const now = this.now();
    const minReady = set.spec.minReadySeconds ?? 0;
    const currentSet = applyRevision(set, currentRevision);
    const updateSet = applyRevision(set, updateRevision);
    const currentName = String(currentRevision.metadata.name), updateName = String(updateRevision.metadata.name);
    const status: StatefulSetStatus = {
      observedGeneration: set.metadata.generation, replicas: 0, currentRevision: currentName, updateRevision: updateName, collisionCount,
    };
    const recount = (...lists: Pod[][]) => computeReplicaStatus(status, minReady, currentName, updateName, now, ...lists);
    recount(pods);

    const start = startOrdinal(set);
    const replicas: Pod[] = new Array(replicasOf(set));
    const condemned: Pod[] = [];
    for (const p of pods) {
      if (podInOrdinalRange(p, set)) replicas[getOrdinal(p) - start] = p;
      else if (getOrdinal(p) >= 0) condemned.push(p);
    }
    for (let i = 0; i < replicas.length; i++) {
      replicas[i] ??= newVersionedStatefulSetPod(currentSet, updateSet, currentName, updateName, start + i);
    }
    condemned.sort((a, b) => getOrdinal(b) - getOrdinal(a));

    let firstUnavailable: Pod | undefined;
    for (const p of replicas) if (isUnavailable(p, minReady, now)) { firstUnavailable = p; break; }
    if (!firstUnavailable) {
      for (let i = condemned.length - 1; i >= 0; i--) if (isUnavailable(condemned[i], minReady, now)) { firstUnavailable = condemned[i]; break; }
    }

    if (set.metadata.deletionTimestamp) return { status };
    const monotonic = !allowsBurst(set);
    const stop = (error?: Error) => { recount(replicas, condemned); return { status, error }; };

    // 1. every replica in range exists, is healthy (monotonic) and has its identity and storage
    let r = await runForAll(replicas, (i) => this.processReplica(set, updateSet, monotonic, replicas, i, now), monotonic);
    if (r.exit || r.error) return stop(r.error);
    // 2. condemned pods' claims get the owners the scale-down policy asks for
    r = await runForAll(condemned, async (i) => {
      if (!this.pods.claimsMatchRetentionPolicy(updateSet, condemned[i])) await this.pods.updatePodClaimForRetentionPolicy(updateSet, condemned[i]);
      return false;
    }, monotonic);
    if (r.exit || r.error) return stop(r.error);
    // 3. scale down from the highest ordinal
    r = await runForAll(condemned, (i) => this.processCondemned(set, firstUnavailable, monotonic, condemned, i, now), monotonic);
    if (r.exit || r.error) return stop(r.error);
    recount(replicas, condemned);

    if (set.spec.updateStrategy?.type === 'OnDelete') return { status };
    const rolling = set.spec.updateStrategy?.rollingUpdate;
    const updateMin = rolling?.partition ?? 0;
    try {
      if (rolling?.maxUnavailable !== undefined) {
        // MaxUnavailableStatefulSet: up to maxUnavailable pods down at once, highest ordinals first
        const maxUnavailable = maxUnavailableOf(set);
        const unavailable = replicas.filter((p) => isUnavailable(p, minReady, now)).length;
        if (unavailable > maxUnavailable) return { status };
        let toDelete = maxUnavailable - unavailable;
        for (let t = replicas.length - 1; t >= updateMin && toDelete > 0; t--) {
          if (getPodRevision(replicas[t]) !== updateName && !isTerminating(replicas[t])) {
            await this.deleteIgnoringNotFound(set, replicas[t]);
            toDelete--;
            status.currentReplicas = (status.currentReplicas ?? 0) - 1;
          }
        }
        return { status };
      }
      for (let t = replicas.length - 1; t >= updateMin; t--) {
        if (getPodRevision(replicas[t]) !== updateName && !isTerminating(replicas[t])) {
          await this.deleteIgnoringNotFound(set, replicas[t]);
          status.currentReplicas = (status.currentReplicas ?? 0) - 1;
          return { status };
        }
        // one pod at a time: wait until the one just updated is available again
        if (isUnavailable(replicas[t], minReady, now)) return { status };
      }
    } catch (err) {
      return { status, error: err as Error };
    }
    return { status };
  }

  private async deleteIgnoringNotFound(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.pods.deleteStatefulPod(set, pod);
    } catch (err) {
      if ((err as { code?: number }).code !== 404) throw err;
    }
  }

  /** processReplica: true means "stop here this round". */
  private async processReplica(set: StatefulSet, updateSet: StatefulSet, monotonic: boolean, replicas: Pod[], i: number, now: number): Promise<boolean> {
    const pod = replicas[i];
    // failed (or succeeded: evicted, node reboot) pods are replaced once they are gone
    if (isFailed(pod) || isSucceeded(pod)) {
      if (!pod.metadata.deletionTimestamp) await this.pods.deleteStatefulPod(set, pod);
      return true;
    }
    if (!isCreated(pod)) {
      if (this.pods.podClaimIsStale(set, pod)) return true;
      await this.pods.createStatefulPod(set, pod);
      if (monotonic) return true;
    }
    if (isPending(pod)) await this.pods.createMissingPersistentVolumeClaims(set, pod);
    if (monotonic && (isTerminating(pod) || !isRunningAndReady(pod) || !isRunningAndAvailable(pod, set.spec.minReadySeconds ?? 0, now))) return true;
    if (!isCreated(pod)) return false; // Parallel: just created, nothing to reconcile yet
    const retentionMatch = this.pods.claimsMatchRetentionPolicy(updateSet, pod);
    if (identityMatches(set, pod) && storageMatches(set, pod) && retentionMatch) return false;
    await this.pods.updateStatefulPod(updateSet, structuredClone(pod));
    return false;
  }

  /** processCondemned: true means "stop here this round" (monotonic: one deletion per round). */
  private async processCondemned(set: StatefulSet, firstUnavailable: Pod | undefined, monotonic: boolean,
    condemned: Pod[], i: number, now: number): Promise<boolean> {
    const pod = condemned[i];
    if (isTerminating(pod)) return monotonic;
    const minReady = set.spec.minReadySeconds ?? 0;
    if (monotonic && pod !== firstUnavailable && (!isRunningAndReady(pod) || !isRunningAndAvailable(pod, minReady, now))) return true;
    await this.pods.deleteStatefulPod(set, pod);
    return true;
  }
}

/** runForAll: monotonic walks in order and stops at the first "stop"; otherwise slow-start batches in parallel. */
async function runForAll(pods: Pod[], fn: (i: number) => Promise<boolean>, monotonic: boolean): Promise<{ exit: boolean; error?: Error }> {
  if (monotonic) {
    for (let i = 0; i < pods.length; i++) {
      try {
        if (await fn(i)) return { exit: true };
      } catch (err) { return { exit: true, error: err as Error }; }
    }
    return { exit: false };
  }
  const { error } = await slowStartBatch(pods.length, 1, async (i) => { await fn(i); });
  return error ? { exit: true, error } : { exit: false };
}

/** updateStatus/computeReplicaStatus: the replica counts over the given pod lists (mutates status). */
export function computeReplicaStatus(status: StatefulSetStatus, minReady: number, currentRevision: string, updateRevision: string,
  now: number, ...lists: Pod[][]): void {
  let replicas = 0, ready = 0, available = 0, current = 0, updated = 0;
  for (const list of lists) {
    for (const p of list) {
      if (!p) continue;
      if (isCreated(p)) replicas++;
      if (isRunningAndReady(p)) {
        ready++;
        if (isRunningAndAvailable(p, minReady, now)) available++;
      }
      if (isCreated(p) && !isTerminating(p)) {
        const rev = getPodRevision(p);
        if (rev === currentRevision) current++;
        if (rev === updateRevision) updated++;
      }
    }
  }
  Object.assign(status, { replicas, readyReplicas: ready, availableReplicas: available, currentReplicas: current, updatedReplicas: updated });
}

/** completeRollingUpdate: once every pod is updated and ready, the update revision becomes current. */
export function completeRollingUpdate(set: StatefulSet, status: StatefulSetStatus): void {
  if ((set.spec.updateStrategy?.type ?? 'RollingUpdate') === 'RollingUpdate'
    && status.updatedReplicas === status.replicas && status.readyReplicas === status.replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** inconsistentStatus: whether the status differs from what the set records. */
export function inconsistentStatus(set: StatefulSet, status: StatefulSetStatus): boolean {
  const s = set.status ?? { replicas: 0 };
  return (status.observedGeneration ?? 0) > (s.observedGeneration ?? 0)
    || status.replicas !== (s.replicas ?? 0)
    || (status.currentReplicas ?? 0) !== (s.currentReplicas ?? 0)
    || (status.readyReplicas ?? 0) !== (s.readyReplicas ?? 0)
    || (status.updatedReplicas ?? 0) !== (s.updatedReplicas ?? 0)
    || (status.availableReplicas ?? 0) !== (s.availableReplicas ?? 0)
    || status.currentRevision !== s.currentRevision
    || status.updateRevision !== s.updateRevision
    || (status.collisionCount ?? 0) !== (s.collisionCount ?? 0);
}
