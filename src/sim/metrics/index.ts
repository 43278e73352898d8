// `kumo sim-nodes --metrics-port N`: serve metrics.k8s.io for the simulated nodes and pods, and with
// --metrics-register wire it into the cluster so `kubectl top` and the HPA controller see it.
import type { FlagSpec, FlagValues } from '../../cli/flags.js';
import type { RESTClient } from '../../client/rest.js';
import { parseDuration } from '../duration.js';
import { register, requestHeaderConfig, servingCertificate } from './register.js';
import { sarAuthorizer, startMetricsServer, type MetricsServer } from './server.js';
import { MetricsSource, type NodeView } from './source.js';
import { parseDefault } from './usage.js';

export const METRICS_FLAGS: FlagSpec[] = [
  { name: 'metrics-port', type: 'number', default: -1, help: 'serve metrics.k8s.io/v1beta1 (as metrics-server) over HTTPS on 127.0.0.1:N (0: any free port; off when negative)' },
  { name: 'metrics-register', type: 'bool', default: false, help: 'create the kube-system/metrics-server Service + Endpoints and APIService v1beta1.metrics.k8s.io pointing at --metrics-port' },
  { name: 'metrics-window', type: 'string', default: '15s', help: 'the window reported with every metric (metrics-server: the scrape interval)' },
  { name: 'metrics-default-cpu', type: 'string', default: '10m', help: 'CPU usage of a container without a sim.kumo.dev/cpu-usage annotation' },
  { name: 'metrics-default-memory', type: 'string', default: '32Mi', help: 'memory usage of a container without a sim.kumo.dev/memory-usage annotation' },
  { name: 'metrics-requestheader-client-ca-file', type: 'string', default: '', help: 'front-proxy CA when kube-system/extension-apiserver-authentication has none (default: DATA-DIR/pki/front-proxy-ca.crt beside the kubeconfig)' },
  { name: 'metrics-requestheader-allowed-names', type: 'string', default: 'front-proxy-client', help: 'front-proxy client certificate common names accepted with that file (comma-separated; empty: any)' },
];

export interface StartedMetrics { server: MetricsServer; source: MetricsSource; stop(): void }

/** Starts the metrics API when --metrics-port ≥ 0; undefined otherwise. */
export async function startMetricsFromFlags(flags: FlagValues, client: RESTClient, nodes: NodeView, kubeconfig: string,
  log: (m: string) => void): Promise<StartedMetrics | undefined> {
  const port = Number(flags['metrics-port']);
  if (!Number.isInteger(port) || port < 0) {
    if (flags['metrics-register']) throw new Error('--metrics-register needs --metrics-port');
    return undefined;
  }
  if (port > 65535) throw new Error(`invalid argument "${port}" for "--metrics-port" flag: must be at most 65535`);
  let windowMs: number;
  try { windowMs = parseDuration(String(flags['metrics-window'])); } catch (e) {
    throw new Error(`invalid argument "${flags['metrics-window']}" for "--metrics-window" flag: ${(e as Error).message}`);
  }
  if (windowMs <= 0) throw new Error(`invalid argument "${flags['metrics-window']}" for "--metrics-window" flag: must be positive`);
  const defaults = {
    cpu: parseDefault('metrics-default-cpu', String(flags['metrics-default-cpu']), 'nanos'),
    memory: parseDefault('metrics-default-memory', String(flags['metrics-default-memory']), 'units'),
  };
  const { cfg, from } = await requestHeaderConfig(client, {
    caFile: String(flags['metrics-requestheader-client-ca-file'] ?? ''),
    allowedNames: String(flags['metrics-requestheader-allowed-names'] ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    kubeconfig,
  });
  log(`metrics: front-proxy CA from ${from}`);
  const source = new MetricsSource(nodes, defaults, windowMs);
  await source.start(client, log);
  const serving = await servingCertificate();
  const server = await startMetricsServer({ source, port, serving, requestHeader: () => cfg, authorize: sarAuthorizer(client), log });
  if (flags['metrics-register']) await register(client, server.port, serving.caPem);
  return { server, source, stop: () => { server.close(); source.stop(); } };
}
