// `kumo sim-nodes`: a node SIMULATOR for scale tests — no containers run anywhere. It registers
// Nodes, keeps their Leases and status fresh, and reports the pods bound to them as running.
import { join } from 'node:path';
import { parseFlags, usage, type FlagSpec } from '../cli/flags.js';
import { DEFAULT_DATA_DIR } from '../cli/pki.js';
import { configFromKubeconfig, RESTClient } from '../client/rest.js';
import { nodeLabels, optionsFromFlags, type RawFlags } from './options.js';
import { NodeSimulator } from './simulator.js';
import { startDrillServer } from './drill-server.js';
import { METRICS_FLAGS, startMetricsFromFlags } from './metrics/index.js';

const FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', default: '', help: 'kubeconfig to reach the API server (default $KUBECONFIG, then ~/.kumo/kubeconfig)' },
  { name: 'count', type: 'number', default: 1, help: 'number of nodes to simulate' },
  { name: 'name-prefix', type: 'string', default: 'sim-node-', help: 'node names are PREFIX0, PREFIX1, …' },
  { name: 'cpu', type: 'string', default: '32', help: 'CPU capacity (= allocatable) of each node' },
  { name: 'memory', type: 'string', default: '256Gi', help: 'memory capacity (= allocatable) of each node' },
  { name: 'pods', type: 'number', default: 110, help: 'pod capacity (= allocatable) of each node' },
  { name: 'labels', type: 'string', default: '', help: 'extra node labels, k=v,k2=v2' },
  { name: 'zones', type: 'number', default: 0, help: 'spread nodes round-robin over N zones (topology.kubernetes.io/zone=zone-0…)' },
  { name: 'taints', type: 'string', default: '', help: 'node taints, key=value:Effect,key:Effect' },
  { name: 'pod-cidr-base', type: 'string', default: '10.244.0.0/16', help: 'node i gets the i-th /24 of this range as its podCIDR (unless it has one)' },
  { name: 'heartbeat-interval', type: 'string', default: '10s', help: 'Lease renew interval (kubelet: 10s)' },
  { name: 'node-status-report-interval', type: 'string', default: '5m', help: 'node status report interval when nothing changed (kubelet: 5m)' },
  { name: 'max-grace-period', type: 'string', default: '1s', help: 'longest wait before finishing a graceful pod deletion' },
  { name: 'fail-nodes', type: 'string', default: '', help: 'nodes that register but never heartbeat or touch pods (node failure drill), a,b,…' },
  { name: 'not-ready-nodes', type: 'string', default: '', help: 'nodes that heartbeat but report Ready=False, a,b,…' },
  { name: 'drill-address', type: 'string', default: '', help: 'serve the drill API on host:port (e.g. 127.0.0.1:0): POST /fail?nodes=a,b, /recover?nodes=…, /not-ready?nodes=…; GET /drills' },
  { name: 'concurrency', type: 'number', default: 0, help: 'most pod writes in flight at once; Leases and node status get their own pool (0: sized by --count, 16 + one per 100 nodes, Leases one per 25)' },
  ...METRICS_FLAGS,
  { name: 'help', type: 'bool', default: false, help: 'show this help' },
];

export async function simNodesCommand(args: string[]): Promise<void> {
  const { flags, rest } = parseFlags('sim-nodes', args, FLAGS);
  if (flags.help) {
    console.log(usage('sim-nodes', 'Simulate kubelets for scale tests: register fake Nodes, renew their Leases and report bound pods as running. Nothing is actually run.', FLAGS));
    return;
  }
  if (rest.length > 0) throw new Error(`unexpected argument ${JSON.stringify(rest[0])}\nRun 'kumo sim-nodes --help' for usage.`);
  const o = optionsFromFlags(flags as unknown as RawFlags);
  const kubeconfig = String(flags.kubeconfig) || process.env.KUBECONFIG?.split(':')[0] || join(DEFAULT_DATA_DIR, 'kubeconfig');
  // a socket for every write the pools allow in flight
  const client = new RESTClient(configFromKubeconfig(kubeconfig), 'kumo-sim-nodes', { maxSockets: o.concurrency + o.heartbeatConcurrency });
  const log = (m: string) => console.error(`sim-nodes: ${m}`);
  const sim = new NodeSimulator(client, o, log);
  const drill = flags['drill-address'] ? await startDrillServer(sim, String(flags['drill-address'])) : undefined;
  if (drill) console.log(`kumo sim-nodes: drill API at ${drill.url}`);
  let metrics: Awaited<ReturnType<typeof startMetricsFromFlags>>;
  const shutdown = () => {
    metrics?.stop();
    drill?.close();
    sim.stop();
    client.close();
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
  const { registeredMs, adopted } = await sim.start();
  metrics = await startMetricsFromFlags(flags, client, {
    live: (n) => { const node = sim.nodes.get(n); return node ? !node.failed : undefined; },
    names: () => [...sim.nodes.keys()],
    labels: (n) => { const node = sim.nodes.get(n); return node && nodeLabels(o, n, node.id.index); },
  }, kubeconfig, log);
  if (metrics) console.log(`kumo sim-nodes: metrics API at ${metrics.server.url}`);
  console.log(`kumo sim-nodes: ${o.count} nodes registered in ${registeredMs} ms (${adopted} adopted); watching pods`);
  setInterval(() => {
    const s = sim.stats();
    log(`nodes=${s.nodes} pods=${s.pods} running=${s.running} writes=${s.writes} failures=${s.failures} queued=${s.queued}`);
  }, 60_000).unref();
  await new Promise(() => { /* until a signal */ });
}
