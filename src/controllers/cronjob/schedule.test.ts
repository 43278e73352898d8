import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSchedule } from './schedule.js';
import { formatInZone, jobName, mostRecentScheduleTime, nextScheduleTime, nextScheduleTimeDuration } from './times.js';

const T = (s: string) => Date.parse(s);
const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

test('five-field schedules: steps, ranges, lists, names', () => {
  assert.equal(iso(parseSchedule('*/15 * * * *').next(T('2024-01-01T10:07:30Z'))), '2024-01-01T10:15:00.000Z');
  assert.equal(iso(parseSchedule('* * * * *').next(T('2024-01-01T10:00:00Z'))), '2024-01-01T10:01:00.000Z', 'strictly after');
  assert.equal(iso(parseSchedule('0 9-17/4 * * mon-fri').next(T('2024-01-05T17:30:00Z'))), '2024-01-08T09:00:00.000Z', 'Fri evening → Mon 9:00');
  assert.equal(iso(parseSchedule('30 2 1,15 feb *').next(T('2024-01-20T00:00:00Z'))), '2024-02-01T02:30:00.000Z');
  assert.equal(iso(parseSchedule('5 0 31 * *').next(T('2024-04-01T00:00:00Z'))), '2024-05-31T00:05:00.000Z', 'April has no 31st');
  assert.equal(iso(parseSchedule('0 0 29 2 *').next(T('2024-03-01T00:00:00Z'))), '2028-02-29T00:00:00.000Z', 'leap day');
});

test('day-of-month and day-of-week: OR when both restricted, AND when one is *', () => {
  // 13th or a Friday: from Mon 2024-09-09 the Friday 13th… first match is Fri 13 Sep anyway; use October
  const s = parseSchedule('0 0 13 * 5');
  assert.equal(iso(s.next(T('2024-10-01T00:00:00Z'))), '2024-10-04T00:00:00.000Z', 'Friday 4 Oct matches by weekday');
  assert.equal(iso(parseSchedule('0 0 * * 5').next(T('2024-10-01T00:00:00Z'))), '2024-10-04T00:00:00.000Z');
  assert.equal(iso(parseSchedule('0 0 13 * *').next(T('2024-10-01T00:00:00Z'))), '2024-10-13T00:00:00.000Z');
  // */2 in day-of-week is not a star: OR semantics with day-of-month 1
  assert.equal(iso(parseSchedule('0 0 1 * */2').next(T('2024-10-01T00:00:00Z'))), '2024-10-03T00:00:00.000Z', 'Thu 3 Oct (dow 4)');
});

test('descriptors and @every', () => {
  assert.equal(iso(parseSchedule('@hourly').next(T('2024-01-01T10:59:59Z'))), '2024-01-01T11:00:00.000Z');
  assert.equal(iso(parseSchedule('@daily').next(T('2024-01-01T10:00:00Z'))), '2024-01-02T00:00:00.000Z');
  assert.equal(iso(parseSchedule('@weekly').next(T('2024-01-01T10:00:00Z'))), '2024-01-07T00:00:00.000Z');
  assert.equal(iso(parseSchedule('@monthly').next(T('2024-01-31T10:00:00Z'))), '2024-02-01T00:00:00.000Z');
  assert.equal(iso(parseSchedule('@yearly').next(T('2024-06-01T00:00:00Z'))), '2025-01-01T00:00:00.000Z');
  assert.equal(iso(parseSchedule('@every 1h30m').next(T('2024-01-01T10:00:00.700Z'))), '2024-01-01T11:30:00.000Z');
});

test('invalid schedules throw robfig\'s messages', () => {
  assert.throws(() => parseSchedule('* * * *'), /expected exactly 5 fields, found 4/);
  assert.throws(() => parseSchedule('61 * * * *'), /end of range \(61\) above maximum \(59\)/);
  assert.throws(() => parseSchedule('@often'), /unrecognized descriptor: @often/);
  assert.throws(() => parseSchedule('* * * * *', 'Mars/Olympus'), /unknown time zone Mars\/Olympus/);
  assert.throws(() => parseSchedule(''), /empty spec string/);
});

