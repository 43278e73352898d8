// The statefulset controller (upstream pkg/controller/statefulset): watches StatefulSets, their pods,
// ControllerRevisions and PVCs; each sync adopts orphaned revisions and pods (by selector and name),
// runs StatefulSetControl, and records status (replicas, ready/current/updated/available, revisions,
// collisionCount, observedGeneration) as upstream so `kubectl rollout status/history/undo` work.
import { APIError, type RESTClient } from '../../client/rest.js';
import { byOwnerUID, metaKey, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { selectorFromLabelSelectorOrThrow, type LabelSelector } from '../../machinery/labels/selector.js';
import { ControllerRefManager, getControllerOf, recheckOwner } from '../common/controllerref.js';
import { runWorkers } from '../common/worker.js';
import { CONTROLLER_REVISIONS_PATH, History, type ControllerRevision } from '../history/index.js';
import type { EventRecorder } from '../manager/events.js';
import { isPodReady } from '../replicaset/pods.js';
import { completeRollingUpdate, inconsistentStatus, StatefulSetControl, type StatefulPodControl } from './control.js';
import { isMemberOf, STATEFULSET_GVK } from './identity.js';
import { APIStatefulPodControl } from './podcontrol.js';
import type { PersistentVolumeClaim, Pod, StatefulSet, StatefulSetStatus } from './types.js';

export const STATEFULSETS_PATH = '/apis/apps/v1/statefulsets';
const PODS_PATH = '/api/v1/pods';
const PVCS_PATH = '/api/v1/persistentvolumeclaims';

export interface StatefulSetControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  /** replaces the API-backed pod control (tests) */
  podControl?: StatefulPodControl;
  now?: () => number;
}

