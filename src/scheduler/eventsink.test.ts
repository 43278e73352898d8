import { test } from 'node:test';
import assert from 'node:assert/strict';
import { EventSink } from './eventsink.js';

test('EventSink: at most `concurrency` sends at once, in order, each promise settles after its send, failures do not stop the queue', async () => {
  const sink = new EventSink(2);
  let running = 0, peak = 0;
  const order: number[] = [];
  const done: number[] = [];
  const jobs = Array.from({ length: 2000 }, (_, i) => sink.send(async () => {
    running++; peak = Math.max(peak, running); order.push(i);
    await new Promise((r) => setImmediate(r));
    running--;
    if (i % 7 === 0) throw new Error('refused');
  }).then(() => done.push(i)));
  assert.equal(sink.backlog, 2000);
  await Promise.all(jobs);
  assert.equal(peak, 2);
  assert.deepEqual(order, Array.from({ length: 2000 }, (_, i) => i));
  assert.equal(done.length, 2000);
  assert.equal(sink.backlog, 0);
});
