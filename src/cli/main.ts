// kumo CLI: one binary, a subcommand per component (kumo server, …), as upstream components.
import { serverCommand } from './server.js';
import { pkiCommand } from './pki.js';
import { kubeconfigCommand } from './kubeconfig.js';
import { schedulerCommand } from '../scheduler/command.js';
import { KUMO_VERSION, KUBERNETES_VERSION } from '../apiserver/version.js';

const commands: Record<string, { summary: string; run: (args: string[]) => Promise<void> }> = {
  server: { summary: 'run the control plane (API server on the embedded datastore)', run: serverCommand },
  pki: { summary: 'create CAs and issue component certificates step by step', run: pkiCommand },
  kubeconfig: { summary: 'write a kubeconfig for one identity (admin, kubelet, scheduler, user, …)', run: kubeconfigCommand },
  scheduler: { summary: 'run the scheduler (assigns pending pods to nodes)', run: schedulerCommand },
  'controller-manager': { summary: 'run the controller manager (replicaset, … reconcile loops)', run: async (a) => (await import('../controllers/manager/command.js')).controllerManagerCommand(a) },
  'sim-nodes': { summary: 'simulate nodes (kubelets) for scale tests', run: async (a) => (await import('../sim/command.js')).simNodesCommand(a) },
  version: {
    summary: 'print the Kumo and Kubernetes versions',
    run: async () => { console.log(`kumo ${KUMO_VERSION} (Kubernetes v${KUBERNETES_VERSION})`); },
  },
};

const width = Math.max(...Object.keys(commands).map((n) => n.length));

function help(): string {
  return ['kumo — a small Kubernetes in TypeScript', '', 'Usage:', '  kumo <command> [flags]', '', 'Commands:',
    ...Object.entries(commands).map(([n, c]) => `  ${n.padEnd(width)}  ${c.summary}`), '',
    "Use 'kumo <command> --help' for a command's flags."].join('\n');
}

const [cmd, ...args] = process.argv.slice(2);
if (!cmd || cmd === '--help' || cmd === '-h' || cmd === 'help') {
  console.log(help());
  process.exit(0);
}
if (cmd === '--version') {
  console.log(`kumo ${KUMO_VERSION} (Kubernetes v${KUBERNETES_VERSION})`);
  process.exit(0);
}
const c = commands[cmd];
if (!c) {
  console.error(`kumo: unknown command "${cmd}"\n\n${help()}`);
  process.exit(1);
}
c.run(args).catch((err: unknown) => {
  console.error(`kumo ${cmd}: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
