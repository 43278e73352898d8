import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BucketRateLimiter, ItemExponentialFailureRateLimiter, MaxOfRateLimiter, RateLimitingQueue } from './workqueue.js';

test('a key queued twice is handed out once', async () => {
  const q = new RateLimitingQueue('t');
  q.add('a'); q.add('b'); q.add('a');
  assert.equal(q.len(), 2);
  assert.equal(q.metrics.adds, 2);
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), 'b');
  assert.equal(q.len(), 0);
});

test('a key being processed is not handed out again until done, then comes back once', async () => {
  const q = new RateLimitingQueue('t');
  q.add('a');
  assert.equal(await q.get(), 'a');
  q.add('a'); q.add('a');
  assert.equal(q.len(), 0, 'not queued while processing');
  let got: string | undefined;
  const p = q.get().then((k) => { got = k; });
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(got, undefined);
  q.done('a');
  await p;
  assert.equal(got, 'a');
  q.done('a');
  assert.equal(q.len(), 0);
});

test('get waits for an add; shutdown releases waiters with undefined and drops new adds', async () => {
  const q = new RateLimitingQueue('t');
  const p = q.get();
  q.add('x');
  assert.equal(await p, 'x');
  const w = q.get();
  q.shutDown();
  assert.equal(await w, undefined);
  q.add('y');
  assert.equal(await q.get(), undefined);
});

test('items queued before shutdown are still drained', async () => {
  const q = new RateLimitingQueue('t');
  q.add('a');
  q.shutDown();
  assert.equal(await q.get(), 'a');
  assert.equal(await q.get(), undefined);
});

test('per-item exponential backoff 5 ms doubling, capped at 1000 s, reset by forget', () => {
  const l = new ItemExponentialFailureRateLimiter(5, 1000_000);
  assert.deepEqual([l.when('a'), l.when('a'), l.when('a'), l.when('b')], [5, 10, 20, 5]);
  assert.equal(l.numRequeues('a'), 3);
  for (let i = 0; i < 40; i++) l.when('a');
  assert.equal(l.when('a'), 1000_000);
  l.forget('a');
  assert.equal(l.numRequeues('a'), 0);
  assert.equal(l.when('a'), 5);
});

test('token bucket: burst of 100 free, then 10 qps', () => {
  let now = 0;
  const b = new BucketRateLimiter(10, 100, () => now);
  for (let i = 0; i < 100; i++) assert.equal(b.when(), 0);
  assert.equal(Math.round(b.when()), 100);
  assert.equal(Math.round(b.when()), 200);
  now = 10_000; // refilled (capped at the burst)
  assert.equal(b.when(), 0);
});

test('max-of limiter takes the longest delay; addRateLimited requeues after it and counts retries', async () => {
  let now = 0;
  const l = new MaxOfRateLimiter([new ItemExponentialFailureRateLimiter(5, 1000), new BucketRateLimiter(10, 1, () => now)]);
  assert.equal(l.when('k'), 5);
  assert.equal(Math.round(l.when('k')), 100);
  const q = new RateLimitingQueue('t', new ItemExponentialFailureRateLimiter(20, 1000));
  q.addRateLimited('k');
  assert.equal(q.len(), 0, 'not yet');
  assert.equal(q.metrics.retries, 1);
  assert.equal(q.numRequeues('k'), 1);
  const t0 = Date.now();
  assert.equal(await q.get(), 'k');
  assert.ok(Date.now() - t0 >= 15);
  q.forget('k');
  assert.equal(q.numRequeues('k'), 0);
  q.done('k');
  assert.equal(q.metrics.queueLatencyCount, 1);
  assert.equal(q.metrics.workDurationCount, 1);
});

test('addAfter: the earliest pending delay wins', async () => {
  const q = new RateLimitingQueue('t');
  q.addAfter('a', 10_000);
  q.addAfter('a', 10);
  const t0 = Date.now();
  assert.equal(await q.get(), 'a');
  assert.ok(Date.now() - t0 < 5000);
  q.shutDown();
});
