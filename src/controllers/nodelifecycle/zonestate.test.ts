import { test } from 'node:test';
import assert from 'node:assert/strict';
import { computeZoneState, zoneQPS } from './zonestate.js';
import { RateLimitedTimedQueue, TokenBucket } from './ratelimitedqueue.js';

const c = (status: string) => ({ type: 'Ready', status });

test('computeZoneState: full, partial (more than 2 and at least the threshold) and normal', () => {
  assert.deepEqual(computeZoneState([c('Unknown'), c('False')], 0.55), { notReady: 2, state: 'FullDisruption' });
  assert.deepEqual(computeZoneState([undefined], 0.55), { notReady: 1, state: 'FullDisruption' }, 'a missing Ready condition is not ready');
  assert.deepEqual(computeZoneState([c('False'), c('False'), c('True')], 0.55).state, 'Normal', 'only 2 not ready: never partial');
  assert.deepEqual(computeZoneState([c('False'), c('False'), c('False'), c('True'), c('True')], 0.55), { notReady: 3, state: 'PartialDisruption' });
  assert.equal(computeZoneState([c('False'), c('False'), c('False'), c('True'), c('True'), c('True')], 0.55).state, 'Normal', '3/6 < 0.55');
  assert.equal(computeZoneState([], 0.55).state, 'Normal');
});

test('zoneQPS: normal and fully disrupted zones use the eviction rate, partial ones the secondary rate only when large', () => {
  const r = { evictionQPS: 0.1, secondaryEvictionQPS: 0.01, largeClusterThreshold: 50 };
  assert.equal(zoneQPS('Normal', 3, r), 0.1);
  assert.equal(zoneQPS('FullDisruption', 3, r), 0.1);
  assert.equal(zoneQPS('PartialDisruption', 50, r), 0);
  assert.equal(zoneQPS('PartialDisruption', 51, r), 0.01);
  assert.equal(zoneQPS('Initial', 3, r), undefined);
});

test('TokenBucket: burst first, then qps tokens per second; qps 0 never accepts', () => {
  let t = 0;
  const b = new TokenBucket(0.5, 1, () => t);
  assert.equal(b.tryAccept(), true);
  assert.equal(b.tryAccept(), false);
  t = 1999;
  assert.equal(b.tryAccept(), false);
  t = 2000;
  assert.equal(b.tryAccept(), true);
  assert.equal(new TokenBucket(0, 1, () => t).tryAccept(), false);
});

test('RateLimitedTimedQueue: unique values, one per token, retry delay, swapLimiter(0) stops, remove allows re-adding', async () => {
  let t = 1000;
  const q = new RateLimitedTimedQueue(1, () => t);
  assert.equal(q.add('a', 'ua'), true);
  assert.equal(q.add('a', 'ua'), false);
  q.add('b', 'ub');
  const seen: string[] = [];
  await q.try(async (v) => { seen.push(v.value); return { ok: true, waitMs: 0 }; });
  assert.deepEqual(seen, ['a'], 'burst 1: one value per pass');
  assert.equal(q.add('a', 'ua'), false, 'a processed value stays known until removed');
  t += 1000;
  await q.try(async (v) => { seen.push(v.value); return { ok: false, waitMs: 5000 }; });
  assert.deepEqual(seen, ['a', 'b']);
  t += 1000;
  await q.try(async (v) => { seen.push(v.value); return { ok: true, waitMs: 0 }; });
  assert.deepEqual(seen, ['a', 'b'], 'b waits out its retry delay');
  t += 5000;
  q.swapLimiter(0);
  await q.try(async (v) => { seen.push(v.value); return { ok: true, waitMs: 0 }; });
  assert.deepEqual(seen, ['a', 'b'], 'a zero rate processes nothing');
  q.swapLimiter(1);
  await q.try(async (v) => { seen.push(v.value); return { ok: true, waitMs: 0 }; });
  assert.deepEqual(seen, ['a', 'b'], 'the exhausted state carries over a swap');
  t += 1000;
  await q.try(async (v) => { seen.push(v.value); return { ok: true, waitMs: 0 }; });
  assert.deepEqual(seen, ['a', 'b', 'b']);
  assert.equal(q.remove('a'), true);
  assert.equal(q.add('a', 'ua'), true);
  assert.deepEqual(q.pending(), ['a']);
});
