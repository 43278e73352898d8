// How the controller manager starts the deployment controller.
import type { ControllerDescriptor } from '../manager/context.js';
import { DeploymentController } from './controller.js';

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'deployment-controller',
    flags: [{ name: 'concurrent-deployment-syncs', type: 'number', default: 5, help: 'number of deployment objects synced concurrently' }],
    workersFlag: 'concurrent-deployment-syncs',
    start: (ctx) => new DeploymentController(ctx.client, ctx.factory, { recorder: ctx.recorder('deployment-controller'), log: ctx.log }),
  },
];
