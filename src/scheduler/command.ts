// `kumo scheduler`: run the scheduler against an API server with its own kubeconfig.
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { parseFlags, usage, type FlagSpec } from '../cli/flags.js';
import { componentUserAgent, configFromKubeconfig, RESTClient } from '../client/rest.js';
import { LeaderElector, validateLeaderElection } from '../client/leaderelection.js';
import { parseSchedulerConfig } from './config.js';
import { Scheduler } from './scheduler.js';
import { serveHealthAndMetrics } from './server.js';

const FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', default: '', help: 'kubeconfig with the scheduler\'s credentials' },
  { name: 'config', type: 'string', default: '', help: 'KubeSchedulerConfiguration file (kubescheduler.config.k8s.io/v1)' },
  { name: 'leader-elect', type: 'bool', default: true, help: 'run leader election (a Lease) so that only one of several schedulers schedules' },
  { name: 'leader-elect-lease-duration', type: 'string', default: '15s', help: 'how long a standby waits after the last renewal before taking over' },
  { name: 'leader-elect-renew-deadline', type: 'string', default: '10s', help: 'how long the leader keeps retrying a renewal before it steps down' },
  { name: 'leader-elect-retry-period', type: 'string', default: '2s', help: 'interval between attempts to acquire or renew' },
  { name: 'leader-elect-resource-namespace', type: 'string', default: 'kube-system', help: 'namespace of the Lease' },
  { name: 'leader-elect-resource-name', type: 'string', default: 'kube-scheduler', help: 'name of the Lease' },
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
  const leaseMs = durationMs(flags['leader-elect-lease-duration'], 'leader-elect-lease-duration');
  const renewMs = durationMs(flags['leader-elect-renew-deadline'], 'leader-elect-renew-deadline');
  const retryMs = durationMs(flags['leader-elect-retry-period'], 'leader-elect-retry-period');
  if (flags['leader-elect']) validateLeaderElection(leaseMs, renewMs, retryMs);
  let text = '';
  if (flags.config) {
    try { text = readFileSync(String(flags.config), 'utf8'); } catch (err) { throw new Error(`reading --config: ${(err as Error).message}`); }
  }
  const config = parseSchedulerConfig(text);
  const client = new RESTClient(configFromKubeconfig(String(flags.kubeconfig)), componentUserAgent('kube-scheduler'));
  const verbose = Number(flags.v) > 0;
  const scheduler = new Scheduler(client, config, { log: (m) => { if (verbose) console.error(m); } });
  let started = false;
  const http = await serveHealthAndMetrics(scheduler.metrics, Number(flags['secure-port']), String(flags['bind-address']), () => started);
  const leaderElect = Boolean(flags['leader-elect']);
  await scheduler.start({ schedule: !leaderElect });
  started = true;
  let elector: LeaderElector | undefined;
  let stopping = false;
  let electing: Promise<void> | undefined;
  if (leaderElect) {
    elector = new LeaderElector(client, {
      namespace: String(flags['leader-elect-resource-namespace']), name: String(flags['leader-elect-resource-name']),
      leaseDurationMs: leaseMs, renewDeadlineMs: renewMs, retryPeriodMs: retryMs, releaseOnCancel: true,
      log: (m) => { if (verbose) console.error(m); },
      onNewLeader: (id) => { if (id !== elector?.identity) console.log(`new leader elected: ${id}`); },
      onStartedLeading: () => { console.log(`became leader (${elector?.identity}); scheduling`); scheduler.startScheduling(); },
      onStoppedLeading: () => {
        if (stopping) return;
        // as upstream: a scheduler that lost its lease exits rather than risk scheduling alongside the new leader
        console.error('leaderelection lost');
        scheduler.stop(); http.close(); client.close(); process.exit(1);
      },
    });
    electing = elector.run();
  }
  const port = (http.address() as AddressInfo).port;
  console.log(`kumo scheduler is running (profiles: ${[...scheduler.profiles.keys()].join(', ')}${elector ? `; leader election on ${flags['leader-elect-resource-namespace']}/${flags['leader-elect-resource-name']} as ${elector.identity}` : ''}); healthz/metrics at http://${flags['bind-address']}:${port}`);
  const shutdown = async () => {
    stopping = true;
    scheduler.stop();
    // give the lease up (release on cancel) so a standby takes over without waiting for it to expire
    elector?.stop();
    if (electing) await Promise.race([electing, new Promise((r) => setTimeout(r, 2000))]);
    http.close(); client.close(); process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}

/** A Go-style duration flag ("15s", "500ms", "1m") in milliseconds. */
export function durationMs(v: unknown, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(String(v).trim());
  if (!m) throw new Error(`invalid argument ${JSON.stringify(String(v))} for "--${flag}" flag: time: invalid duration ${JSON.stringify(String(v))}`);
  return Number(m[1]) * { ms: 1, s: 1000, m: 60_000, h: 3_600_000 }[m[2] as 'ms' | 's' | 'm' | 'h'];
}