test('time zones: wall-clock times in the zone, DST gap skipped as robfig does', () => {
  assert.equal(iso(parseSchedule('0 9 * * *', 'Asia/Tokyo').next(T('2024-01-01T00:00:00Z'))), '2024-01-02T00:00:00.000Z', '09:00 JST = 00:00Z');
  assert.equal(iso(parseSchedule('0 9 * * *', 'America/New_York').next(T('2024-07-01T00:00:00Z'))), '2024-07-01T13:00:00.000Z', 'EDT');
  assert.equal(iso(parseSchedule('0 9 * * *', 'America/New_York').next(T('2024-12-01T00:00:00Z'))), '2024-12-01T14:00:00.000Z', 'EST');
  // 2024-03-10 02:30 does not exist in New York: the next activation is the day after
  assert.equal(iso(parseSchedule('30 2 * * *', 'America/New_York').next(T('2024-03-10T05:00:00Z'))), '2024-03-11T06:30:00.000Z');
  assert.equal(iso(parseSchedule('TZ=Asia/Kolkata 0 0 * * *').next(T('2024-01-01T00:00:00Z'))), '2024-01-01T18:30:00.000Z', 'TZ= prefix, +05:30');
  assert.equal(formatInZone(T('2024-01-02T00:00:00Z'), 'Asia/Tokyo'), '2024-01-02T09:00:00+09:00');
  assert.equal(formatInZone(T('2024-01-02T00:00:00Z'), undefined), '2024-01-02T00:00:00Z');
  assert.equal(formatInZone(T('2024-01-02T00:00:00Z'), 'America/St_Johns'), '2024-01-01T20:30:00-03:30');
});

test('most recent schedule time, missed count and starting deadline', () => {
  const every = parseSchedule('*/5 * * * *');
  const created = '2024-01-01T10:00:00Z';
  assert.deepEqual(mostRecentScheduleTime({ creationTimestamp: created }, T('2024-01-01T10:04:00Z'), every, true), { earliest: T(created), missed: 0 });
  const one = nextScheduleTime({ creationTimestamp: created }, T('2024-01-01T10:06:00Z'), every);
  assert.equal(iso(one.time), '2024-01-01T10:05:00.000Z');
  assert.equal(one.missed, 1);
  const many = nextScheduleTime({ creationTimestamp: created }, T('2024-01-02T10:00:00Z'), every);
  assert.equal(iso(many.time), '2024-01-02T10:00:00.000Z');
  assert.equal(many.missed, 288);
  // lastScheduleTime wins over creation
  const after = nextScheduleTime({ creationTimestamp: created, lastScheduleTime: '2024-01-01T10:05:00Z' }, T('2024-01-01T10:09:00Z'), every);
  assert.equal(after.time, undefined);
  // startingDeadlineSeconds bounds how far back we look: only the last 10 minutes count
  const dl = nextScheduleTime({ creationTimestamp: created, startingDeadlineSeconds: 600 }, T('2024-01-02T10:01:00Z'), every);
  assert.equal(iso(dl.time), '2024-01-02T10:00:00.000Z');
  assert.equal(dl.missed, 2);
  // uneven intervals (1st of the month): the most recent is a real activation
  const monthly = parseSchedule('0 0 1 * *');
  assert.equal(iso(nextScheduleTime({ creationTimestamp: '2023-12-15T00:00:00Z' }, T('2024-05-20T00:00:00Z'), monthly).time), '2024-05-01T00:00:00.000Z');
  assert.equal(nextScheduleTimeDuration({ creationTimestamp: created }, T('2024-01-01T10:06:00Z'), every), 4 * 60_000 + 100);
});

test('job names are minutes since the epoch', () => {
  assert.equal(jobName('hello', T('2024-01-01T10:05:00Z')), `hello-${T('2024-01-01T10:05:00Z') / 60000}`);
  assert.equal(jobName('hello', T('2024-01-01T10:05:00Z')), 'hello-28401725');
});
