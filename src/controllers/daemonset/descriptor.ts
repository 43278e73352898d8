// How the controller manager starts the daemonset controller.
import type { ControllerDescriptor } from '../manager/context.js';
import { DaemonSetsController } from './controller.js';

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'daemonset-controller',
    flags: [{ name: 'concurrent-daemonset-syncs', type: 'number', default: 2, help: 'The number of daemonset objects that are allowed to sync concurrently. Larger number = more responsive daemonsets, but more CPU (and network) load' }],
    workersFlag: 'concurrent-daemonset-syncs',
    start: (ctx) => new DaemonSetsController(ctx.client, ctx.factory, { recorder: ctx.recorder('daemonset-controller'), log: ctx.log }),
  },
];
