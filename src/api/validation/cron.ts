// Cron schedules as upstream's robfig/cron ParseStandard accepts them (5 fields or @descriptors),
// with its error texts, plus CronJob timeZone checks.

import { field, type FieldError } from '../../machinery/errors.js';
import { parseGoDuration } from './goduration.js';

const DESCRIPTORS = ['@yearly', '@annually', '@monthly', '@weekly', '@daily', '@midnight', '@hourly'];
const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DOWS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const BOUNDS: [number, number, string[] | null][] = [[0, 59, null], [0, 23, null], [1, 31, null], [1, 12, MONTHS], [0, 6, DOWS]];

function parseIntStrict(s: string, names: string[] | null, offset: number): number | string {
  if (names) {
    const i = names.indexOf(s.toLowerCase());
    if (i >= 0) return i + offset;
  }
  if (!/^[+-]?[0-9]+$/.test(s)) return `failed to parse int from ${s}: strconv.Atoi: parsing ${JSON.stringify(s)}: invalid syntax`;
  const n = Number(s);
  if (n < 0) return `negative number (${n}) not allowed: ${s}`;
  return n;
}

function checkRange(expr: string, min: number, max: number, names: string[] | null): string | undefined {
  const offset = names === MONTHS ? 1 : 0;
  const slash = expr.split('/');
  if (slash.length > 2) return `too many slashes: ${expr}`;
  const range = slash[0].split('-');
  if (range.length > 2) return `too many hyphens: ${expr}`;
  let start: number; let end: number;
  if (range[0] === '*' || range[0] === '?') {
    start = min; end = max;
  } else {
    const s = parseIntStrict(range[0], names, offset);
    if (typeof s === 'string') return s;
    start = s;
    if (range.length === 2) {
      const e = parseIntStrict(range[1], names, offset);
      if (typeof e === 'string') return e;
      end = e;
    } else {
      end = start;
    }
  }
  if (slash.length === 2) {
    const st = parseIntStrict(slash[1], null, 0);
    if (typeof st === 'string') return st;
    if (st <= 0) return `step of range should be a positive number: ${expr}`;
    if (range.length === 1 && range[0] !== '*' && range[0] !== '?') end = max;
  }
  if (start < min) return `beginning of range (${start}) below minimum (${min}): ${expr}`;
  if (end > max) return `end of range (${end}) above maximum (${max}): ${expr}`;
  if (start > end) return `beginning of range (${start}) beyond end of range (${end}): ${expr}`;
  return undefined;
}

/** the parser's error for a schedule, or undefined when valid (robfig Parse: no trimming, `TZ=`/`CRON_TZ=` prefix first) */
export function cronScheduleError(schedule: string): string | undefined {
  let spec = schedule;
  if (spec.length === 0) return 'empty spec string';
  if (spec.startsWith('TZ=') || spec.startsWith('CRON_TZ=')) {
    const space = spec.indexOf(' ');
    const loc = spec.slice(spec.indexOf('=') + 1, space < 0 ? undefined : space);
    if (space < 0 || timeZoneError(loc)) return `provided bad location ${loc}: unknown time zone ${loc}`;
    spec = spec.slice(space).trim();
  }
  if (spec.startsWith('@')) {
    if (DESCRIPTORS.includes(spec)) return undefined;
    if (spec.startsWith('@every ')) {
      const d = parseGoDuration(spec.slice('@every '.length));
      return 'error' in d ? `failed to parse duration ${spec}: ${d.error}` : undefined;
    }
    return `unrecognized descriptor: ${spec}`;
  }
  const fields = spec.split(/\s+/).filter((f) => f !== '');
  if (fields.length !== 5) return `expected exactly 5 fields, found ${fields.length}: [${fields.join(' ')}]`;
  for (let i = 0; i < 5; i++) {
    const [min, max, names] = BOUNDS[i];
    for (const part of fields[i].split(',')) {
      const err = checkRange(part, min, max, names);
      if (err) return err;
    }
  }
  return undefined;
}

/** time.LoadLocation: "" and "UTC" are UTC; anything else must be an IANA zone ("Local" is the process's) */
function timeZoneError(loc: string): boolean {
  if (loc === '' || loc === 'UTC' || loc === 'Local') return false;
  try { new Intl.DateTimeFormat('en-US', { timeZone: loc }); return false; } catch { return true; }
}

/**
 * upstream validateScheduleFormat: the schedule must parse; TZ/CRON_TZ in it is refused on create and
 * allowed on update only when the old schedule had it already (and then not together with spec.timeZone).
 */
export function validateCronSchedule(schedule: string, path: string, opts: { allowTZ?: boolean; timeZone?: unknown } = {}): FieldError[] {
  const errs: FieldError[] = [];
  const err = cronScheduleError(schedule);
  if (err) errs.push(field.invalid(path, schedule, err));
  if (schedule.includes('TZ')) {
    if (!opts.allowTZ) errs.push(field.invalid(path, schedule, 'cannot use TZ or CRON_TZ in schedule, use timeZone field instead'));
    else if (opts.timeZone !== undefined && opts.timeZone !== null) errs.push(field.invalid(path, schedule, 'cannot use both timeZone field and TZ or CRON_TZ in schedule'));
  }
  return errs;
}

export function validateTimeZone(tz: unknown, path: string): FieldError[] {
  const s = typeof tz === 'string' ? tz : '';
  if (s.length === 0) return [field.invalid(path, s, 'timeZone must be nil or non-empty string')];
  if (s.toLowerCase() === 'local') return [field.invalid(path, s, 'timeZone must be an explicit time zone as defined in https://www.iana.org/time-zones')];
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: s });
    return [];
  } catch {
    return [field.invalid(path, s, `unknown time zone ${s}`)];
  }
}
