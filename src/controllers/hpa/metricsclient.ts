// The resource metrics client (upstream podautoscaler/metrics/client.go): PodMetrics of the target's
// pods from metrics.k8s.io/v1beta1, summed per pod (or one container) in milli-units. Error texts are
// client-go's, since they end up in the HPA's conditions and events.
import { APIError, type RESTClient } from '../../client/rest.js';
import { parseQuantity } from '../../machinery/quantity.js';
import { CalcError, type PodMetricsInfo } from './replicas.js';

interface PodMetricsItem {
  metadata: { name: string; namespace?: string };
  timestamp?: string;
  window?: string;
  containers?: { name: string; usage?: Record<string, string> }[];
}

/** Go duration text ("15s", "1m0s", "500ms", "1.5s") in ms; 0 when unreadable. */
export function parseGoDuration(s: string | undefined): number {
  if (!s) return 0;
  const units: Record<string, number> = { ns: 1e-6, us: 1e-3, 'µs': 1e-3, ms: 1, s: 1000, m: 60_000, h: 3_600_000 };
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(s)) !== null) total += Number(m[1]) * units[m[2]];
  return total;
}

export const milli = (q: string | number): number => Number(parseQuantity(q).milliValue());

/** client-go's text for an error without a decodable Status body ("the server could not find …"). */
export function clientErrorText(err: unknown, verb: string, resource: string): string {
  if (err instanceof APIError) {
    const generic: Record<number, string> = {
      404: 'the server could not find the requested resource',
      503: 'the server is currently unable to handle the request',
      401: 'Unauthorized',
      403: 'Forbidden',
      500: 'an error on the server has prevented the request from succeeding',
    };
    const g = generic[err.code];
    // a real Status says what it says; a bare one (or none: "404 page not found") gets client-go's generic text
    if (err.status?.message && err.status.message !== g) return err.status.message;
    return `${g ?? `an error on the server ("${err.message}") has prevented the request from succeeding`} (${verb} ${resource})`;
  }
  return (err as Error).message;
}

export class ResourceMetricsClient {
  constructor(private readonly client: RESTClient) {}

  async getResourceMetric(resource: string, namespace: string, selector: string, container: string): Promise<{ metrics: PodMetricsInfo; timestamp: number }> {
    let items: PodMetricsItem[];
    try {
      const q = selector ? `?labelSelector=${encodeURIComponent(selector)}` : '';
      const list = await this.client.request<{ items?: PodMetricsItem[] }>('GET', `/apis/metrics.k8s.io/v1beta1/namespaces/${encodeURIComponent(namespace)}/pods${q}`);
      items = list.items ?? [];
    } catch (err) {
      throw new CalcError(`unable to fetch metrics from resource metrics API: ${clientErrorText(err, 'get', 'pods.metrics.k8s.io')}`);
    }
    if (items.length === 0) throw new CalcError('no metrics returned from resource metrics API');
    const metrics: PodMetricsInfo = new Map();
    for (const m of items) {
      const timestamp = m.timestamp ? Date.parse(m.timestamp) : 0;
      const window = parseGoDuration(m.window);
      const containers = m.containers ?? [];
      if (container) {
        const c = containers.find((x) => x.name === container);
        if (!c) throw new CalcError(`failed to get container metrics: container ${container} not present in metrics for pod ${m.metadata.namespace ?? namespace}/${m.metadata.name}`);
        const v = c.usage?.[resource];
        if (v !== undefined) metrics.set(m.metadata.name, { value: milli(v), timestamp, window });
        continue;
      }
      if (containers.length === 0) continue;
      let sum = 0;
      let missing = false;
      for (const c of containers) {
        const v = c.usage?.[resource];
        if (v === undefined) { missing = true; break; }
        sum += milli(v);
      }
      if (!missing) metrics.set(m.metadata.name, { value: sum, timestamp, window });
    }
    return { metrics, timestamp: items[0].timestamp ? Date.parse(items[0].timestamp) : 0 };
  }
}
