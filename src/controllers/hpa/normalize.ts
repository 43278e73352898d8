// Turning a metric recommendation into the replica count to set (upstream horizontal.go): without
// spec.behavior, the highest recommendation of the downscale stabilization window and a scale-up
// limit of max(2×current, 4); with it, scaleUp/scaleDown stabilization windows (lowest/highest recent
// recommendation), then the policies' rate limits over their periods (selectPolicy Max/Min/Disabled).
// Each HPA's recent recommendations and scale events are kept here, keyed by namespace/name.

export interface ScalingPolicy { type: 'Pods' | 'Percent'; value: number; periodSeconds: number }
export interface ScalingRules { stabilizationWindowSeconds?: number; selectPolicy?: 'Max' | 'Min' | 'Disabled'; policies?: ScalingPolicy[] }
export interface Behavior { scaleUp?: ScalingRules; scaleDown?: ScalingRules }

export interface Condition { type: string; status: 'True' | 'False'; reason: string; message: string }

interface Recommendation { replicas: number; at: number }
interface ScaleEvent { change: number; at: number; outdated: boolean }

export const SCALE_UP_LIMIT_FACTOR = 2;
export const SCALE_UP_LIMIT_MINIMUM = 4;

export function calculateScaleUpLimit(current: number): number {
  return Math.trunc(Math.max(SCALE_UP_LIMIT_FACTOR * current, SCALE_UP_LIMIT_MINIMUM));
}

/** convertDesiredReplicasWithRules: clamp to [min, min(max, scale-up limit)] and say why. */
export function convertDesiredReplicasWithRules(current: number, desired: number, min: number, max: number): [number, string, string] {
  const limit = calculateScaleUpLimit(current);
  let maxAllowed: number;
  let reason: string;
  let message: string;
  if (max > limit) {
    maxAllowed = limit; reason = 'ScaleUpLimit'; message = 'the desired replica count is increasing faster than the maximum scale rate';
  } else {
    maxAllowed = max; reason = 'TooManyReplicas'; message = 'the desired replica count is more than the maximum replica count';
  }
  if (desired < min) return [min, 'TooFewReplicas', 'the desired replica count is less than the minimum replica count'];
  if (desired > maxAllowed) return [maxAllowed, reason, message];
  return [desired, 'DesiredWithinRange', 'the desired count is within the acceptable range'];
}

function changeInPeriod(periodSeconds: number, events: ScaleEvent[], now: number): number {
  const cutoff = now - periodSeconds * 1000;
  let sum = 0;
  for (const e of events) if (e.at > cutoff) sum += e.change;
  return sum;
}

export function scaleUpLimitWithRules(current: number, up: ScaleEvent[], down: ScaleEvent[], rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? Infinity : -Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, up, now) + changeInPeriod(p.periodSeconds, down, now);
    const proposed = p.type === 'Pods' ? start + p.value : Math.ceil(start * (1 + p.value / 100));
    result = useMin ? Math.min(result, proposed) : Math.max(result, proposed);
  }
  return result;
}

export function scaleDownLimitWithRules(current: number, up: ScaleEvent[], down: ScaleEvent[], rules: ScalingRules, now: number): number {
  if (rules.selectPolicy === 'Disabled') return current;
  const useMin = rules.selectPolicy === 'Min';
  let result = useMin ? -Infinity : Infinity;
  for (const p of rules.policies ?? []) {
    const start = current - changeInPeriod(p.periodSeconds, up, now) + changeInPeriod(p.periodSeconds, down, now);
    const proposed = p.type === 'Pods' ? start - p.value : Math.trunc(start * (1 - p.value / 100));
    result = useMin ? Math.max(result, proposed) : Math.min(result, proposed);
  }
  return result;
}

export class Normalizer {
  private readonly recommendations = new Map<string, Recommendation[]>();
  private readonly scaleUpEvents = new Map<string, ScaleEvent[]>();
  private readonly scaleDownEvents = new Map<string, ScaleEvent[]>();

  constructor(private readonly downscaleStabilizationMs: number, private readonly now: () => number = Date.now) {}

  forget(key: string): void {
    this.recommendations.delete(key);
    this.scaleUpEvents.delete(key);
    this.scaleDownEvents.delete(key);
  }

  /** The first sync of an HPA remembers the current size as a recommendation. */
  recordInitial(key: string, current: number): void {
    if (!this.recommendations.has(key)) this.recommendations.set(key, [{ replicas: current, at: this.now() }]);
  }

  private record(key: string, replicas: number, replaceIndex: number | undefined): void {
    const list = this.recommendations.get(key) ?? [];
    const r = { replicas, at: this.now() };
    if (replaceIndex !== undefined) list[replaceIndex] = r; else list.push(r);
    this.recommendations.set(key, list);
  }

