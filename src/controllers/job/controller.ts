// The job controller (upstream pkg/controller/job): runs pods for Jobs until enough succeed or the
// Job fails. Pods carry the batch.kubernetes.io/job-tracking finalizer; a finished pod is first
// recorded in status.uncountedTerminatedPods, then its finalizer is removed, then it moves into
// succeeded/failed, so no pod is counted twice or lost. Failure: podFailurePolicy, backoffLimit
// (and per index), activeDeadlineSeconds, maxFailedIndexes — first the FailureTarget condition
// while the remaining pods are removed, then Failed. Success: completions or successPolicy —
// SuccessCriteriaMet, then Complete. Also suspend/resume, Indexed mode and podReplacementPolicy.
import { APIError, type RESTClient } from '../../client/rest.js';
import { byOwnerUID, metaKey, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { selectorFromLabelSelectorOrThrow, type LabelSelector } from '../../machinery/labels/selector.js';
import { ControllerRefManager, getControllerOf, recheckOwner } from '../common/controllerref.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import { ControllerExpectations } from '../replicaset/expectations.js';
import { podsToDelete } from '../replicaset/pods.js';
import { slowStartBatch } from '../replicaset/slowstart.js';
import { remainingBackoff, podFinishTime, updateBackoff, DEFAULT_POD_FAILURE_BACKOFF_MS, MAX_POD_FAILURE_BACKOFF_MS,
  type BackoffRecord } from './backoff.js';
import { matchPodFailurePolicy, matchSuccessPolicy } from './failurepolicy.js';
import { completionIndex, firstPendingIndexes, formatIndexes, parseIndexes } from './indexes.js';
import { indexFailureCount, indexedPodsForRemoval, isPodActive, isPodFailed, isPodReady, isPodTerminating, podFromTemplate } from './pods.js';
import {
  ensureCondition, findCondition, hasBackoffLimitPerIndex, hasFinalizer, isIndexed, isJobFinished, JOB_TRACKING_FINALIZER,
  onlyReplaceFailedPods, rfc3339, type Job, type JobCondition, type JobPod, type JobStatus,
} from './types.js';

/** upstream MaxPodCreateDeletePerSync */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;
const JOBS_PATH = '/apis/batch/v1/jobs';
const PODS_PATH = '/api/v1/pods';
const JOB_CONTROLLER_NAME = 'kubernetes.io/job-controller';
const SMP = 'application/strategic-merge-patch+json';

export interface JobControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  now?: () => number;
  /** pod re-creation backoff after a failure (10 s doubling, capped at 6 min upstream) */
  backoffBaseMs?: number;
  backoffMaxMs?: number;
}

/** A condition the sync decided on: interim FailureTarget/SuccessCriteriaMet, or terminal Failed/Complete. */
interface Finish { type: 'FailureTarget' | 'SuccessCriteriaMet' | 'Failed' | 'Complete'; reason: string; message: string }

