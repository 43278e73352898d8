// The deployment controller (upstream pkg/controller/deployment): one ReplicaSet per pod template
// (named <deployment>-<pod-template-hash>), rolled out with RollingUpdate (maxSurge/maxUnavailable)
// or Recreate, resized proportionally mid-rollout, revisions kept in annotations for `kubectl rollout
// history/undo`, old ReplicaSets cleaned up past revisionHistoryLimit, and the Available/Progressing/
// ReplicaFailure conditions with the progress deadline. It owns ReplicaSets; the replicaset
// controller owns the pods. Writes use the cached object's resourceVersion: a conflict requeues.
import { APIError, type RESTClient } from '../../client/rest.js';
import { byOwnerUID, metaKey, olderRV, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { selectorFromLabelSelectorOrThrow, type LabelSelector } from '../../machinery/labels/selector.js';
import { controllerRef, ControllerRefManager, getControllerOf, recheckOwner } from '../common/controllerref.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import type { Pod } from '../replicaset/pods.js';
import {
  FAILED_RS_CREATE_REASON, FOUND_NEW_RS_REASON, getCondition, NEW_REPLICA_SET_REASON, newCondition, PAUSED_DEPLOY_REASON,
  PROGRESSING, RESUMED_DEPLOY_REASON, rolloutStatus, calculateStatus, normalizeStatus, setCondition, statusEqual,
  stuckRequeueDelay, TIMED_OUT_REASON, deploymentComplete,
} from './conditions.js';
import { computeHash } from './hash.js';
import type { Deployment, ReplicaSet } from './types.js';
import {
  actualReplicaCount, availableReplicaCount, byCreationTimestamp, byRevision, DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY,
  DEPRECATED_ROLLBACK_TO, desiredReplicasAnnotation, equalIgnoreHash, filterActive, findActiveOrLatest, findNewReplicaSet,
  findOldReplicaSets, hasProgressDeadline, hasRevisionHistoryLimit, isRollingUpdate, isSaturated, lastRevision, maxRevision,
  maxSurge, maxUnavailable, newRSNewReplicas, proportionalSizes, replicas, replicasAnnotationsNeedUpdate, revision,
  setDeploymentAnnotationsTo, setDeploymentRevision, setNewReplicaSetAnnotations, setReplicasAnnotations, specReplicaCount,
} from './util.js';

const DEPLOYMENTS = '/apis/apps/v1/deployments';
const REPLICASETS = '/apis/apps/v1/replicasets';
const PODS = '/api/v1/pods';

// rollback event reasons (upstream deploymentutil)
export const ROLLBACK_REVISION_NOT_FOUND = 'DeploymentRollbackRevisionNotFound';
export const ROLLBACK_TEMPLATE_UNCHANGED = 'DeploymentRollbackTemplateUnchanged';
export const ROLLBACK_DONE = 'DeploymentRollback';

const dPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/deployments/${name}`;
const rsPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/replicasets/${name}`;
const rsReplicas = (rs: ReplicaSet) => rs.spec.replicas ?? 0;

export interface DeploymentControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  now?: () => number;
}

interface Scaled { scaled: boolean; rs: ReplicaSet }

