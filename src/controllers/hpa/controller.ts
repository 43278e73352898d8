// The horizontal pod autoscaler controller (upstream pkg/controller/podautoscaler/horizontal.go):
// every sync period each autoscaling/v2 HPA reads its target's /scale, computes a replica count per
// metric (Resource and ContainerResource metrics from metrics.k8s.io; Pods/Object/External need the
// custom and external metrics APIs, which Kumo has no client for, so they report ScalingActive=False
// as upstream does when those APIs are not registered), takes the highest, normalizes it (min/max,
// stabilization, behavior policies), writes /scale, and records status, conditions and events.
import type { RESTClient } from '../../client/rest.js';
import { APIError } from '../../client/rest.js';
import type { Obj, SharedInformer, SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue, type RateLimiter } from '../../client/workqueue.js';
import { parseLabelSelectorOrThrow, type LabelSelector } from '../../machinery/labels/selector.js';
import { Quantity } from '../../machinery/quantity.js';
import { runWorkers } from '../common/worker.js';
import type { Controller } from '../manager/context.js';
import type { EventRecorder } from '../manager/events.js';
import { clientErrorText, milli, ResourceMetricsClient } from './metricsclient.js';
import { Normalizer, type Behavior, type Condition } from './normalize.js';
import { CalcError, plainMetricReplicas, resourceReplicas, type CalculatorOptions, type PodLike } from './replicas.js';

export interface MetricTarget { type: 'Utilization' | 'Value' | 'AverageValue'; averageUtilization?: number; averageValue?: string | number; value?: string | number }
export interface MetricSpec {
  type: string;
  resource?: { name: string; target: MetricTarget };
  containerResource?: { name: string; container: string; target: MetricTarget };
  pods?: { metric: { name: string; selector?: unknown }; target: MetricTarget };
  object?: { describedObject: { kind: string; name: string; apiVersion?: string }; metric: { name: string; selector?: unknown }; target: MetricTarget };
  external?: { metric: { name: string; selector?: unknown }; target: MetricTarget };
}
export interface HPACondition { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }
export interface HPAStatus {
  observedGeneration?: number;
  lastScaleTime?: string;
  currentReplicas?: number;
  desiredReplicas?: number;
  currentMetrics?: Rec[] | null;
  conditions?: HPACondition[];
}
export type HPA = Obj & {
  spec: { scaleTargetRef: { apiVersion?: string; kind: string; name: string }; minReplicas?: number; maxReplicas: number; metrics?: MetricSpec[]; behavior?: Behavior };
  status?: HPAStatus;
};
type Rec = Record<string, unknown>;
interface Scale { metadata: Rec; spec?: { replicas?: number }; status?: { replicas?: number; selector?: string } }

export interface HPAOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  /** --horizontal-pod-autoscaler-sync-period */
  syncPeriodMs: number;
  /** --horizontal-pod-autoscaler-downscale-stabilization */
  downscaleStabilizationMs: number;
  /** --horizontal-pod-autoscaler-tolerance */
  tolerance: number;
  /** --horizontal-pod-autoscaler-cpu-initialization-period */
  cpuInitializationPeriodMs: number;
  /** --horizontal-pod-autoscaler-initial-readiness-delay */
  initialReadinessDelayMs: number;
  now?: () => number;
}

/** Upstream's HPA rate limiter: every item waits one resync period, always (so each HPA syncs once per period). */
class FixedIntervalLimiter implements RateLimiter {
  constructor(private readonly ms: number) {}
  when(): number { return this.ms; }
  forget(): void { /* nothing kept */ }
  numRequeues(): number { return 0; }
}

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');
const milliQuantity = (v: number) => new Quantity(BigInt(Math.trunc(v)) * 1_000_000n, 'DecimalSI').toString();

/** setConditionInList: keeps order, moves lastTransitionTime only when the status changes. */
export function setCondition(list: HPACondition[], c: Condition, now: number): HPACondition[] {
  const out = list.map((x) => ({ ...x }));
  let cur = out.find((x) => x.type === c.type);
  if (!cur) { cur = { type: c.type, status: '' }; out.push(cur); }
  if (cur.status !== c.status) cur.lastTransitionTime = rfc3339(now);
  cur.status = c.status;
  cur.reason = c.reason;
  cur.message = c.message;
  return out;
}

