import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import type { Job } from '../job/types.js';
import { CronJobController, type CronJob } from './controller.js';
import { recordingClient, eventLog } from '../common/testing.js';

const T = (s: string) => Date.parse(s);

function setup(now: number) {
  const { recorder, events } = eventLog();
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'POST') return { ...body, metadata: { ...body.metadata, uid: `uid-${body.metadata.name}`, resourceVersion: '9' } };
    if (method === 'GET' && path.includes('/jobs/')) return child(path.split('/').pop()!);
    return {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new CronJobController(client, factory, { recorder, now: () => now });
  return { c, calls, events, cjs: factory.forPath<CronJob>('/apis/batch/v1/cronjobs'), jobs: factory.forPath<Job>('/apis/batch/v1/jobs') };
}
const cron = (spec: Partial<CronJob['spec']>, status?: CronJob['status']): CronJob => ({
  metadata: { name: 'hello', namespace: 'd', uid: 'cj-uid', resourceVersion: '1', creationTimestamp: '2024-01-01T10:00:30Z' },
  spec: { schedule: '*/5 * * * *', concurrencyPolicy: 'Allow', suspend: false, successfulJobsHistoryLimit: 3, failedJobsHistoryLimit: 1,
    jobTemplate: { metadata: { labels: { app: 'x' } }, spec: { template: { spec: { containers: [] } } } }, ...spec },
  ...(status ? { status } : {}),
});
const child = (name: string, cond?: string, startTime?: string): Job => ({
  metadata: { name, namespace: 'd', uid: `uid-${name}`, resourceVersion: '3',
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'CronJob', name: 'hello', uid: 'cj-uid', controller: true }] },
  spec: {}, status: { ...(startTime ? { startTime } : {}), ...(cond ? { conditions: [{ type: cond, status: 'True' }], ...(cond === 'Complete' ? { completionTime: '2024-01-01T10:06:00Z' } : {}) } : {}) },
});

test('at a scheduled time it creates <name>-<minutes> with the scheduled-timestamp annotation and owner, and records it', async () => {
  const { c, calls, events, cjs } = setup(T('2024-01-01T10:05:10Z'));
  cjs.handle('ADDED', cron({ timeZone: 'Asia/Tokyo' }));
  await c.sync('d/hello');
  const post = calls.find((x) => x.method === 'POST')!;
  const minutes = T('2024-01-01T10:05:00Z') / 60000;
  assert.equal(post.body.metadata.name, `hello-${minutes}`);
  assert.equal(post.body.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], '2024-01-01T19:05:00+09:00');
  assert.equal(post.body.metadata.labels.app, 'x');
  assert.equal(post.body.metadata.ownerReferences[0].uid, 'cj-uid');
  assert.ok(events.includes(`Normal SuccessfulCreate Created job hello-${minutes}`));
  const st = calls.find((x) => x.method === 'PUT')!.body.status;
  assert.equal(st.lastScheduleTime, '2024-01-01T10:05:00Z');
  assert.equal(st.active[0].name, `hello-${minutes}`);
});

test('nothing is due before the first activation; suspend and Forbid hold creation', async () => {
  {
    const s = setup(T('2024-01-01T10:04:00Z'));
    s.cjs.handle('ADDED', cron({}));
    await s.c.sync('d/hello');
    assert.equal(s.calls.length, 0);
  }
  {
    const s = setup(T('2024-01-01T10:05:10Z'));
    s.cjs.handle('ADDED', cron({ suspend: true }));
    await s.c.sync('d/hello');
    assert.equal(s.calls.filter((x) => x.method === 'POST').length, 0);
  }
  const s = setup(T('2024-01-01T10:10:10Z'));
  s.cjs.handle('ADDED', cron({ concurrencyPolicy: 'Forbid' }, { lastScheduleTime: '2024-01-01T10:05:00Z',
    active: [{ kind: 'Job', name: 'hello-1', uid: 'uid-hello-1', namespace: 'd', apiVersion: 'batch/v1' }] }));
  s.jobs.handle('ADDED', child('hello-1'));
  await s.c.sync('d/hello');
  assert.equal(s.calls.filter((x) => x.method === 'POST').length, 0);
  assert.ok(s.events.includes('Normal JobAlreadyActive Not starting job because prior execution is running and concurrency policy is Forbid'));
});

