// apiextensions.k8s.io: CustomResourceDefinitions served by the API server itself. The CRD resource
// is a stored built-in (src/api/resources.ts, strategy.ts here); this starts the controllers that
// turn CRDs into served custom resources.

import { CRDController, type CRDControllerDeps } from './controller.js';

export { CRDController } from './controller.js';
export { validateCRD } from './validation.js';
export { crdStrategy } from './strategy.js';

export function startCustomResources(deps: CRDControllerDeps): { stop(): void } {
  return new CRDController(deps);
}
