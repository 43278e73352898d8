// The endpoints controller (upstream pkg/controller/endpoint): one Endpoints object per Service with a
// selector, named like the Service, listing the selected pods' IPs — ready pods under addresses,
// others under notReadyAddresses (all ready with publishNotReadyAddresses), terminating pods left
// out — with each service port resolved per pod (named targetPorts from the pod's container ports).
// Subsets are repacked into canonical form, capped at 1000 addresses (over-capacity annotation),
// and the Endpoints are deleted when the Service goes. Services without a selector are left alone.
import type { RESTClient } from '../../client/rest.js';
import { APIError } from '../../client/rest.js';
import { metaKey, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import { countAddresses, repackSubsets, subsetsEqual, truncateSubsets, MAX_CAPACITY } from './subsets.js';
import { TriggerTimeTracker } from './triggertime.js';
import { queueServicesOnChange } from './routing.js';
import {
  ANNOTATION_LEADER, ANNOTATION_OVER_CAPACITY, ANNOTATION_TRIGGER_TIME, LABEL_HEADLESS, deepEqual, findPort, formatRFC3339Nano,
  isIPv6, isNamespaceTerminating, isPodReady, isServiceIPSet, podIPs, selectorMatches, serviceSelector,
  shouldPodBeInEndpoints, shouldSetHostname,
  type EPPod, type EndpointAddress, type EndpointPort, type EndpointSubset, type Endpoints, type Service,
} from './util.js';

export interface EndpointsControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  /** --endpoint-updates-batch-period: delay before a pod change is synced (0 = at once) */
  batchPeriodMs?: number;
}

/**
 * The address of `pod` for `svc`: the pod IP of the Service's first IP family (the family of its
 * ClusterIP, or of the pod IP for a headless Service, when ipFamilies is unset). Undefined when the
 * pod has no IP of that family.
 */
export function podToEndpointAddress(svc: Service, pod: EPPod): EndpointAddress | undefined {
  let v6: boolean;
  const fams = svc.spec?.ipFamilies;
  if (fams?.length) v6 = fams[0] === 'IPv6';
  else if (isServiceIPSet(svc)) v6 = isIPv6(svc.spec!.clusterIP!);
  else v6 = isIPv6(pod.status?.podIP ?? '');
  const ip = podIPs(pod).find((x) => isIPv6(x) === v6);
  if (!ip) return undefined;
  return {
    ip, nodeName: pod.spec?.nodeName ?? '',
    targetRef: { kind: 'Pod', namespace: pod.metadata.namespace, name: pod.metadata.name, uid: pod.metadata.uid },
  };
}

/** The subsets the Service's pods make (before the capacity cap), in canonical form. */
export function computeSubsets(svc: Service, pods: EPPod[]): EndpointSubset[] {
  const publish = Boolean(svc.spec?.publishNotReadyAddresses);
  const ports = svc.spec?.ports ?? [];
  const subsets: EndpointSubset[] = [];
  const add = (pod: EPPod, a: EndpointAddress, port: EndpointPort | undefined) => {
    const ps = port ? [port] : [];
    subsets.push(publish || isPodReady(pod) ? { addresses: [a], ports: ps } : { notReadyAddresses: [a], ports: ps });
  };
  for (const pod of pods) {
    if (!shouldPodBeInEndpoints(pod, publish)) continue;
    const a = podToEndpointAddress(svc, pod);
    if (!a) continue;
    if (shouldSetHostname(pod, svc)) a.hostname = pod.spec!.hostname;
    if (ports.length === 0) {
      // a headless Service may have no ports: its addresses are published without any
      if (svc.spec?.clusterIP === 'None') add(pod, a, undefined);
      continue;
    }
    for (const sp of ports) {
      const num = findPort(pod, sp);
      if (num === undefined) continue;
      const ep: EndpointPort = { name: sp.name ?? '', port: num, protocol: sp.protocol ?? 'TCP' };
      if (sp.appProtocol !== undefined) ep.appProtocol = sp.appProtocol;
      if (!ep.name) delete ep.name;
      add(pod, { ...a }, ep);
    }
  }
  return repackSubsets(subsets);
}

const ENDPOINTS_PATH = '/api/v1/endpoints';

