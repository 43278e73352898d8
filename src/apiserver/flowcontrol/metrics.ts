// apiserver_flowcontrol_* metrics (upstream names) read from the priority levels at scrape time.
import { Counter, Gauge, type Registry } from 'prom-client';
import type { FlowControl } from './flowcontrol.js';

export function registerFlowControlMetrics(registry: Registry, fc: FlowControl): void {
  const gauge = (name: string, help: string, pick: (l: ReturnType<FlowControl['snapshot']>[number]) => number) => new Gauge({
    name, help, registers: [registry], labelNames: ['priority_level'],
    collect() {
      this.reset();
      for (const l of fc.snapshot()) this.set({ priority_level: l.name }, pick(l));
    },
  });
  gauge('apiserver_flowcontrol_current_executing_requests', 'Number of requests in initial (for a WATCH) or any (for a non-WATCH) execution stage in the API Priority and Fairness subsystem', (l) => l.executing);
  gauge('apiserver_flowcontrol_current_inqueue_requests', 'Number of requests currently pending in queues of the API Priority and Fairness subsystem', (l) => l.waiting);
  gauge('apiserver_flowcontrol_nominal_limit_seats', 'Nominal number of execution seats configured for each priority level', (l) => l.nominal);
  // the queue sets keep running totals; the counters catch up with them at scrape time
  const counter = (name: string, help: string, pick: (l: ReturnType<FlowControl['snapshot']>[number]) => number) => {
    const seen = new Map<string, number>();
    return new Counter({
      name, help, registers: [registry], labelNames: ['priority_level'],
      collect() {
        for (const l of fc.snapshot()) {
          const v = pick(l);
          const d = v - (seen.get(l.name) ?? 0);
          if (d > 0) this.inc({ priority_level: l.name }, d); else if (!seen.has(l.name)) this.inc({ priority_level: l.name }, 0);
          seen.set(l.name, v);
        }
      },
    });
  };
  counter('apiserver_flowcontrol_dispatched_requests_total', 'Number of requests executed by API Priority and Fairness subsystem', (l) => l.dispatched);
  counter('apiserver_flowcontrol_rejected_requests_total', 'Number of requests rejected by API Priority and Fairness subsystem', (l) => l.rejected);
}
