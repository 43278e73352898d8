import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TimerWheel } from './timer-wheel.js';
import { isHeartbeat, WriteQueue } from './write-queue.js';

const tick = () => new Promise((r) => setImmediate(r));

test('heartbeats and pod writes have their own pools: neither starves the other', async () => {
  const wheel = new TimerWheel(10);
  const q = new WriteQueue(wheel, 8); // pods: 8 at a time; heartbeats: 4
  const started: string[] = [];
  const releases: (() => void)[] = [];
  const slow = (k: string) => () => new Promise<void>((r) => { started.push(k); releases.push(r); });
  for (let i = 0; i < 20; i++) q.add(`pod/p${i}`, slow(`pod${i}`));
  assert.equal(started.length, 8, 'pod writes fill their pool');
  // a busy pod pool does not delay a Lease renewal
  for (let i = 0; i < 10; i++) q.add(`lease/n${i}`, slow(`lease${i}`));
  assert.deepEqual(started.slice(8), ['lease0', 'lease1', 'lease2', 'lease3'], 'heartbeats start at once from their own pool');
  // and a flood of heartbeats does not take the pods' slots: finish one pod write, the next pod starts
  releases.splice(0, 1)[0]();
  await tick();
  assert.equal(started.at(-1), 'pod8');
  for (let n = 0; n < 20 && q.size; n++) { for (const r of releases.splice(0)) r(); await tick(); }
  await q.idle();
  assert.equal(started.length, 30);
  wheel.stop();
});

test('isHeartbeat: leases and node writes, not pods', () => {
  assert.ok(isHeartbeat('lease/n1'));
  assert.ok(isHeartbeat('node/n1/status'));
  assert.ok(!isHeartbeat('pod/ns/p'));
});
