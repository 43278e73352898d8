// /healthz and /metrics for the scheduler (shared server in src/client/healthserver.ts).
import type http from 'node:http';
import { serveHealthAndMetrics as serve } from '../client/healthserver.js';
import type { Metrics } from './metrics.js';

export function serveHealthAndMetrics(metrics: Metrics, port: number, address: string, healthy: () => boolean): Promise<http.Server> {
  return serve(port, address, healthy, () => metrics.render());
}
