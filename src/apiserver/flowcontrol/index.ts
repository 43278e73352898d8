export { FlowControl, RejectedError, type Seat } from './flowcontrol.js';
export { FLOW_SCHEMAS, PRIORITY_LEVELS, AUTOUPDATE } from './bootstrap.js';
export type { RequestDigest } from './match.js';
