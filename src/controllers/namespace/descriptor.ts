// How the controller manager starts the controllers of this folder (filled in as they are written).
import type { ControllerDescriptor } from '../manager/context.js';

export const descriptors: ControllerDescriptor[] = [];
