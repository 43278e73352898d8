// /metrics for the controller manager: client-go's workqueue metrics per controller queue, in the
// Prometheus text format (durations as _sum/_count; upstream uses histograms with buckets).
import type { QueueMetrics } from '../../client/workqueue.js';

const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/"/g, '\\"');

export function renderWorkqueueMetrics(queues: QueueMetrics[]): string {
  const lines: string[] = [];
  const family = (name: string, type: string, help: string, value: (q: QueueMetrics) => number, suffix = '') => {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
    for (const q of queues) lines.push(`${name}${suffix}{name="${esc(q.name)}"} ${value(q)}`);
  };
  family('workqueue_depth', 'gauge', 'Current depth of workqueue', (q) => q.depth);
  family('workqueue_adds_total', 'counter', 'Total number of adds handled by workqueue', (q) => q.adds);
  family('workqueue_retries_total', 'counter', 'Total number of retries handled by workqueue', (q) => q.retries);
  family('workqueue_longest_running_processor_seconds', 'gauge',
    'How many seconds has the longest running processor for workqueue been running.', (q) => q.longestRunningSeconds());
  for (const [name, help, sum, count] of [
    ['workqueue_queue_duration_seconds', 'How long in seconds an item stays in workqueue before being requested.', 'queueLatencySum', 'queueLatencyCount'],
    ['workqueue_work_duration_seconds', 'How long in seconds processing an item from workqueue takes.', 'workDurationSum', 'workDurationCount'],
  ] as const) {
    lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} summary`);
    for (const q of queues) {
      lines.push(`${name}_sum{name="${esc(q.name)}"} ${q[sum]}`, `${name}_count{name="${esc(q.name)}"} ${q[count]}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
