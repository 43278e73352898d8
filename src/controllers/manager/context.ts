// What kube-controller-manager hands each controller when it starts it (upstream ControllerContext
// and ControllerDescriptor): the API client, the one shared informer factory, an event recorder per
// component, the parsed flags, and how the manager starts and stops the loops it got back.
import type { FlagSpec, FlagValues } from '../../cli/flags.js';
import type { RESTClient } from '../../client/rest.js';
import type { SharedInformerFactory } from '../../client/informer.js';
import type { QueueMetrics } from '../../client/workqueue.js';
import type { EventRecorder } from './events.js';

export interface ControllerContext {
  client: RESTClient;
  factory: SharedInformerFactory;
  /** an event recorder reporting as `component` (e.g. "deployment-controller") */
  recorder(component: string): EventRecorder;
  /** every flag of the controller manager, parsed (including the descriptors' own flags) */
  flags: FlagValues;
  /** logs always shown (errors, decisions) */
  log(m: string): void;
  /** logs shown with --v>0 */
  debug(m: string): void;
  /** the cluster CA for controllers that sign or publish it (csrsigning, root-ca-cert-publisher) */
  clusterCA?: () => { certPem: string; keyPem: string };
}

/** A started controller: its work queue(s) feed /metrics; run() resolves after stop(). */
export interface Controller {
  readonly name: string;
  readonly queues: { metrics: QueueMetrics }[];
  run(workers: number): Promise<void>;
  stop(): void;
}

export interface ControllerDescriptor {
  /** canonical upstream name, e.g. "deployment-controller" (see names.ts) */
  name: string;
  /** extra flags this controller owns, e.g. --concurrent-deployment-syncs */
  flags?: FlagSpec[];
  /** the flag giving its worker count; 1 worker when absent */
  workersFlag?: string;
  /** builds the controller; informers it asks the factory for are started by the manager afterwards */
  start(ctx: ControllerContext): Controller;
}
