// TriggerTimeTracker (upstream k8s.io/endpointslice/util/trigger_time_tracker.go): the time of the
// earliest change not yet reflected in a Service's Endpoints/EndpointSlices, exported as the
// endpoints.kubernetes.io/last-change-trigger-time annotation (kube-proxy's latency SLI).
// A pod's trigger time is the last transition of its Ready condition; a Service's is its creation.
import type { EPPod, Service } from './util.js';

interface ServiceState { podTriggerTimes: Map<string, number>; lastServiceTriggerTime: number }

const time = (s: string | undefined): number => {
  if (!s) return 0;
  const t = Date.parse(s);
  return Number.isNaN(t) ? 0 : t;
};

export class TriggerTimeTracker {
  private states = new Map<string, ServiceState>();

  /** 0 means "no new trigger" (the annotation is then removed). */
  compute(namespace: string, svc: Service, pods: EPPod[]): number {
    const key = `${namespace}/${svc.metadata.name}`;
    const state = this.states.get(key);
    const next: ServiceState = { podTriggerTimes: new Map(), lastServiceTriggerTime: 0 };
    let min = 0;
    const consider = (t: number) => { if (min === 0 || t < min) min = t; };
    for (const p of pods) {
      const t = time(p.status?.conditions?.find((c) => c.type === 'Ready')?.lastTransitionTime);
      if (!t) continue;
      const name = String(p.metadata.name);
      next.podTriggerTimes.set(name, t);
      if (t > (state?.podTriggerTimes.get(name) ?? 0)) consider(t);
    }
    const svcTime = time(svc.metadata.creationTimestamp);
    if (svcTime > (state?.lastServiceTriggerTime ?? 0)) consider(svcTime);
    next.lastServiceTriggerTime = svcTime;
    this.states.set(key, next);
    // a Service seen for the first time: its creation is the trigger
    if (!state) return svcTime;
    return min;
  }

  deleteService(namespace: string, name: string): void { this.states.delete(`${namespace}/${name}`); }
}
