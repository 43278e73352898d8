// Structural schemas of custom resources: structural checks (for CRD validation), value validation,
// CEL rules, defaulting and pruning.

export type { JSONSchemaProps, ValidationRule } from './types.js';
export { validateStructural } from './structural.js';
export { validateValue, jsonEqual } from './validate.js';
export { applyDefaults } from './defaults.js';
export { prune } from './prune.js';
export { compileRules, validateRules, hasRules } from './cel.js';
export { checkFormat } from './formats.js';
