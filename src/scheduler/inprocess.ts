// The scheduler as `kumo server` runs it: in the server's process, a client of the server over
// loopback, behind the kube-system/kube-scheduler Lease a standalone `kumo scheduler` also uses, so
// running both never schedules a pod twice. Caches warm while standing by; losing the lease stops
// this scheduler and stands by with a fresh one instead of exiting (the API server keeps serving).
import type { RESTClient } from '../client/rest.js';
import { LeaderElector } from '../client/leaderelection.js';
import { parseSchedulerConfig } from './config.js';
import { Scheduler } from './scheduler.js';
import { Framework } from './framework.js';

export interface InProcessSchedulerOptions {
  client: RESTClient;
  /** KubeSchedulerConfiguration text ('' for the defaults); parsed up front so a bad file stops the server */
  configText: string;
  /** stable across restarts of the same server, so a restarted server takes its own lease back at once */
  identity: string;
  log(m: string): void;
}

/**
 * Parses a KubeSchedulerConfiguration and builds its profiles' frameworks, so unknown plugins and bad
 * plugin args stop `kumo server` before it serves (as they stop `kumo scheduler`); throws with the message.
 */
export function checkSchedulerConfig(text: string): void {
  const config = parseSchedulerConfig(text);
  for (const p of config.profiles) new Framework(p, config.percentageOfNodesToScore);
}

export function startInProcessScheduler(o: InProcessSchedulerOptions): { stop(): Promise<void> } {
  const config = parseSchedulerConfig(o.configText);
  let scheduler: Scheduler | undefined;
  let elector: LeaderElector | undefined;
  let running: Promise<void> | undefined;
  let stopped = false;
  const stand = () => {
    if (stopped) return;
    const s = new Scheduler(o.client, config, { log: () => {} });
    scheduler = s;
    const warm = s.start({ schedule: false });
    elector = new LeaderElector(o.client, {
      namespace: 'kube-system', name: 'kube-scheduler', releaseOnCancel: true, identity: o.identity,
      onStartedLeading: () => { void warm.then(() => { if (!stopped) s.startScheduling(); }, (err: Error) => o.log(`scheduler: ${err.message}`)); },
      onStoppedLeading: () => {
        s.stop();
        if (stopped) return;
        o.log('scheduler: leader election lost; standing by');
        setTimeout(stand, 1000).unref();
      },
    });
    running = elector.run().catch((err: Error) => o.log(`scheduler: leader election: ${err.message}`));
  };
  stand();
  return {
    /** stops scheduling and gives the lease up (resolves once released, or after 2 s) */
    async stop() {
      stopped = true;
      scheduler?.stop();
      elector?.stop();
      await Promise.race([running, new Promise((r) => setTimeout(r, 2000).unref())]);
    },
  };
}
