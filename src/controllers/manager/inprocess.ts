// The controller manager as `kumo server` runs it: in the server's process, as a client of the
// server over loopback, behind the same kube-system/kube-controller-manager Lease a standalone
// `kumo controller-manager` uses (so running both never doubles the work). Losing the lease stops
// the controllers and stands by again instead of exiting: the API server must keep serving.
import type { FlagValues } from '../../cli/flags.js';
import type { RESTClient } from '../../client/rest.js';
import { LeaderElector } from '../../client/leaderelection.js';
import type { ControllerContext } from './context.js';
import { controllerManagerFlags } from './command.js';
import { ControllerManager } from './manager.js';

export interface InProcessOptions {
  client: RESTClient;
  /** --controllers */
  controllers: string;
  clusterCA: ControllerContext['clusterCA'];
  /** stable across restarts of the same server, so a restarted server takes its own lease back at once */
  identity: string;
  log(m: string): void;
}

export function startInProcessControllerManager(o: InProcessOptions): { stop(): Promise<void>; manager(): ControllerManager | undefined } {
  const flags: FlagValues = {};
  for (const f of controllerManagerFlags()) flags[f.name] = f.default;
  flags.controllers = o.controllers;
  let current: ControllerManager | undefined;
  let elector: LeaderElector | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const stand = () => {
    if (stopped) return;
    elector = new LeaderElector(o.client, {
      namespace: 'kube-system', name: 'kube-controller-manager', releaseOnCancel: true, identity: o.identity,
      onStartedLeading: () => {
        current = new ControllerManager({ client: o.client, flags, log: o.log, debug: () => {}, clusterCA: o.clusterCA });
        current.start().catch((err: Error) => o.log(`controller manager: ${err.message}`));
      },
      onStoppedLeading: () => {
        current?.stop();
        current = undefined;
        if (stopped) return;
        o.log('controller manager: leader election lost; standing by');
        setTimeout(stand, 1000).unref();
      },
    });
    running = elector.run().catch((err: Error) => o.log(`controller manager: leader election: ${err.message}`));
  };
  stand();
  return {
    /** stops the controllers and gives the lease up (resolves once released, or after 2 s) */
    async stop() {
      stopped = true;
      current?.stop();
      elector?.stop();
      await Promise.race([running, new Promise((r) => setTimeout(r, 2000).unref())]);
    },
    manager: () => current,
  };
}
