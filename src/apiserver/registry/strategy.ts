// Per-kind behaviour the generic store calls at fixed points, like upstream's RESTCreateStrategy /
// RESTUpdateStrategy: defaulting, preparing system fields, validation, and cleanup after delete.

import type { FieldError } from '../../machinery/errors.js';
import type { KObject, ResourceType } from '../../api/types.js';

export interface StrategyContext {
  /** the resource type being written */
  type: ResourceType;
  dryRun: boolean;
  /** the subresource written ('' for the resource itself) */
  subresource?: string;
}

export interface Strategy {
  /** fill defaults (after decoding, before validation) */
  defaults(obj: KObject): void;
  /** system fields on create (status reset, allocations); may throw a StatusError */
  prepareForCreate(obj: KObject, ctx: StrategyContext): void | Promise<void>;
  /** on update: carry over what the user may not change through this endpoint */
  prepareForUpdate(obj: KObject, old: KObject, ctx: StrategyContext): void | Promise<void>;
  validate(obj: KObject, old?: KObject): FieldError[];
  /** after the object is gone from the store (release allocations) */
  afterDelete(obj: KObject): void;
  /**
   * On DELETE: true when the object must stay until something else finishes it (namespaces with
   * spec.finalizers); may update obj (e.g. status.phase Terminating).
   */
  deletePending?(obj: KObject): boolean;
}

export const noopStrategy: Strategy = {
  defaults() {},
  prepareForCreate() {},
  prepareForUpdate() {},
  validate() { return []; },
  afterDelete() {},
};
