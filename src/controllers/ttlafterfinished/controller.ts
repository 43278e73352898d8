// The ttl-after-finished controller (upstream pkg/controller/ttlafterfinished): deletes a finished
// Job once ttlSecondsAfterFinished have passed since its Complete/Failed condition. Before deleting
// it re-reads the Job from the API server (the cache may be stale, the TTL may have been changed) and
// deletes with a UID precondition so a recreated Job of the same name is never hit.
import { APIError, type RESTClient } from '../../client/rest.js';
import { metaKey, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { runWorkers } from '../common/worker.js';
import { finishedCondition, type Job } from '../job/types.js';

export interface TTLAfterFinishedOptions {
  log?: (m: string) => void;
  now?: () => number;
}

/** When the Job expires (ms since epoch), or undefined when it has no TTL or has not finished. */
export function expireAt(job: Job): number | undefined {
  const ttl = job.spec.ttlSecondsAfterFinished;
  if (ttl === undefined || ttl === null) return undefined;
  const c = finishedCondition(job);
  if (!c) return undefined;
  const finished = Date.parse(c.lastTransitionTime ?? '');
  if (Number.isNaN(finished)) return undefined;
  return finished + ttl * 1000;
}

export class TTLAfterFinishedController {
  readonly name = 'ttlafterfinished';
  readonly queue = new RateLimitingQueue('ttl_jobs_to_delete');
  readonly queues = [this.queue];
  private readonly informer: SharedInformer<Job>;
  private readonly log: (m: string) => void;
  private readonly now: () => number;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, opts: TTLAfterFinishedOptions = {}) {
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? Date.now;
    this.informer = factory.forPath<Job>('/apis/batch/v1/jobs');
    this.informer.addEventHandler({ add: (j) => this.maybeEnqueue(j), update: (_o, j) => this.maybeEnqueue(j) });
  }

  private maybeEnqueue(j: Job): void {
    if (j.metadata.deletionTimestamp || expireAt(j) === undefined) return;
    this.queue.add(metaKey(j));
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key),
      (key, err) => this.log(`error cleaning up Job ${JSON.stringify(key)}, requeuing: ${err.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  /** processJob: requeue until the TTL expires, then delete after checking the fresh object. */
  async sync(key: string): Promise<void> {
    const cached = this.informer.store.get(key);
    if (!cached || cached.metadata.deletionTimestamp) return;
    if (!this.expiredOrRequeue(key, cached)) return;
    const path = `/apis/batch/v1/namespaces/${cached.metadata.namespace}/jobs/${cached.metadata.name}`;
    let fresh: Job;
    try {
      fresh = await this.client.request<Job>('GET', path);
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return;
      throw err;
    }
    if (fresh.metadata.deletionTimestamp || !this.expiredOrRequeue(key, fresh)) return;
    try {
      // Foreground as upstream: the Job goes once the garbage collector has removed its pods
      await this.client.request('DELETE', path, {
        apiVersion: 'v1', kind: 'DeleteOptions', propagationPolicy: 'Foreground', preconditions: { uid: fresh.metadata.uid },
      });
      this.log(`Cleaning up Job ${key} after its TTL expired`);
    } catch (err) {
      if (err instanceof APIError && (err.code === 404 || err.code === 409)) return;
      throw err;
    }
  }

  private expiredOrRequeue(key: string, job: Job): boolean {
    const at = expireAt(job);
    if (at === undefined) return false;
    const left = at - this.now();
    if (left > 0) { this.queue.addAfter(key, left); return false; }
    return true;
  }
}
