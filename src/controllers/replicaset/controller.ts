// The replicaset controller (upstream pkg/controller/replicaset): keeps spec.replicas pods per
// ReplicaSet. It adopts orphans matching the selector and releases pods that stop matching, creates
// missing pods in slow-start batches, deletes surplus pods in upstream's ranking order, waits on
// expectations while its watch catches up, and writes status and the ReplicaFailure condition.
// The same loop drives ReplicationControllers (upstream wraps the RS controller the same way): only
// the kind, the paths and the selector form differ, see ReplicaKind.
import type { RESTClient } from '../../client/rest.js';
import { APIError } from '../../client/rest.js';
import { byOwnerUID, metaKey, type Obj, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { selectorFromLabelSelectorOrThrow, selectorFromSet, type LabelSelector } from '../../machinery/labels/selector.js';
import { controllerRef, ControllerRefManager, getControllerOf, recheckOwner } from '../common/controllerref.js';
import { runWorkers } from '../common/worker.js';
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
    selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] } | Record<string, string>;
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

const PODS_PATH = '/api/v1/pods';

/** What differs between ReplicaSets and ReplicationControllers. */
export interface ReplicaKind {
  name: string;
  apiVersion: string;
  kind: string;
  /** collection path for the informer */
  collection: string;
  /** path of one object */
  path(ns: string, name: string): string;
  /** its selector as a LabelSelector; throws on an invalid one */
  selector(o: ReplicaSet): LabelSelector;
}

export const REPLICA_SET: ReplicaKind = {
  name: 'replicaset', apiVersion: 'apps/v1', kind: 'ReplicaSet', collection: '/apis/apps/v1/replicasets',
  path: (ns, name) => `/apis/apps/v1/namespaces/${ns}/replicasets/${name}`,
  selector: (o) => selectorFromLabelSelectorOrThrow(o.spec.selector as Parameters<typeof selectorFromLabelSelectorOrThrow>[0]),
};

/** ReplicationController: a plain map selector (defaulted from the template labels by the API server). */
export const REPLICATION_CONTROLLER: ReplicaKind = {
  name: 'replicationcontroller', apiVersion: 'v1', kind: 'ReplicationController', collection: '/api/v1/replicationcontrollers',
  path: (ns, name) => `/api/v1/namespaces/${ns}/replicationcontrollers/${name}`,
  selector: (o) => selectorFromSet((o.spec.selector as Record<string, string> | undefined) ?? {}),
};

export interface ReplicaSetControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  burstReplicas?: number;
  kind?: ReplicaKind;
}

export class ReplicaSetController {
  readonly name: string;
  readonly queue: RateLimitingQueue;
  readonly queues: { metrics: RateLimitingQueue['metrics'] }[];
  private readonly kind: ReplicaKind;
  readonly expectations = new ControllerExpectations();
  private readonly rsInformer: SharedInformer<ReplicaSet>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly log: (m: string) => void;
  private readonly burst: number;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: ReplicaSetControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.burst = opts.burstReplicas ?? BURST_REPLICAS;
    this.kind = opts.kind ?? REPLICA_SET;
    this.name = this.kind.name;
    this.queue = new RateLimitingQueue(this.kind.name);
    this.queues = [this.queue];
    this.rsInformer = factory.forPath<ReplicaSet>(this.kind.collection);
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
    this.opts.recorder.event({ ...rs, apiVersion: this.kind.apiVersion, kind: this.kind.kind }, type, reason, message);
  }

  /** The ReplicaSet a pod's controller reference names, if it exists with that uid. */
  private resolveControllerRef(p: Pod): ReplicaSet | undefined {
    const ref = getControllerOf(p);
    if (!ref || ref.kind !== this.kind.kind || ref.apiVersion.split('/')[0] !== this.kind.apiVersion.split('/')[0]) return undefined;
    const rs = this.rsInformer.store.get(`${p.metadata.namespace}/${ref.name}`);
    return rs && rs.metadata.uid === ref.uid ? rs : undefined;
  }

  /** ReplicaSets in the pod's namespace whose selector matches it (for orphans). */
  private matchingReplicaSets(p: Pod): ReplicaSet[] {
    return this.rsInformer.store.byIndex('namespace', p.metadata.namespace ?? '').filter((rs) => {
      try {
        const sel = this.kind.selector(rs);
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
    return runWorkers(this.queue, workers, (key) => this.sync(key),
      (key, err) => this.log(`error syncing ${this.kind.kind} ${JSON.stringify(key)}, requeuing: ${err.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  /** One reconcile of the ReplicaSet `key` (syncReplicaSet). */
  async sync(key: string): Promise<void> {
    const rs = this.rsInformer.store.get(key);
    if (!rs) { this.expectations.delete(key); return; }
    const needsSync = this.expectations.satisfiedExpectations(key);
    let selector: LabelSelector;
    try {
      selector = this.kind.selector(rs);
    } catch (err) {
      // an invalid selector is a user error: retrying will not fix it
      this.log(`${this.kind.kind} ${key} has an invalid selector: ${(err as Error).message}`);
      return;
    }
    const all = this.podInformer.store.byIndex('namespace', rs.metadata.namespace ?? '');
    const active = all.filter(isPodActive);
    const ns = rs.metadata.namespace ?? '';
    const owner = { apiVersion: this.kind.apiVersion, kind: this.kind.kind, metadata: rs.metadata };
    const claimed = await new ControllerRefManager<Pod>(this.client, owner, selector, (p) => this.podPath(p),
      recheckOwner(this.client, this.kind.path(ns, String(rs.metadata.name)), rs.metadata.uid)).claim(active);
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

  private podPath(p: Pod): string { return `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`; }

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
        ownerReferences: [controllerRef({ apiVersion: this.kind.apiVersion, kind: this.kind.kind, metadata: rs.metadata })],
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
    const path = `${this.kind.path(rs.metadata.namespace ?? '', String(rs.metadata.name))}/status`;
    let body: ReplicaSet = { ...rs, apiVersion: this.kind.apiVersion, kind: this.kind.kind, status: next };
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
