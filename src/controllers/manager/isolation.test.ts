// Controller isolation in the manager: a descriptor whose start() throws and a controller whose
// run() rejects are logged and left out; the other controllers are built, run and stopped as usual.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RESTClient } from '../../client/rest.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import type { Controller, ControllerDescriptor } from './context.js';
import { ControllerManager } from './manager.js';

const tick = () => new Promise((r) => setTimeout(r, 20));

/** a well-behaved controller: runs until stopped, processing what is added to its queue */
function healthy(name: string, seen: string[]): Controller & { queue: RateLimitingQueue; done: boolean } {
  const queue = new RateLimitingQueue(name);
  const c = {
    name, queue, queues: [queue], done: false,
    async run(): Promise<void> {
      for (;;) {
        const item = await queue.get();
        if (item === undefined) break;
        seen.push(item);
        queue.done(item);
      }
      c.done = true;
    },
    stop: () => queue.shutDown(),
  };
  return c;
}

test('a controller that throws while starting or dies while running does not stop the others', async () => {
  const logs: string[] = [];
  const seen: string[] = [];
  let good: ReturnType<typeof healthy> | undefined;
  let crashedStopped = false;
  const descriptors: ControllerDescriptor[] = [
    { name: 'deployment-controller', start: () => { throw new Error('boom at start'); } },
    {
      name: 'replicaset-controller',
      start: () => ({ name: 'replicaset', queues: [], run: () => Promise.reject(new Error('boom in run')), stop: () => { crashedStopped = true; } }),
    },
    { name: 'job-controller', start: () => (good = healthy('job', seen)) },
  ];
  const m = new ControllerManager({
    client: new RESTClient({ server: 'https://127.0.0.1:1' }), flags: { controllers: '*' },
    log: (x) => logs.push(x), debug: () => {}, descriptors,
  });
  // the failing ones are still "enabled" (they were asked for); start() must not reject
  assert.deepEqual(m.enabledNames().sort(), ['deployment-controller', 'job-controller', 'replicaset-controller']);
  await m.start();
  await tick();
  assert.ok(logs.some((l) => /^error starting controller deployment-controller: Error: boom at start/.test(l)), logs.join('\n'));
  assert.ok(logs.some((l) => /^controller replicaset-controller stopped: Error: boom in run/.test(l)), logs.join('\n'));
  // the healthy controller works after both failures
  assert.ok(good);
  good.queue.add('a');
  good.queue.add('b');
  await tick();
  assert.deepEqual(seen, ['a', 'b']);
  assert.equal(good.done, false);
  // its queue (and only the built controllers' queues) feed /metrics
  assert.deepEqual(m.queueMetrics().map((q) => q.name), ['job']);
  m.stop();
  await tick();
  assert.equal(good.done, true, 'stop() reaches the healthy controller');
  assert.equal(crashedStopped, true, 'and the crashed one is still stopped (best effort)');
});

test('a controller whose stop() throws does not keep the others from stopping', async () => {
  const seen: string[] = [];
  let good: ReturnType<typeof healthy> | undefined;
  const m = new ControllerManager({
    client: new RESTClient({ server: 'https://127.0.0.1:1' }), flags: { controllers: 'deployment,job' },
    log: () => {}, debug: () => {},
    descriptors: [
      { name: 'deployment-controller', start: () => ({ name: 'deployment', queues: [], run: () => new Promise(() => {}), stop: () => { throw new Error('x'); } }) },
      { name: 'job-controller', start: () => (good = healthy('job', seen)) },
    ],
  });
  assert.deepEqual(m.enabledNames().sort(), ['deployment-controller', 'job-controller']);
  await m.start();
  m.stop();
  await tick();
  assert.equal(good?.done, true);
});
