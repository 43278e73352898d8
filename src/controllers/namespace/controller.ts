// The namespace controller (upstream pkg/controller/namespace): watches namespaces and, for each one
// being deleted, runs the deleter (deleter.ts) until the namespace is empty and its `kubernetes`
// finalizer is removed. While content remains (pods terminating, objects held by finalizers) the
// namespace is looked at again after a growing delay capped by upstream's estimate; other errors
// back off per item (5 ms doubling to 60 s, as upstream's nsControllerRateLimiter).
import type { RESTClient } from '../../client/rest.js';
import { SharedInformerFactory, type Obj, type SharedInformer } from '../../client/informer.js';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, RateLimitingQueue } from '../../client/workqueue.js';
import { runWorkers } from '../common/worker.js';
import type { DiscoveryResult } from '../garbagecollector/discovery.js';
import { NamespacedResourcesDeleter, ResourcesRemainingError } from './deleter.js';

const NAMESPACES = '/api/v1/namespaces';

export interface NamespaceControllerOptions {
  /** shared informers (the controller manager's); without one the controller makes its own */
  factory?: SharedInformerFactory;
  discover?: (c: RESTClient) => Promise<DiscoveryResult>;
  /** first delay while content remains; doubles per pass up to upstream's estimate/2+1 s */
  remainingBaseMs?: number;
}

export class NamespaceController {
  readonly name = 'namespace';
  readonly queue = new RateLimitingQueue('namespace', new MaxOfRateLimiter([
    // retried at least every minute, never longer
    new ItemExponentialFailureRateLimiter(5, 60_000),
    new BucketRateLimiter(10, 100),
  ]));
  readonly queues = [this.queue];
  readonly deleter: NamespacedResourcesDeleter;
  private readonly factory: SharedInformerFactory;
  private readonly ownFactory: boolean;
  private readonly informer: SharedInformer<Obj>;
  /** passes that found content remaining, per namespace (drives the growing requeue delay) */
  private readonly passes = new Map<string, number>();
  private running: Promise<void> | undefined;

  /** `new NamespaceController(client, log)` + start()/stop() is how `kumo server` runs it in-process. */
  constructor(private readonly client: RESTClient, private readonly log: (msg: string) => void = () => {},
    private readonly opts: NamespaceControllerOptions = {}) {
    this.ownFactory = !opts.factory;
    this.factory = opts.factory ?? new SharedInformerFactory(client, { log });
    this.deleter = new NamespacedResourcesDeleter(client, opts.discover);
    this.informer = this.factory.forPath<Obj>(NAMESPACES);
    this.informer.addEventHandler({
      add: (ns) => this.enqueue(ns),
      update: (_old, ns) => this.enqueue(ns),
    });
  }

  private enqueue(ns: Obj): void {
    // only namespaces being deleted need anything from this controller
    if (ns.metadata.deletionTimestamp) this.queue.add(String(ns.metadata.name));
  }

  /** Standalone use: syncs its own informer and runs one worker. */
  async start(): Promise<void> {
    await this.factory.start();
    this.running = this.run(1);
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (name) => this.sync(name),
      (name, err) => this.log(`namespace controller: deletion of namespace ${name} failed: ${err.message}`));
  }

  /** One pass for a namespace; content still being removed requeues it after a delay rather than failing. */
  async sync(name: string): Promise<void> {
    try {
      await this.deleter.delete(name);
      this.passes.delete(name);
    } catch (err) {
      if (!(err instanceof ResourcesRemainingError)) throw err;
      const n = this.passes.get(name) ?? 0;
      this.passes.set(name, n + 1);
      // upstream waits estimate/2+1 s; pods and finalizers here usually go much faster, so start
      // low and double up to that
      const upstream = (Math.floor(err.estimate / 2) + 1) * 1000;
      const delay = Math.min(upstream, (this.opts.remainingBaseMs ?? 250) * 2 ** Math.min(n, 20));
      this.queue.addAfter(name, delay);
    }
  }

  stop(): void {
    this.queue.shutDown();
    if (this.ownFactory) this.factory.stop();
    void this.running;
  }
}