export class DeploymentController {
  readonly name = 'deployment';
  readonly queue = new RateLimitingQueue('deployment');
  readonly queues = [this.queue];
  private readonly dInformer: SharedInformer<Deployment>;
  private readonly rsInformer: SharedInformer<ReplicaSet>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly log: (m: string) => void;
  private readonly now: () => number;
  /**
   * resourceVersions this controller wrote, by "kind/namespace/name": a sync waits until the cache
   * has caught up with them (the watch event requeues it) instead of writing from a stale copy and
   * failing on a conflict.
   */
  private readonly written = new Map<string, string>();
  /** a ReplicaSet created for a Deployment (by Deployment key) that the cache has yet to show */
  private readonly creating = new Map<string, { rs: string; at: number }>();

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: DeploymentControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? Date.now;
    this.dInformer = factory.forPath<Deployment>(DEPLOYMENTS);
    this.rsInformer = factory.forPath<ReplicaSet>(REPLICASETS);
    this.podInformer = factory.forPath<Pod>(PODS);
    this.podInformer.addIndexer('owner', byOwnerUID);
    this.dInformer.addEventHandler({
      add: (d) => this.enqueue(d),
      update: (_o, d) => this.enqueue(d),
      delete: (d) => this.enqueue(d),
    });
    this.rsInformer.addEventHandler({
      add: (rs) => this.addReplicaSet(rs),
      update: (o, rs) => this.updateReplicaSet(o, rs),
      delete: (rs) => this.deleteReplicaSet(rs),
    });
    this.podInformer.addEventHandler({ delete: (p) => this.deletePod(p) });
  }

  private enqueue(d: Deployment): void { this.queue.add(metaKey(d)); }

  private event(d: Deployment, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.opts.recorder.event({ ...d, apiVersion: 'apps/v1', kind: 'Deployment' }, type, reason, message);
  }

  // ---- event handlers ----

  /** The Deployment a ReplicaSet's controller reference names, if it exists with that uid. */
  private resolveControllerRef(ns: string | undefined, ref: { kind: string; name: string; uid: string } | undefined): Deployment | undefined {
    if (!ref || ref.kind !== 'Deployment') return undefined;
    const d = this.dInformer.store.get(`${ns}/${ref.name}`);
    return d && d.metadata.uid === ref.uid ? d : undefined;
  }

  /** Deployments whose (non-empty, valid) selector matches an orphan ReplicaSet's labels. */
  private deploymentsForReplicaSet(rs: ReplicaSet): Deployment[] {
    return this.dInformer.store.byIndex('namespace', rs.metadata.namespace ?? '').filter((d) => {
      try {
        const sel = selectorFromLabelSelectorOrThrow(d.spec.selector);
        return !sel.isEmpty() && sel.matches(rs.metadata.labels);
      } catch { return false; }
    });
  }

  private addReplicaSet(rs: ReplicaSet): void {
    if (rs.metadata.deletionTimestamp) { this.deleteReplicaSet(rs); return; }
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata.namespace, ref);
      if (d) this.enqueue(d);
      return;
    }
    for (const d of this.deploymentsForReplicaSet(rs)) this.enqueue(d);
  }

  private updateReplicaSet(old: ReplicaSet, cur: ReplicaSet): void {
    const oldRef = getControllerOf(old), curRef = getControllerOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const d = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (d) this.enqueue(d);
    }
    if (curRef) {
      const d = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (d) this.enqueue(d);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || oldRef) for (const d of this.deploymentsForReplicaSet(cur)) this.enqueue(d);
  }

  private deleteReplicaSet(rs: ReplicaSet): void {
    this.written.delete(`rs/${rs.metadata.namespace}/${rs.metadata.name}`);
    const d = this.resolveControllerRef(rs.metadata.namespace, getControllerOf(rs));
    if (d) this.enqueue(d);
  }

  /** A Recreate rollout waits for the old pods to be gone: look again when the last one goes. */
  private deletePod(p: Pod): void {
    const ref = getControllerOf(p);
    if (!ref || ref.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.store.get(`${p.metadata.namespace}/${ref.name}`);
    if (!rs || rs.metadata.uid !== ref.uid) return;
    const d = this.resolveControllerRef(rs.metadata.namespace, getControllerOf(rs));
    if (d && d.spec.strategy?.type === 'Recreate') this.enqueue(d);
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key),
      (key, err) => this.log(`error syncing deployment ${JSON.stringify(key)}, requeuing: ${err.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  // ---- API writes ----

  private remember(kind: string, o: { metadata: { namespace?: string; name?: string; resourceVersion?: string } } | undefined): void {
    if (o?.metadata?.resourceVersion) this.written.set(`${kind}/${o.metadata.namespace}/${o.metadata.name}`, o.metadata.resourceVersion);
  }

  /** True when the cache still holds an older version of something this controller wrote. */
  private stale(kind: string, o: { metadata: { namespace?: string; name?: string; resourceVersion?: string } }): boolean {
    const k = `${kind}/${o.metadata.namespace}/${o.metadata.name}`;
    const w = this.written.get(k);
    if (w === undefined) return false;
    if (olderRV(o.metadata.resourceVersion, w)) return true;
    this.written.delete(k);
    return false;
  }

  private async updateReplicaSet_(rs: ReplicaSet): Promise<ReplicaSet> {
    const res = await this.client.request<ReplicaSet>('PUT', rsPath(rs.metadata.namespace ?? '', String(rs.metadata.name)),
      { ...rs, apiVersion: 'apps/v1', kind: 'ReplicaSet' });
    this.remember('rs', res);
    return res;
  }

  /** UpdateStatus; the Deployment keeps the new resourceVersion so a later write in this sync does not conflict. */
  private async updateStatus(d: Deployment): Promise<void> {
    const res = await this.client.request<Deployment>('PUT', `${dPath(d.metadata.namespace ?? '', String(d.metadata.name))}/status`,
      { ...d, apiVersion: 'apps/v1', kind: 'Deployment', status: normalizeStatus(d.status) });
    if (res?.metadata?.resourceVersion) d.metadata.resourceVersion = res.metadata.resourceVersion;
    this.remember('d', res);
  }

  // ---- sync ----

  /** syncDeployment for the key "namespace/name". */
  async sync(key: string): Promise<void> {
    const cached = this.dInformer.store.get(key);
    if (!cached) { this.written.delete(`d/${key}`); this.creating.delete(key); return; }
    if (this.stale('d', cached)) return;
    const creating = this.creating.get(key);
    if (creating) {
      // the ReplicaSet just created is not in the cache yet: its add event requeues this Deployment
      if (!this.rsInformer.store.get(creating.rs) && this.now() - creating.at < 30_000) return;
      this.creating.delete(key);
    }
    const d = structuredClone(cached);
    const sel = d.spec.selector;
    if (!sel || (Object.keys(sel.matchLabels ?? {}).length === 0 && (sel.matchExpressions ?? []).length === 0)) {
      this.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        await this.updateStatus(d);
      }
      return;
    }
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelectorOrThrow(sel);
    } catch (err) {
      throw new Error(`deployment ${key} has invalid label selector: ${(err as Error).message}`);
    }
    const rsList = await this.getReplicaSetsForDeployment(d, selector);
    if (rsList.some((rs) => this.stale('rs', rs))) return;
    const podMap = this.podMapForDeployment(d, rsList, selector);
    if (d.metadata.deletionTimestamp) { await this.syncStatusOnly(d, rsList); return; }
    await this.checkPausedConditions(d);
    if (d.spec.paused) { await this.syncScale(d, rsList); return; }
    if (rollbackTo(d) !== undefined) { await this.rollback(d, rsList); return; }
    if (await this.isScalingEvent(d, rsList)) { await this.syncScale(d, rsList); return; }
    const type = d.spec.strategy?.type ?? 'RollingUpdate';
    if (type === 'Recreate') { await this.rolloutRecreate(d, rsList, podMap); return; }
    if (type === 'RollingUpdate') { await this.rolloutRolling(d, rsList); return; }
    throw new Error(`unexpected deployment strategy type: ${type}`);
  }

  /** Claims the ReplicaSets: adopt matching orphans, release owned ones that stopped matching. */
  private getReplicaSetsForDeployment(d: Deployment, selector: LabelSelector): Promise<ReplicaSet[]> {
    const ns = d.metadata.namespace ?? '';
    const all = this.rsInformer.store.byIndex('namespace', ns);
    const owner = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: d.metadata };
    return new ControllerRefManager<ReplicaSet>(this.client, owner, selector,
      (rs) => rsPath(ns, String(rs.metadata.name)), recheckOwner(this.client, dPath(ns, String(d.metadata.name)), d.metadata.uid)).claim(all);
  }

  /** Pods of the claimed ReplicaSets (by controller uid) that still match the Deployment's selector. */
  private podMapForDeployment(d: Deployment, rsList: ReplicaSet[], selector: LabelSelector): Map<string, Pod[]> {
    const map = new Map<string, Pod[]>();
    for (const rs of rsList) {
      const uid = String(rs.metadata.uid);
      map.set(uid, this.podInformer.store.byIndex('owner', uid)
        .filter((p) => p.metadata.namespace === d.metadata.namespace && getControllerOf(p)?.uid === uid && selector.matches(p.metadata.labels)));
    }
    return map;
  }

  private async syncStatusOnly(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.syncDeploymentStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS, d);
  }

  /** sync: scaling of a paused Deployment, or a resize mid-rollout; no template changes. */
  private async syncScale(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    await this.scale(d, newRS, oldRSs);
    if (d.spec.paused && rollbackTo(d) === undefined) await this.cleanupDeployment(oldRSs, d);
    await this.syncDeploymentStatus([...oldRSs, ...(newRS ? [newRS] : [])], newRS, d);
  }

  /** Paused/resumed Progressing conditions, so time spent paused never counts against the deadline. */
  private async checkPausedConditions(d: Deployment): Promise<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getCondition(d.status, PROGRESSING);
    if (cond?.reason === TIMED_OUT_REASON) return;
    const pausedExists = cond?.reason === PAUSED_DEPLOY_REASON;
    const status = (d.status ??= {});
    if (d.spec.paused && !pausedExists) {
      setCondition(status, newCondition(PROGRESSING, 'Unknown', PAUSED_DEPLOY_REASON, 'Deployment is paused', this.now()));
    } else if (!d.spec.paused && pausedExists) {
      setCondition(status, newCondition(PROGRESSING, 'Unknown', RESUMED_DEPLOY_REASON, 'Deployment is resumed', this.now()));
    } else return;
    await this.updateStatus(d);
  }

  /** isScalingEvent: an active RS was sized for a different spec.replicas (desired-replicas annotation). */
  private async isScalingEvent(d: Deployment, rsList: ReplicaSet[]): Promise<boolean> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    for (const rs of filterActive([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired === undefined) continue;
      if (desired !== replicas(d)) return true;
    }
    return false;
  }

  private async getAllReplicaSetsAndSyncRevision(d: Deployment, rsList: ReplicaSet[], create: boolean):
    Promise<{ newRS: ReplicaSet | undefined; oldRSs: ReplicaSet[] }> {
    const { all } = findOldReplicaSets(d, rsList);
    const newRS = await this.getNewReplicaSet(d, rsList, all, create);
    return { newRS, oldRSs: all };
  }

  /**
   * getNewReplicaSet: the RS matching the current template with its annotations and revision synced,
   * or (when `create`) a new one named <deployment>-<hash>, handling hash collisions via collisionCount.
   */
  private async getNewReplicaSet(d: Deployment, rsList: ReplicaSet[], oldRSs: ReplicaSet[], create: boolean): Promise<ReplicaSet | undefined> {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    if (existing) {
      const rsCopy = structuredClone(existing);
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
      const minReadyNeedsUpdate = (rsCopy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0);
      if (annotationsUpdated || minReadyNeedsUpdate) {
        rsCopy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        return this.updateReplicaSet_(rsCopy);
      }
      // the RS's own revision is the reliable one (the Deployment's may have failed to update)
      const revChanged = setDeploymentRevision(d, rsCopy.metadata.annotations?.['deployment.kubernetes.io/revision'] ?? '');
      let statusChanged = false;
      if (hasProgressDeadline(d) && !getCondition(d.status, PROGRESSING)) {
        setCondition((d.status ??= {}), newCondition(PROGRESSING, 'True', FOUND_NEW_RS_REASON, `Found new replica set "${rsCopy.metadata.name}"`, this.now()));
        statusChanged = true;
      }
      // as upstream, the revision annotation goes with the status update (no new generation)
      if (revChanged || statusChanged) await this.updateStatus(d);
      return rsCopy;
    }
    if (!create) return undefined;

    const ns = d.metadata.namespace ?? '';
    const template = structuredClone(d.spec.template ?? {});
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash } };
    const sel = structuredClone(d.spec.selector ?? {});
    const selector = { ...sel, matchLabels: { ...(sel.matchLabels ?? {}), [DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY]: hash } };
    const name = `${d.metadata.name}-${hash}`;
    const rs: ReplicaSet = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: {
        name, namespace: ns, labels: { ...template.metadata.labels },
        ownerReferences: [controllerRef({ apiVersion: 'apps/v1', kind: 'Deployment', metadata: d.metadata })],
      },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const count = newRSNewReplicas(d, [...oldRSs, rs], rs);
    rs.spec.replicas = count;
    setNewReplicaSetAnnotations(d, rs, newRevision, false);
    let created: ReplicaSet;
    let alreadyExists = false;
    try {
      created = await this.client.request<ReplicaSet>('POST', `/apis/apps/v1/namespaces/${ns}/replicasets`, rs);
      this.creating.set(metaKey(d), { rs: `${ns}/${name}`, at: this.now() });
    } catch (err) {
      if (err instanceof APIError && err.code === 409) {
        alreadyExists = true;
        const found = this.rsInformer.store.get(`${ns}/${name}`);
        if (!found) throw err;
        const ref = getControllerOf(found);
        if (ref && ref.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, found.spec.template)) {
          created = found;
        } else {
          // a different template under the same name: a hash collision; bump collisionCount and retry
          const status = (d.status ??= {});
          status.collisionCount = (status.collisionCount ?? 0) + 1;
          try { await this.updateStatus(d); } catch { /* the requeue retries */ }
          this.log(`found a hash collision for deployment ${ns}/${d.metadata.name}: collisionCount now ${status.collisionCount}`);
          throw err;
        }
      } else {
        const causes = err instanceof APIError
          ? (err.status as { details?: { causes?: { type?: string }[] } } | undefined)?.details?.causes : undefined;
        if (causes?.some((c) => c.type === 'NamespaceTerminating')) throw err;
        const msg = `Failed to create new replica set "${name}": ${(err as Error).message}`;
        if (hasProgressDeadline(d)) {
          setCondition((d.status ??= {}), newCondition(PROGRESSING, 'False', FAILED_RS_CREATE_REASON, msg, this.now()));
          try { await this.updateStatus(d); } catch { /* the bigger problem is reported below */ }
        }
        this.event(d, 'Warning', FAILED_RS_CREATE_REASON, msg);
        throw err;
      }
    }
    if (!alreadyExists && count > 0) {
      this.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${created.metadata.name} from 0 to ${count}`);
    }
    const revChanged = setDeploymentRevision(d, newRevision);
    let statusChanged = false;
    if (!alreadyExists && hasProgressDeadline(d)) {
      setCondition((d.status ??= {}), newCondition(PROGRESSING, 'True', NEW_REPLICA_SET_REASON, `Created new replica set "${created.metadata.name}"`, this.now()));
      statusChanged = true;
    }
    if (revChanged || statusChanged) await this.updateStatus(d);
    return created;
  }

  private scaleReplicaSetAndRecordEvent(rs: ReplicaSet, newScale: number, d: Deployment): Promise<Scaled> {
    if (rsReplicas(rs) === newScale) return Promise.resolve({ scaled: false, rs });
    return this.scaleReplicaSet(rs, newScale, d, rsReplicas(rs) < newScale ? 'up' : 'down');
  }

  /** Resizes an RS (and refreshes its desired/max-replicas annotations); ScalingReplicaSet on a size change. */
  private async scaleReplicaSet(rs: ReplicaSet, newScale: number, d: Deployment, operation: string): Promise<Scaled> {
    const want = replicas(d), max = want + maxSurge(d);
    const sizeNeedsUpdate = rsReplicas(rs) !== newScale;
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, want, max)) return { scaled: false, rs };
    const oldScale = rsReplicas(rs);
    const copy = structuredClone(rs);
    copy.spec.replicas = newScale;
    setReplicasAnnotations(copy, want, max);
    const updated = await this.updateReplicaSet_(copy);
    if (sizeNeedsUpdate) {
      this.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${operation} replica set ${updated.metadata.name} from ${oldScale} to ${newScale}`);
    }
    return { scaled: sizeNeedsUpdate, rs: updated };
  }

  /** scale: a resize while paused or mid-rollout; proportional over the active RSes when rolling. */
  private async scale(d: Deployment, newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[]): Promise<void> {
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (rsReplicas(activeOrLatest) === replicas(d)) return;
      await this.scaleReplicaSetAndRecordEvent(activeOrLatest, replicas(d), d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) await this.scaleReplicaSetAndRecordEvent(old, 0, d);
      return;
    }
    if (isRollingUpdate(d)) {
      const active = filterActive([...oldRSs, newRS]);
      const { sizes, order, operation } = proportionalSizes(d, active);
      for (const rs of order) await this.scaleReplicaSet(rs, sizes.get(String(rs.metadata.name))!, d, operation);
    }
  }

  /** cleanupDeployment: delete the oldest fully scaled-down RSes beyond revisionHistoryLimit. */
  private async cleanupDeployment(oldRSs: ReplicaSet[], d: Deployment): Promise<void> {
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp);
    const diff = cleanable.length - d.spec.revisionHistoryLimit!;
    if (diff <= 0) return;
    cleanable.sort(byRevision);
    for (const rs of cleanable.slice(0, diff)) {
      if ((rs.status?.replicas ?? 0) !== 0 || rsReplicas(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)
        || rs.metadata.deletionTimestamp) continue;
      try {
        await this.client.request('DELETE', rsPath(rs.metadata.namespace ?? '', String(rs.metadata.name)));
      } catch (err) {
        if (!(err instanceof APIError && err.code === 404)) throw err;
      }
    }
  }

  private async syncDeploymentStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const status = calculateStatus(allRSs, newRS, d, this.now());
    if (statusEqual(d.status, status)) return;
    d.status = status;
    await this.updateStatus(d);
  }

  /** syncRolloutStatus: status with the progress conditions; requeue to judge the deadline in time. */
  private async syncRolloutStatus(allRSs: ReplicaSet[], newRS: ReplicaSet | undefined, d: Deployment): Promise<void> {
    const status = rolloutStatus(allRSs, newRS, d, this.now());
    if (statusEqual(d.status, status)) {
      const after = stuckRequeueDelay(d, status, this.now());
      if (after === 0) this.queue.addRateLimited(metaKey(d));
      else if (after !== undefined) this.queue.addAfter(metaKey(d), after);
      return;
    }
    d.status = status;
    await this.updateStatus(d);
  }

  // ---- RollingUpdate ----

  private async rolloutRolling(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const got = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    const newRS = got.newRS!;
    const oldRSs = got.oldRSs;
    const allRSs = [...oldRSs, newRS];
    const up = await this.reconcileNewReplicaSet(allRSs, newRS, d);
    if (up.scaled) { allRSs[allRSs.length - 1] = up.rs; await this.syncRolloutStatus(allRSs, up.rs, d); return; }
    const scaledDown = await this.reconcileOldReplicaSets(allRSs, filterActive(oldRSs), newRS, d);
    if (scaledDown) { await this.syncRolloutStatus(allRSs, newRS, d); return; }
    if (deploymentComplete(d, d.status)) await this.cleanupDeployment(oldRSs, d);
    await this.syncRolloutStatus(allRSs, newRS, d);
  }

  private async reconcileNewReplicaSet(allRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<Scaled> {
    if (rsReplicas(newRS) === replicas(d)) return { scaled: false, rs: newRS };
    if (rsReplicas(newRS) > replicas(d)) return this.scaleReplicaSetAndRecordEvent(newRS, replicas(d), d);
    return this.scaleReplicaSetAndRecordEvent(newRS, newRSNewReplicas(d, allRSs, newRS), d);
  }

  /** reconcileOldReplicaSets: scale old RSes down as far as maxUnavailable allows, unhealthy replicas first. */
  private async reconcileOldReplicaSets(allRSs: ReplicaSet[], oldRSs: ReplicaSet[], newRS: ReplicaSet, d: Deployment): Promise<boolean> {
    if (specReplicaCount(oldRSs) === 0) return false;
    const allPods = specReplicaCount(allRSs);
    const minAvailable = replicas(d) - maxUnavailable(d);
    const newRSUnavailable = rsReplicas(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPods - minAvailable - newRSUnavailable;
    if (maxScaledDown <= 0) return false;
    const { oldRSs: cleaned, count: cleanup } = await this.cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown);
    const scaledDown = await this.scaleDownOldReplicaSetsForRollingUpdate([...cleaned, newRS], cleaned, d);
    return cleanup + scaledDown > 0;
  }

  /** Scale down old replicas that are not available, oldest RS first, up to maxCleanup. */
  private async cleanupUnhealthyReplicas(oldRSs: ReplicaSet[], d: Deployment, maxCleanup: number): Promise<{ oldRSs: ReplicaSet[]; count: number }> {
    const sorted = [...oldRSs].sort(byCreationTimestamp);
    let total = 0;
    for (let i = 0; i < sorted.length; i++) {
      if (total >= maxCleanup) break;
      const rs = sorted[i];
      const available = rs.status?.availableReplicas ?? 0;
      if (rsReplicas(rs) === 0 || rsReplicas(rs) === available) continue;
      const count = Math.min(maxCleanup - total, rsReplicas(rs) - available);
      const next = rsReplicas(rs) - count;
      if (next > rsReplicas(rs)) throw new Error(`when cleaning up unhealthy replicas, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${rsReplicas(rs)} -> ${next}`);
      const { rs: updated } = await this.scaleReplicaSetAndRecordEvent(rs, next, d);
      total += count;
      sorted[i] = updated;
    }
    return { oldRSs: sorted, count: total };
  }

  /** Scale down available old replicas while keeping minAvailable (replicas - maxUnavailable). */
  private async scaleDownOldReplicaSetsForRollingUpdate(allRSs: ReplicaSet[], oldRSs: ReplicaSet[], d: Deployment): Promise<number> {
    const minAvailable = replicas(d) - maxUnavailable(d);
    const available = availableReplicaCount(allRSs);
    if (available <= minAvailable) return 0;
    const sorted = [...oldRSs].sort(byCreationTimestamp);
    const toScaleDown = available - minAvailable;
    let total = 0;
    for (const rs of sorted) {
      if (total >= toScaleDown) break;
      if (rsReplicas(rs) === 0) continue;
      const count = Math.min(rsReplicas(rs), toScaleDown - total);
      const next = rsReplicas(rs) - count;
      if (next > rsReplicas(rs)) throw new Error(`when scaling down old replica set, got invalid request to scale down ${rs.metadata.namespace}/${rs.metadata.name} ${rsReplicas(rs)} -> ${next}`);
      await this.scaleReplicaSetAndRecordEvent(rs, next, d);
      total += count;
    }
    return total;
  }

  // ---- Recreate ----

  private async rolloutRecreate(d: Deployment, rsList: ReplicaSet[], podMap: Map<string, Pod[]>): Promise<void> {
    // no new RS yet: scale down before anything is scaled up
    let { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    let allRSs = [...oldRSs, ...(newRS ? [newRS] : [])];
    let scaledDown = false;
    for (const rs of filterActive(oldRSs)) {
      const r = await this.scaleReplicaSetAndRecordEvent(rs, 0, d);
      if (r.scaled) scaledDown = true;
    }
    if (scaledDown) { await this.syncRolloutStatus(allRSs, newRS, d); return; }
    if (oldPodsRunning(newRS, oldRSs, podMap)) { await this.syncRolloutStatus(allRSs, newRS, d); return; }
    if (!newRS) {
      ({ newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true));
      allRSs = [...oldRSs, newRS!];
    }
    const up = await this.scaleReplicaSetAndRecordEvent(newRS!, replicas(d), d);
    if (up.scaled) { newRS = up.rs; allRSs[allRSs.length - 1] = up.rs; }
    if (deploymentComplete(d, d.status)) await this.cleanupDeployment(oldRSs, d);
    await this.syncRolloutStatus(allRSs, newRS, d);
  }

  // ---- rollback via the deprecated annotation (kubectl now rolls back client-side) ----

  private async rollback(d: Deployment, rsList: ReplicaSet[]): Promise<void> {
    const { newRS, oldRSs } = await this.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    const allRSs = [...oldRSs, ...(newRS ? [newRS] : [])];
    let to = rollbackTo(d)!;
    if (to === 0) {
      to = lastRevision(allRSs);
      if (to === 0) {
        this.event(d, 'Warning', ROLLBACK_REVISION_NOT_FOUND, 'Unable to find last revision.');
        await this.updateDeploymentAndClearRollbackTo(d);
        return;
      }
    }
    for (const rs of allRSs) {
      if (revision(rs) !== to) continue;
      let performed = false;
      if (!equalIgnoreHash(d.spec.template, rs.spec.template)) {
        const template = structuredClone(rs.spec.template ?? {});
        if (template.metadata?.labels) delete template.metadata.labels[DEFAULT_DEPLOYMENT_UNIQUE_LABEL_KEY];
        d.spec.template = template;
        setDeploymentAnnotationsTo(d, rs);
        performed = true;
      } else {
        this.event(d, 'Warning', ROLLBACK_TEMPLATE_UNCHANGED, `The rollback revision contains the same template as current deployment "${d.metadata.name}"`);
      }
      await this.updateDeploymentAndClearRollbackTo(d);
      if (performed) this.event(d, 'Normal', ROLLBACK_DONE, `Rolled back deployment "${d.metadata.name}" to revision ${to}`);
      return;
    }
    this.event(d, 'Warning', ROLLBACK_REVISION_NOT_FOUND, 'Unable to find the revision to rollback to.');
    await this.updateDeploymentAndClearRollbackTo(d);
  }

  private async updateDeploymentAndClearRollbackTo(d: Deployment): Promise<void> {
    const annotations = { ...(d.metadata.annotations ?? {}) };
    delete annotations[DEPRECATED_ROLLBACK_TO];
    const body = { ...d, apiVersion: 'apps/v1', kind: 'Deployment', metadata: { ...d.metadata, annotations } };
    await this.client.request('PUT', dPath(d.metadata.namespace ?? '', String(d.metadata.name)), body);
  }
}

/** The revision asked for by the deprecated rollbackTo annotation (0: the last one), if any. */
export function rollbackTo(d: Deployment): number | undefined {
  const v = d.metadata.annotations?.[DEPRECATED_ROLLBACK_TO];
  if (!v || !/^-?\d+$/.test(v)) return undefined;
  return Number(v);
}

/** oldPodsRunning: old RSes still report pods, or pods of them are not yet finished or gone. */
export function oldPodsRunning(newRS: ReplicaSet | undefined, oldRSs: ReplicaSet[], podMap: Map<string, Pod[]>): boolean {
  if (actualReplicaCount(oldRSs) > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const p of pods) {
      const phase = p.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}
