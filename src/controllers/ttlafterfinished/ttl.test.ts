import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';
import type { Job } from '../job/types.js';
import { expireAt, TTLAfterFinishedController } from './controller.js';
import { recordingClient } from '../common/testing.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');
const job = (ttl: number | undefined, finished?: string): Job => ({
  metadata: { name: 'j', namespace: 'd', uid: 'u1', resourceVersion: '1' },
  spec: ttl === undefined ? {} : { ttlSecondsAfterFinished: ttl },
  status: finished ? { conditions: [{ type: 'Complete', status: 'True', lastTransitionTime: finished }] } : {},
});

test('expireAt: finish time plus the TTL; none without a TTL or before the Job finished', () => {
  assert.equal(expireAt(job(30, '2024-01-01T00:00:00Z')), T0 + 30_000);
  assert.equal(expireAt(job(undefined, '2024-01-01T00:00:00Z')), undefined);
  assert.equal(expireAt(job(30)), undefined);
});

test('an expired Job is re-read and deleted with a UID precondition; a fresh copy without TTL is kept', async () => {
  let fresh: Job | undefined = job(0, '2024-01-01T00:00:00Z');
  const { client, calls } = recordingClient((method) => {
    if (method === 'GET') { if (!fresh) throw new APIError(404, undefined, 'not found'); return fresh; }
    return {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new TTLAfterFinishedController(client, factory, { now: () => T0 + 1000 });
  factory.forPath<Job>('/apis/batch/v1/jobs').handle('ADDED', job(0, '2024-01-01T00:00:00Z'));
  await c.sync('d/j');
  const del = calls.find((x) => x.method === 'DELETE');
  assert.equal(del?.path, '/apis/batch/v1/namespaces/d/jobs/j');
  assert.deepEqual(del?.body.preconditions, { uid: 'u1' });
  calls.length = 0;
  fresh = job(undefined, '2024-01-01T00:00:00Z');
  await c.sync('d/j');
  assert.equal(calls.filter((x) => x.method === 'DELETE').length, 0, 'the TTL was removed meanwhile');
  fresh = undefined;
  await c.sync('d/j');
  assert.equal(calls.filter((x) => x.method === 'DELETE').length, 0, 'already gone');
  const later = new TTLAfterFinishedController(client, new SharedInformerFactory(client), { now: () => T0 });
  await later.sync('d/none');
  c.stop(); later.stop();
});
