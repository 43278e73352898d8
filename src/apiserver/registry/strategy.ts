// Per-kind behaviour the generic store calls at fixed points, like upstream's RESTCreateStrategy /
// RESTUpdateStrategy: defaulting, preparing system fields, validation, and cleanup after delete.

import type { FieldError } from '../../machinery/errors.js';
import type { KObject, ResourceType } from '../../api/types.js';

export interface StrategyContext {
  /** the resource type being written */
  type: ResourceType;
  dryRun: boolean;
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
}

export const noopStrategy: Strategy = {
  defaults() {},
  prepareForCreate() {},
  prepareForUpdate() {},
  validate() { return []; },
  afterDelete() {},
};