export class EndpointsController {
  readonly name = 'endpoint';
  readonly queue = new RateLimitingQueue('endpoint');
  readonly queues = [this.queue];
  private readonly services: SharedInformer<Service>;
  private readonly pods: SharedInformer<EPPod>;
  private readonly endpoints: SharedInformer<Endpoints>;
  private readonly triggerTimes = new TriggerTimeTracker();
  /** resourceVersions of Endpoints we replaced: seeing one again in the cache means it is behind */
  private readonly staleRVs = new Map<string, string>();
  private readonly log: (m: string) => void;
  private readonly batch: number;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: EndpointsControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.batch = opts.batchPeriodMs ?? 0;
    this.services = factory.forPath<Service>('/api/v1/services');
    this.pods = factory.forPath<EPPod>('/api/v1/pods');
    this.endpoints = factory.forPath<Endpoints>(ENDPOINTS_PATH);
    queueServicesOnChange(this.services, this.pods, this.queue, this.batch);
    this.endpoints.addEventHandler({ delete: (e) => this.queue.add(metaKey(e)) });
  }

  /** checkLeftoverEndpoints: Endpoints whose Service vanished while we were down get deleted. */
  private checkLeftoverEndpoints(): void {
    for (const e of this.endpoints.store.list()) {
      // leader-election records live in Endpoints without a Service: never touch them
      if (e.metadata.annotations?.[ANNOTATION_LEADER] !== undefined) continue;
      this.queue.add(metaKey(e));
    }
  }

  run(workers: number): Promise<void> {
    const done = runWorkers(this.queue, workers, (key) => this.sync(key),
      (key, err) => this.log(`error syncing endpoints for service ${JSON.stringify(key)}, retrying: ${err.message}`));
    this.checkLeftoverEndpoints();
    return done;
  }

  stop(): void { this.queue.shutDown(); }

  /** syncService */
  async sync(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const svc = this.services.store.get(key);
    if (!svc) {
      try {
        await this.client.request('DELETE', `/api/v1/namespaces/${ns}/endpoints/${name}`);
      } catch (err) {
        if (!(err instanceof APIError && err.code === 404)) throw err;
      }
      this.triggerTimes.deleteService(ns, name);
      this.staleRVs.delete(key);
      return;
    }
    if (svc.spec?.type === 'ExternalName') return;
    const sel = serviceSelector(svc);
    if (!sel) return;
    const pods = this.pods.store.byIndex('namespace', ns).filter((p) => selectorMatches(sel, p.metadata.labels));
    // computed even when nothing changes so that the tracker's state moves on
    const triggerTime = this.triggerTimes.compute(ns, svc, pods);
    const subsets = computeSubsets(svc, pods);

    const current = this.endpoints.store.get(key);
    if (current && this.staleRVs.get(key) === current.metadata.resourceVersion) {
      throw new Error(`endpoints informer cache is out of date, resource version ${current.metadata.resourceVersion} already processed for endpoints ${key}`);
    }
    const svcLabels = svc.metadata.labels ?? {};
    if (current) {
      const compareLabels = { ...(current.metadata.labels ?? {}) };
      delete compareLabels[LABEL_HEADLESS];
      const overCapacity = countAddresses(current.subsets) > MAX_CAPACITY;
      const capacityOK = !overCapacity && current.metadata.annotations?.[ANNOTATION_OVER_CAPACITY] === undefined;
      if (subsetsEqual(current.subsets, subsets) && deepEqual(compareLabels, svcLabels) && capacityOK) return;
    }

    const annotations: Record<string, string> = { ...(current?.metadata.annotations ?? {}) };
    if (triggerTime) annotations[ANNOTATION_TRIGGER_TIME] = formatRFC3339Nano(triggerTime);
    else delete annotations[ANNOTATION_TRIGGER_TIME];
    if (truncateSubsets(subsets)) annotations[ANNOTATION_OVER_CAPACITY] = 'truncated';
    else delete annotations[ANNOTATION_OVER_CAPACITY];
    const labels: Record<string, string> = { ...svcLabels };
    if (!isServiceIPSet(svc)) labels[LABEL_HEADLESS] = '';
    else delete labels[LABEL_HEADLESS];

    const metadata = { ...(current?.metadata ?? { name, namespace: ns }), labels, annotations };
    if (Object.keys(annotations).length === 0) delete (metadata as { annotations?: unknown }).annotations;
    const body: Endpoints = { apiVersion: 'v1', kind: 'Endpoints', metadata, subsets };
    try {
      if (!current) {
        await this.client.request('POST', `/api/v1/namespaces/${ns}/endpoints`, body);
      } else {
        const updated = await this.client.request<Endpoints>('PUT', `/api/v1/namespaces/${ns}/endpoints/${name}`, body);
        if (updated?.metadata?.resourceVersion && updated.metadata.resourceVersion !== current.metadata.resourceVersion) {
          this.staleRVs.set(key, String(current.metadata.resourceVersion));
        }
      }
    } catch (err) {
      // a terminating namespace refuses new objects: drop the item
      if (!current && isNamespaceTerminating(err)) return;
      const msg = (err as Error).message;
      if (!current) this.opts.recorder.event(body, 'Warning', 'FailedToCreateEndpoint', `Failed to create endpoint for service ${ns}/${name}: ${msg}`);
      else this.opts.recorder.event(body, 'Warning', 'FailedToUpdateEndpoint', `Failed to update endpoint ${ns}/${name}: ${msg}`);
      throw err;
    }
  }
}