test('Replace deletes the running Job first; a start later than startingDeadlineSeconds is skipped', async () => {
  const s = setup(T('2024-01-01T10:10:10Z'));
  s.cjs.handle('ADDED', cron({ concurrencyPolicy: 'Replace' }, { lastScheduleTime: '2024-01-01T10:05:00Z',
    active: [{ kind: 'Job', name: 'hello-1', uid: 'uid-hello-1', namespace: 'd', apiVersion: 'batch/v1' }] }));
  s.jobs.handle('ADDED', child('hello-1'));
  await s.c.sync('d/hello');
  const methods = s.calls.map((x) => x.method);
  assert.ok(methods.indexOf('DELETE') >= 0 && methods.indexOf('DELETE') < methods.indexOf('POST'), methods.join(','));
  const d = setup(T('2024-01-01T10:10:50Z'));
  d.cjs.handle('ADDED', cron({ startingDeadlineSeconds: 30 }, { lastScheduleTime: '2024-01-01T10:05:00Z' }));
  await d.c.sync('d/hello');
  // 10:10 is more than 30 s ago: startingDeadlineSeconds moves the earliest time past it, so it is skipped
  assert.equal(d.calls.filter((x) => x.method === 'POST').length, 0);
  const ok = setup(T('2024-01-01T10:10:20Z'));
  ok.cjs.handle('ADDED', cron({ startingDeadlineSeconds: 30 }, { lastScheduleTime: '2024-01-01T10:05:00Z' }));
  await ok.c.sync('d/hello');
  assert.equal(ok.calls.filter((x) => x.method === 'POST').length, 1, 'within the deadline it still runs');
});

test('finished Jobs leave status.active with SawCompletedJob, set lastSuccessfulTime, and old ones are pruned to the limits', async () => {
  const s = setup(T('2024-01-01T10:06:30Z'));
  s.cjs.handle('ADDED', cron({ successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 0 }, { lastScheduleTime: '2024-01-01T10:05:00Z',
    active: [{ kind: 'Job', name: 'hello-3', uid: 'uid-hello-3', namespace: 'd', apiVersion: 'batch/v1' }] }));
  s.jobs.handle('ADDED', child('hello-1', 'Complete', '2024-01-01T09:00:00Z'));
  s.jobs.handle('ADDED', child('hello-3', 'Complete', '2024-01-01T10:05:01Z'));
  s.jobs.handle('ADDED', child('hello-2', 'Failed', '2024-01-01T09:30:00Z'));
  await s.c.sync('d/hello');
  assert.ok(s.events.includes('Normal SawCompletedJob Saw completed job: hello-3, condition: Complete'));
  assert.deepEqual(s.calls.filter((x) => x.method === 'DELETE').map((x) => x.path).sort(),
    ['/apis/batch/v1/namespaces/d/jobs/hello-1', '/apis/batch/v1/namespaces/d/jobs/hello-2']);
  const st = s.calls.find((x) => x.method === 'PUT')!.body.status;
  assert.equal(st.active, undefined);
  assert.equal(st.lastSuccessfulTime, '2024-01-01T10:06:00Z');
});

test('an unparseable schedule or unknown zone is reported, not retried', async () => {
  const s = setup(T('2024-01-01T10:06:30Z'));
  s.cjs.handle('ADDED', cron({ schedule: '* * *' }));
  await s.c.sync('d/hello');
  assert.ok(s.events.includes('Warning UnparseableSchedule unparseable schedule: "* * *" : expected exactly 5 fields, found 3: [* * *]'), s.events.join());
  const z = setup(T('2024-01-01T10:06:30Z'));
  z.cjs.handle('ADDED', cron({ timeZone: 'Nowhere/City' }));
  await z.c.sync('d/hello');
  assert.ok(z.events.some((e) => e.startsWith('Warning UnknownTimeZone invalid timeZone: "Nowhere/City"')));
});
