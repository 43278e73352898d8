// Cron schedules as the CronJob controller evaluates them (robfig/cron v3 ParseStandard, which
// upstream uses): five fields with ranges, steps, lists and month/day names, the @yearly… descriptors
// and `@every <duration>`, an optional `TZ=`/`CRON_TZ=` prefix, and next-activation times computed
// in wall-clock time of an IANA zone (via Intl) the way robfig walks months, days, hours and minutes.
import { cronScheduleError } from '../../api/validation/cron.js';
import { parseGoDuration as goDuration } from '../../api/validation/goduration.js';

export interface Schedule {
  /** the first activation strictly after `t` (ms since epoch), or undefined when none within 5 years */
  next(t: number): number | undefined;
}

interface Fields { minute: bigint; hour: bigint; dom: bigint; month: bigint; dow: bigint; domStar: boolean; dowStar: boolean }

const MONTHS = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];
const DOWS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];

const DESCRIPTORS: Record<string, string> = {
  '@yearly': '0 0 1 1 *', '@annually': '0 0 1 1 *', '@monthly': '0 0 1 * *', '@weekly': '0 0 * * 0',
  '@daily': '0 0 * * *', '@midnight': '0 0 * * *', '@hourly': '0 * * * *',
};

function num(s: string, names: string[] | null, offset: number): number {
  const i = names ? names.indexOf(s.toLowerCase()) : -1;
  return i >= 0 ? i + offset : Number(s);
}

// Bits of one field; `star` is robfig's starBit (a bare `*` or `?`, or a star with step 1): it makes
// day-of-month and day-of-week combine with AND instead of OR.
function parseField(expr: string, min: number, max: number, names: string[] | null): { bits: bigint; star: boolean } {
  let bits = 0n;
  let star = false;
  const offset = names === MONTHS ? 1 : 0;
  for (const part of expr.split(',')) {
    const [range, stepS] = part.split('/');
    const [lo, hi] = range.split('-');
    let start: number, end: number, partStar = false;
    if (lo === '*' || lo === '?') { start = min; end = max; partStar = true; } else {
      start = num(lo, names, offset);
      end = hi !== undefined ? num(hi, names, offset) : start;
    }
    let step = 1;
    if (stepS !== undefined) {
      step = Number(stepS);
      if (hi === undefined && !partStar) end = max;
      if (step > 1) partStar = false;
    }
    for (let v = start; v <= end; v += step) bits |= 1n << BigInt(v);
    star ||= partStar;
  }
  return { bits, star };
}

/** Parses a schedule; throws Error with robfig's message when it is invalid. */
export function parseSchedule(spec: string, timeZone?: string): Schedule {
  let s = spec.trim();
  let tz = timeZone ?? 'UTC';
  const m = /^(?:CRON_)?TZ=(\S+)\s+/.exec(s);
  if (m) {
    tz = m[1];
    s = s.slice(m[0].length);
  }
  try { new Intl.DateTimeFormat('en-US', { timeZone: tz }); } catch { throw new Error(`provided bad location ${tz}: unknown time zone ${tz}`); }
  const err = cronScheduleError(s);
  if (err) throw new Error(err);
  if (s.startsWith('@every ')) return everySchedule(parseGoDuration(s.slice(7)));
  const f = (DESCRIPTORS[s] ?? s).split(/\s+/);
  const minute = parseField(f[0], 0, 59, null), hour = parseField(f[1], 0, 23, null);
  const dom = parseField(f[2], 1, 31, null), month = parseField(f[3], 1, 12, MONTHS), dow = parseField(f[4], 0, 6, DOWS);
  return new SpecSchedule({ minute: minute.bits, hour: hour.bits, dom: dom.bits, month: month.bits, dow: dow.bits,
    domStar: dom.star, dowStar: dow.star }, tz);
}

/** A Go time.ParseDuration string in ms (the validation already checked its form). */
export function parseGoDuration(s: string): number {
  const d = goDuration(s);
  return 'ms' in d ? d.ms : 0;
}

/** robfig ConstantDelaySchedule: whole seconds (at least 1), counted from `t` with its sub-second part dropped. */
function everySchedule(delayMs: number): Schedule {
  const delay = Math.max(1000, Math.floor(delayMs / 1000) * 1000);
  return { next: (t) => Math.floor(t / 1000) * 1000 + delay };
}

const has = (bits: bigint, v: number) => (bits >> BigInt(v)) & 1n ? true : false;

interface Wall { y: number; mo: number; d: number; h: number; mi: number; dow: number }

/** Wall-clock fields of an instant in a zone, and the zone's offset, via Intl (cached formatter). */
class Zone {
  private fmt: Intl.DateTimeFormat;
  constructor(readonly name: string) {
    this.fmt = new Intl.DateTimeFormat('en-US', { timeZone: name, hourCycle: 'h23', year: 'numeric', month: 'numeric',
      day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric' });
  }

  wall(t: number): Wall {
    const p: Record<string, number> = {};
    for (const part of this.fmt.formatToParts(new Date(t))) if (part.type !== 'literal') p[part.type] = Number(part.value);
    const dow = new Date(Date.UTC(p.year, p.month - 1, p.day)).getUTCDay();
    return { y: p.year, mo: p.month, d: p.day, h: p.hour % 24, mi: p.minute, dow };
  }

  /** offset (ms) of the zone at instant t */
  offset(t: number): number {
    const w = this.wall(t);
    const asUTC = Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi);
    return asUTC - Math.floor(t / 60_000) * 60_000;
  }

  /** The instant of a wall time (Go's time.Date: normalises overflowing fields; a time in a DST gap moves forward). */
  instant(y: number, mo: number, d: number, h: number, mi: number): number {
    const local = Date.UTC(y, mo - 1, d, h, mi);
    const guess = local - this.offset(local);
    return local - this.offset(guess);
  }
}

class SpecSchedule implements Schedule {
  private zone: Zone;
  constructor(private readonly f: Fields, tz: string) { this.zone = new Zone(tz); }

  private dayMatches(w: Wall): boolean {
    const dom = has(this.f.dom, w.d), dow = has(this.f.dow, w.dow);
    return this.f.domStar || this.f.dowStar ? dom && dow : dom || dow;
  }

  next(after: number): number | undefined {
    const z = this.zone;
    // the next whole minute strictly after `after` (standard schedules have second 0)
    let t = Math.floor(after / 60_000) * 60_000 + 60_000;
    const limit = t + 5 * 366 * 86_400_000;
    while (t <= limit) {
      const w = z.wall(t);
      if (!has(this.f.month, w.mo)) { t = z.instant(w.y, w.mo + 1, 1, 0, 0); continue; }
      if (!this.dayMatches(w)) {
        t = z.instant(w.y, w.mo, w.d + 1, 0, 0);
        continue;
      }
      if (!has(this.f.hour, w.h)) { t += (60 - w.mi) * 60_000; continue; }
      if (!has(this.f.minute, w.mi)) {
        let m = w.mi + 1;
        while (m < 60 && !has(this.f.minute, m)) m++;
        t += (m - w.mi) * 60_000;
        continue;
      }
      return t;
    }
    return undefined;
  }
}