export class JobController {
  readonly name = 'job';
  readonly queue: RateLimitingQueue;
  readonly orphanQueue: RateLimitingQueue;
  readonly queues: { metrics: RateLimitingQueue['metrics'] }[];
  readonly expectations: ControllerExpectations;
  /** per job key: uids of pods whose finalizer removal was sent but not yet observed */
  private readonly finalizerExpectations = new Map<string, Set<string>>();
  private readonly backoff = new Map<string, BackoffRecord>();
  private readonly jobInformer: SharedInformer<Job>;
  private readonly podInformer: SharedInformer<JobPod>;
  private readonly log: (m: string) => void;
  private readonly now: () => number;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: JobControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? Date.now;
    this.expectations = new ControllerExpectations(this.now);
    this.queue = new RateLimitingQueue('job');
    this.orphanQueue = new RateLimitingQueue('orphan_pod');
    this.queues = [this.queue, this.orphanQueue];
    this.jobInformer = factory.forPath<Job>(JOBS_PATH);
    this.podInformer = factory.forPath<JobPod>(PODS_PATH);
    this.podInformer.addIndexer('owner', byOwnerUID);
    this.jobInformer.addEventHandler({
      add: (j) => this.enqueue(j),
      update: (_o, j) => this.enqueue(j),
      delete: (j) => this.deleteJob(j),
    });
    this.podInformer.addEventHandler({
      add: (p) => this.addPod(p),
      update: (o, p) => this.updatePod(o, p),
      delete: (p) => this.deletePod(p),
    });
  }

  private enqueue(j: Job): void { this.queue.add(metaKey(j)); }

  private record(job: Job, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.opts.recorder.event({ ...job, apiVersion: 'batch/v1', kind: 'Job' }, type, reason, message);
  }

  private deleteJob(j: Job): void {
    const key = metaKey(j);
    this.expectations.delete(key);
    this.finalizerExpectations.delete(key);
    this.backoff.delete(key);
    // its pods keep our finalizer: the orphan queue removes it
    for (const p of this.podInformer.store.byIndex('owner', String(j.metadata.uid))) if (hasFinalizer(p)) this.orphanQueue.add(metaKey(p));
    this.enqueue(j);
  }

  /** The Job a pod's controller reference names, if it exists with that uid. */
  private resolveControllerRef(p: JobPod): Job | undefined {
    const ref = getControllerOf(p);
    if (!ref || ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return undefined;
    const job = this.jobInformer.store.get(`${p.metadata.namespace}/${ref.name}`);
    return job && job.metadata.uid === ref.uid ? job : undefined;
  }

  private matchingJobs(p: JobPod): Job[] {
    return this.jobInformer.store.byIndex('namespace', p.metadata.namespace ?? '').filter((j) => {
      try {
        const sel = selectorFromLabelSelectorOrThrow(j.spec.selector);
        return !sel.isEmpty() && sel.matches(p.metadata.labels);
      } catch { return false; }
    });
  }

  /** A pod with our finalizer whose Job is gone or finished: the orphan queue strips the finalizer. */
  private maybeOrphan(p: JobPod, job: Job | undefined): void {
    if (!hasFinalizer(p)) return;
    const ref = getControllerOf(p);
    if (ref && (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1')) return;
    if (!job || isJobFinished(job)) this.orphanQueue.add(metaKey(p));
  }

  private finalizerRemovalObserved(job: Job | undefined, p: JobPod): void {
    if (!job) return;
    this.finalizerExpectations.get(metaKey(job))?.delete(String(p.metadata.uid));
  }

  private addPod(p: JobPod): void {
    if (p.metadata.deletionTimestamp) { this.deletePod(p, false); return; }
    const job = this.resolveControllerRef(p);
    if (getControllerOf(p)) {
      this.maybeOrphan(p, job);
      if (!job) return;
      this.expectations.creationObserved(metaKey(job));
      this.enqueue(job);
      return;
    }
    this.maybeOrphan(p, undefined);
    for (const j of this.matchingJobs(p)) this.enqueue(j);
  }

  private updatePod(old: JobPod, cur: JobPod): void {
    const job = this.resolveControllerRef(cur);
    if (hasFinalizer(old) && !hasFinalizer(cur)) this.finalizerRemovalObserved(job, cur);
    if (cur.metadata.deletionTimestamp && !old.metadata.deletionTimestamp) {
      this.deletePod(cur, false);
      return;
    }
    const oldRef = getControllerOf(old), curRef = getControllerOf(cur);
    if (oldRef && oldRef.uid !== curRef?.uid) {
      const oj = this.resolveControllerRef(old);
      if (oj) this.enqueue(oj);
    }
    if (curRef) {
      this.maybeOrphan(cur, job);
      if (job) this.enqueue(job);
      return;
    }
    this.maybeOrphan(cur, undefined);
    for (const j of this.matchingJobs(cur)) this.enqueue(j);
  }

  /** Deletion (or a deletionTimestamp): observed for expectations; `final` when the pod is gone. */
  private deletePod(p: JobPod, final = true): void {
    const job = this.resolveControllerRef(p);
    if (final) this.finalizerRemovalObserved(job, p);
    else this.maybeOrphan(p, job);
    if (!job) return;
    this.expectations.deletionObserved(metaKey(job), metaKey(p));
    this.enqueue(job);
  }

  run(workers: number): Promise<void> {
    return Promise.all([
      runWorkers(this.queue, workers, (key) => this.sync(key),
        (key, err) => this.log(`error syncing job ${JSON.stringify(key)}, requeuing: ${err.message}`)),
      runWorkers(this.orphanQueue, 1, (key) => this.syncOrphanPod(key),
        (key, err) => this.log(`error removing the job-tracking finalizer of pod ${JSON.stringify(key)}: ${err.message}`)),
    ]).then(() => undefined);
  }

  stop(): void { this.queue.shutDown(); this.orphanQueue.shutDown(); }

  private podPath(p: JobPod): string { return `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`; }
  private jobPath(j: Job): string { return `/apis/batch/v1/namespaces/${j.metadata.namespace}/jobs/${j.metadata.name}`; }

  /** syncOrphanPod: strip our finalizer unless the pod is (again) owned by an unfinished Job. */
  async syncOrphanPod(key: string): Promise<void> {
    const p = this.podInformer.store.get(key);
    if (!p || !hasFinalizer(p)) return;
    const ref = getControllerOf(p);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return;
      const job = this.resolveControllerRef(p);
      if (job && job.spec.managedBy && job.spec.managedBy !== JOB_CONTROLLER_NAME) return;
      if (job && !isJobFinished(job)) return;
    }
    await this.removeFinalizer(p);
  }

  private async removeFinalizer(p: JobPod): Promise<boolean> {
    try {
      await this.client.request('PATCH', this.podPath(p), { metadata: { [`$deleteFromPrimitiveList/finalizers`]: [JOB_TRACKING_FINALIZER] } }, SMP);
      return true;
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return true;
      throw err;
    }
  }

  /** One reconcile of the Job `key` (syncJob). */
  async sync(key: string): Promise<void> {
    const job = this.jobInformer.store.get(key);
    if (!job) {
      this.expectations.delete(key);
      this.finalizerExpectations.delete(key);
      this.backoff.delete(key);
      return;
    }
    if (job.spec.managedBy && job.spec.managedBy !== JOB_CONTROLLER_NAME) return;
    if (isJobFinished(job)) {
      for (const p of this.podInformer.store.byIndex('owner', String(job.metadata.uid))) if (hasFinalizer(p)) this.orphanQueue.add(metaKey(p));
      return;
    }
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelectorOrThrow(job.spec.selector);
    } catch (err) {
      this.log(`Job ${key} has an invalid selector: ${(err as Error).message}`);
      return;
    }
    const now = this.now();
    const satisfied = this.expectations.satisfiedExpectations(key);
    const ns = job.metadata.namespace ?? '';
    const owner = { apiVersion: 'batch/v1', kind: 'Job', metadata: job.metadata };
    const pods = await new ControllerRefManager<JobPod>(this.client, owner, selector, (p) => this.podPath(p),
      recheckOwner(this.client, this.jobPath(job), job.metadata.uid)).claim(this.podInformer.store.byIndex('namespace', ns));
    const ctx = new SyncContext(job, pods, this.finalizerExpectations.get(key) ?? new Set(), now);

    // the backoff record follows the newly finished pods; it is kept only once this sync's status is written
    const prevBackoff = this.backoff.get(key) ?? { failuresAfterLastSuccess: 0 };
    const backoffRec = updateBackoff(prevBackoff, ctx.newSucceeded, ctx.newFailed.filter((p) => ctx.countsAsFailure(p)), now);

    const status: JobStatus = structuredClone(job.status ?? {});
    let conditions: JobCondition[] = status.conditions ?? [];
    const suspended = job.spec.suspend === true;
    if (!status.startTime && !suspended) {
      status.startTime = rfc3339(now);
    }
    const startTime = Date.parse(status.startTime ?? '');

    // an earlier sync already decided the outcome: finish it
    let finish: Finish | undefined;
    const ft = findCondition(job, 'FailureTarget');
    const scm = findCondition(job, 'SuccessCriteriaMet');
    if (ft?.status === 'True') finish = { type: 'Failed', reason: ft.reason ?? '', message: ft.message ?? '' };
    else if (scm?.status === 'True') finish = { type: 'Complete', reason: scm.reason ?? '', message: scm.message ?? '' };

    if (!finish) {
      const failJob = ctx.failJobMessage();
      if (failJob) finish = { type: 'FailureTarget', reason: 'PodFailurePolicy', message: failJob };
      else if (!hasBackoffLimitPerIndex(job) && (ctx.failedCount() > (job.spec.backoffLimit ?? 6) || ctx.pastBackoffLimitOnFailure())) {
        finish = { type: 'FailureTarget', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' };
      } else if (job.spec.activeDeadlineSeconds !== undefined && !suspended && !Number.isNaN(startTime)) {
        const left = startTime + job.spec.activeDeadlineSeconds * 1000 - now;
        if (left <= 0) finish = { type: 'FailureTarget', reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' };
        else this.queue.addAfter(key, left);
      }
    }
    if (isIndexed(job) && hasBackoffLimitPerIndex(job) && !finish) {
      const failed = ctx.failedIndexes.size;
      if (job.spec.maxFailedIndexes !== undefined && failed > job.spec.maxFailedIndexes) {
        finish = { type: 'FailureTarget', reason: 'MaxFailedIndexesExceeded', message: 'Job has exceeded the specified maximal number of failed indexes' };
      } else if (failed > 0 && failed + ctx.succeededIndexes.size >= ctx.completions) {
        finish = { type: 'FailureTarget', reason: 'FailedIndexes', message: 'Job has failed indexes' };
      }
    }
    if (isIndexed(job) && !finish && job.spec.successPolicy) {
      const rule = matchSuccessPolicy(job.spec.successPolicy.rules ?? [], ctx.completions, ctx.succeededIndexes);
      if (rule !== undefined) finish = { type: 'SuccessCriteriaMet', reason: 'SuccessPolicy', message: `Matched rules at index ${rule}` };
    }

    let active = ctx.active.length;
    let terminating = ctx.terminating;
    let ready = ctx.active.filter(isPodReady).length;
    let manageErr: Error | undefined;
    if (finish) {
      // the outcome is decided: remove whatever still runs
      const r = await this.deletePods(job, key, ctx.active);
      active -= r.deleted; ready -= r.deletedReady; terminating += r.deleted;
      manageErr = r.error;
    } else {
      let manageCalled = false;
      if (satisfied && !job.metadata.deletionTimestamp) {
        manageCalled = true;
        try {
          const r = await this.manageJob(job, key, ctx, backoffRec);
          active = r.active; ready -= r.deletedReady; terminating += r.deleted;
        } catch (err) { manageErr = err as Error; }
      }
      let complete: boolean;
      if (isIndexed(job)) complete = ctx.succeededIndexes.size >= ctx.completions;
      else if (job.spec.completions === undefined || job.spec.completions === null) complete = ctx.succeededCount() > 0 && active === 0;
      else complete = ctx.succeededCount() >= job.spec.completions && active === 0;
      if (complete) {
        finish = { type: 'SuccessCriteriaMet', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' };
      } else if (manageCalled) {
        if (suspended) {
          const r = ensureCondition(conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', now);
          conditions = r.conditions;
          if (r.changed) this.record(job, 'Normal', 'Suspended', 'Job suspended');
        } else {
          const r = ensureCondition(conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
          conditions = r.conditions;
          if (r.changed) {
            this.record(job, 'Normal', 'Resumed', 'Job resumed');
            // activeDeadlineSeconds counts continuous activity: restart the clock
            status.startTime = rfc3339(now);
          }
        }
      }
    }
    if (finish && (finish.type === 'FailureTarget' || finish.type === 'SuccessCriteriaMet')) {
      conditions = ensureCondition(conditions, finish.type, 'True', finish.reason, finish.message, now).conditions;
      finish = { ...finish, type: finish.type === 'FailureTarget' ? 'Failed' : 'Complete' };
    }
    if (conditions.length) status.conditions = conditions;
    else delete status.conditions;
    status.active = active;
    status.ready = ready;
    status.terminating = terminating;

    await this.trackStatusAndRemoveFinalizers(job, key, ctx, status, finish, satisfied && !manageErr);
    this.backoff.set(key, backoffRec);
    if (manageErr) throw manageErr;
  }

  /** manageJob: create or delete pods towards the wanted number of active pods. */
  private async manageJob(job: Job, key: string, ctx: SyncContext, backoffRec: BackoffRecord):
    Promise<{ active: number; deleted: number; deletedReady: number }> {
    let active = ctx.active.length;
    if (job.spec.suspend) {
      const r = await this.deletePods(job, key, ctx.active);
      if (r.error) throw r.error;
      return { active: active - r.deleted, deleted: r.deleted, deletedReady: r.deletedReady };
    }
    const parallelism = job.spec.parallelism ?? 1;
    let wantActive: number;
    if (job.spec.completions === undefined || job.spec.completions === null) {
      wantActive = ctx.succeededCount() > 0 ? active : parallelism;
    } else {
      const done = isIndexed(job) ? ctx.succeededIndexes.size + ctx.failedIndexes.size : ctx.succeededCount();
      wantActive = Math.max(0, Math.min(parallelism, job.spec.completions - done));
    }
    let remove: JobPod[] = [];
    if (isIndexed(job)) remove = indexedPodsForRemoval(ctx.active, ctx.completions, ctx.succeededIndexes);
    const rest = ctx.active.filter((p) => !remove.includes(p));
    const rmAtLeast = Math.max(0, active - remove.length - wantActive);
    if (rmAtLeast > 0) remove.push(...(podsToDelete(rest, rest, rmAtLeast, ctx.now) as JobPod[]));
    remove = remove.slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (remove.length > 0) {
      const r = await this.deletePods(job, key, remove);
      if (r.error) throw r.error;
      return { active: active - r.deleted, deleted: r.deleted, deletedReady: r.deletedReady };
    }
    const terminating = onlyReplaceFailedPods(job) ? ctx.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return { active, deleted: 0, deletedReady: 0 };
    const base = this.opts.backoffBaseMs ?? DEFAULT_POD_FAILURE_BACKOFF_MS, max = this.opts.backoffMaxMs ?? MAX_POD_FAILURE_BACKOFF_MS;
    if (!hasBackoffLimitPerIndex(job)) {
      const wait = remainingBackoff(backoffRec, ctx.now, base, max);
      if (wait > 0) { this.queue.addAfter(key, wait); return { active, deleted: 0, deletedReady: 0 }; }
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let bodies: Record<string, any>[];
    if (isIndexed(job)) {
      const busy = new Set<number>([...ctx.succeededIndexes, ...ctx.failedIndexes]);
      for (const p of ctx.active) { const ix = completionIndex(p); if (ix !== undefined) busy.add(ix); }
      if (onlyReplaceFailedPods(job)) for (const p of ctx.pods) if (isPodTerminating(p)) { const ix = completionIndex(p); if (ix !== undefined) busy.add(ix); }
      let indexes = firstPendingIndexes(diff, ctx.completions, busy);
      const failures = new Map<number, { counted: number; ignored: number }>();
      if (hasBackoffLimitPerIndex(job)) {
        // each index waits out its own backoff and carries its failure count on the next pod
        let soonest = Infinity;
        indexes = indexes.filter((ix) => {
          const last = ctx.lastFailedPod(ix);
          if (!last) return true;
          const f = indexFailureCount(last, ctx.countsAsFailure(last));
          failures.set(ix, f);
          const wait = remainingBackoff({ failuresAfterLastSuccess: f.counted, lastFailureTime: podFinishTime(last, ctx.now) }, ctx.now, base, max);
          if (wait > 0) { soonest = Math.min(soonest, wait); return false; }
          return true;
        });
        if (soonest < Infinity) this.queue.addAfter(key, soonest);
      }
      bodies = indexes.map((ix) => podFromTemplate(job, ix, hasBackoffLimitPerIndex(job) ? failures.get(ix) ?? { counted: 0, ignored: 0 } : undefined));
    } else {
      bodies = Array.from({ length: diff }, () => podFromTemplate(job));
    }
    if (bodies.length === 0) return { active, deleted: 0, deletedReady: 0 };
    this.expectations.expectCreations(key, bodies.length);
    let next = 0;
    const { successes, error } = await slowStartBatch(bodies.length, 1, () => this.createPod(job, bodies[next++]));
    for (let i = successes; i < bodies.length; i++) this.expectations.creationObserved(key);
    if (error) throw error;
    return { active: active + successes, deleted: 0, deletedReady: 0 };
  }

  private async createPod(job: Job, body: Record<string, any>): Promise<void> {
    try {
      const pod = await this.client.request<JobPod>('POST', `/api/v1/namespaces/${job.metadata.namespace}/pods`, body);
      this.record(job, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    } catch (err) {
      const status = err instanceof APIError ? (err.status as { details?: { causes?: { type?: string }[] } } | undefined) : undefined;
      if (!status?.details?.causes?.some((c) => c.type === 'NamespaceTerminating')) {
        this.record(job, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      }
      throw err;
    }
  }

  /** deleteJobPods: deletes the given pods in parallel, recording SuccessfulDelete/FailedDelete. */
  private async deletePods(job: Job, key: string, pods: JobPod[]): Promise<{ deleted: number; deletedReady: number; error?: Error }> {
    if (pods.length === 0) return { deleted: 0, deletedReady: 0 };
    this.expectations.expectDeletions(key, pods.map(metaKey));
    let deleted = 0, deletedReady = 0;
    let error: Error | undefined;
    await Promise.all(pods.map(async (p) => {
      try {
        await this.client.request('DELETE', this.podPath(p));
        // a pod that was already terminating sends no new event: do not wait for one
        const cached = this.podInformer.store.get(metaKey(p));
        if (!cached || cached.metadata.deletionTimestamp) this.expectations.deletionObserved(key, metaKey(p));
        deleted++;
        if (isPodReady(p)) deletedReady++;
        this.record(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${p.metadata.name}`);
      } catch (err) {
        this.expectations.deletionObserved(key, metaKey(p));
        if (err instanceof APIError && err.code === 404) { deleted++; return; }
        this.record(job, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
        error ??= err as Error;
      }
    }));
    return { deleted, deletedReady, error };
  }

  /**
   * trackJobStatusAndRemoveFinalizers: record newly finished pods as uncounted, strip their
   * finalizers, count those whose finalizer is gone, and write the terminal condition once nothing
   * is uncounted or terminating any more.
   */
  private async trackStatusAndRemoveFinalizers(job: Job, key: string, ctx: SyncContext, status: JobStatus, finish: Finish | undefined,
    mayFinish: boolean): Promise<void> {
    const uncounted = { succeeded: [...(status.uncountedTerminatedPods?.succeeded ?? [])], failed: [...(status.uncountedTerminatedPods?.failed ?? [])] };
    const expected = this.finalizerExpectations.get(key) ?? new Set<string>();
    const toRemove: JobPod[] = [];
    const newSucceededIdx: number[] = [];
    const newFailedIdx: number[] = [];
    const failing = finish !== undefined && finish.type === 'Failed';
    for (const p of ctx.pods) {
      if (!hasFinalizer(p) || expected.has(String(p.metadata.uid))) continue;
      const failed = isPodFailed(p, job);
      if (!ctx.canRemoveFinalizer(p, failed, finish !== undefined)) continue;
      toRemove.push(p);
      const uid = String(p.metadata.uid);
      if (p.status?.phase === 'Succeeded' && !uncounted.failed.includes(uid)) {
        if (isIndexed(job)) {
          const ix = completionIndex(p);
          if (ix !== undefined && ix < ctx.completions && !ctx.prevSucceededIndexes.has(ix)) newSucceededIdx.push(ix);
        } else if (!uncounted.succeeded.includes(uid)) uncounted.succeeded.push(uid);
      } else if (failed || failing) {
        const ix = completionIndex(p);
        if (!uncounted.failed.includes(uid) && (!isIndexed(job) || (ix !== undefined && ix < ctx.completions))) {
          if (ctx.countsAsFailure(p)) uncounted.failed.push(uid);
          if (hasBackoffLimitPerIndex(job) && ix !== undefined && ctx.indexFailed(p)) newFailedIdx.push(ix);
        }
      }
    }
    if (isIndexed(job)) {
      const succeeded = new Set([...ctx.prevSucceededIndexes, ...newSucceededIdx]);
      status.completedIndexes = formatIndexes(succeeded);
      status.succeeded = succeeded.size;
    }
    if (hasBackoffLimitPerIndex(job)) status.failedIndexes = formatIndexes([...ctx.prevFailedIndexes, ...newFailedIdx]);
    status.uncountedTerminatedPods = {
      ...(uncounted.succeeded.length ? { succeeded: uncounted.succeeded } : {}),
      ...(uncounted.failed.length ? { failed: uncounted.failed } : {}),
    };
    let current = job;
    // 1. the uncounted uids are durable before any finalizer goes
    if (toRemove.length > 0 && this.statusChanged(current, status)) current = await this.updateStatus(current, status);
    // 2. strip the finalizers
    const stillHeld = new Set(ctx.pods.filter(hasFinalizer).map((p) => String(p.metadata.uid)));
    if (toRemove.length > 0) {
      let set = this.finalizerExpectations.get(key);
      if (!set) this.finalizerExpectations.set(key, (set = new Set()));
      let firstErr: Error | undefined;
      await Promise.all(toRemove.map(async (p) => {
        const uid = String(p.metadata.uid);
        set!.add(uid);
        try {
          await this.removeFinalizer(p);
          stillHeld.delete(uid);
        } catch (err) {
          set!.delete(uid);
          firstErr ??= err as Error;
        }
      }));
      if (firstErr) { if (this.statusChanged(current, status)) await this.updateStatus(current, status); throw firstErr; }
    }
    // 3. pods whose finalizer is gone are counted for good
    const keep = (uids: string[], onCount: () => void) => uids.filter((u) => {
      if (stillHeld.has(u)) return true;
      onCount();
      return false;
    });
    status.uncountedTerminatedPods = {};
    const s = keep(uncounted.succeeded, () => { if (!isIndexed(job)) status.succeeded = (status.succeeded ?? 0) + 1; });
    const f = keep(uncounted.failed, () => { status.failed = (status.failed ?? 0) + 1; });
    if (s.length) status.uncountedTerminatedPods.succeeded = s;
    if (f.length) status.uncountedTerminatedPods.failed = f;
    // active/succeeded/failed are omitempty upstream; ready and terminating are pointers, shown as 0
    for (const k of ['active', 'succeeded', 'failed'] as const) if (!status[k]) delete status[k];

    // 4. the terminal condition, once nothing is left to count or terminate (enactJobFinished)
    let finished: Finish | undefined;
    if (finish && mayFinish && s.length === 0 && f.length === 0 && (status.terminating ?? 0) === 0 && (status.active ?? 0) === 0) {
      finished = finish;
      const now = ctx.now;
      status.conditions = ensureCondition(status.conditions ?? [], finish.type, 'True', finish.reason, finish.message, now).conditions;
      if (finish.type === 'Complete') status.completionTime = rfc3339(now);
    }
    if (this.statusChanged(current, status)) await this.updateStatus(current, status);
    if (finished?.type === 'Complete') this.record(job, 'Normal', 'Completed', 'Job completed');
    else if (finished?.type === 'Failed') this.record(job, 'Warning', finished.reason, finished.message);
  }

  private statusChanged(job: Job, status: JobStatus): boolean {
    return JSON.stringify(normalize(job.status ?? {})) !== JSON.stringify(normalize(status));
  }

  private async updateStatus(job: Job, status: JobStatus): Promise<Job> {
    // a copy: the caller keeps editing `status` for the next write
    const body: Job = { ...job, apiVersion: 'batch/v1', kind: 'Job', status: structuredClone(status) };
    return this.client.request<Job>('PUT', `${this.jobPath(job)}/status`, body);
  }
}

/** Key order and empty fields do not make a status different. */
function normalize(s: JobStatus): unknown {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(s).sort()) {
    const v = (s as Record<string, unknown>)[k];
    if (v === undefined) continue;
    if (k === 'uncountedTerminatedPods') {
      const u = v as JobStatus['uncountedTerminatedPods'];
      out[k] = { succeeded: u?.succeeded ?? [], failed: u?.failed ?? [] };
      continue;
    }
    out[k] = v;
  }
  for (const k of ['active', 'ready', 'terminating', 'succeeded', 'failed']) out[k] ??= 0;
  out.uncountedTerminatedPods ??= { succeeded: [], failed: [] };
  return out;
}

/** What one sync knows about a Job's pods (upstream syncJobCtx). */
export class SyncContext {
  readonly active: JobPod[];
  readonly terminating: number;
  readonly uncountedSucceeded: Set<string>;
  readonly uncountedFailed: Set<string>;
  /** finished pods still holding the finalizer and not yet in uncountedTerminatedPods */
  readonly newSucceeded: JobPod[];
  readonly newFailed: JobPod[];
  readonly completions: number;
  readonly prevSucceededIndexes: Set<number>;
  readonly succeededIndexes: Set<number>;
  readonly prevFailedIndexes: Set<number>;
  readonly failedIndexes: Set<number>;

  constructor(readonly job: Job, readonly pods: JobPod[], expectedRemovals: Set<string>, readonly now: number) {
    this.active = pods.filter(isPodActive);
    this.terminating = pods.filter(isPodTerminating).length;
    this.uncountedSucceeded = new Set(job.status?.uncountedTerminatedPods?.succeeded ?? []);
    this.uncountedFailed = new Set(job.status?.uncountedTerminatedPods?.failed ?? []);
    const fresh = (p: JobPod) => hasFinalizer(p) && !expectedRemovals.has(String(p.metadata.uid));
    this.newSucceeded = pods.filter((p) => fresh(p) && p.status?.phase === 'Succeeded' && !this.uncountedSucceeded.has(String(p.metadata.uid)));
    this.newFailed = pods.filter((p) => fresh(p) && p.status?.phase !== 'Succeeded' && isPodFailed(p, job)
      && !this.uncountedFailed.has(String(p.metadata.uid)));
    this.completions = job.spec.completions ?? 0;
    this.prevSucceededIndexes = parseIndexes(job.status?.completedIndexes, this.completions);
    this.succeededIndexes = new Set(this.prevSucceededIndexes);
    this.prevFailedIndexes = parseIndexes(job.status?.failedIndexes ?? undefined, this.completions);
    this.failedIndexes = new Set(this.prevFailedIndexes);
    if (isIndexed(job)) {
      for (const p of pods) {
        const ix = completionIndex(p);
        if (ix === undefined || ix >= this.completions) continue;
        if (p.status?.phase === 'Succeeded' && hasFinalizer(p)) this.succeededIndexes.add(ix);
      }
      if (hasBackoffLimitPerIndex(job)) {
        for (const p of this.newFailed) {
          const ix = completionIndex(p);
          if (ix !== undefined && ix < this.completions && this.indexFailed(p)) this.failedIndexes.add(ix);
        }
        for (const ix of this.succeededIndexes) this.failedIndexes.delete(ix);
      }
    }
  }

  /** Whether a failed pod counts towards the limits (podFailurePolicy may Ignore it). */
  countsAsFailure(p: JobPod): boolean {
    const rules = this.job.spec.podFailurePolicy?.rules;
    if (!rules || p.status?.phase !== 'Failed') return true;
    return matchPodFailurePolicy(rules, p).countFailed;
  }

  /** A failed pod that fails its index: FailIndex, or the index's failures went past backoffLimitPerIndex. */
  indexFailed(p: JobPod): boolean {
    const rules = this.job.spec.podFailurePolicy?.rules;
    const m = rules && p.status?.phase === 'Failed' ? matchPodFailurePolicy(rules, p) : { countFailed: true };
    if (m.action === 'FailIndex') return true;
    if (!m.countFailed) return false;
    return indexFailureCount(p, true).counted > (this.job.spec.backoffLimitPerIndex ?? 0);
  }

  /** The most recently finished failed pod of an index. */
  lastFailedPod(ix: number): JobPod | undefined {
    let last: JobPod | undefined, at = -Infinity;
    for (const p of this.pods) {
      if (completionIndex(p) !== ix || !isPodFailed(p, this.job)) continue;
      const t = podFinishTime(p, this.now);
      if (t > at) { at = t; last = p; }
    }
    return last;
  }

  /** status.failed plus what this sync adds (jobCtx.failed). */
  failedCount(): number {
    return (this.job.status?.failed ?? 0) + this.uncountedFailed.size + this.newFailed.filter((p) => this.countsAsFailure(p)).length;
  }

  succeededCount(): number {
    if (isIndexed(this.job)) return this.succeededIndexes.size;
    return (this.job.status?.succeeded ?? 0) + this.uncountedSucceeded.size + this.newSucceeded.length;
  }

  /** The FailJob message of the first failed pod matching a FailJob rule (getFailJobMessage). */
  failJobMessage(): string | undefined {
    const rules = this.job.spec.podFailurePolicy?.rules;
    if (!rules) return undefined;
    for (const p of this.pods) {
      if (p.status?.phase !== 'Failed' || !hasFinalizer(p)) continue;
      const m = matchPodFailurePolicy(rules, p);
      if (m.failJobMessage) return m.failJobMessage;
    }
    return undefined;
  }

  /** restartPolicy OnFailure: container restarts of active pods count against backoffLimit. */
  pastBackoffLimitOnFailure(): boolean {
    if (this.job.spec.template?.spec?.restartPolicy !== 'OnFailure') return false;
    let restarts = 0;
    for (const p of this.active) {
      for (const cs of [...(p.status?.containerStatuses ?? []), ...(p.status?.initContainerStatuses ?? [])]) restarts += cs.restartCount ?? 0;
    }
    const limit = this.job.spec.backoffLimit ?? 6;
    return limit === 0 ? restarts > 0 : restarts >= limit;
  }

  /** canRemoveFinalizer: finished pods, everything once the outcome is decided or the Job is being deleted. */
  canRemoveFinalizer(p: JobPod, failed: boolean, deciding: boolean): boolean {
    if (this.job.metadata.deletionTimestamp || deciding || p.status?.phase === 'Succeeded') return true;
    return failed;
  }
}
