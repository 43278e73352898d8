// Which Services to sync when a Service or a pod changes, routed the same way by the endpoints and
// EndpointSlice controllers (upstream onServiceUpdate and addPod/updatePod/deletePod): a Service's own
// key at once; the Services that select a changed pod after the batch period
// (--endpoint-updates-batch-period / --endpointslice-updates-batch-period).
import { metaKey, type SharedInformer } from '../../client/informer.js';
import type { RateLimitingQueue } from '../../client/workqueue.js';
import { servicesForPod, servicesToUpdateOnPodChange, type EPPod, type Service } from './util.js';

export function queueServicesOnChange(services: SharedInformer<Service>, pods: SharedInformer<EPPod>,
  queue: RateLimitingQueue, batchMs: number): void {
  services.addEventHandler({
    add: (s) => queue.add(metaKey(s)),
    update: (_o, s) => queue.add(metaKey(s)),
    delete: (s) => queue.add(metaKey(s)),
  });
  const servicesIn = (p: EPPod): Service[] => services.store.byIndex('namespace', p.metadata.namespace ?? '');
  const enqueueAll = (keys: Set<string>): void => { for (const k of keys) queue.addAfter(k, batchMs); };
  pods.addEventHandler({
    add: (p) => enqueueAll(servicesForPod(servicesIn(p), p)),
    update: (o, p) => enqueueAll(servicesToUpdateOnPodChange(servicesIn(p), o, p)),
    delete: (p) => enqueueAll(servicesForPod(servicesIn(p), p)),
  });
}
