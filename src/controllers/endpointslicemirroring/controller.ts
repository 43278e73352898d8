// The EndpointSlice mirroring controller (upstream pkg/controller/endpointslicemirroring): Endpoints
// written by hand for a Service without a selector are mirrored into EndpointSlices managed by
// endpointslicemirroring-controller.k8s.io. Endpoints labelled endpointslice.kubernetes.io/skip-mirror=true
// or carrying a leader-election record are not mirrored; mirrored slices go away with the Endpoints,
// the Service, or when the Service gains a selector.
import type { RESTClient } from '../../client/rest.js';
import { metaKey, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import { ANNOTATION_LEADER, LABEL_MANAGED_BY, LABEL_SERVICE_NAME, LABEL_SKIP_MIRROR, serviceSelector, type Endpoints, type Service } from '../endpoint/util.js';
import type { EndpointSlice } from '../endpointslice/endpointset.js';
import { SLICES_API } from '../endpointslice/reconciler.js';
import { BY_SERVICE, sliceServiceIndex } from '../endpointslice/controller.js';
import { EndpointSliceTracker } from '../endpointslice/tracker.js';
import { DEFAULT_MAX_ENDPOINTS_PER_SUBSET, MIRRORING_CONTROLLER_NAME, MirroringReconciler } from './reconciler.js';

export interface MirroringControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  maxEndpointsPerSubset?: number;
  /** --mirroring-endpointslice-updates-batch-period */
  batchPeriodMs?: number;
}

/** shouldMirror: not labelled skip-mirror=true and not a leader-election record. */
export function shouldMirror(ep: Endpoints | undefined): boolean {
  if (!ep) return false;
  return ep.metadata.labels?.[LABEL_SKIP_MIRROR] !== 'true' && ep.metadata.annotations?.[ANNOTATION_LEADER] === undefined;
}

/** A Service that selects pods is not mirrored (an empty selector round-trips as none upstream). */
const hasSelector = (s: Service) => serviceSelector(s) !== undefined;

export class EndpointSliceMirroringController {
  readonly name = 'endpointslicemirroring';
  readonly queue = new RateLimitingQueue('endpoint_slice_mirroring');
  readonly queues = [this.queue];
  readonly tracker = new EndpointSliceTracker();
  readonly reconciler: MirroringReconciler;
  private readonly services: SharedInformer<Service>;
  private readonly endpoints: SharedInformer<Endpoints>;
  private readonly slices: SharedInformer<EndpointSlice>;
  private readonly log: (m: string) => void;
  private readonly batch: number;

  constructor(client: RESTClient, factory: SharedInformerFactory, opts: MirroringControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.batch = opts.batchPeriodMs ?? 0;
    const max = opts.maxEndpointsPerSubset ?? DEFAULT_MAX_ENDPOINTS_PER_SUBSET;
    if (!Number.isInteger(max) || max < 1 || max > 1000) {
      throw new Error(`mirroring-max-endpoints-per-subset must be between 1 and 1000, got ${max}`);
    }
    this.reconciler = new MirroringReconciler(client, this.tracker, opts.recorder, max);
    this.services = factory.forPath<Service>('/api/v1/services');
    this.endpoints = factory.forPath<Endpoints>('/api/v1/endpoints');
    this.slices = factory.forPath<EndpointSlice>(`${SLICES_API}/endpointslices`);
    this.slices.addIndexer(BY_SERVICE, sliceServiceIndex);
    this.services.addEventHandler({
      add: (s) => { if (!hasSelector(s)) this.queue.add(metaKey(s)); },
      update: (o, s) => { if (hasSelector(o) !== hasSelector(s)) this.queue.add(metaKey(s)); },
      delete: (s) => { if (!hasSelector(s)) this.queue.add(metaKey(s)); },
    });
    this.endpoints.addEventHandler({
      add: (e) => { if (shouldMirror(e)) this.queue.add(metaKey(e)); },
      update: (o, e) => { if (shouldMirror(e) || shouldMirror(o)) this.queue.add(metaKey(e)); },
      delete: (e) => { if (shouldMirror(e)) this.queue.add(metaKey(e)); },
    });
    this.slices.addEventHandler({
      add: (s) => { if (this.managed(s) && this.tracker.shouldSync(s)) this.queueForSlice(s); },
      update: (o, s) => {
        if (o.metadata.labels?.[LABEL_SERVICE_NAME] !== s.metadata.labels?.[LABEL_SERVICE_NAME]) {
          this.queueForSlice(s);
          this.queueForSlice(o);
          return;
        }
        if (this.managed(o) !== this.managed(s) || (this.managed(s) && this.tracker.shouldSync(s))) this.queueForSlice(s);
      },
      delete: (s) => {
        if (this.managed(s) && this.tracker.has(s) && this.tracker.handleDeletion(s)) this.queueForSlice(s);
      },
    });
  }

  private managed(s: EndpointSlice): boolean { return s.metadata.labels?.[LABEL_MANAGED_BY] === MIRRORING_CONTROLLER_NAME; }

  private queueForSlice(s: EndpointSlice): void {
    const svc = s.metadata.labels?.[LABEL_SERVICE_NAME];
    if (svc) this.queue.addAfter(`${s.metadata.namespace}/${svc}`, this.batch);
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (key) => this.sync(key),
      (key, err) => this.log(`error mirroring EndpointSlices for Endpoints ${JSON.stringify(key)}, retrying: ${err.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  private mirroredSlices(key: string): EndpointSlice[] {
    return this.slices.store.byIndex(BY_SERVICE, key).filter((s) => this.managed(s));
  }

  private async deleteMirrored(ns: string, name: string): Promise<void> {
    this.tracker.deleteService(ns, name);
    const slices = this.mirroredSlices(`${ns}/${name}`);
    if (slices.length) await this.reconciler.deleteAll(ns, name, slices);
  }

  /** syncEndpoints */
  async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const ep = this.endpoints.store.get(key);
    if (!ep || !shouldMirror(ep)) return this.deleteMirrored(ns, name);
    const svc = this.services.store.get(key);
    if (!svc || hasSelector(svc)) return this.deleteMirrored(ns, name);
    const slices = this.mirroredSlices(key);
    if (this.tracker.staleSlices(ns, name, slices)) throw new Error('EndpointSlice informer cache is out of date');
    await this.reconciler.reconcile(ep, slices);
  }
}
