// How the controller manager starts the garbage collector.
import type { ControllerDescriptor } from '../manager/context.js';
import { GarbageCollector } from './controller.js';

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'garbage-collector-controller',
    flags: [
      { name: 'concurrent-gc-syncs', type: 'number', default: 20, help: 'The number of garbage collector workers that are allowed to sync concurrently.' },
      { name: 'enable-garbage-collector', type: 'bool', default: true, help: 'Enables the generic garbage collector. MUST be synced with the corresponding flag of the kube-apiserver.' },
    ],
    workersFlag: 'concurrent-gc-syncs',
    start: (ctx) => {
      if (ctx.flags['enable-garbage-collector'] === false) {
        // upstream starts nothing then; an idle controller keeps the manager's bookkeeping simple
        ctx.log('garbage collector is disabled (--enable-garbage-collector=false)');
        let done: () => void = () => {};
        const stopped = new Promise<void>((r) => { done = r; });
        return { name: 'garbagecollector', queues: [], run: () => stopped, stop: () => done() };
      }
      return new GarbageCollector(ctx.client, ctx.factory,
        { recorder: ctx.recorder('garbage-collector-controller'), log: ctx.log, debug: ctx.debug });
    },
  },
];