  /** No behavior: the highest recommendation in the downscale window; conditions to set. */
  normalize(key: string, current: number, desired: number, min: number, max: number): { replicas: number; conditions: Condition[] } {
    const now = this.now();
    const cutoff = now - this.downscaleStabilizationMs;
    let stabilized = desired;
    let old: number | undefined;
    (this.recommendations.get(key) ?? []).forEach((r, i) => {
      if (r.at < cutoff) old = i;
      else if (r.replicas > stabilized) stabilized = r.replicas;
    });
    this.record(key, desired, old);
    const conditions: Condition[] = [stabilized !== desired
      ? { type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' }
      : { type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' }];
    const [replicas, reason, message] = convertDesiredReplicasWithRules(current, stabilized, min, max);
    conditions.push({ type: 'ScalingLimited', status: replicas === stabilized ? 'False' : 'True', reason, message });
    return { replicas, conditions };
  }

  /** With spec.behavior (defaulted by the API server; a missing scaleDown window takes the flag's). */
  normalizeWithBehavior(key: string, behavior: Behavior, current: number, desired: number, min: number, max: number): { replicas: number; conditions: Condition[] } {
    const up: ScalingRules = behavior.scaleUp ?? { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
    const down: ScalingRules = behavior.scaleDown ?? { selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
    const upWindow = up.stabilizationWindowSeconds ?? 0;
    const downWindow = down.stabilizationWindowSeconds ?? this.downscaleStabilizationMs / 1000;
    const now = this.now();
    const upCutoff = now - upWindow * 1000;
    const downCutoff = now - downWindow * 1000;
    let upRec = desired;
    let downRec = desired;
    let old: number | undefined;
    (this.recommendations.get(key) ?? []).forEach((r, i) => {
      if (r.at > upCutoff) upRec = Math.min(upRec, r.replicas);
      if (r.at > downCutoff) downRec = Math.max(downRec, r.replicas);
      if (r.at < upCutoff && r.at < downCutoff) old = i;
    });
    let stabilized = current;
    if (stabilized < upRec) stabilized = upRec;
    if (stabilized > downRec) stabilized = downRec;
    this.record(key, desired, old);
    const conditions: Condition[] = [];
    if (stabilized !== desired) {
      conditions.push(desired >= current
        ? { type: 'AbleToScale', status: 'True', reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' }
        : { type: 'AbleToScale', status: 'True', reason: 'ScaleDownStabilized', message: 'recent recommendations were higher than current one, applying the highest recent recommendation' });
    } else {
      conditions.push({ type: 'AbleToScale', status: 'True', reason: 'ReadyForNewScale', message: 'recommended size matches current size' });
    }
    const [replicas, reason, message] = this.withRate(key, up, down, current, stabilized, min, max, now);
    conditions.push({ type: 'ScalingLimited', status: replicas === stabilized ? 'False' : 'True', reason, message });
    return { replicas, conditions };
  }

  private withRate(key: string, up: ScalingRules, down: ScalingRules, current: number, desired: number, min: number, max: number, now: number): [number, string, string] {
    const ups = this.scaleUpEvents.get(key) ?? [];
    const downs = this.scaleDownEvents.get(key) ?? [];
    if (desired > current) {
      let limit = scaleUpLimitWithRules(current, ups, downs, up, now);
      if (limit < current) limit = current;
      let maxAllowed = max;
      let reason = 'TooManyReplicas';
      let message = 'the desired replica count is more than the maximum replica count';
      if (maxAllowed > limit) { maxAllowed = limit; reason = 'ScaleUpLimit'; message = 'the desired replica count is increasing faster than the maximum scale rate'; }
      if (desired > maxAllowed) return [maxAllowed, reason, message];
    } else if (desired < current) {
      let limit = scaleDownLimitWithRules(current, ups, downs, down, now);
      if (limit > current) limit = current;
      let minAllowed = min;
      let reason = 'TooFewReplicas';
      let message = 'the desired replica count is less than the minimum replica count';
      if (minAllowed < limit) { minAllowed = limit; reason = 'ScaleDownLimit'; message = 'the desired replica count is decreasing faster than the maximum scale rate'; }
      if (desired < minAllowed) return [minAllowed, reason, message];
    }
    return [desired, 'DesiredWithinRange', 'the desired count is within the acceptable range'];
  }

  /** After a successful rescale with spec.behavior: remember it for the policies' periods. */
  storeScaleEvent(key: string, behavior: Behavior | undefined, prev: number, next: number): void {
    if (!behavior) return;
    const upward = next > prev;
    const rules = upward ? behavior.scaleUp : behavior.scaleDown;
    const longest = Math.max(0, ...(rules?.policies ?? []).map((p) => p.periodSeconds));
    const map = upward ? this.scaleUpEvents : this.scaleDownEvents;
    const list = map.get(key) ?? [];
    const now = this.now();
    const cutoff = now - longest * 1000;
    let reuse: number | undefined;
    list.forEach((e, i) => {
      if (e.at < cutoff) e.outdated = true;
      if (e.outdated) reuse = i;
    });
    const ev = { change: Math.abs(next - prev), at: now, outdated: false };
    if (reuse !== undefined) list[reuse] = ev; else list.push(ev);
    map.set(key, list);
  }
}
