// `kumo controller-manager` (kube-controller-manager): one shared informer factory, the enabled
// controllers with their work queues, leader election on a Lease, and /healthz + /metrics.
// Only the replicaset controller runs here so far; other known names are accepted and reported.
import type { AddressInfo } from 'node:net';
import { serveHealthAndMetrics as serve } from '../../client/healthserver.js';
import { parseFlags, usage, type FlagSpec } from '../../cli/flags.js';
import { configFromKubeconfig, RESTClient } from '../../client/rest.js';
import { LeaderElector, validateLeaderElection } from '../../client/leaderelection.js';
import { SharedInformerFactory } from '../../client/informer.js';
import type { QueueMetrics } from '../../client/workqueue.js';
import { durationMs } from '../../scheduler/command.js';
import { ReplicaSetController } from '../replicaset/controller.js';
import { APIEventRecorder } from './events.js';
import { renderWorkqueueMetrics } from './metrics.js';
import { canonicalName, isControllerEnabled, KNOWN_CONTROLLERS, parseControllersFlag, validateControllers } from './names.js';

const FLAGS: FlagSpec[] = [
  { name: 'kubeconfig', type: 'string', default: '', help: 'kubeconfig with the controller manager\'s credentials' },
  { name: 'controllers', type: 'string', default: '*', help: 'controllers to enable: \'*\' enables all on-by-default controllers, \'foo\' enables foo, \'-foo\' disables foo' },
  { name: 'concurrent-replicaset-syncs', type: 'number', default: 5, help: 'number of ReplicaSets synced concurrently' },
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

interface RunningController { name: string; queue: { metrics: QueueMetrics }; run(workers: number): Promise<void>; stop(): void }

export async function controllerManagerCommand(args: string[]): Promise<void> {
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
  const workers = Number(flags['concurrent-replicaset-syncs']);
  if (workers < 1) throw new Error('--concurrent-replicaset-syncs must be at least 1');
  const leaseMs = durationMs(flags['leader-elect-lease-duration'], 'leader-elect-lease-duration');
  const renewMs = durationMs(flags['leader-elect-renew-deadline'], 'leader-elect-renew-deadline');
  const retryMs = durationMs(flags['leader-elect-retry-period'], 'leader-elect-retry-period');
  const leaderElect = Boolean(flags['leader-elect']);
  if (leaderElect) validateLeaderElection(leaseMs, renewMs, retryMs);

  const verbose = Number(flags.v) > 0;
  const log = (m: string) => { if (verbose) console.error(m); };
  const client = new RESTClient(configFromKubeconfig(String(flags.kubeconfig)), 'kumo-controller-manager');
  const factory = new SharedInformerFactory(client, { log });

  const controllers: RunningController[] = [];
  const skipped: string[] = [];
  for (const name of Object.keys(KNOWN_CONTROLLERS)) {
    if (!isControllerEnabled(name, list)) continue;
    if (name === canonicalName('replicaset')) {
      controllers.push(new ReplicaSetController(client, factory, {
        recorder: new APIEventRecorder(client, 'replicaset-controller', log), log: (m) => console.error(m),
      }));
    } else skipped.push(name);
  }

  const fail = (err: Error) => { console.error(`kumo controller-manager: ${err.message}`); process.exit(1); };
  let started = false;
  const server = await serve(Number(flags['secure-port']), String(flags['bind-address']), () => true,
    () => renderWorkqueueMetrics(controllers.map((c) => c.queue.metrics)));
  const start = async () => {
    if (started) return;
    started = true;
    await factory.start();
    for (const c of controllers) {
      console.log(`Started controller ${c.name}`);
      c.run(workers).catch((err: Error) => console.error(`controller ${c.name} stopped: ${err.message}`));
    }
  };
  let elector: LeaderElector | undefined;
  let electing: Promise<void> | undefined;
  let stopping = false;
  const stopAll = () => { for (const c of controllers) c.stop(); factory.stop(); };
  if (leaderElect) {
    elector = new LeaderElector(client, {
      namespace: String(flags['leader-elect-resource-namespace']), name: String(flags['leader-elect-resource-name']),
      leaseDurationMs: leaseMs, renewDeadlineMs: renewMs, retryPeriodMs: retryMs, releaseOnCancel: true, log,
      onNewLeader: (id) => { if (id !== elector?.identity) console.log(`new leader elected: ${id}`); },
      onStartedLeading: () => { console.log(`became leader (${elector?.identity})`); void start().catch(fail); },
      onStoppedLeading: () => {
        if (stopping) return;
        // as upstream: a controller manager that lost its lease exits rather than act alongside the new leader
        console.error('leaderelection lost');
        stopAll(); server.close(); client.close(); process.exit(1);
      },
    });
    electing = elector.run();
  } else {
    await start();
  }
  const port = (server.address() as AddressInfo).port;
  console.log(`kumo controller-manager is running (controllers: ${controllers.map((c) => c.name).join(', ') || 'none'}`
    + `${skipped.length ? `; not implemented yet: ${skipped.length}` : ''}`
    + `${elector ? `; leader election on ${flags['leader-elect-resource-namespace']}/${flags['leader-elect-resource-name']} as ${elector.identity}` : ''}`
    + `); healthz/metrics at http://${flags['bind-address']}:${port}`);
  const shutdown = async () => {
    stopping = true;
    stopAll();
    elector?.stop();
    if (electing) await Promise.race([electing, new Promise((r) => setTimeout(r, 2000))]);
    server.close(); client.close(); process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown());
  process.on('SIGINT', () => void shutdown());
}
