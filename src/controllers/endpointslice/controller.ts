// The EndpointSlice controller (upstream pkg/controller/endpointslice): for every Service with a
// selector, EndpointSlices (label kubernetes.io/service-name, managed-by endpointslice-controller.k8s.io,
// owned by the Service) holding its pods as endpoints with ready/serving/terminating conditions, node
// and zone, at most --max-endpoints-per-slice per slice. Syncs on Service and pod changes and on
// changes to its slices that it did not make itself (EndpointSliceTracker).
import type { RESTClient } from '../../client/rest.js';
import type { SharedInformer, SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import { TriggerTimeTracker } from '../endpoint/triggertime.js';
import { queueServicesOnChange } from '../endpoint/routing.js';
import {
  LABEL_MANAGED_BY, LABEL_SERVICE_NAME, selectorMatches, serviceSelector,
  type EPPod, type Service,
} from '../endpoint/util.js';
import type { EndpointSlice } from './endpointset.js';
import { CONTROLLER_NAME, Reconciler, SLICES_API, type Node } from './reconciler.js';
import { EndpointSliceTracker } from './tracker.js';

/** upstream default for --max-endpoints-per-slice */
export const DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;

export interface EndpointSliceControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  maxEndpointsPerSlice?: number;
  /** --endpointslice-updates-batch-period */
  batchPeriodMs?: number;
}

/** Index of slices by "namespace/service-name" (the label), shared by both slice controllers. */
export const BY_SERVICE = 'kumo.dev/endpointslice-service';
export const sliceServiceIndex = (s: EndpointSlice): string[] => {
  const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
  return svc ? [`${s.metadata.namespace}/${svc}`] : [];
};

export class EndpointSliceController {
  readonly name = 'endpointslice';
  readonly queue = new RateLimitingQueue('endpoint_slice');
  readonly queues = [this.queue];
  readonly tracker = new EndpointSliceTracker();
  readonly reconciler: Reconciler;
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<EPPod>;
  private readonly nodes: SharedInformer<Node>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private readonly triggerTimes = new TriggerTimeTracker();
  private readonly log: (m: string) => void;
  private readonly batch: number;

  constructor(client: RESTClient, factory: SharedInformerFactory, private readonly opts: EndpointSliceControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.batch = opts.batchPeriodMs ?? 0;
    const max = opts.maxEndpointsPerSlice ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE;
    if (!Number.isInteger(max) || max < 1 || max > 1000) {
      throw new Error(`max-endpoints-per-slice must be between 1 and 1000, got ${max}`);
    }
    this.services = factory.forPath<Service>('/api/v1/services');
    this.pods = factory.forPath<EPPod>('/api/v1/pods');
    this.nodes = factory.forPath<Node>('/api/v1/nodes');
    this.slices = factory.forPath<EndpointSlice>(`${SLICES_API}/endpointslices`);
    this.slices.addIndexer(BY_SERVICE, sliceServiceIndex);
    this.reconciler = new Reconciler(client, (n) => (n ? this.nodes.store.get(n) : undefined), max, this.tracker);
    queueServicesOnChange(this.services, this.pods, this.queue, this.batch);
    this.slices.addEventHandler({
      add: (s) => { if (this.managed(s) && this.tracker.shouldSync(s)) this.queueForSlice(s); },
      update: (o, s) => {
        // the service-name label may be changed by users (it does not bump the generation upstream)
        if (o.metadata.labels?.[LABEL_SERVICE_NAME] !== s.metadata.labels?.[LABEL_SERVICE_NAME]) {
          this.queueForSlice(o);
          this.queueForSlice(s);
          return;
        }
        if (this.managed(o) !== this.managed(s) || (this.managed(s) && this.tracker.shouldSync(s))) this.queueForSlice(s);
      },
      delete: (s) => {
        // a deletion we did not expect: put the slice back
        if (this.managed(s) && this.tracker.has(s) && this.tracker.handleDeletion(s)) this.queueForSlice(s);
      },
    });
  }

  private managed(s: EndpointSlice): boolean { return s.metadata.labels?.[LABEL_MANAGED_BY] === CONTROLLER_NAME; }

  private queueForSlice(s: EndpointSlice): void {
    const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
    if (svc) this.queue.addAfter(`${s.metadata.namespace}/${svc}`, this.batch);
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key),
      (key, err) => this.log(`error syncing endpoint slices for service ${JSON.stringify(key)}, retrying: ${err.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  /** The slices this controller manages for a Service, except those already being deleted. */
  private slicesFor(key: string): EndpointSlice[] {
    return this.slices.store.byIndex(BY_SERVICE, key).filter((s) => this.managed(s) && !s.metadata.deletionTimestamp);
  }

  /** syncService */
  async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.services.store.get(key);
    if (!svc) {
      this.triggerTimes.deleteService(ns, name);
      this.tracker.deleteService(ns, name);
      // Upstream leaves this to the garbage collector (the slices are owned by the Service). Slices
      // whose owner no longer exists are removed here too, so that a manager without the
      // garbage collector does not leave them behind.
      const live = new Set(this.services.store.byIndex('namespace', ns).map((s) => s.metadata.uid));
      for (const s of this.slicesFor(key)) {
        const owner = s.metadata.ownerReferences?.find((r) => r.controller && r.kind === 'Service');
        if (owner && !live.has(owner.uid)) await this.reconciler.deleteSlice({ metadata: { name, namespace: ns } }, s);
      }
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    const sel = serviceSelector(svc);
    if (!sel) return;
    const pods = this.pods.store.byIndex('namespace', ns).filter((p) => selectorMatches(sel, p.metadata.labels));
    const slices = this.slicesFor(key);
    if (this.tracker.staleSlices(ns, name, slices)) throw new Error('EndpointSlice informer cache is out of date');
    const triggerTime = this.triggerTimes.compute(ns, svc, pods);
    try {
      await this.reconciler.reconcile(svc, pods, slices, triggerTime);
    } catch (err) {
      this.opts.recorder.event({ ...svc, apiVersion: 'v1', kind: 'Service' }, 'Warning', 'FailedToUpdateEndpointSlices',
        `Error updating Endpoint Slices for Service ${ns}/${name}: ${(err as Error).message}`);
      throw err;
    }
  }
}
