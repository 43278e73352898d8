// The cronjob controller (upstream pkg/controller/cronjob, "v2"): for each CronJob it keeps
// status.active in step with its Jobs, removes finished Jobs beyond the history limits, and at each
// scheduled time (most recent missed one, within startingDeadlineSeconds) creates the Job
// `<name>-<minutes since epoch>` honouring concurrencyPolicy, then requeues itself for the next time.
import { APIError, type RESTClient } from '../../client/rest.js';
import { byOwnerUID, metaKey, type Obj, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { controllerRef, getControllerOf } from '../common/controllerref.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import { finishedCondition, isJobFinished, rfc3339, type Job, type JobSpec } from '../job/types.js';
import { parseSchedule, type Schedule } from './schedule.js';
import { formatInZone, jobName, nextScheduleTime, nextScheduleTimeDuration, MAX_MISSED_BEFORE_WARNING } from './times.js';

export const SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

interface ObjectReference { apiVersion?: string; kind?: string; name?: string; namespace?: string; uid?: string; resourceVersion?: string }

export type CronJob = Obj & {
  metadata: Obj['metadata'] & { creationTimestamp?: string };
  spec: {
    schedule: string;
    timeZone?: string;
    startingDeadlineSeconds?: number;
    concurrencyPolicy?: 'Allow' | 'Forbid' | 'Replace';
    suspend?: boolean;
    successfulJobsHistoryLimit?: number;
    failedJobsHistoryLimit?: number;
    jobTemplate: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string> }; spec: JobSpec };
  };
  status?: { active?: ObjectReference[]; lastScheduleTime?: string; lastSuccessfulTime?: string };
};

export interface CronJobControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  now?: () => number;
}

const cronJobPath = (ns: string, name: string) => `/apis/batch/v1/namespaces/${ns}/cronjobs/${name}`;
const jobPath = (ns: string, name: string) => `/apis/batch/v1/namespaces/${ns}/jobs/${name}`;

