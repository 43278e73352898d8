// How the controller manager starts the disruption controller (PodDisruptionBudget status).
import type { ControllerDescriptor } from '../manager/context.js';
import { DisruptionController } from './controller.js';

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'disruption-controller',
    // upstream's events come from the component "controllermanager" for this controller
    start: (ctx) => new DisruptionController(ctx.client, ctx.factory, { recorder: ctx.recorder('controllermanager'), log: ctx.log }),
  },
];
