// How the controller manager starts the namespace controller.
import type { ControllerDescriptor } from '../manager/context.js';
import { NamespaceController } from './controller.js';

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'namespace-controller',
    flags: [{ name: 'concurrent-namespace-syncs', type: 'number', default: 10, help: 'The number of namespace objects that are allowed to sync concurrently. Larger number = more responsive namespace termination, but more CPU (and network) load' }],
    workersFlag: 'concurrent-namespace-syncs',
    start: (ctx) => new NamespaceController(ctx.client, ctx.log, { factory: ctx.factory }),
  },
];