export class CronJobController {
  readonly name = 'cronjob';
  readonly queue = new RateLimitingQueue('cronjob');
  readonly queues = [this.queue];
  private readonly cjInformer: SharedInformer<CronJob>;
  private readonly jobInformer: SharedInformer<Job>;
  private readonly log: (m: string) => void;
  private readonly now: () => number;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: CronJobControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? Date.now;
    this.cjInformer = factory.forPath<CronJob>('/apis/batch/v1/cronjobs');
    this.jobInformer = factory.forPath<Job>('/apis/batch/v1/jobs');
    this.jobInformer.addIndexer('owner', byOwnerUID);
    this.cjInformer.addEventHandler({
      add: (cj) => this.queue.add(metaKey(cj)),
      update: (_o, cj) => this.queue.add(metaKey(cj)),
      delete: (cj) => this.queue.add(metaKey(cj)),
    });
    const onJob = (j: Job) => {
      const ref = getControllerOf(j);
      if (ref?.kind === 'CronJob' && ref.apiVersion === 'batch/v1') this.queue.add(`${j.metadata.namespace}/${ref.name}`);
    };
    this.jobInformer.addEventHandler({ add: onJob, update: (_o, j) => onJob(j), delete: onJob });
  }

  private record(cj: CronJob, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.opts.recorder.event({ ...cj, apiVersion: 'batch/v1', kind: 'CronJob' }, type, reason, message);
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key),
      (key, err) => this.log(`error syncing CronJob ${JSON.stringify(key)}, requeuing: ${err.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  /** One reconcile (sync + syncCronJob + cleanupFinishedJobs + status update). */
  async sync(key: string): Promise<void> {
    const cached = this.cjInformer.store.get(key);
    if (!cached) return;
    const cj: CronJob = structuredClone(cached);
    const before = JSON.stringify(cj.status ?? {});
    const jobs = this.jobInformer.store.byIndex('owner', String(cj.metadata.uid))
      .filter((j) => getControllerOf(j)?.uid === cj.metadata.uid);
    const requeueAfter = await this.syncCronJob(cj, jobs);
    await this.cleanupFinishedJobs(cj, jobs);
    if (JSON.stringify(cj.status ?? {}) !== before) {
      await this.client.request('PUT', `${cronJobPath(String(cj.metadata.namespace), String(cj.metadata.name))}/status`,
        { ...cj, apiVersion: 'batch/v1', kind: 'CronJob' });
    }
    if (requeueAfter !== undefined) this.queue.addAfter(key, requeueAfter);
  }

  /** Returns when to look again (ms), if at all. */
  private async syncCronJob(cj: CronJob, jobs: Job[]): Promise<number | undefined> {
    const now = this.now();
    const ns = String(cj.metadata.namespace);
    cj.status ??= {};
    const active = cj.status.active ?? [];
    const childUIDs = new Set<string>();
    let fresh: CronJob | null | undefined;
    for (const j of jobs) {
      childUIDs.add(String(j.metadata.uid));
      const found = active.some((r) => r.uid === j.metadata.uid);
      if (!found && !isJobFinished(j)) {
        // our cached CronJob may be older than the Job: ask the API server before complaining
        fresh ??= await this.client.request<CronJob>('GET', cronJobPath(ns, String(cj.metadata.name))).catch(() => null);
        const f = fresh;
        if (f && f.metadata.uid === cj.metadata.uid && f.status?.active?.some((r) => r.uid === j.metadata.uid)) {
          cj.metadata.resourceVersion = f.metadata.resourceVersion;
          if (f.status?.lastScheduleTime) cj.status.lastScheduleTime = f.status.lastScheduleTime;
          active.push(jobRef(j));
        } else {
          this.record(cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
        }
      } else if (found && isJobFinished(j)) {
        const c = finishedCondition(j)!;
        cj.status.active = active.filter((r) => r.uid !== j.metadata.uid);
        active.splice(0, active.length, ...cj.status.active);
        this.record(cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, condition: ${c.type}`);
        if (c.type === 'Complete' && j.status?.completionTime) {
          const t = Date.parse(j.status.completionTime);
          if (!cj.status.lastSuccessfulTime || t > Date.parse(cj.status.lastSuccessfulTime)) cj.status.lastSuccessfulTime = j.status.completionTime;
        }
      }
    }
    // active references whose Job is gone from the cache: check with the API server before dropping them
    for (const r of [...active]) {
      if (childUIDs.has(String(r.uid))) continue;
      try {
        const j = await this.client.request<Job>('GET', jobPath(ns, String(r.name)));
        if (j.metadata.uid === r.uid) continue;
      } catch (err) {
        if (!(err instanceof APIError && err.code === 404)) throw err;
      }
      this.record(cj, 'Normal', 'MissingJob', `Active job went missing: ${r.name}`);
      active.splice(active.indexOf(r), 1);
    }
    if (active.length || cj.status.active) cj.status.active = active.length ? active : undefined;
    if (!cj.status.active) delete cj.status.active;

    if (cj.metadata.deletionTimestamp || cj.spec.suspend) return undefined;
    if (cj.spec.timeZone !== undefined && cj.spec.timeZone !== null) {
      try { new Intl.DateTimeFormat('en-US', { timeZone: cj.spec.timeZone }); } catch (err) {
        this.record(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: ${JSON.stringify(cj.spec.timeZone)}: unknown time zone ${cj.spec.timeZone}`);
        return undefined;
      }
    }
    let sched: Schedule;
    try {
      sched = parseSchedule(cj.spec.schedule, cj.spec.timeZone ?? undefined);
    } catch (err) {
      this.record(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: ${JSON.stringify(cj.spec.schedule)} : ${(err as Error).message}`);
      return undefined;
    }
    if (/TZ=/.test(cj.spec.schedule)) {
      this.record(cj, 'Warning', 'UnsupportedSchedule',
        `CRON_TZ or TZ used in schedule ${JSON.stringify(cj.spec.schedule)} is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details`);
    }
    const times = { creationTimestamp: cj.metadata.creationTimestamp, lastScheduleTime: cj.status.lastScheduleTime,
      startingDeadlineSeconds: cj.spec.startingDeadlineSeconds };
    let next: { time?: number; missed: number };
    try {
      next = nextScheduleTime(times, now, sched);
    } catch (err) {
      this.record(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${(err as Error).message}`);
      return undefined;
    }
    if (next.missed > MAX_MISSED_BEFORE_WARNING) {
      this.record(cj, 'Warning', 'TooManyMissedTimes',
        `too many missed start times: ${next.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    const requeue = () => nextScheduleTimeDuration({ ...times, lastScheduleTime: cj.status?.lastScheduleTime }, now, sched);
    const scheduled = next.time;
    if (scheduled === undefined) return requeue();
    if (cj.spec.startingDeadlineSeconds !== undefined && cj.spec.startingDeadlineSeconds !== null
      && scheduled + cj.spec.startingDeadlineSeconds * 1000 < now) {
      this.record(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${rfc1123z(scheduled)}`);
      return requeue();
    }
    const name = jobName(String(cj.metadata.name), scheduled);
    if (active.some((r) => r.name === name) || (cj.status.lastScheduleTime && Date.parse(cj.status.lastScheduleTime) === scheduled)) {
      return requeue();
    }
    if (cj.spec.concurrencyPolicy === 'Forbid' && active.length > 0) {
      this.record(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue();
    }
    if (cj.spec.concurrencyPolicy === 'Replace') {
      for (const r of [...active]) {
        let j: Job | undefined;
        try { j = await this.client.request<Job>('GET', jobPath(ns, String(r.name))); } catch (err) {
          if (!(err instanceof APIError && err.code === 404)) throw err;
        }
        if (j) await this.deleteJob(cj, j);
        active.splice(active.indexOf(r), 1);
      }
      cj.status.active = active.length ? active : undefined;
      if (!cj.status.active) delete cj.status.active;
    }
    const body = jobFromTemplate(cj, scheduled);
    let created: Job;
    try {
      created = await this.client.request<Job>('POST', `/apis/batch/v1/namespaces/${ns}/jobs`, body);
    } catch (err) {
      // someone else created it (or we did, and our cache is behind): the status is theirs to update
      if (err instanceof APIError && err.code === 409) return undefined;
      this.record(cj, 'Warning', 'FailedCreate', `Error creating job: ${(err as Error).message}`);
      throw err;
    }
    this.record(cj, 'Normal', 'SuccessfulCreate', `Created job ${created.metadata.name}`);
    cj.status.active = [...active, jobRef(created)];
    cj.status.lastScheduleTime = rfc3339(scheduled);
    return requeue();
  }

  /** cleanupFinishedJobs: keep the newest successful/failed finished Jobs up to the history limits. */
  private async cleanupFinishedJobs(cj: CronJob, jobs: Job[]): Promise<void> {
    const sLimit = cj.spec.successfulJobsHistoryLimit, fLimit = cj.spec.failedJobsHistoryLimit;
    if ((sLimit === undefined || sLimit === null) && (fLimit === undefined || fLimit === null)) return;
    const ok: Job[] = [], failed: Job[] = [];
    for (const j of jobs) {
      const c = finishedCondition(j);
      if (c?.type === 'Complete') ok.push(j);
      else if (c?.type === 'Failed') failed.push(j);
    }
    for (const [list, limit] of [[ok, sLimit], [failed, fLimit]] as const) {
      if (limit === undefined || limit === null || list.length <= limit) continue;
      const sorted = [...list].sort(byStartTime);
      for (const j of sorted.slice(0, list.length - limit)) await this.deleteJob(cj, j);
    }
  }

  private async deleteJob(cj: CronJob, j: Job): Promise<void> {
    try {
      await this.client.request('DELETE', jobPath(String(j.metadata.namespace), String(j.metadata.name)),
        { apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Background' });
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return;
      this.record(cj, 'Warning', 'FailedDelete', `Deleted job: ${(err as Error).message}`);
      throw err;
    }
    if (cj.status?.active) {
      cj.status.active = cj.status.active.filter((r) => r.uid !== j.metadata.uid);
      if (!cj.status.active.length) delete cj.status.active;
    }
    this.record(cj, 'Normal', 'SuccessfulDelete', `Deleted job ${j.metadata.name}`);
  }
}

/** byJobStartTime: no start time first, then oldest start, then by name. */
function byStartTime(a: Job, b: Job): number {
  const ta = a.status?.startTime, tb = b.status?.startTime;
  if (!ta && tb) return -1;
  if (ta && !tb) return 1;
  if (ta && tb && ta !== tb) return Date.parse(ta) - Date.parse(tb);
  return String(a.metadata.name).localeCompare(String(b.metadata.name));
}

function jobRef(j: Job): ObjectReference {
  return { kind: 'Job', namespace: j.metadata.namespace, name: j.metadata.name, uid: j.metadata.uid,
    apiVersion: 'batch/v1', resourceVersion: j.metadata.resourceVersion };
}

/** The time a CronJob's Job was scheduled for: its annotation, else the minutes suffix of its name. */
export function scheduledTimeOf(j: Job): number | undefined {
  const a = j.metadata.annotations?.[SCHEDULED_TIMESTAMP_ANNOTATION];
  if (a) { const t = Date.parse(a); if (!Number.isNaN(t)) return t; }
  const m = /-(\d+)$/.exec(String(j.metadata.name));
  return m ? Number(m[1]) * 60_000 : undefined;
}

/** getJobFromTemplate2: the Job for one scheduled time. */
export function jobFromTemplate(cj: CronJob, scheduled: number): Record<string, unknown> {
  const t = cj.spec.jobTemplate ?? { spec: {} };
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: jobName(String(cj.metadata.name), scheduled), namespace: cj.metadata.namespace,
      labels: { ...(t.metadata?.labels ?? {}) },
      annotations: { ...(t.metadata?.annotations ?? {}), [SCHEDULED_TIMESTAMP_ANNOTATION]: formatInZone(scheduled, cj.spec.timeZone) },
      ownerReferences: [controllerRef({ apiVersion: 'batch/v1', kind: 'CronJob', metadata: cj.metadata })],
    },
    spec: structuredClone(t.spec ?? {}),
  };
}

/** Go's time.RFC1123Z in UTC: "Mon, 02 Jan 2006 15:04:05 +0000". */
function rfc1123z(t: number): string {
  return new Date(t).toUTCString().replace('GMT', '+0000');
}
