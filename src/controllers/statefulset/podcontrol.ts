// StatefulPodControl against the API (upstream stateful_pod_control.go): PVCs before pods, identity
// and storage fixes by PUT, claim owner references by merge patch, and the events `kubectl describe`
// shows, worded as upstream ("create Pod web-0 in StatefulSet web successful").
import { APIError, type RESTClient } from '../../client/rest.js';
import type { Indexer } from '../../client/informer.js';
import type { EventRecorder } from '../manager/events.js';
import type { StatefulPodControl } from './control.js';
import {
  claimOwnerMatches, claimOwnerRefs, claimsFor, getOrdinal, identityMatches, STATEFULSET_GVK, storageMatches,
  updateIdentity, updateStorage,
} from './identity.js';
import type { PersistentVolumeClaim, Pod, StatefulSet } from './types.js';

const MERGE = 'application/merge-patch+json';
const title = (verb: string) => verb[0].toUpperCase() + verb.slice(1);

export class APIStatefulPodControl implements StatefulPodControl {
  constructor(private readonly client: RESTClient, private readonly claims: Indexer<PersistentVolumeClaim>,
    private readonly recorder: EventRecorder) {}

  private podPath(set: StatefulSet, name: string): string { return `/api/v1/namespaces/${set.metadata.namespace}/pods/${name}`; }
  private claimPath(ns: string, name: string): string { return `/api/v1/namespaces/${ns}/persistentvolumeclaims/${name}`; }

  private recordPodEvent(verb: string, set: StatefulSet, pod: Pod, err?: Error): void {
    const s = { ...set, ...STATEFULSET_GVK };
    if (!err) this.recorder.event(s, 'Normal', `Successful${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    else this.recorder.event(s, 'Warning', `Failed${title(verb)}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${err.message}`);
  }

  private recordClaimEvent(verb: string, set: StatefulSet, pod: Pod, claim: string, err?: Error): void {
    const s = { ...set, ...STATEFULSET_GVK };
    if (!err) this.recorder.event(s, 'Normal', `Successful${title(verb)}`, `${verb} Claim ${claim} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} success`);
    else this.recorder.event(s, 'Warning', `Failed${title(verb)}`, `${verb} Claim ${claim} for Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${err.message}`);
  }

  async createStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.createPersistentVolumeClaims(set, pod);
    } catch (err) {
      this.recordPodEvent('create', set, pod, err as Error);
      throw err;
    }
    try {
      await this.client.request('POST', `/api/v1/namespaces/${set.metadata.namespace}/pods`, pod);
    } catch (err) {
      // already there: the informer has just not seen it yet
      if (err instanceof APIError && err.code === 409) throw err;
      this.recordPodEvent('create', set, pod, err as Error);
      throw err;
    }
    this.recordPodEvent('create', set, pod);
  }

  async updateStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    let cur = pod;
    for (let attempt = 0; attempt < 10; attempt++) {
      let consistent = true;
      if (!identityMatches(set, cur)) { updateIdentity(set, cur); consistent = false; }
      if (!storageMatches(set, cur)) {
        updateStorage(set, cur);
        consistent = false;
        try { await this.createPersistentVolumeClaims(set, cur); } catch (err) { this.recordPodEvent('update', set, pod, err as Error); throw err; }
      }
      if (!this.claimsMatchRetentionPolicy(set, cur)) {
        try { await this.updatePodClaimForRetentionPolicy(set, cur); } catch (err) { this.recordPodEvent('update', set, pod, err as Error); throw err; }
      }
      if (consistent) return;
      try {
        await this.client.request('PUT', this.podPath(set, String(cur.metadata.name)), { ...cur, apiVersion: 'v1', kind: 'Pod' });
        this.recordPodEvent('update', set, cur);
        return;
      } catch (err) {
        if (!(err instanceof APIError) || err.code !== 409) { this.recordPodEvent('update', set, pod, err as Error); throw err; }
        cur = await this.client.request<Pod>('GET', this.podPath(set, String(cur.metadata.name)));
      }
    }
    const err = new Error('failed to update pod after repeated conflicts');
    this.recordPodEvent('update', set, pod, err);
    throw err;
  }

  async deleteStatefulPod(set: StatefulSet, pod: Pod): Promise<void> {
    try {
      await this.client.request('DELETE', this.podPath(set, String(pod.metadata.name)));
    } catch (err) {
      this.recordPodEvent('delete', set, pod, err as Error);
      throw err;
    }
    this.recordPodEvent('delete', set, pod);
  }

  /** createPersistentVolumeClaims: every claim the cache does not hold is created; errors are collected. */
  private async createPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    const errs: string[] = [];
    for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
      const name = String(claim.metadata.name);
      const ns = String(set.metadata.namespace);
      if (this.claims.get(`${ns}/${name}`)) continue;
      // a claim born under whenDeleted=Delete belongs to the set from the start
      claim.metadata.ownerReferences = claimOwnerRefs(claim, set, pod);
      if (!claim.metadata.ownerReferences.length) delete claim.metadata.ownerReferences;
      try {
        await this.client.request('POST', `/api/v1/namespaces/${ns}/persistentvolumeclaims`, claim);
        this.recordClaimEvent('create', set, pod, name);
      } catch (err) {
        if (err instanceof APIError && err.code === 409) continue;
        errs.push(`failed to create PVC ${name}: ${(err as Error).message}`);
        this.recordClaimEvent('create', set, pod, name, err as Error);
      }
    }
    if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  }

  createMissingPersistentVolumeClaims(set: StatefulSet, pod: Pod): Promise<void> {
    return this.createPersistentVolumeClaims(set, pod);
  }

  claimsMatchRetentionPolicy(set: StatefulSet, pod: Pod): boolean {
    if (!pod.metadata.uid) return true;
    for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
      const live = this.claims.get(`${set.metadata.namespace}/${claim.metadata.name}`);
      if (live && !claimOwnerMatches(live, set, pod)) return false;
    }
    return true;
  }

  async updatePodClaimForRetentionPolicy(set: StatefulSet, pod: Pod): Promise<void> {
    if (!pod.metadata.uid) return;
    for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
      const ns = String(set.metadata.namespace);
      const live = this.claims.get(`${ns}/${claim.metadata.name}`);
      if (!live || claimOwnerMatches(live, set, pod)) continue;
      const refs = claimOwnerRefs(live, set, pod);
      try {
        await this.client.request('PATCH', this.claimPath(ns, String(live.metadata.name)),
          { metadata: { ownerReferences: refs.length ? refs : null, uid: live.metadata.uid } }, MERGE);
      } catch (err) {
        if (err instanceof APIError && err.code === 404) continue;
        throw new Error(`could not update claim ${live.metadata.name} for delete policy ownerRefs: ${(err as Error).message}`);
      }
    }
  }

  podClaimIsStale(set: StatefulSet, pod: Pod): boolean {
    for (const claim of claimsFor(set, getOrdinal(pod)).values()) {
      if (this.claims.get(`${set.metadata.namespace}/${claim.metadata.name}`)?.metadata.deletionTimestamp) return true;
    }
    return false;
  }
}
