import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cronScheduleError, validateCronSchedule } from './cron.js';
import { parseGoDuration } from './goduration.js';

test('Go durations: forms time.ParseDuration accepts, and its errors', () => {
  const ok: [string, number][] = [['1m', 60_000], ['1h30m', 5_400_000], ['1.5s', 1500], ['.5s', 500], ['1.s', 1000], ['0', 0],
    ['-1m', -60_000], ['+2s', 2000], ['300ms', 300], ['1us', 0.001], ['1\u00b5s', 0.001], ['1\u03bcs', 0.001], ['2h0m0s', 7_200_000]];
  for (const [s, ms] of ok) assert.deepEqual(parseGoDuration(s), { ms }, s);
  const bad: [string, string][] = [
    ['', 'time: invalid duration ""'],
    ['1', 'time: missing unit in duration "1"'],
    ['1x', 'time: unknown unit "x" in duration "1x"'],
    ['1m2', 'time: missing unit in duration "1m2"'],
    ['m', 'time: invalid duration "m"'],
    ['.s', 'time: invalid duration ".s"'],
    ['-', 'time: invalid duration "-"'],
    [' 1m', 'time: invalid duration " 1m"'],
    ['1 m', 'time: unknown unit " m" in duration "1 m"'],
    ['1\u00e9', 'time: unknown unit "\\xc3\\xa9" in duration "1\\xc3\\xa9"'],
    ['9999999999h', 'time: invalid duration "9999999999h"'],
  ];
  for (const [s, e] of bad) assert.deepEqual(parseGoDuration(s), { error: e }, s);
});

test('cron schedules as robfig ParseStandard: @every, TZ prefixes, no trimming', () => {
  for (const s of ['@every 1m', '@every 1h30m', '@every -1m', '@every 0', 'TZ=UTC 0 * * * *', 'CRON_TZ=Europe/Berlin @daily',
    'TZ=America/New_York @every 5m', ' 0 * * * *', '0  *  * * *']) {
    assert.equal(cronScheduleError(s), undefined, s);
  }
  const bad: [string, string][] = [
    ['@every 1x', 'failed to parse duration @every 1x: time: unknown unit "x" in duration "1x"'],
    ['@every', 'unrecognized descriptor: @every'],
    ['@every ', 'failed to parse duration @every : time: invalid duration ""'],
    ['@daily ', 'unrecognized descriptor: @daily '],
    [' @daily', 'expected exactly 5 fields, found 1: [@daily]'],
    ['TZ=Mars/Base 0 * * * *', 'provided bad location Mars/Base: unknown time zone Mars/Base'],
    ['TZ=UTC 0 * * *', 'expected exactly 5 fields, found 4: [0 * * *]'],
    ['61 * * * *', 'end of range (61) above maximum (59): 61'],
    ['   ', 'expected exactly 5 fields, found 0: []'],
  ];
  for (const [s, e] of bad) assert.equal(cronScheduleError(s), e, s);
});

test('TZ in the schedule: refused on create, kept on update, never together with spec.timeZone', () => {
  const msgs = (errs: ReturnType<typeof validateCronSchedule>) => errs.map((e) => `${e.field}: ${e.type}: ${e.message}`);
  assert.deepEqual(msgs(validateCronSchedule('TZ=UTC 0 * * * *', 'spec.schedule')),
    ['spec.schedule: FieldValueInvalid: Invalid value: "TZ=UTC 0 * * * *": cannot use TZ or CRON_TZ in schedule, use timeZone field instead']);
  assert.deepEqual(validateCronSchedule('TZ=UTC 0 * * * *', 'spec.schedule', { allowTZ: true }), []);
  assert.deepEqual(msgs(validateCronSchedule('TZ=UTC 0 * * * *', 'spec.schedule', { allowTZ: true, timeZone: 'UTC' })),
    ['spec.schedule: FieldValueInvalid: Invalid value: "TZ=UTC 0 * * * *": cannot use both timeZone field and TZ or CRON_TZ in schedule']);
  assert.deepEqual(validateCronSchedule('@every 1m', 'spec.schedule'), []);
});
