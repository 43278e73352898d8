// The API server's /metrics (upstream k8s.io/apiserver/pkg/endpoints/metrics and storage metrics),
// with prom-client: requests by verb/resource/scope/code and their latency histogram, requests in
// flight, long-running requests (watches), objects stored per resource, datastore call latency,
// and the process_* / nodejs_* collectors. Label names and buckets follow upstream so dashboards
// built for kube-apiserver read Kumo unchanged.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { RequestInfo } from './requestinfo.js';

// upstream apiserver_request_duration_seconds buckets
const REQUEST_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
// upstream etcd_request_duration_seconds buckets
const STORAGE_BUCKETS = [0.005, 0.025, 0.05, 0.1, 0.2, 0.4, 0.6, 0.8, 1.0, 1.25, 1.5, 2, 3, 4, 5, 6, 8, 10, 15, 20, 30, 45, 60];
const MUTATING = new Set(['create', 'update', 'patch', 'delete', 'deletecollection']);

/** upstream CleanVerb: metric verbs are upper case, a LIST with watch=true is WATCH, apply patches are APPLY */
export function metricVerb(info: RequestInfo, query: URLSearchParams, contentType: string | undefined): string {
  if (info.verb === 'list' && (query.get('watch') === 'true' || query.get('watch') === '1')) return 'WATCH';
  if (info.verb === 'watch') return 'WATCH';
  if (info.verb === 'patch' && contentType?.startsWith('application/apply-patch')) return 'APPLY';
  const map: Record<string, string> = { get: 'GET', list: 'LIST', create: 'POST', update: 'PUT', patch: 'PATCH', delete: 'DELETE', deletecollection: 'DELETECOLLECTION' };
  return map[info.verb] ?? info.verb.toUpperCase();
}

/** upstream CleanScope */
export function metricScope(info: RequestInfo): string {
  if (info.name) return 'resource';
  if (info.namespace) return 'namespace';
  return info.isResourceRequest ? 'cluster' : '';
}

export class APIServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Counter;
  private readonly duration: Histogram;
  private readonly inflight: Gauge;
  private readonly longrunning: Gauge;
  private readonly storageDuration: Histogram;

  /** `objectCounts` is read at scrape time: resource → number of objects stored */
  constructor(objectCounts: () => Map<string, number>) {
    const registers = [this.registry];
    const requestLabels = ['verb', 'dry_run', 'group', 'version', 'resource', 'subresource', 'scope', 'component'];
    this.requests = new Counter({
      name: 'apiserver_request_total', registers, labelNames: [...requestLabels, 'code'],
      help: 'Counter of apiserver requests broken out for each verb, dry run value, group, version, resource, scope, component, and HTTP response code.',
    });
    this.duration = new Histogram({
      name: 'apiserver_request_duration_seconds', registers, labelNames: requestLabels, buckets: REQUEST_BUCKETS,
      help: 'Response latency distribution in seconds for each verb, dry run value, group, version, resource, subresource, scope and component.',
    });
    this.inflight = new Gauge({
      name: 'apiserver_current_inflight_requests', registers, labelNames: ['request_kind'],
      help: 'Maximal number of currently used inflight request limit of this apiserver per request kind in last second.',
    });
    this.longrunning = new Gauge({
      name: 'apiserver_longrunning_requests', registers, labelNames: ['verb', 'group', 'version', 'resource', 'subresource', 'scope', 'component'],
      help: 'Gauge of all active long-running apiserver requests broken out by verb, group, version, resource, scope and component. Not all requests are tracked this way.',
    });
    new Gauge({
      name: 'apiserver_storage_objects', registers, labelNames: ['resource'],
      help: 'Number of stored objects at the time of last check split by kind.',
      collect() {
        this.reset();
        for (const [resource, n] of objectCounts()) this.set({ resource }, n);
      },
    });
    this.storageDuration = new Histogram({
      name: 'etcd_request_duration_seconds', registers, labelNames: ['operation', 'type'], buckets: STORAGE_BUCKETS,
      help: 'Etcd request latency in seconds for each operation and object type.',
    });
    collectDefaultMetrics({ register: this.registry });
    this.inflight.set({ request_kind: 'mutating' }, 0);
    this.inflight.set({ request_kind: 'readOnly' }, 0);
  }

  /** Call when a request starts; the returned function records it when the response is done. */
  begin(info: RequestInfo, query: URLSearchParams, contentType: string | undefined): (code: number) => void {
    const start = process.hrtime.bigint();
    const verb = metricVerb(info, query, contentType);
    const labels = {
      verb, dry_run: query.has('dryRun') ? 'All' : '', group: info.apiGroup, version: info.apiVersion,
      resource: info.resource, subresource: info.subresource, scope: metricScope(info), component: 'apiserver',
    };
    const kind = MUTATING.has(info.verb) ? 'mutating' : 'readOnly';
    const long = verb === 'WATCH' || ['log', 'exec', 'attach', 'portforward', 'proxy'].includes(info.subresource);
    if (long) {
      const { dry_run: _d, ...l } = labels;
      this.longrunning.inc(l);
    } else {
      this.inflight.inc({ request_kind: kind });
    }
    let done = false;
    return (code) => {
      if (done) return;
      done = true;
      if (long) {
        const { dry_run: _d, ...l } = labels;
        this.longrunning.dec(l);
      } else {
        this.inflight.dec({ request_kind: kind });
        // upstream leaves watches out of the latency histogram's interesting range; Kumo skips them
        this.duration.observe(labels, Number(process.hrtime.bigint() - start) / 1e9);
      }
      this.requests.inc({ ...labels, code: String(code) });
    };
  }

  /** Times one datastore call (`operation` e.g. get/list/create/update/delete, `type` the resource). */
  async timeStorage<T>(operation: string, type: string, fn: () => Promise<T>): Promise<T> {
    const end = this.storageDuration.startTimer({ operation, type });
    try { return await fn(); } finally { end(); }
  }

  render(): Promise<string> { return this.registry.metrics(); }
  get contentType(): string { return this.registry.contentType; }
}
