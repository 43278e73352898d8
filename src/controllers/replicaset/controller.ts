// The replicaset controller (upstream pkg/controller/replicaset): keeps spec.replicas pods per
// ReplicaSet. It adopts orphans matching the selector and releases pods that stop matching, creates
// missing pods in slow-start batches, deletes surplus pods in upstream's ranking order, waits on
// expectations while its watch catches up, and writes status and the ReplicaFailure condition.
import type { RESTClient } from '../../client/rest.js';
import { APIError } from '../../client/rest.js';
import { byOwnerUID, metaKey, type Obj, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { selectorFromLabelSelectorOrThrow, selectorFromSet, type LabelSelector } from '../../machinery/labels/selector.js';
import type { EventRecorder } from '../manager/events.js';
import { ControllerExpectations } from './expectations.js';
import { isPodActive, isPodAvailable, isPodReady, podsToDelete, type Pod } from './pods.js';
import { slowStartBatch } from './slowstart.js';

/** upstream BurstReplicas: at most this many creations or deletions per sync */
export const BURST_REPLICAS = 500;

interface Condition { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }
export type ReplicaSet = Obj & {
  apiVersion?: string;
  kind?: string;
  metadata: Obj['metadata'] & { generation?: number };
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
    template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec?: Record<string, unknown> };
  };
  status?: {
    replicas?: number; fullyLabeledReplicas?: number; readyReplicas?: number; availableReplicas?: number;
    observedGeneration?: number; conditions?: Condition[];
  };
};

export interface ReplicaSetStatus {
  replicas: number; fullyLabeledReplicas: number; readyReplicas: number; availableReplicas: number;
  observedGeneration?: number; conditions?: Condition[];
}

const RS_PATH = '/apis/apps/v1/replicasets';
const PODS_PATH = '/api/v1/pods';
const MERGE = 'application/merge-patch+json';

export interface ReplicaSetControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  burstReplicas?: number;
}

