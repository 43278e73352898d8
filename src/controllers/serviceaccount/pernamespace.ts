// A controller that keeps one object present in every active namespace (the shape of upstream's
// serviceaccount-controller and root-ca-cert-publisher): it syncs a namespace when the namespace
// appears or changes, and when its object is changed or deleted (so a deleted object comes back).
// Namespaces come from the shared informer; the owned objects from an informer narrowed to the name.
import { APIError, type RESTClient } from '../../client/rest.js';
import type { Obj, SharedInformer, SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { runWorkers } from '../common/worker.js';
import type { Controller } from '../manager/context.js';

export interface PerNamespaceOptions {
  /** the controller's name (queue and log lines) */
  name: string;
  /** collection path of the owned objects across namespaces, e.g. /api/v1/serviceaccounts */
  ownedPath: string;
  /** the owned object's name */
  ownedName: string;
  /** make the namespace's object right; the namespace is known to exist and not be terminating */
  ensure(namespace: string): Promise<void>;
  log?: (msg: string) => void;
}

type Namespace = Obj & { status?: { phase?: string } };

export class PerNamespaceController implements Controller {
  readonly name: string;
  readonly queue: RateLimitingQueue;
  readonly queues: RateLimitingQueue[];
  private readonly namespaces: SharedInformer<Namespace>;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: PerNamespaceOptions) {
    this.name = opts.name;
    this.queue = new RateLimitingQueue(opts.name);
    this.queues = [this.queue];
    this.namespaces = factory.forPath<Namespace>('/api/v1/namespaces');
    const enqueueNs = (o: Obj) => { if (!o.metadata.deletionTimestamp && o.metadata.name) this.queue.add(String(o.metadata.name)); };
    this.namespaces.addEventHandler({ add: enqueueNs, update: (_old, o) => enqueueNs(o) });
    const owned = factory.forPath(`${opts.ownedPath}?fieldSelector=${encodeURIComponent(`metadata.name=${opts.ownedName}`)}`);
    // a changed or deleted object is put right by syncing its namespace
    const enqueueOwner = (o: Obj) => { if (o.metadata.namespace) this.queue.add(o.metadata.namespace); };
    owned.addEventHandler({ update: (_old, o) => enqueueOwner(o), delete: enqueueOwner });
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (ns) => this.sync(ns),
      (ns, err) => this.opts.log?.(`${this.name}: syncing namespace ${JSON.stringify(ns)}: ${err.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  async sync(ns: string): Promise<void> {
    const namespace = this.namespaces.store.get(ns);
    if (!namespace || namespace.metadata.deletionTimestamp || namespace.status?.phase === 'Terminating') return;
    try {
      await this.opts.ensure(ns);
    } catch (err) {
      // the namespace started terminating meanwhile (NamespaceLifecycle forbids creates) or went away
      if (err instanceof APIError && (err.code === 404 || (err.code === 403 && /terminat/i.test(err.message)))) return;
      throw err;
    }
  }
}
