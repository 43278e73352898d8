// The replica calculator (upstream pkg/controller/podautoscaler/replica_calculator.go): from per-pod
// metrics and the pods the target's selector picks, how many replicas bring usage to the target.
// Pods being deleted or Failed are ignored; Pending pods and (for CPU) pods still initializing count
// as unready; pods without a metric are "missing". Without unready/missing pods the ratio is applied
// to the ready pods; otherwise missing pods count as 100% (scale down) or 0% (scale up), unready ones
// as 0% on a scale up, and the change is dropped if that would flip its direction.

export interface PodMetric {
  /** milli-units */
  value: number;
  /** ms since the epoch */
  timestamp: number;
  /** ms */
  window: number;
}
export type PodMetricsInfo = Map<string, PodMetric>;

export interface PodLike {
  metadata: { name: string; deletionTimestamp?: string };
  spec?: {
    containers?: { name: string; resources?: { requests?: Record<string, string | number> } }[];
    initContainers?: { name: string; restartPolicy?: string; resources?: { requests?: Record<string, string | number> } }[];
  };
  status?: { phase?: string; startTime?: string; conditions?: { type: string; status: string; lastTransitionTime?: string }[] };
}

export interface CalculatorOptions {
  tolerance: number;
  /** ms: --horizontal-pod-autoscaler-cpu-initialization-period (5m) */
  cpuInitializationPeriod: number;
  /** ms: --horizontal-pod-autoscaler-initial-readiness-delay (30s) */
  delayOfInitialReadinessStatus: number;
  now?: () => number;
}

export class CalcError extends Error {}

/** Go's int64 division (truncates toward zero). */
const idiv = (a: number, b: number) => Math.trunc(a / b);

export function groupPods(pods: PodLike[], metrics: PodMetricsInfo, resource: string, o: CalculatorOptions): {
  readyPodCount: number; unready: Set<string>; missing: Set<string>; ignored: Set<string>;
} {
  const now = (o.now ?? Date.now)();
  const unready = new Set<string>();
  const missing = new Set<string>();
  const ignored = new Set<string>();
  let readyPodCount = 0;
  for (const pod of pods) {
    const name = pod.metadata.name;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') { ignored.add(name); continue; }
    if (pod.status?.phase === 'Pending') { unready.add(name); continue; }
    const metric = metrics.get(name);
    if (!metric) { missing.add(name); continue; }
    if (resource === 'cpu') {
      const cond = pod.status?.conditions?.find((c) => c.type === 'Ready');
      const start = pod.status?.startTime ? Date.parse(pod.status.startTime) : undefined;
      let isUnready: boolean;
      if (!cond || start === undefined) {
        isUnready = true;
      } else {
        const transition = cond.lastTransitionTime ? Date.parse(cond.lastTransitionTime) : 0;
        if (start + o.cpuInitializationPeriod > now) {
          // still initializing: the sample counts only if ready and a whole window was measured since
          isUnready = cond.status === 'False' || metric.timestamp < transition + metric.window;
        } else {
          // afterwards: ignored only if it never became ready
          isUnready = cond.status === 'False' && start + o.delayOfInitialReadinessStatus > transition;
        }
      }
      if (isUnready) { unready.add(name); continue; }
    }
    readyPodCount++;
  }
  return { readyPodCount, unready, missing, ignored };
}

/** Sum of the requests (milli) of `resource` per pod, over one container or all (and restartable init containers). */
export function calculatePodRequests(pods: PodLike[], container: string, resource: string, milli: (q: string | number) => number): Map<string, number> {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    let sum = 0;
    const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c) => c.restartPolicy === 'Always')];
    for (const c of containers) {
      if (container !== '' && container !== c.name) continue;
      const q = c.resources?.requests?.[resource];
      if (q === undefined) throw new CalcError(`missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`);
      sum += milli(q);
    }
    requests.set(pod.metadata.name, sum);
  }
  return requests;
}

/** Utilization ratio of `metrics` against `requests` (upstream GetResourceUtilizationRatio). */
export function resourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number): {
  ratio: number; utilization: number; rawAverage: number;
} {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let n = 0;
  for (const [pod, m] of metrics) {
    const r = requests.get(pod);
    if (r === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += r;
    n++;
  }
  if (requestsTotal === 0) throw new CalcError('no metrics returned matched known pods');
  const utilization = idiv(metricsTotal * 100, requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: idiv(metricsTotal, n) };
}

/** Average of `metrics` against a per-pod target (upstream GetMetricUsageRatio). */
export function metricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = idiv(total, metrics.size);
  return { ratio: usage / targetUsage, usage };
}

