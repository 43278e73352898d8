import { test } from 'node:test';
import assert from 'node:assert/strict';
import { APIError, type RESTClient } from '../../client/rest.js';
import { EventCorrelator, EventSink, type CoreEvent } from './eventcorrelator.js';

const ev = (message = 'm', reason = 'R', name = 'obj', lastTimestamp = '2024-01-01T00:00:00Z'): CoreEvent => ({
  metadata: { name: `${name}.${Math.random().toString(16).slice(2)}`, namespace: 'ns' },
  involvedObject: { kind: 'Pod', namespace: 'ns', name, uid: `uid-${name}`, apiVersion: 'v1' },
  reason, message, type: 'Normal', source: { component: 'c' }, firstTimestamp: lastTimestamp, lastTimestamp, count: 1,
});

test('correlator: identical events are counted on the first one\'s name with a patch', () => {
  const c = new EventCorrelator();
  const first = c.correlate(ev());
  assert.equal(first.patch, undefined);
  assert.equal(first.event.count, 1);
  const second = c.correlate(ev('m', 'R', 'obj', '2024-01-01T00:00:05Z'));
  assert.equal(second.event.metadata.name, first.event.metadata.name);
  assert.equal(second.event.count, 2);
  assert.equal(second.event.firstTimestamp, '2024-01-01T00:00:00Z');
  assert.deepEqual(second.patch, { count: 2, lastTimestamp: '2024-01-01T00:00:05Z', message: 'm' });
  const other = c.correlate(ev('different'));
  assert.equal(other.event.count, 1, 'another message is another event');
});

test('correlator: the 10th similar event in 10 minutes becomes a combined one', () => {
  let now = 1_700_000_000_000;
  const c = new EventCorrelator({ now: () => now });
  for (let i = 0; i < 9; i++) assert.equal(c.correlate(ev(`msg ${i}`)).event.message, `msg ${i}`);
  const tenth = c.correlate(ev('msg 9'));
  assert.equal(tenth.event.message, '(combined from similar events): msg 9');
  const eleventh = c.correlate(ev('msg 10'));
  assert.equal(eleventh.event.message, '(combined from similar events): msg 10');
  assert.equal(eleventh.event.count, 2, 'counted on the combined event');
  assert.equal(eleventh.event.metadata.name, tenth.event.metadata.name);
  now += 601_000;
  assert.equal(c.correlate(ev('msg 11')).event.message, 'msg 11', 'a quiet interval starts over');
});

test('correlator: spam filter allows a burst of 25 per source+object, then one per 5 minutes', () => {
  let now = 1_700_000_000_000;
  const c = new EventCorrelator({ now: () => now });
  let passed = 0;
  for (let i = 0; i < 30; i++) if (!c.correlate(ev('same')).skip) passed++;
  assert.equal(passed, 25);
  assert.equal(c.correlate(ev('same', 'R', 'another')).skip, false, 'another object has its own bucket');
  now += 299_000;
  assert.equal(c.correlate(ev('same')).skip, true);
  now += 2_000;
  assert.equal(c.correlate(ev('same')).skip, false);
});

test('sink: POSTs the first, PATCHes repeats in order, and re-creates an Event that is gone', async () => {
  const calls: { method: string; path: string; body?: any; type?: string }[] = [];
  let gone = false;
  const client = { request: async (method: string, path: string, body?: any, type?: string) => {
    calls.push({ method, path, body, type });
    if (method === 'PATCH' && gone) throw new APIError(404, { message: 'not found' }, '');
    if (method === 'POST') return { ...body, metadata: { ...body.metadata, resourceVersion: '1' } };
    return { ...body, metadata: { name: path.split('/').pop(), namespace: 'ns', resourceVersion: '2' }, involvedObject: ev().involvedObject,
      reason: 'R', message: 'm', type: 'Normal', source: { component: 'c' }, firstTimestamp: '2024-01-01T00:00:00Z' };
  } } as unknown as RESTClient;
  const sink = new EventSink(client);
  sink.record(ev());
  sink.record(ev());
  sink.record(ev());
  await sink.flush();
  assert.deepEqual(calls.map((c) => c.method), ['POST', 'PATCH', 'PATCH']);
  assert.equal(calls[1].path, `/api/v1/namespaces/ns/events/${calls[0].body.metadata.name}`);
  assert.equal(calls[1].type, 'application/strategic-merge-patch+json');
  assert.deepEqual(calls.map((c) => c.body.count), [1, 2, 3]);
  gone = true;
  sink.record(ev());
  await sink.flush();
  assert.deepEqual(calls.slice(3).map((c) => c.method), ['PATCH', 'POST']);
  assert.equal(calls[4].body.count, 4);
  assert.equal(calls[4].body.metadata.resourceVersion, undefined);
});
