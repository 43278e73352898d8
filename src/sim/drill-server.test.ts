import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startDrillServer } from './drill-server.js';
import type { NodeSimulator } from './simulator.js';
import { TimerWheel } from './timer-wheel.js';
import { WriteQueue } from './write-queue.js';

/** Just what the drill API calls on a simulator, recording the calls. */
function fakeSim() {
  const calls: string[] = [];
  const failed = new Set<string>();
  const notReady = new Set<string>();
  const sim = {
    nodes: new Map([['n0', {}], ['n1', {}]]),
    failNode: (n: string) => { calls.push(`fail ${n}`); failed.add(n); return true; },
    setReady: (n: string, r: boolean) => { calls.push(`ready ${n} ${r}`); if (!r) notReady.add(n); return true; },
    recoverNode: async (n: string) => { calls.push(`recover ${n}`); failed.delete(n); notReady.delete(n); return true; },
    drills: () => ({ failed: [...failed], notReady: [...notReady] }),
    stats: () => ({ nodes: 2, pods: 0, running: 0, writes: 0, failures: 0, queued: 0 }),
  };
  return { sim: sim as unknown as NodeSimulator, calls };
}

test('drill API: fail, not-ready, recover, state; bad requests change nothing', async () => {
  const { sim, calls } = fakeSim();
  const d = await startDrillServer(sim, '127.0.0.1:0');
  try {
    assert.match(d.url, /^http:\/\/127\.0\.0\.1:\d+$/);
    const call = async (method: string, path: string) => { const r = await fetch(d.url + path, { method }); return { status: r.status, json: await r.json() as Record<string, unknown> }; };
    assert.deepEqual((await call('POST', '/fail?nodes=n0,n1')).json, { failed: ['n0', 'n1'], notReady: [] });
    assert.deepEqual((await call('POST', '/recover?nodes=n1')).json, { failed: ['n0'], notReady: [] });
    assert.deepEqual((await call('POST', '/not-ready?nodes=n1')).json, { failed: ['n0'], notReady: ['n1'] });
    const state = await call('GET', '/drills');
    assert.equal(state.status, 200);
    assert.deepEqual(state.json.failed, ['n0']);
    assert.equal((state.json.stats as { nodes: number }).nodes, 2);
    assert.deepEqual(calls, ['fail n0', 'fail n1', 'recover n1', 'ready n1 false']);

    const unknown = await call('POST', '/fail?nodes=n0,ghost');
    assert.equal(unknown.status, 404);
    assert.match(String(unknown.json.error), /ghost/);
    assert.equal((await call('POST', '/fail')).status, 400);
    assert.equal((await call('POST', '/fail?nodes=,')).status, 400);
    assert.equal((await call('GET', '/fail?nodes=n0')).status, 405);
    assert.equal((await call('POST', '/drills')).status, 405);
    assert.equal((await call('POST', '/reboot?nodes=n0')).status, 404);
    assert.equal(calls.length, 4, 'rejected requests made no calls');
  } finally {
    d.close();
  }
});

test('drill API: a bad --drill-address is refused', async () => {
  const { sim } = fakeSim();
  await assert.rejects(startDrillServer(sim, '127.0.0.1:http'), /invalid argument "127.0.0.1:http" for "--drill-address" flag/);
  await assert.rejects(startDrillServer(sim, '127.0.0.1:70000'), /--drill-address/);
});

test('WriteQueue.cancel drops a queued write and its retry', async () => {
  const wheel = new TimerWheel(10);
  const q = new WriteQueue(wheel, 1);
  let release!: () => void;
  const ran: string[] = [];
  q.add('a', () => new Promise<void>((r) => { ran.push('a'); release = r; }));
  q.add('b', async () => { ran.push('b'); });
  q.add('c', async () => { ran.push('c'); });
  q.cancel('b');
  assert.equal(q.size, 2, 'a in flight, c queued');
  release();
  await q.idle();
  assert.deepEqual(ran, ['a', 'c']);

  // a failing write is retried from the wheel unless cancelled
  let attempts = 0;
  q.add('d', async () => { attempts++; throw new Error('connection refused'); });
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(attempts, 1);
  assert.ok(wheel.has('retry/d'));
  q.cancel('d');
  assert.equal(wheel.has('retry/d'), false);
  await q.idle();
  q.stop();
});
