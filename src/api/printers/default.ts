// The table upstream serves for kinds without a printer of their own (roles, cluster roles,
// limit ranges): NAME and CREATED AT, an RFC 3339 date rather than an age.

import type { Printer } from '../types.js';
import { parseTime } from './duration.js';
import { AGE_DESCRIPTION, col, nameColumn, nameOf } from './util.js';

/** Go's time.RFC3339 of a UTC time: whole seconds, "Z"; the zero time when unset */
export function formatRFC3339(ts: unknown): string {
  const t = parseTime(ts);
  if (t === undefined) return '0001-01-01T00:00:00Z';
  return new Date(Math.floor(t / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

export const defaultPrinter: Printer = {
  columns: [nameColumn(), col('Created At', 'date', AGE_DESCRIPTION)],
  cells: (o) => [nameOf(o), formatRFC3339(o.metadata?.creationTimestamp)],
};
