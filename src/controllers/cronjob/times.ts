// When a CronJob should run (upstream cronjob utils: mostRecentScheduleTime, nextScheduleTime,
// nextScheduleTimeDuration, getJobName): the latest missed activation since the last schedule time
// (or creation), bounded by startingDeadlineSeconds, and how many were missed.
import type { Schedule } from './schedule.js';

export interface CronJobTimes {
  creationTimestamp?: string;
  lastScheduleTime?: string;
  startingDeadlineSeconds?: number;
}

export interface MostRecent {
  earliest: number;
  /** the latest activation at or before now, if any */
  mostRecent?: number;
  missed: number;
}

/** upstream gives up counting beyond this and warns TooManyMissedTimes */
export const MAX_MISSED_BEFORE_WARNING = 100;

const parse = (s: string | undefined) => (s ? Date.parse(s) : NaN);

/**
 * mostRecentScheduleTime: activations in (earliest, now] where earliest is the last schedule time,
 * else the creation time, moved up to now − startingDeadlineSeconds when `withDeadline`.
 */
export function mostRecentScheduleTime(cj: CronJobTimes, now: number, sched: Schedule, withDeadline: boolean): MostRecent {
  let earliest = parse(cj.lastScheduleTime);
  if (Number.isNaN(earliest)) earliest = parse(cj.creationTimestamp);
  if (Number.isNaN(earliest)) earliest = now;
  if (withDeadline && cj.startingDeadlineSeconds !== undefined && cj.startingDeadlineSeconds !== null) {
    const deadline = now - cj.startingDeadlineSeconds * 1000;
    if (deadline > earliest) earliest = deadline;
  }
  const t1 = sched.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 0 };
  const t2 = sched.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 1 };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) throw new Error('time difference between two schedules is less than 1 second');
  // upstream estimates with the first interval, then walks forward for schedules with uneven gaps
  const elapsed = Math.floor((now - t1) / 1000);
  const missed = Math.floor(elapsed / between) + 1;
  let mostRecent = t1 + (missed - 1) * between * 1000;
  if (mostRecent > now) mostRecent = t1;
  for (let t = sched.next(mostRecent); t !== undefined && t <= now; t = sched.next(t)) mostRecent = t;
  // the estimate may have landed between activations: step back to the last real one
  if (sched.next(mostRecent - 1) !== mostRecent) {
    let t = t1;
    for (let n = sched.next(t); n !== undefined && n <= now; n = sched.next(n)) t = n;
    mostRecent = t;
  }
  return { earliest, mostRecent, missed };
}

/** The scheduled time to act on now (nextScheduleTime), plus the missed count for the TooManyMissedTimes warning. */
export function nextScheduleTime(cj: CronJobTimes, now: number, sched: Schedule): { time?: number; missed: number } {
  const r = mostRecentScheduleTime(cj, now, sched, true);
  if (r.mostRecent === undefined || r.mostRecent > now) return { missed: r.missed };
  return { time: r.mostRecent, missed: r.missed };
}

/** How long until the next activation after the most recent one, plus upstream's 100 ms delta. */
export function nextScheduleTimeDuration(cj: CronJobTimes, now: number, sched: Schedule): number | undefined {
  let r: MostRecent;
  try { r = mostRecentScheduleTime(cj, now, sched, false); } catch { return undefined; }
  const from = r.mostRecent ?? r.earliest;
  const next = sched.next(from);
  return next === undefined ? undefined : next + 100 - now;
}

/** `<cronjob>-<minutes since the epoch of the scheduled time>` (getJobName / getTimeHashInMinutes). */
export function jobName(cronJobName: string, scheduled: number): string {
  return `${cronJobName}-${Math.floor(scheduled / 60_000)}`;
}

/** RFC 3339 in the CronJob's zone with its offset, as Go's time.Format(time.RFC3339) after In(location). */
export function formatInZone(t: number, timeZone: string | undefined): string {
  const tz = timeZone || 'UTC';
  const parts: Record<string, string> = {};
  const fmt = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit',
    hour: '2-digit', minute: '2-digit', second: '2-digit' });
  for (const p of fmt.formatToParts(new Date(t))) parts[p.type] = p.value;
  const local = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour) % 24,
    Number(parts.minute), Number(parts.second));
  const off = Math.round((local - Math.floor(t / 1000) * 1000) / 60_000);
  const body = `${parts.year}-${parts.month}-${parts.day}T${String(Number(parts.hour) % 24).padStart(2, '0')}:${parts.minute}:${parts.second}`;
  if (off === 0) return `${body}Z`;
  const sign = off < 0 ? '-' : '+';
  const a = Math.abs(off);
  return `${body}${sign}${String(Math.floor(a / 60)).padStart(2, '0')}:${String(a % 60).padStart(2, '0')}`;
}