export class StatefulSetController {
  readonly name = 'statefulset';
  readonly queue = new RateLimitingQueue('statefulset');
  readonly queues = [this.queue];
  private readonly setInformer: SharedInformer<StatefulSet>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly revInformer: SharedInformer<ControllerRevision>;
  private readonly pvcInformer: SharedInformer<PersistentVolumeClaim>;
  private readonly history: History;
  private readonly control: StatefulSetControl;
  private readonly log: (m: string) => void;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, opts: StatefulSetControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.setInformer = factory.forPath<StatefulSet>(STATEFULSETS_PATH);
    this.podInformer = factory.forPath<Pod>(PODS_PATH);
    this.podInformer.addIndexer('owner', byOwnerUID);
    this.revInformer = factory.forPath<ControllerRevision>(CONTROLLER_REVISIONS_PATH);
    this.pvcInformer = factory.forPath<PersistentVolumeClaim>(PVCS_PATH);
    this.history = new History(client, this.revInformer.store);
    const podControl = opts.podControl ?? new APIStatefulPodControl(client, this.pvcInformer.store, opts.recorder);
    this.control = new StatefulSetControl(podControl, this.history, opts.now);
    this.setInformer.addEventHandler({
      add: (s) => this.enqueue(s),
      update: (_o, s) => this.enqueue(s),
      delete: (s) => this.enqueue(s),
    });
    this.podInformer.addEventHandler({
      add: (p) => this.addPod(p),
      update: (o, p) => this.updatePod(o, p),
      delete: (p) => this.deletePod(p),
    });
  }

  private enqueue(s: StatefulSet): void { this.queue.add(metaKey(s)); }

  private resolveControllerRef(p: Pod): StatefulSet | undefined {
    const ref = getControllerOf(p);
    if (!ref || ref.kind !== 'StatefulSet' || ref.apiVersion.split('/')[0] !== 'apps') return undefined;
    const s = this.setInformer.store.get(`${p.metadata.namespace}/${ref.name}`);
    return s && s.metadata.uid === ref.uid ? s : undefined;
  }

  /** getStatefulSetsForPod: sets in the pod's namespace whose selector matches (orphans only). */
  private setsForPod(p: Pod): StatefulSet[] {
    return this.setInformer.store.byIndex('namespace', p.metadata.namespace ?? '').filter((s) => {
      try {
        const sel = selectorFromLabelSelectorOrThrow(s.spec.selector);
        return !sel.isEmpty() && sel.matches(p.metadata.labels);
      } catch { return false; }
    });
  }

  private addPod(p: Pod): void {
    if (p.metadata.deletionTimestamp) { this.deletePod(p); return; }
    if (getControllerOf(p)) {
      const s = this.resolveControllerRef(p);
      if (s) this.enqueue(s);
      return;
    }
    for (const s of this.setsForPod(p)) this.enqueue(s);
  }

  private updatePod(old: Pod, cur: Pod): void {
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    const oldRef = getControllerOf(old), curRef = getControllerOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const s = this.resolveControllerRef(old);
      if (s) this.enqueue(s);
    }
    if (curRef) {
      const s = this.resolveControllerRef(cur);
      if (!s) return;
      this.enqueue(s);
      // a pod that just became ready becomes available after minReadySeconds: look again then
      const minReady = s.spec.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(metaKey(s), minReady * 1000 + 1000);
      return;
    }
    if (labelsChanged || oldRef) for (const s of this.setsForPod(cur)) this.enqueue(s);
  }

  private deletePod(p: Pod): void {
    const s = this.resolveControllerRef(p);
    if (s) this.enqueue(s);
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key),
      (key, err) => this.log(`error syncing StatefulSet ${JSON.stringify(key)}, requeuing: ${err.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  private setPath(s: StatefulSet): string {
    return `/apis/apps/v1/namespaces/${s.metadata.namespace}/statefulsets/${s.metadata.name}`;
  }

  /** One reconcile of the StatefulSet `key` (sync). */
  async sync(key: string): Promise<void> {
    const set = this.setInformer.store.get(key);
    if (!set) return;
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelectorOrThrow(set.spec.selector);
    } catch (err) {
      // a user error that retrying will not fix
      this.log(`StatefulSet ${key} has an invalid selector: ${(err as Error).message}`);
      return;
    }
    const owner = { ...STATEFULSET_GVK, metadata: set.metadata };
    const recheck = recheckOwner(this.client, this.setPath(set), set.metadata.uid);
    await this.adoptOrphanRevisions(set, selector, recheck);
    const all = this.podInformer.store.byIndex('namespace', set.metadata.namespace ?? '');
    const pods = await new ControllerRefManager<Pod>(this.client, owner, selector,
      (p) => `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`, recheck)
      .claim(all, (p) => isMemberOf(set, p));
    const revisions = this.history.list(owner, selector);
    const result = await this.control.sync(set, pods, revisions);
    if (result.status) {
      completeRollingUpdate(set, result.status);
      if (inconsistentStatus(set, result.status)) await this.updateStatus(set, result.status);
    }
    if (result.error) throw result.error;
    const st = result.status;
    const minReady = set.spec.minReadySeconds ?? 0;
    if (st && minReady > 0 && (st.readyReplicas ?? 0) !== (st.availableReplicas ?? 0)) this.queue.addAfter(key, minReady * 1000);
  }

  /** adoptOrphanRevisions: revisions matching the selector with no controller become the set's. */
  private async adoptOrphanRevisions(set: StatefulSet, selector: LabelSelector, recheck: () => Promise<boolean>): Promise<void> {
    const orphans = this.history.list({ ...STATEFULSET_GVK, metadata: set.metadata }, selector).filter((r) => !getControllerOf(r));
    if (!orphans.length || set.metadata.deletionTimestamp) return;
    if (!(await recheck())) return;
    for (const r of orphans) {
      try {
        await this.history.adopt({ ...STATEFULSET_GVK, metadata: set.metadata }, r);
      } catch (err) {
        if (!(err instanceof APIError) || (err.code !== 404 && err.code !== 409 && err.code !== 422)) throw err;
      }
    }
  }

  /** UpdateStatefulSetStatus: PUT status, re-reading once on a conflict. */
  private async updateStatus(set: StatefulSet, status: StatefulSetStatus): Promise<void> {
    const path = `${this.setPath(set)}/status`;
    const next: StatefulSetStatus = { ...status, ...(set.status?.conditions ? { conditions: set.status.conditions } : {}) };
    let body: StatefulSet = { ...set, ...STATEFULSET_GVK, status: next };
    for (let attempt = 0; ; attempt++) {
      try {
        await this.client.request('PUT', path, body);
        return;
      } catch (err) {
        if (!(err instanceof APIError) || err.code !== 409 || attempt >= 1) throw err;
        const fresh = await this.client.request<StatefulSet>('GET', this.setPath(set));
        body = { ...fresh, ...STATEFULSET_GVK, status: next };
      }
    }
  }
}
