import { test } from 'node:test';
import assert from 'node:assert/strict';
import { humanDuration, parseTime, shortHumanDuration, translateTimestampSince } from './duration.js';

const s = 1000;
const m = 60 * s;
const h = 60 * m;
const d = 24 * h;

test('humanDuration matches upstream boundaries', () => {
  const cases: Array<[number, string]> = [
    [0, '0s'], [999, '0s'], [s, '1s'], [5 * s, '5s'], [70 * s, '70s'], [119 * s, '119s'], [119 * s + 999, '119s'],
    [2 * m, '2m'], [2 * m + s, '2m1s'], [3 * m + 20 * s, '3m20s'], [9 * m + 59 * s, '9m59s'],
    [10 * m, '10m'], [10 * m + 59 * s, '10m'], [179 * m + 59 * s, '179m'],
    [3 * h, '3h'], [3 * h + m, '3h1m'], [7 * h + 59 * m + 59 * s, '7h59m'], [8 * h, '8h'], [47 * h + 59 * m, '47h'],
    [48 * h, '2d'], [2 * d + 3 * h, '2d3h'], [7 * d + 23 * h + 59 * m, '7d23h'], [8 * d, '8d'], [729 * d + 23 * h, '729d'],
    [730 * d, '2y'], [731 * d, '2y1d'], [8 * 365 * d - h, '7y364d'], [8 * 365 * d, '8y'], [20 * 365 * d + 100 * d, '20y'],
  ];
  for (const [ms, want] of cases) assert.equal(humanDuration(ms), want, `humanDuration(${ms})`);
});

test('humanDuration tolerates under 2s of clock skew, then is <invalid>', () => {
  assert.equal(humanDuration(-1), '0s');
  assert.equal(humanDuration(-1999), '0s');
  assert.equal(humanDuration(-2000), '<invalid>');
  assert.equal(humanDuration(-d), '<invalid>');
});

test('shortHumanDuration uses one unit', () => {
  const cases: Array<[number, string]> = [
    [-1500, '0s'], [-2 * s, '<invalid>'], [0, '0s'], [59 * s, '59s'], [60 * s, '1m'], [59 * m + 59 * s, '59m'],
    [h, '1h'], [23 * h + 59 * m, '23h'], [d, '1d'], [364 * d, '364d'], [365 * d, '1y'], [800 * d, '2y'],
  ];
  for (const [ms, want] of cases) assert.equal(shortHumanDuration(ms), want, `shortHumanDuration(${ms})`);
});

test('translateTimestampSince: unknown when unset or garbage, invalid in the future', () => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  assert.equal(translateTimestampSince('2024-05-01T11:56:40Z', now), '3m20s');
  assert.equal(translateTimestampSince(undefined, now), '<unknown>');
  assert.equal(translateTimestampSince('', now), '<unknown>');
  assert.equal(translateTimestampSince('not a date', now), '<unknown>');
  assert.equal(translateTimestampSince(12345, now), '<unknown>');
  assert.equal(translateTimestampSince('0001-01-01T00:00:00Z', now), '<unknown>');
  assert.equal(translateTimestampSince('2024-05-01T12:00:01Z', now), '0s');
  assert.equal(translateTimestampSince('2024-05-01T12:05:00Z', now), '<invalid>');
  assert.equal(parseTime('2024-05-01T12:00:00.123456Z'), now + 123);
});
