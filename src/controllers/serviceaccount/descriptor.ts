// How the controller manager starts the serviceaccount controller.
import type { ControllerDescriptor } from '../manager/context.js';
import { newServiceAccountsController } from './controller.js';

export const descriptors: ControllerDescriptor[] = [{
  name: 'serviceaccount-controller',
  start: (ctx) => newServiceAccountsController(ctx.client, ctx.factory, ctx.log),
}];
