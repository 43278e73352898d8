// How the controller manager starts the statefulset controller.
import type { ControllerDescriptor } from '../manager/context.js';
import { StatefulSetController } from './controller.js';

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'statefulset-controller',
    flags: [{ name: 'concurrent-statefulset-syncs', type: 'number', default: 5, help: 'The number of statefulset objects that are allowed to sync concurrently. Larger number = more responsive statefulsets, but more CPU (and network) load' }],
    workersFlag: 'concurrent-statefulset-syncs',
    start: (ctx) => new StatefulSetController(ctx.client, ctx.factory, { recorder: ctx.recorder('statefulset-controller'), log: ctx.log }),
  },
];
