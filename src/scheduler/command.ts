// `kumo scheduler`: run the scheduler against an API server with its own kubeconfig.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseFlags, usage, type FlagSpec } from '../cli/flags.js';
import { configFromKubeconfig, RESTClient } from '../client/rest.js';
import { parseSchedulerConfig } from './config.js';
import { Scheduler } from './scheduler.js';
import { serveHealthAndMetrics } from './server.js';

const FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', default: '', help: 'kubeconfig with the scheduler\'s credentials' },
  { name: 'config', type: 'string', default: '', help: 'KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1)' },
  { name: 'leader-elect', type: 'bool', default: false, help: 'leader election (not implemented yet: only --leader-elect=false is accepted)' },
  { name: 'secure-port', type: 'number', default: 10259, help: 'port for /healthz and /metrics (plain HTTP for now; 0 picks a free port)' },
  { name: 'bind-address', type: 'string', default: '127.0.0.1', help: 'address for /healthz and /metrics' },
  { name: 'v', type: 'number', default: 0, help: 'log verbosity' },
];

export async function schedulerCommand(args: string[]): Promise<void> {
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage('scheduler', 'Run the Kumo scheduler (kube-scheduler): assigns pending pods to nodes.', FLAGS));
    return;
  }
  const { flags, rest } = parseFlags('scheduler', args, FLAGS);
  if (rest.length) throw new Error(`unexpected argument ${JSON.stringify(rest[0])}`);
  if (!flags.kubeconfig) throw new Error('--kubeconfig is required');
  if (flags['leader-elect']) throw new Error('leader election is not implemented yet; run with --leader-elect=false');
  let text = '';
  if (flags.config) {
    try { text = readFileSync(String(flags.config), 'utf8'); } catch (err) { throw new Error(`reading --config: ${(err as Error).message}`); }
  }
  const config = parseSchedulerConfig(text);
  const client = new RESTClient(configFromKubeconfig(String(flags.kubeconfig)), 'kumo-scheduler');
  const verbose = Number(flags.v) > 0;
  const scheduler = new Scheduler(client, config, { log: (m) => { if (verbose) console.error(m); } });
  let started = false;
  const http = await serveHealthAndMetrics(scheduler.metrics, Number(flags['secure-port']), String(flags['bind-address']), () => started);
  await scheduler.start();
  started = true;
  const port = (http.address() as AddressInfo).port;
  console.log(`kumo scheduler is running (profiles: ${[...scheduler.profiles.keys()].join(', ')}); healthz/metrics at http://${flags['bind-address']}:${port}`);
  const shutdown = () => { scheduler.stop(); http.close(); client.close(); process.exit(0); };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}
