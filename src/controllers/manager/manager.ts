// The controller manager proper: builds every enabled controller from its descriptor over one
// shared informer factory, starts the informers, then the controllers' workers. A controller that
// throws while starting or whose loop dies is logged and left out; the others keep running (a crash
// loop in one controller never takes the rest down).
import type { FlagValues } from '../../cli/flags.js';
import type { RESTClient } from '../../client/rest.js';
import { SharedInformerFactory, type Obj } from '../../client/informer.js';
import { cacheTransform, StringInterner } from '../../client/intern.js';
import type { QueueMetrics } from '../../client/workqueue.js';
import type { Controller, ControllerContext, ControllerDescriptor } from './context.js';
import { APIEventRecorder } from './events.js';
import { isControllerEnabled, KNOWN_CONTROLLERS, parseControllersFlag } from './names.js';
import { DESCRIPTORS } from './registry.js';

export interface ControllerManagerOptions {
  client: RESTClient;
  flags: FlagValues;
  log(m: string): void;
  debug(m: string): void;
  clusterCA?: ControllerContext['clusterCA'];
  /** defaults to the registry; tests pass their own */
  descriptors?: ControllerDescriptor[];
}

/** What the manager's informers apply to every object before caching it: managedFields dropped, strings interned. */
export function informerTransform(interner: StringInterner): (o: Obj) => Obj {
  return cacheTransform(interner);
}

export class ControllerManager {
  readonly factory: SharedInformerFactory;
  private readonly controllers: Controller[] = [];
  private readonly enabled: ControllerDescriptor[] = [];
  private readonly missing: string[] = [];
  private started: Promise<void> | undefined;
  private stopped = false;

  constructor(private readonly opts: ControllerManagerOptions) {
    // the caches are most of the manager's memory: managedFields are trimmed from every cached
    // object (as upstream), the strings repeated across objects (namespace, image, toleration
    // keys…) are kept once, and lists come in pages, so 150,000 pods never sit in one response
    this.factory = new SharedInformerFactory(opts.client, { log: opts.debug, transform: informerTransform(new StringInterner()), pageSize: 500 });
    const list = parseControllersFlag(String(opts.flags.controllers ?? '*'));
    const byName = new Map((opts.descriptors ?? DESCRIPTORS).map((d) => [d.name, d]));
    for (const name of Object.keys(KNOWN_CONTROLLERS)) {
      if (!isControllerEnabled(name, list)) continue;
      const d = byName.get(name);
      if (d) this.enabled.push(d); else this.missing.push(name);
    }
  }

  enabledNames(): string[] { return this.enabled.map((d) => d.name); }
  notImplemented(): string[] { return [...this.missing]; }
  queueMetrics(): QueueMetrics[] { return this.controllers.flatMap((c) => c.queues.map((q) => q.metrics)); }

  /** Builds the controllers, syncs the shared informers, then runs every controller's workers. Idempotent. */
  start(): Promise<void> {
    this.started ??= this.startOnce();
    return this.started;
  }

  private async startOnce(): Promise<void> {
    const { client, flags, log, debug, clusterCA } = this.opts;
    const ctx: ControllerContext = {
      client, factory: this.factory, flags, log, debug, clusterCA,
      recorder: (component) => new APIEventRecorder(client, component, debug),
    };
    const built: { d: ControllerDescriptor; c: Controller }[] = [];
    for (const d of this.enabled) {
      try {
        const c = d.start(ctx);
        built.push({ d, c });
        this.controllers.push(c);
      } catch (err) {
        log(`error starting controller ${d.name}: ${(err as Error).stack ?? String(err)}`);
      }
    }
    await this.factory.start();
    if (this.stopped) return;
    for (const { d, c } of built) {
      const workers = d.workersFlag ? Number(flags[d.workersFlag] ?? 1) : 1;
      debug(`Started controller ${d.name}`);
      c.run(workers).catch((err: Error) => log(`controller ${d.name} stopped: ${err.stack ?? err.message}`));
    }
  }

  stop(): void {
    this.stopped = true;
    for (const c of this.controllers) {
      try { c.stop(); } catch { /* stopping is best effort */ }
    }
    this.factory.stop();
  }
}
