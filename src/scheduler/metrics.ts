// The scheduler's Prometheus metrics in the text exposition format (names as upstream's
// scheduler_* metrics), written by hand to avoid a dependency.
const BUCKETS = [0.001, 0.002, 0.004, 0.008, 0.016, 0.032, 0.064, 0.128, 0.256, 0.512, 1.024, 2.048, 4.096, 8.192, 16.384];

export class Metrics {
  readonly attempts = new Map<string, number>();
  private readonly histo = new Map<string, { counts: number[]; sum: number; count: number }>();
  pending: () => Record<string, number> = () => ({});

  attempt(result: 'scheduled' | 'unschedulable' | 'error', profile: string, seconds: number): void {
    const key = `result="${result}",profile="${profile}"`;
    this.attempts.set(key, (this.attempts.get(key) ?? 0) + 1);
    let h = this.histo.get(key);
    if (!h) this.histo.set(key, (h = { counts: BUCKETS.map(() => 0), sum: 0, count: 0 }));
    BUCKETS.forEach((b, i) => { if (seconds <= b) h!.counts[i]++; });
    h.sum += seconds;
    h.count++;
  }

  render(): string {
    const out: string[] = [];
    out.push('# HELP scheduler_pending_pods Number of pending pods, by the queue type.', '# TYPE scheduler_pending_pods gauge');
    for (const [q, n] of Object.entries(this.pending())) out.push(`scheduler_pending_pods{queue="${q}"} ${n}`);
    out.push('# HELP scheduler_schedule_attempts_total Number of attempts to schedule pods, by the result.', '# TYPE scheduler_schedule_attempts_total counter');
    for (const [k, n] of this.attempts) out.push(`scheduler_schedule_attempts_total{${k}} ${n}`);
    out.push('# HELP scheduler_scheduling_attempt_duration_seconds Scheduling attempt latency in seconds (scheduling algorithm + binding)',
      '# TYPE scheduler_scheduling_attempt_duration_seconds histogram');
    for (const [k, h] of this.histo) {
      BUCKETS.forEach((b, i) => out.push(`scheduler_scheduling_attempt_duration_seconds_bucket{${k},le="${b}"} ${h.counts[i]}`));
      out.push(`scheduler_scheduling_attempt_duration_seconds_bucket{${k},le="+Inf"} ${h.count}`);
      out.push(`scheduler_scheduling_attempt_duration_seconds_sum{${k}} ${h.sum}`);
      out.push(`scheduler_scheduling_attempt_duration_seconds_count{${k}} ${h.count}`);
    }
    return out.join('\n') + '\n';
  }
}