export class ReplicaSetController {
  readonly name = 'replicaset';
  readonly queue = new RateLimitingQueue('replicaset');
  readonly expectations = new ControllerExpectations();
  private readonly rsInformer: SharedInformer<ReplicaSet>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly log: (m: string) => void;
  private readonly burst: number;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: ReplicaSetControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.burst = opts.burstReplicas ?? BURST_REPLICAS;
    this.rsInformer = factory.forPath<ReplicaSet>(RS_PATH);
    this.podInformer = factory.forPath<Pod>(PODS_PATH);
    this.podInformer.addIndexer('owner', byOwnerUID);
    this.rsInformer.addEventHandler({
      add: (rs) => this.enqueue(rs),
      update: (_o, rs) => this.enqueue(rs),
      delete: (rs) => { this.expectations.delete(metaKey(rs)); this.enqueue(rs); },
    });
    this.podInformer.addEventHandler({
      add: (p) => this.addPod(p),
      update: (o, p) => this.updatePod(o, p),
      delete: (p) => this.deletePod(p),
    });
  }

  private enqueue(rs: ReplicaSet): void { this.queue.add(metaKey(rs)); }

  /** Objects from a LIST carry no kind: name it so the event's involvedObject is complete. */
  private record(rs: ReplicaSet, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.opts.recorder.event({ ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' }, type, reason, message);
  }

  /** The ReplicaSet a pod's controller reference names, if it exists with that uid. */
  private resolveControllerRef(p: Pod): ReplicaSet | undefined {
    const ref = p.metadata.ownerReferences?.find((r) => r.controller);
    if (!ref || ref.kind !== 'ReplicaSet' || !ref.apiVersion.startsWith('apps/')) return undefined;
    const rs = this.rsInformer.store.get(`${p.metadata.namespace}/${ref.name}`);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (for orphans). */
  private matchingReplicaSets(p: Pod): ReplicaSet[] {
    return this.rsInformer.store.byIndex('namespace', p.metadata.namespace ?? '').filter((rs) => {
      try {
        const sel = selectorFromLabelSelectorOrThrow(rs.spec.selector);
        return !sel.isEmpty() && sel.matches(p.metadata.labels);
      } catch { return false; }
    });
  }

  private addPod(p: Pod): void {
    if (p.metadata.deletionTimestamp) { this.deletePod(p); return; }
    const controlled = p.metadata.ownerReferences?.some((r) => r.controller);
    if (controlled) {
      const rs = this.resolveControllerRef(p);
      if (!rs) return;
      this.expectations.creationObserved(metaKey(rs));
      this.enqueue(rs);
      return;
    }
    for (const rs of this.matchingReplicaSets(p)) this.enqueue(rs);
  }

  private updatePod(old: Pod, cur: Pod): void {
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      // graceful deletion: the pod is already gone as far as replica counting goes
      this.deletePod(cur);
      if (labelsChanged) this.deletePod(old);
      return;
    }
    const oldRef = old.metadata.ownerReferences?.find((r) => r.controller);
    const curRef = cur.metadata.ownerReferences?.find((r) => r.controller);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const rs = this.resolveControllerRef(old);
      if (rs) this.enqueue(rs);
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur);
      if (!rs) return;
      this.enqueue(rs);
      // a pod that just became ready becomes available after minReadySeconds: look again then
      const minReady = rs.spec.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(metaKey(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || oldRef) for (const rs of this.matchingReplicaSets(cur)) this.enqueue(rs);
  }

  private deletePod(p: Pod): void {
    const rs = this.resolveControllerRef(p);
    if (!rs) return;
    this.expectations.deletionObserved(metaKey(rs), metaKey(p));
    this.enqueue(rs);
  }

  /** Runs `workers` sync loops until the queue shuts down. */
  run(workers: number): Promise<void> {
    return Promise.all(Array.from({ length: workers }, () => this.worker())).then(() => undefined);
  }

  stop(): void { this.queue.shutDown(); }

  private async worker(): Promise<void> {
    for (;;) {
      const key = await this.queue.get();
      if (key === undefined) return;
      try {
        await this.sync(key);
        this.queue.forget(key);
      } catch (err) {
        this.log(`error syncing ReplicaSet ${JSON.stringify(key)}, requeuing: ${(err as Error).message}`);
        this.queue.addRateLimited(key);
      } finally {
        this.queue.done(key);
      }
    }
  }

  /** One reconcile of the ReplicaSet `key` (syncReplicaSet). */
  async sync(key: string): Promise<void> {
    const rs = this.rsInformer.store.get(key);
    if (!rs) { this.expectations.delete(key); return; }
    const needsSync = this.expectations.satisfiedExpectations(key);
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelectorOrThrow(rs.spec.selector);
    } catch (err) {
      // an invalid selector is a user error: retrying will not fix it
      this.log(`ReplicaSet ${key} has an invalid selector: ${(err as Error).message}`);
      return;
    }
    const all = this.podInformer.store.byIndex('namespace', rs.metadata.namespace ?? '');
    const active = all.filter(isPodActive);
    const claimed = await this.claimPods(rs, selector, active);
    let manageErr: Error | undefined;
    if (needsSync && !rs.metadata.deletionTimestamp) {
      try { await this.manageReplicas(claimed, rs); } catch (err) { manageErr = err as Error; }
    }
    const status = calculateStatus(rs, claimed, manageErr, Date.now());
    const updated = await this.updateStatus(rs, status);
    const minReady = rs.spec.minReadySeconds ?? 0;
    if (!manageErr && updated && minReady > 0 && updated.readyReplicas === (rs.spec.replicas ?? 1)
      && updated.availableReplicas !== (rs.spec.replicas ?? 1)) {
      this.queue.addAfter(key, minReady * 1000);
    }
    if (manageErr) throw manageErr;
  }

  /**
   * ClaimPods (PodControllerRefManager): keep owned pods that match, release owned pods that no
   * longer match, adopt matching orphans — never while the ReplicaSet is being deleted.
   */
  private async claimPods(rs: ReplicaSet, selector: LabelSelector, pods: Pod[]): Promise<Pod[]> {
    const claimed: Pod[] = [];
    let canAdopt: boolean | undefined;
    for (const p of pods) {
      const ref = p.metadata.ownerReferences?.find((r) => r.controller);
      const matches = selector.matches(p.metadata.labels);
      if (ref) {
        if (ref.uid !== rs.metadata.uid) continue;
        if (matches) { claimed.push(p); continue; }
        if (rs.metadata.deletionTimestamp) continue;
        await this.release(rs, p);
        continue;
      }
      if (!matches || rs.metadata.deletionTimestamp || p.metadata.deletionTimestamp) continue;
      // re-read the ReplicaSet once before adopting: the cache may hold a deleted or recreated one
      canAdopt ??= await this.stillCurrent(rs);
      if (!canAdopt) continue;
      if (await this.adopt(rs, p)) claimed.push(p);
    }
    return claimed;
  }

  private async stillCurrent(rs: ReplicaSet): Promise<boolean> {
    try {
      const fresh = await this.client.request<ReplicaSet>('GET', `/apis/apps/v1/namespaces/${rs.metadata.namespace}/replicasets/${rs.metadata.name}`);
      return fresh.metadata.uid === rs.metadata.uid && !fresh.metadata.deletionTimestamp;
    } catch { return false; }
  }

  private podPath(p: Pod): string { return `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`; }

  private async adopt(rs: ReplicaSet, p: Pod): Promise<boolean> {
    const refs = [...(p.metadata.ownerReferences ?? []), ownerRef(rs)];
    try {
      await this.client.request('PATCH', this.podPath(p), { metadata: { ownerReferences: refs, uid: p.metadata.uid } }, MERGE);
      return true;
    } catch (err) {
      if (err instanceof APIError && (err.code === 404 || err.code === 409 || err.code === 422)) return false;
      throw err;
    }
  }

  private async release(rs: ReplicaSet, p: Pod): Promise<void> {
    const refs = (p.metadata.ownerReferences ?? []).filter((r) => r.uid !== rs.metadata.uid);
    try {
      await this.client.request('PATCH', this.podPath(p), { metadata: { ownerReferences: refs.length ? refs : null, uid: p.metadata.uid } }, MERGE);
    } catch (err) {
      // gone or changed owner already: nothing left to release
      if (err instanceof APIError && (err.code === 404 || err.code === 409 || err.code === 422)) return;
      throw err;
    }
  }

  /** Creates or deletes pods so that `filtered` becomes spec.replicas (manageReplicas). */
  private async manageReplicas(filtered: Pod[], rs: ReplicaSet): Promise<void> {
    const key = metaKey(rs);
    const want = rs.spec.replicas ?? 1;
    let diff = filtered.length - want;
    if (diff < 0) {
      diff = Math.min(-diff, this.burst);
      this.expectations.expectCreations(key, diff);
      const { successes, error } = await slowStartBatch(diff, 1, () => this.createPod(rs));
      // creations never attempted will never be observed
      for (let i = successes; i < diff; i++) this.expectations.creationObserved(key);
      if (error) throw error;
      return;
    }
    if (diff > 0) {
      diff = Math.min(diff, this.burst);
      const victims = podsToDelete(filtered, filtered, diff);
      this.expectations.expectDeletions(key, victims.map(metaKey));
      const errors: Error[] = [];
      await Promise.all(victims.map(async (p) => {
        try {
          await this.client.request('DELETE', this.podPath(p));
          this.record(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
        } catch (err) {
          if (err instanceof APIError && err.code === 404) { this.expectations.deletionObserved(key, metaKey(p)); return; }
          this.expectations.deletionObserved(key, metaKey(p));
          this.record(rs, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
          errors.push(err as Error);
        }
      }));
      if (errors.length) throw errors[0];
    }
  }

  private async createPod(rs: ReplicaSet): Promise<void> {
    const ns = rs.metadata.namespace ?? 'default';
    const tmpl = rs.spec.template ?? {};
    const body = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: `${rs.metadata.name}-`, namespace: ns,
        labels: { ...(tmpl.metadata?.labels ?? {}) },
        ...(tmpl.metadata?.annotations ? { annotations: { ...tmpl.metadata.annotations } } : {}),
        ownerReferences: [ownerRef(rs)],
      },
      spec: structuredClone(tmpl.spec ?? {}),
    };
    try {
      const pod = await this.client.request<Pod>('POST', `/api/v1/namespaces/${ns}/pods`, body);
      this.record(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    } catch (err) {
      const status = err instanceof APIError ? (err.status as { details?: { causes?: { type?: string }[] } } | undefined) : undefined;
      // a terminating namespace refuses new pods: expected, not worth an event
      if (!status?.details?.causes?.some((c) => c.type === 'NamespaceTerminating')) {
        this.record(rs, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  private async updateStatus(rs: ReplicaSet, status: ReplicaSetStatus): Promise<ReplicaSetStatus | undefined> {
    const cur = rs.status ?? {};
    const gen = rs.metadata.generation;
    const same = (cur.replicas ?? 0) === status.replicas && (cur.fullyLabeledReplicas ?? 0) === status.fullyLabeledReplicas
      && (cur.readyReplicas ?? 0) === status.readyReplicas && (cur.availableReplicas ?? 0) === status.availableReplicas
      && cur.observedGeneration === gen && JSON.stringify(cur.conditions ?? []) === JSON.stringify(status.conditions ?? []);
    if (same) return status;
    const next = { ...status, observedGeneration: gen };
    const path = `/apis/apps/v1/namespaces/${rs.metadata.namespace}/replicasets/${rs.metadata.name}/status`;
    let body: ReplicaSet = { ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet', status: next };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.request('PUT', path, body);
        return next;
      } catch (err) {
        if (!(err instanceof APIError) || err.code !== 409 || attempt >= 1) throw err;
        // conflict: re-read and retry once, as upstream's updateReplicaSetStatus
        const fresh = await this.client.request<ReplicaSet>('GET', path);
        body = { ...fresh, status: { ...next, observedGeneration: fresh.metadata.generation } };
      }
    }
  }
}

export function ownerRef(rs: ReplicaSet) {
  return { apiVersion: 'apps/v1', kind: 'ReplicaSet', name: String(rs.metadata.name), uid: String(rs.metadata.uid), controller: true, blockOwnerDeletion: true };
}

/** calculateStatus: counts from the claimed pods and the ReplicaFailure condition from the last manage error. */
export function calculateStatus(rs: ReplicaSet, filtered: Pod[], manageErr: Error | undefined, now: number): ReplicaSetStatus {
  const templateSel = selectorFromSet(rs.spec.template?.metadata?.labels ?? {});
  const minReady = rs.spec.minReadySeconds ?? 0;
  let fully = 0, ready = 0, available = 0;
  for (const p of filtered) {
    if (templateSel.matches(p.metadata.labels)) fully++;
    if (isPodReady(p)) {
      ready++;
      if (isPodAvailable(p, minReady, now)) available++;
    }
  }
  let conditions = [...(rs.status?.conditions ?? [])];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageErr && !failure) {
    const diff = filtered.length - (rs.spec.replicas ?? 1);
    conditions.push({
      type: 'ReplicaFailure', status: 'True', lastTransitionTime: new Date(now).toISOString().replace(/\.\d+Z$/, 'Z'),
      reason: diff < 0 ? 'FailedCreate' : 'FailedDelete', message: manageErr.message,
    });
  } else if (!manageErr && failure) {
    conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  return {
    replicas: filtered.length, fullyLabeledReplicas: fully, readyReplicas: ready, availableReplicas: available,
    ...(conditions.length ? { conditions } : {}),
  };
}