class ScaleError extends Error {}

export class HorizontalController implements Controller {
  readonly name = 'horizontal-pod-autoscaler-controller';
  readonly queue: RateLimitingQueue;
  readonly queues: { metrics: RateLimitingQueue['metrics'] }[];
  private readonly hpas: SharedInformer<HPA>;
  private readonly pods: SharedInformer<Obj & PodLike>;
  private readonly normalizer: Normalizer;
  private readonly metrics: ResourceMetricsClient;
  private readonly calc: CalculatorOptions;
  private readonly log: (m: string) => void;
  private readonly now: () => number;
  /** last selector each HPA used, for the ambiguous-selector check (upstream hpaSelectors) */
  private readonly selectors = new Map<string, LabelSelector>();
  private readonly discovery = new Map<string, { at: number; resources: { name: string; kind: string }[] }>();

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly o: HPAOptions) {
    this.log = o.log ?? (() => {});
    this.now = o.now ?? Date.now;
    this.queue = new RateLimitingQueue('horizontalpodautoscaler', new FixedIntervalLimiter(o.syncPeriodMs));
    this.queues = [this.queue];
    this.normalizer = new Normalizer(o.downscaleStabilizationMs, this.now);
    this.metrics = new ResourceMetricsClient(client);
    this.calc = { tolerance: o.tolerance, cpuInitializationPeriod: o.cpuInitializationPeriodMs, delayOfInitialReadinessStatus: o.initialReadinessDelayMs, now: this.now };
    this.hpas = factory.forPath<HPA>('/apis/autoscaling/v2/horizontalpodautoscalers');
    this.pods = factory.forPath<Obj & PodLike>('/api/v1/pods');
    const key = (h: HPA) => `${h.metadata.namespace}/${h.metadata.name}`;
    this.hpas.addEventHandler({
      // every add/update waits one period; a pending one is kept (upstream's AddRateLimited)
      add: (h) => this.queue.addRateLimited(key(h)),
      update: (_o, h) => this.queue.addRateLimited(key(h)),
      delete: (h) => { this.queue.forget(key(h)); this.selectors.delete(key(h)); },
    });
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, async (key) => {
      const deleted = await this.sync(key).catch((err: Error) => {
        // requeued one period later as every other sync; logged as upstream's HandleError
        this.log(`horizontal-pod-autoscaler: ${key}: ${err.message}`);
        return false;
      });
      if (!deleted) this.queue.addRateLimited(key);
    }, (key, err) => this.log(`horizontal-pod-autoscaler: ${key}: ${err.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  /** One reconcile (reconcileKey); resolves true when the HPA is gone. */
  async sync(key: string): Promise<boolean> {
    const shared = this.hpas.store.get(key);
    if (!shared) {
      this.normalizer.forget(key);
      this.selectors.delete(key);
      return true;
    }
    const hpa = structuredClone(shared) as HPA;
    hpa.apiVersion = 'autoscaling/v2';
    hpa.kind = 'HorizontalPodAutoscaler';
    await this.reconcile(hpa, key);
    return false;
  }

  private event(hpa: HPA, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.o.recorder.event(hpa, type, reason, message);
  }

  private cond(hpa: HPA, c: Condition): void {
    hpa.status ??= {};
    hpa.status.conditions = setCondition(hpa.status.conditions ?? [], c, this.now());
  }

  /** RESTMapping by discovery: the resource serving `kind` in group/version. */
  private async resourceFor(group: string, version: string, kind: string): Promise<string> {
    const gv = group ? `${group}/${version}` : version;
    const path = group ? `/apis/${gv}` : `/api/${version}`;
    for (let attempt = 0; attempt < 2; attempt++) {
      let d = this.discovery.get(gv);
      if (!d || attempt > 0 || this.now() - d.at > 60_000) {
        try {
          const list = await this.client.request<{ resources?: { name: string; kind: string }[] }>('GET', path);
          d = { at: this.now(), resources: list.resources ?? [] };
        } catch (err) {
          if (!(err instanceof APIError && err.code === 404)) throw err;
          d = { at: this.now(), resources: [] };
        }
        this.discovery.set(gv, d);
      }
      const r = d.resources.find((x) => x.kind === kind && !x.name.includes('/'));
      if (r) return r.name;
    }
    throw new ScaleError(`no matches for kind "${kind}" in group "${group}"`);
  }

  private async reconcile(hpa: HPA, key: string): Promise<void> {
    const original = JSON.stringify(hpa.status ?? {});
    const ref = hpa.spec.scaleTargetRef;
    const reference = `${ref.kind}/${hpa.metadata.namespace}/${ref.name}`;
    const failScale = async (err: Error, wrap: string) => {
      this.event(hpa, 'Warning', 'FailedGetScale', err.message);
      this.cond(hpa, { type: 'AbleToScale', status: 'False', reason: 'FailedGetScale', message: `the HPA controller was unable to get the target's current scale: ${err.message}` });
      await this.updateStatusIfNeeded(original, hpa);
      throw new Error(`${wrap}: ${err.message}`);
    };
    const apiVersion = ref.apiVersion ?? '';
    const parts = apiVersion.split('/');
    if (parts.length > 2 || (parts.length === 2 && (!parts[0] || !parts[1]))) {
      return failScale(new Error(`unexpected GroupVersion string: ${apiVersion}`), 'invalid API version in scale target reference');
    }
    const [group, version] = parts.length === 2 ? parts : ['', parts[0] || 'v1'];
    let resource: string;
    try { resource = await this.resourceFor(group, version, ref.kind); } catch (err) {
      return failScale(err as Error, 'unable to determine resource for scale target reference');
    }
    const ns = hpa.metadata.namespace ?? 'default';
    const scalePath = `${group ? `/apis/${group}/${version}` : `/api/${version}`}/namespaces/${encodeURIComponent(ns)}/${resource}/${encodeURIComponent(ref.name)}/scale`;
    let scale: Scale;
    try { scale = await this.client.request<Scale>('GET', scalePath); } catch (err) {
      return failScale(new Error(clientErrorText(err, 'get', `${resource}${group ? `.${group}` : ''} ${ref.name}`)), `failed to query scale subresource for ${reference}`);
    }
    this.cond(hpa, { type: 'AbleToScale', status: 'True', reason: 'SucceededGetScale', message: "the HPA controller was able to get the target's current scale" });
    const current = scale.spec?.replicas ?? 0;
    this.normalizer.recordInitial(key, current);

    const min = hpa.spec.minReplicas ?? 1;
    const max = hpa.spec.maxReplicas;
    let desired = 0;
    let reason = '';
    let rescale = true;
    let statuses: Rec[] = [];
    let retErr: Error | undefined;
    if (current === 0 && min !== 0) {
      desired = 0;
      rescale = false;
      this.cond(hpa, { type: 'ScalingActive', status: 'False', reason: 'ScalingDisabled', message: 'scaling is disabled since the replica count of the target is zero' });
    } else if (current > max) {
      reason = 'Current number of replicas above Spec.MaxReplicas';
      desired = max;
    } else if (current < min) {
      reason = 'Current number of replicas below Spec.MinReplicas';
      desired = min;
    } else {
      const r = await this.computeReplicasForMetrics(hpa, key, scale, hpa.spec.metrics ?? []);
      statuses = r.statuses;
      if (r.err && r.replicas === -1) {
        this.setStatus(hpa, current, hpa.status?.desiredReplicas ?? 0, statuses, false);
        await this.updateStatusIfNeeded(original, hpa);
        this.event(hpa, 'Warning', 'FailedComputeMetricsReplicas', r.err.message);
        throw new Error(`failed to compute desired number of replicas based on listed metrics for ${reference}: ${r.err.message}`);
      }
      retErr = r.err;
      let metric = '';
      if (r.replicas > desired) { desired = r.replicas; metric = r.metric; }
      if (desired > current) reason = `${metric} above target`;
      if (desired < current) reason = 'All metrics below target';
      const n = hpa.spec.behavior
        ? this.normalizer.normalizeWithBehavior(key, hpa.spec.behavior, current, desired, min, max)
        : this.normalizer.normalize(key, current, desired, min, max);
      for (const c of n.conditions) this.cond(hpa, c);
      desired = n.replicas;
      rescale = desired !== current;
    }

    if (rescale) {
      try {
        await this.client.request('PUT', scalePath, { apiVersion: 'autoscaling/v1', kind: 'Scale', metadata: scale.metadata, spec: { replicas: desired } });
      } catch (err) {
        const msg = (err as Error).message;
        this.event(hpa, 'Warning', 'FailedRescale', `New size: ${desired}; reason: ${reason}; error: ${msg}`);
        this.cond(hpa, { type: 'AbleToScale', status: 'False', reason: 'FailedUpdateScale', message: `the HPA controller was unable to update the target scale: ${msg}` });
        this.setStatus(hpa, current, hpa.status?.desiredReplicas ?? 0, statuses, false);
        await this.updateStatusIfNeeded(original, hpa);
        throw new Error(`failed to rescale ${reference}: ${msg}`);
      }
      this.cond(hpa, { type: 'AbleToScale', status: 'True', reason: 'SucceededRescale', message: `the HPA controller was able to update the target scale to ${desired}` });
      this.event(hpa, 'Normal', 'SuccessfulRescale', `New size: ${desired}; reason: ${reason}`);
      this.normalizer.storeScaleEvent(key, hpa.spec.behavior, current, desired);
      this.log(`horizontal-pod-autoscaler: rescaled ${reference} from ${current} to ${desired}: ${reason}`);
    } else {
      desired = current;
    }
    this.setStatus(hpa, current, desired, statuses, rescale);
    await this.updateStatusIfNeeded(original, hpa);
    if (retErr) throw retErr;
  }

  private setStatus(hpa: HPA, current: number, desired: number, statuses: Rec[], rescale: boolean): void {
    const prev = hpa.status ?? {};
    hpa.status = {
      ...(prev.observedGeneration !== undefined ? { observedGeneration: prev.observedGeneration } : {}),
      ...(rescale ? { lastScaleTime: rfc3339(this.now()) } : prev.lastScaleTime ? { lastScaleTime: prev.lastScaleTime } : {}),
      currentReplicas: current,
      desiredReplicas: desired,
      ...(statuses.length ? { currentMetrics: statuses } : {}),
      ...(prev.conditions ? { conditions: prev.conditions } : {}),
    };
  }

  private async updateStatusIfNeeded(original: string, hpa: HPA): Promise<void> {
    if (JSON.stringify(hpa.status ?? {}) === original) return;
    try {
      await this.client.request('PUT', `/apis/autoscaling/v2/namespaces/${encodeURIComponent(hpa.metadata.namespace ?? '')}/horizontalpodautoscalers/${encodeURIComponent(hpa.metadata.name ?? '')}/status`, hpa);
    } catch (err) {
      this.event(hpa, 'Warning', 'FailedUpdateStatus', (err as Error).message);
      throw new Error(`failed to update status for ${hpa.metadata.name}: ${(err as Error).message}`);
    }
  }

  /** validateAndParseSelector: the scale's selector, which must not select pods of another HPA. */
  private validateSelector(hpa: HPA, key: string, selector: string | undefined): LabelSelector {
    if (!selector) {
      this.event(hpa, 'Warning', 'SelectorRequired', 'selector is required');
      this.cond(hpa, { type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: "the HPA target's scale is missing a selector" });
      throw new CalcError('selector is required');
    }
    let parsed: LabelSelector;
    try { parsed = parseLabelSelectorOrThrow(selector); } catch (err) {
      const msg = `couldn't convert selector into a corresponding internal selector object: ${(err as Error).message}`;
      this.event(hpa, 'Warning', 'InvalidSelector', msg);
      this.cond(hpa, { type: 'ScalingActive', status: 'False', reason: 'InvalidSelector', message: msg });
      throw new CalcError(msg);
    }
    this.selectors.set(key, parsed);
    const pods = this.podsFor(hpa.metadata.namespace ?? '', parsed);
    const owners = new Set<string>();
    for (const [other, sel] of this.selectors) {
      if (!other.startsWith(`${hpa.metadata.namespace}/`) || !this.hpas.store.get(other)) continue;
      if (pods.some((p) => sel.matches(p.metadata.labels ?? {}))) owners.add(other);
    }
    if (owners.size > 1) {
      const list = [...owners].sort().map((k) => { const [n, name] = k.split('/'); return `{${name} ${n}}`; }).join(' ');
      const msg = `pods by selector ${selector} are controlled by multiple HPAs: [${list}]`;
      this.event(hpa, 'Warning', 'AmbiguousSelector', msg);
      this.cond(hpa, { type: 'ScalingActive', status: 'False', reason: 'AmbiguousSelector', message: msg });
      throw new CalcError(msg);
    }
    return parsed;
  }

  private podsFor(namespace: string, selector: LabelSelector): (Obj & PodLike)[] {
    return this.pods.store.byIndex('namespace', namespace).filter((p) => selector.matches(p.metadata.labels ?? {}));
  }

  private async computeReplicasForMetrics(hpa: HPA, key: string, scale: Scale, specs: MetricSpec[]): Promise<{ replicas: number; metric: string; statuses: Rec[]; err?: Error }> {
    let selector: LabelSelector;
    try { selector = this.validateSelector(hpa, key, scale.status?.selector); } catch (err) {
      return { replicas: -1, metric: '', statuses: [], err: err as Error };
    }
    const specReplicas = scale.spec?.replicas ?? 0;
    const statuses: Rec[] = specs.map(() => ({ type: '' }));
    let replicas = 0;
    let metric = '';
    let invalid = 0;
    let firstErr: Error | undefined;
    let firstCond: Condition | undefined;
    for (let i = 0; i < specs.length; i++) {
      try {
        const r = await this.computeReplicasForMetric(hpa, specs[i], specReplicas, selector, scale.status?.selector ?? '');
        statuses[i] = r.status;
        if (replicas === 0 || r.replicas > replicas) { replicas = r.replicas; metric = r.metric; }
      } catch (err) {
        const e = err as Error & { condition?: Condition };
        if (invalid === 0) { firstErr = e; firstCond = e.condition; }
        invalid++;
      }
    }
    const err = firstErr ? new Error(`invalid metrics (${invalid} invalid out of ${specs.length}), first error is: ${firstErr.message}`) : undefined;
    if (invalid >= specs.length || (invalid > 0 && replicas < specReplicas)) {
      if (firstCond) this.cond(hpa, firstCond);
      return { replicas: -1, metric: '', statuses, err };
    }
    this.cond(hpa, { type: 'ScalingActive', status: 'True', reason: 'ValidMetricFound', message: `the HPA was able to successfully calculate a replica count from ${metric}` });
    return { replicas, metric, statuses, err };
  }

  /** getUnableComputeReplicaCountCondition: an event now, the condition if this is the first failing metric. */
  private unable(hpa: HPA, reason: string, err: Error, wrapped: string): Error & { condition: Condition } {
    this.event(hpa, 'Warning', reason, err.message);
    return Object.assign(new Error(wrapped), { condition: { type: 'ScalingActive', status: 'False' as const, reason, message: `the HPA was unable to compute the replica count: ${err.message}` } });
  }

  private async computeReplicasForMetric(hpa: HPA, spec: MetricSpec, specReplicas: number, selector: LabelSelector, selectorText: string): Promise<{ replicas: number; metric: string; status: Rec }> {
    const ns = hpa.metadata.namespace ?? '';
    switch (spec.type) {
      case 'Resource':
      case 'ContainerResource': {
        const container = spec.type === 'ContainerResource' ? spec.containerResource?.container ?? '' : '';
        const src = spec.type === 'Resource' ? spec.resource : spec.containerResource;
        const reason = spec.type === 'Resource' ? 'FailedGetResourceMetric' : 'FailedGetContainerResourceMetric';
        const wrap = (m: string) => (spec.type === 'Resource' ? `failed to get ${src?.name} resource metric value: ${m}` : `failed to get ${container} container metric value: ${m}`);
        try {
          const r = await this.resourceMetric(specReplicas, src?.target ?? { type: 'Utilization' }, src?.name ?? '', ns, container, selector, selectorText, spec.type);
          const body = spec.type === 'Resource'
            ? { type: 'Resource', resource: { name: src?.name, current: r.current } }
            : { type: 'ContainerResource', containerResource: { name: src?.name, container, current: r.current } };
          return { replicas: r.replicas, metric: r.metric, status: body };
        } catch (err) {
          throw this.unable(hpa, reason, err as Error, wrap((err as Error).message));
        }
      }
      case 'Pods': {
        const name = spec.pods?.metric.name ?? '';
        const e = new Error(`unable to get metric ${name}: unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`);
        throw this.unable(hpa, 'FailedGetPodsMetric', e, `failed to get pods metric value: ${e.message}`);
      }
      case 'Object': {
        const o = spec.object;
        const e = new Error(`unable to get metric ${o?.metric.name}: ${o?.describedObject.kind} on ${ns} ${o?.describedObject.name}/unable to fetch metrics from custom metrics API: no custom metrics API (custom.metrics.k8s.io) registered`);
        throw this.unable(hpa, 'FailedGetObjectMetric', e, `failed to get object metric value: ${e.message}`);
      }
      case 'External': {
        const m = spec.external?.metric.name ?? '';
        const sel = spec.external?.metric.selector ? JSON.stringify(spec.external.metric.selector) : 'nil';
        const e = new Error(`unable to get external metric ${ns}/${m}/${sel}: unable to fetch metrics from external metrics API: the server could not find the requested resource (get ${m}.external.metrics.k8s.io)`);
        throw this.unable(hpa, 'FailedGetExternalMetric', e, `failed to get ${m} external metric value: ${e.message}`);
      }
      default: {
        const e = new Error(`unknown metric source type "${spec.type}"`);
        throw this.unable(hpa, 'InvalidMetricSourceType', e, e.message);
      }
    }
  }

  /** computeStatusForResourceMetricGeneric */
  private async resourceMetric(currentReplicas: number, target: MetricTarget, resource: string, ns: string, container: string,
    selector: LabelSelector, selectorText: string, type: string): Promise<{ replicas: number; metric: string; current: Rec }> {
    const pods = this.podsFor(ns, selector);
    if (target.averageValue !== undefined) {
      let m;
      try { m = await this.metrics.getResourceMetric(resource, ns, selectorText, container); } catch (err) {
        throw new Error(`failed to get ${resource} usage: unable to get metrics for resource ${resource}: ${(err as Error).message}`);
      }
      try {
        const r = plainMetricReplicas(currentReplicas, milli(target.averageValue), resource, pods, m.metrics, this.calc);
        return { replicas: r.replicas, metric: `${resource} resource`, current: { averageValue: milliQuantity(r.usage) } };
      } catch (err) {
        throw new Error(`failed to get ${resource} usage: ${(err as Error).message}`);
      }
    }
    if (target.averageUtilization === undefined) {
      throw new Error('invalid resource metric source: neither an average utilization target nor an average value (usage) target was set');
    }
    let m;
    try { m = await this.metrics.getResourceMetric(resource, ns, selectorText, container); } catch (err) {
      throw new Error(`failed to get ${resource} utilization: unable to get metrics for resource ${resource}: ${(err as Error).message}`);
    }
    try {
      const r = resourceReplicas(currentReplicas, target.averageUtilization, resource, container, pods, m.metrics, this.calc, milli);
      const metric = type === 'ContainerResource' ? `${resource} container resource utilization (percentage of request)` : `${resource} resource utilization (percentage of request)`;
      return { replicas: r.replicas, metric, current: { averageValue: milliQuantity(r.rawAverage), averageUtilization: r.utilization } };
    } catch (err) {
      throw new Error(`failed to get ${resource} utilization: ${(err as Error).message}`);
    }
  }
}
