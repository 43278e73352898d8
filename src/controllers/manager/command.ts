// `kumo controller-manager` (kube-controller-manager): parses the flags (the common ones plus each
// controller's own, e.g. --concurrent-deployment-syncs), then runs the manager (manager.ts) with
// leader election on a Lease and /healthz + /metrics. `kumo server` runs the same manager in-process.
import type { AddressInfo } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import { serveHealthAndMetrics as serve } from '../../client/healthserver.js';
import { parseFlags, usage, type FlagSpec } from '../../cli/flags.js';
import { componentUserAgent, configFromKubeconfig, RESTClient } from '../../client/rest.js';
import { LeaderElector, validateLeaderElection } from '../../client/leaderelection.js';
import { durationMs } from '../../scheduler/command.js';
import { ControllerManager } from './manager.js';
import { renderWorkqueueMetrics } from './metrics.js';
import { parseControllersFlag, validateControllers } from './names.js';
import { DESCRIPTORS } from './registry.js';

export const COMMON_FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', default: '', help: 'kubeconfig with the controller manager\'s credentials' },
  { name: 'controllers', type: 'string', default: '*', help: 'controllers to enable: \'*\' enables all on-by-default controllers, \'foo\' enables foo, \'-foo\' disables foo' },
  { name: 'leader-elect', type: 'bool', default: true, help: 'run leader election (a Lease) so that only one controller manager acts' },
  { name: 'leader-elect-lease-duration', type: 'string', default: '15s', help: 'how long a standby waits after the last renewal before taking over' },
  { name: 'leader-elect-renew-deadline', type: 'string', default: '10s', help: 'how long the leader keeps retrying a renewal before it steps down' },
  { name: 'leader-elect-retry-period', type: 'string', default: '2s', help: 'interval between attempts to acquire or renew' },
  { name: 'leader-elect-resource-namespace', type: 'string', default: 'kube-system', help: 'namespace of the Lease' },
  { name: 'leader-elect-resource-name', type: 'string', default: 'kube-controller-manager', help: 'name of the Lease' },
  { name: 'secure-port', type: 'number', default: 10257, help: 'port for /healthz and /metrics (plain HTTP for now; 0 picks a free port)' },
  { name: 'bind-address', type: 'string', default: '127.0.0.1', help: 'address for /healthz and /metrics' },
  { name: 'v', type: 'number', default: 0, help: 'log verbosity' },
];

/** The common flags plus every descriptor's own, each once. */
export function controllerManagerFlags(): FlagSpec[] {
  const seen = new Set(COMMON_FLAGS.map((f) => f.name));
  const out = [...COMMON_FLAGS];
  for (const d of DESCRIPTORS) for (const f of d.flags ?? []) if (!seen.has(f.name)) { seen.add(f.name); out.push(f); }
  return out;
}

/**
 * Once the caches are synced this process mostly holds them and allocates little: V8's throughput
 * defaults (a young generation of up to 2 × 16 MB semi-spaces, a generous old-generation growing
 * factor) then only add about a fifth to its RSS with many objects cached (bench/controllers.mjs,
 * memory). Not before: the initial LIST of every cached object runs about three times slower with
 * V8 tuned for size. Only the standalone command: kumo server's in-process manager shares the API
 * server's heap, which keeps its defaults.
 */
function favourSize(): void {
  setFlagsFromString('--optimize-for-size');
}

export async function controllerManagerCommand(args: string[]): Promise<void> {
  const FLAGS = controllerManagerFlags();
  if (args.includes('--help') || args.includes('-h')) {
    console.log(usage('controller-manager', 'Run the Kumo controller manager (kube-controller-manager): the reconcile loops.', FLAGS));
    return;
  }
  const { flags, rest } = parseFlags('controller-manager', args, FLAGS);
  if (rest.length) throw new Error(`unexpected argument ${JSON.stringify(rest[0])}`);
  const list = parseControllersFlag(String(flags.controllers));
  const errs = validateControllers(list);
  if (errs.length) throw new Error(errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`);
  if (!flags.kubeconfig) throw new Error('--kubeconfig is required');
  for (const f of FLAGS) {
    if (f.name.startsWith('concurrent-') && Number(flags[f.name]) < 1) throw new Error(`--${f.name} must be at least 1`);
  }
  const leaseMs = durationMs(flags['leader-elect-lease-duration'], 'leader-elect-lease-duration');
  const renewMs = durationMs(flags['leader-elect-renew-deadline'], 'leader-elect-renew-deadline');
  const retryMs = durationMs(flags['leader-elect-retry-period'], 'leader-elect-retry-period');
  const leaderElect = Boolean(flags['leader-elect']);
  if (leaderElect) validateLeaderElection(leaseMs, renewMs, retryMs);

  const verbose = Number(flags.v) > 0;
  const debug = (m: string) => { if (verbose) console.error(m); };
  const client = new RESTClient(configFromKubeconfig(String(flags.kubeconfig)), componentUserAgent('kube-controller-manager'));
  const manager = new ControllerManager({ client, flags, log: (m) => console.error(m), debug });

  const fail = (err: Error) => { console.error(`kumo controller-manager: ${err.message}`); process.exit(1); };
  const server = await serve(Number(flags['secure-port']), String(flags['bind-address']), () => true,
    () => renderWorkqueueMetrics(manager.queueMetrics()));
  let elector: LeaderElector | undefined;
  let electing: Promise<void> | undefined;
  let stopping = false;
  if (leaderElect) {
    elector = new LeaderElector(client, {
      namespace: String(flags['leader-elect-resource-namespace']), name: String(flags['leader-elect-resource-name']),
      leaseDurationMs: leaseMs, renewDeadlineMs: renewMs, retryPeriodMs: retryMs, releaseOnCancel: true, log: debug,
      onNewLeader: (id) => { if (id !== elector?.identity) console.log(`new leader elected: ${id}`); },
      onStartedLeading: () => { console.log(`became leader (${elector?.identity})`); void manager.start().then(favourSize).catch(fail); },
      onStoppedLeading: () => {
        if (stopping) return;
        // as upstream: a controller manager that lost its lease exits rather than act alongside the new leader
        console.error('leaderelection lost');
        manager.stop(); server.close(); client.close(); process.exit(1);
      },
    });
    electing = elector.run();
  } else {
    await manager.start();
    favourSize();
  }
  const port = (server.address() as AddressInfo).port;
  const missing = manager.notImplemented();
  console.log(`kumo controller-manager is running (controllers: ${manager.enabledNames().join(', ') || 'none'}`
    + `${missing.length ? `; not implemented yet: ${missing.length}` : ''}`
    + `${elector ? `; leader election on ${flags['leader-elect-resource-namespace']}/${flags['leader-elect-resource-name']} as ${elector.identity}` : ''}`
    + `); healthz/metrics at http://${flags['bind-address']}:${port}`);
  const shutdown = async () => {
    stopping = true;
    manager.stop();
    elector?.stop();
    if (electing) await Promise.race([electing, new Promise((r) => setTimeout(r, 2000))]);
    server.close(); client.close(); process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}
