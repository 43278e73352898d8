// core/v1 Event (the storage form) ↔ events.k8s.io/v1 Event: the same object with renamed fields,
// as upstream's conversion in pkg/apis/events/v1.
import type { KObject } from '../types.js';
import type { Converter } from './types.js';

/** events.k8s.io/v1 field ↔ core/v1 field */
const RENAMES: [string, string][] = [
  ['regarding', 'involvedObject'],
  ['note', 'message'],
  ['reportingController', 'reportingComponent'],
  ['deprecatedSource', 'source'],
  ['deprecatedFirstTimestamp', 'firstTimestamp'],
  ['deprecatedLastTimestamp', 'lastTimestamp'],
  ['deprecatedCount', 'count'],
];

function rename(obj: KObject, pairs: [string, string][], apiVersion: string): KObject {
  const out: KObject = { ...obj, apiVersion, kind: 'Event' };
  for (const [from, to] of pairs) {
    if (from in out) {
      const v = out[from];
      delete out[from];
      if (v !== undefined) out[to] = v;
    }
  }
  return out;
}

export const eventsV1Converter: Converter = {
  toStorage: (o) => rename(o, RENAMES, 'v1'),
  fromStorage: (o) => rename(o, RENAMES.map(([a, b]) => [b, a]), 'events.k8s.io/v1'),
};
