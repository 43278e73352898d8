// The scheduler's Prometheus metrics in the text exposition format (names, labels and buckets as
// upstream's scheduler_* metrics), written by hand to avoid a dependency.

/** upstream metrics.ExponentialBuckets */
export const exponentialBuckets = (start: number, factor: number, count: number): number[] =>
  Array.from({ length: count }, (_, i) => Number((start * factor ** i).toPrecision(12)));

/** A histogram family: one series per label set. */
export class Histogram {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  constructor(readonly name: string, readonly help: string, readonly buckets: number[]) {}

  observe(labels: string, v: number): void {
    let h = this.series.get(labels);
    if (!h) this.series.set(labels, (h = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    // counts are per bucket here and made cumulative when rendered; binary search for the first bucket ≥ v
    let lo = 0, hi = this.buckets.length;
    while (lo < hi) { const mid = (lo + hi) >> 1; if (this.buckets[mid] >= v) hi = mid; else lo = mid + 1; }
    if (lo < this.buckets.length) h.counts[lo]++;
    h.sum += v;
    h.count++;
  }

  get(labels: string): { sum: number; count: number } | undefined { return this.series.get(labels); }
  labelSets(): string[] { return [...this.series.keys()]; }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const [k, h] of this.series) {
      const sep = k ? `${k},` : '';
      let cum = 0;
      this.buckets.forEach((b, i) => { cum += h.counts[i]; out.push(`${this.name}_bucket{${sep}le="${b}"} ${cum}`); });
      out.push(`${this.name}_bucket{${sep}le="+Inf"} ${h.count}`);
      out.push(`${this.name}_sum${k ? `{${k}}` : ''} ${h.sum}`);
      out.push(`${this.name}_count${k ? `{${k}}` : ''} ${h.count}`);
    }
  }
}

/** upstream pluginMetricsSamplePercent: plugin durations are recorded for this share of cycles */
export const PLUGIN_METRICS_SAMPLE_PERCENT = 10;

export class Metrics {
  readonly attempts = new Map<string, number>();
  readonly attemptDuration = new Histogram('scheduler_scheduling_attempt_duration_seconds',
    'Scheduling attempt latency in seconds (scheduling algorithm + binding)', exponentialBuckets(0.001, 2, 15));
  readonly extensionPoint = new Histogram('scheduler_framework_extension_point_duration_seconds',
    'Latency for running all plugins of a specific extension point.', exponentialBuckets(0.0001, 2, 12));
  readonly pluginExecution = new Histogram('scheduler_plugin_execution_duration_seconds',
    'Duration for running a plugin at a specific extension point.', exponentialBuckets(0.00001, 1.5, 20));
  readonly podSchedulingSLI = new Histogram('scheduler_pod_scheduling_sli_duration_seconds',
    'E2e latency for a pod being scheduled, from the time the pod enters the scheduling queue and might involve multiple scheduling attempts.',
    exponentialBuckets(0.01, 2, 20));
  readonly preemptionAttempts = { count: 0 };
  pending: () => Record<string, number> = () => ({});

  attempt(result: 'scheduled' | 'unschedulable' | 'error', profile: string, seconds: number): void {
    const key = `result="${result}",profile="${profile}"`;
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
    this.attemptDuration.observe(key, seconds);
  }

  extensionPointDone(point: string, status: string, profile: string, seconds: number): void {
    this.extensionPoint.observe(`extension_point="${point}",status="${status}",profile="${profile}"`, seconds);
  }

  /** plugin → extension point → status → label set: sampled cycles record every plugin on every node, so no string building per call */
  private readonly pluginLabels = new Map<string, Map<string, Map<string, string>>>();

  pluginDone(plugin: string, point: string, status: string, seconds: number): void {
    let byPoint = this.pluginLabels.get(plugin);
    if (!byPoint) this.pluginLabels.set(plugin, (byPoint = new Map()));
    let byStatus = byPoint.get(point);
    if (!byStatus) byPoint.set(point, (byStatus = new Map()));
    let labels = byStatus.get(status);
    if (labels === undefined) byStatus.set(status, (labels = `plugin="${plugin}",extension_point="${point}",status="${status}"`));
    this.pluginExecution.observe(labels, seconds);
  }

  /** a pod bound after `attempts` attempts, `seconds` after it first entered the queue */
  podScheduled(attempts: number, seconds: number): void {
    this.podSchedulingSLI.observe(`attempts="${attempts}"`, seconds);
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP scheduler_pending_pods Number of pending pods, by the queue type. \'active\' means number of pods in activeQ; \'backoff\' means number of pods in backoffQ; \'unschedulable\' means number of pods in unschedulablePods that the scheduler attempted to schedule and failed; \'gated\' is the number of unschedulable pods that the scheduler never attempted to schedule because they are gated.',
      '# TYPE scheduler_pending_pods gauge');
    for (const [q, n] of Object.entries(this.pending())) out.push(`scheduler_pending_pods{queue="${q}"} ${n}`);
    out.push('# HELP scheduler_schedule_attempts_total Number of attempts to schedule pods, by the result.', '# TYPE scheduler_schedule_attempts_total counter');
    for (const [k, n] of this.attempts) out.push(`scheduler_schedule_attempts_total{${k}} ${n}`);
    out.push('# HELP scheduler_preemption_attempts_total Total preemption attempts in the cluster till now', '# TYPE scheduler_preemption_attempts_total counter',
      `scheduler_preemption_attempts_total ${this.preemptionAttempts.count}`);
    this.attemptDuration.render(out);
    this.extensionPoint.render(out);
    this.pluginExecution.render(out);
    this.podSchedulingSLI.render(out);
    return out.join('\n') + '\n';
  }
}
