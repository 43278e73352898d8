import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerWheel } from './timer-wheel.js';
import { isHeartbeat, WriteQueue } from './write-queue.js';

test('heartbeats (leases, node status) never wait behind pod status writes', async () => {
  const wheel = new TimerWheel(10);
  const q = new WriteQueue(wheel, 2);
  const started: string[] = [];
  const releases: (() => void)[] = [];
  const slow = (k: string) => () => new Promise<void>((r) => { started.push(k); releases.push(r); });
  for (let i = 0; i < 5; i++) q.add(`pod/ns/p${i}`, slow(`pod${i}`));
  assert.deepEqual(started, ['pod0', 'pod1'], 'pod writes fill the concurrency');
  // the limit is reached, yet a Lease renewal starts at once from the heartbeat reserve
  q.add('lease/n1', slow('lease1'));
  q.add('node/n1/status', slow('status1'));
  assert.deepEqual(started.slice(2), ['lease1', 'status1']);
  // when slots free up, queued heartbeats go before queued pod writes
  q.add('lease/n2', slow('lease2'));
  assert.equal(started.length, 5, 'lease2 starts from the reserve too');
  releases.shift()!(); releases.shift()!();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started.slice(5), [], 'with 5 in flight (over the limit of 2) no pod write starts');
  for (const r of releases.splice(0)) r();
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(started.slice(5).sort(), ['pod2', 'pod3']);
  for (const r of releases.splice(0)) r();
  await new Promise((r) => setImmediate(r));
  for (const r of releases.splice(0)) r();
  await q.idle();
  assert.equal(started.length, 8);
  wheel.stop();
});

test('isHeartbeat: leases and node writes, not pods', () => {
  assert.ok(isHeartbeat('lease/n1'));
  assert.ok(isHeartbeat('node/n1/status'));
  assert.ok(!isHeartbeat('pod/ns/p'));
});