const NO_METRICS = 'did not receive metrics for targeted pods (pods might be unready)';

/** Desired replicas for an AverageUtilization target (percent of request). Mutates `metrics`. */
export function resourceReplicas(currentReplicas: number, targetUtilization: number, resource: string, container: string,
  pods: PodLike[], metrics: PodMetricsInfo, o: CalculatorOptions, milli: (q: string | number) => number,
): { replicas: number; utilization: number; rawAverage: number } {
  if (pods.length === 0) throw new CalcError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, metrics, resource, o);
  for (const n of g.ignored) metrics.delete(n);
  for (const n of g.unready) metrics.delete(n);
  const requests = calculatePodRequests(pods, container, resource, milli);
  if (metrics.size === 0) throw new CalcError(NO_METRICS);
  const { ratio, utilization, rawAverage } = resourceUtilizationRatio(metrics, requests, targetUtilization);
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1.0 - ratio) <= o.tolerance) return { replicas: currentReplicas, utilization, rawAverage };
    return { replicas: Math.ceil(ratio * g.readyPodCount), utilization, rawAverage };
  }
  if (g.missing.size > 0) {
    if (ratio < 1.0) {
      // scale down: missing pods use their whole request (or the target when it is above 100%)
      const fallback = Math.max(100, targetUtilization);
      for (const n of g.missing) metrics.set(n, { value: idiv((requests.get(n) ?? 0) * fallback, 100), timestamp: 0, window: 0 });
    } else if (ratio > 1.0) {
      for (const n of g.missing) metrics.set(n, { value: 0, timestamp: 0, window: 0 });
    }
  }
  if (scaleUpWithUnready) for (const n of g.unready) metrics.set(n, { value: 0, timestamp: 0, window: 0 });
  const next = resourceUtilizationRatio(metrics, requests, targetUtilization).ratio;
  if (Math.abs(1.0 - next) <= o.tolerance || (ratio < 1.0 && next > 1.0) || (ratio > 1.0 && next < 1.0)) {
    return { replicas: currentReplicas, utilization, rawAverage };
  }
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1.0 && replicas > currentReplicas) || (next > 1.0 && replicas < currentReplicas)) {
    return { replicas: currentReplicas, utilization, rawAverage };
  }
  return { replicas, utilization, rawAverage };
}

/** Desired replicas for an AverageValue target (milli per pod; upstream calcPlainMetricReplicas). Mutates `metrics`. */
export function plainMetricReplicas(currentReplicas: number, targetUsage: number, resource: string,
  pods: PodLike[], metrics: PodMetricsInfo, o: CalculatorOptions,
): { replicas: number; usage: number } {
  if (pods.length === 0) throw new CalcError('no pods returned by selector while calculating replica count');
  const g = groupPods(pods, metrics, resource, o);
  for (const n of g.ignored) metrics.delete(n);
  for (const n of g.unready) metrics.delete(n);
  if (metrics.size === 0) throw new CalcError(NO_METRICS);
  const { ratio, usage } = metricUsageRatio(metrics, targetUsage);
  const scaleUpWithUnready = g.unready.size > 0 && ratio > 1.0;
  if (!scaleUpWithUnready && g.missing.size === 0) {
    if (Math.abs(1.0 - ratio) <= o.tolerance) return { replicas: currentReplicas, usage };
    return { replicas: Math.ceil(ratio * g.readyPodCount), usage };
  }
  if (g.missing.size > 0) {
    const v = ratio < 1.0 ? targetUsage : 0;
    for (const n of g.missing) metrics.set(n, { value: v, timestamp: 0, window: 0 });
  }
  if (scaleUpWithUnready) for (const n of g.unready) metrics.set(n, { value: 0, timestamp: 0, window: 0 });
  const next = metricUsageRatio(metrics, targetUsage).ratio;
  if (Math.abs(1.0 - next) <= o.tolerance || (ratio < 1.0 && next > 1.0) || (ratio > 1.0 && next < 1.0)) {
    return { replicas: currentReplicas, usage };
  }
  const replicas = Math.ceil(next * metrics.size);
  if ((next < 1.0 && replicas > currentReplicas) || (next > 1.0 && replicas < currentReplicas)) {
    return { replicas: currentReplicas, usage };
  }
  return { replicas, usage };
}
