// Jobs, CronJobs and TTL-after-finished end to end: a real server, simulated nodes (pods finish after
// the sim.kumo.dev/run-seconds annotation, failing with sim.kumo.dev/exit-code), the scheduler and a
// controller manager running only job,cronjob,ttl-after-finished.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './cluster-helpers.mjs';

let c;
before(async () => { c = await startCluster({ controllers: 'job,cronjob,ttl-after-finished,garbagecollector', nodes: 2 }); });
after(async () => { await c?.stop(); });

const NS = '/apis/batch/v1/namespaces/default';
const template = (annotations = {}) => ({
  metadata: { annotations: { 'sim.kumo.dev/run-seconds': '1', ...annotations } },
  spec: { restartPolicy: 'Never', containers: [{ name: 'main', image: 'busybox' }] },
});
const job = (name, spec, annotations) => ({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name }, spec: { template: template(annotations), ...spec } });
const cond = (j, type) => j?.status?.conditions?.find((x) => x.type === type && x.status === 'True');
const podsOf = async (name) => (await c.get(`/api/v1/namespaces/default/pods?labelSelector=batch.kubernetes.io/job-name%3D${name}`)).items;
const events = async (name) => (await c.get(`/api/v1/namespaces/default/events?fieldSelector=involvedObject.name%3D${name}`)).items.map((e) => `${e.reason} ${e.message}`);

test('an Indexed Job (completions 3, parallelism 2) completes; pods carry index, labels, finalizer, env, hostname', async () => {
  await c.create(`${NS}/jobs`, job('idx', { completions: 3, parallelism: 2, completionMode: 'Indexed' }));
  const pods = await c.eventually('the first pods', async () => { const p = await podsOf('idx'); return p.length >= 2 && p; });
  const p0 = pods.find((p) => p.metadata.annotations['batch.kubernetes.io/job-completion-index'] === '0');
  assert.ok(p0, 'index 0 runs first');
  assert.equal(p0.metadata.labels['batch.kubernetes.io/job-completion-index'], '0');
  assert.equal(p0.metadata.labels['job-name'], 'idx');
  assert.ok(p0.metadata.labels['batch.kubernetes.io/controller-uid']);
  assert.match(p0.metadata.name, /^idx-0-/);
  assert.equal(p0.spec.hostname, 'idx-0');
  assert.deepEqual(p0.spec.containers[0].env, [{ name: 'JOB_COMPLETION_INDEX',
    valueFrom: { fieldRef: { apiVersion: 'v1', fieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']" } } }]);
  assert.equal(pods.filter((p) => p.metadata.finalizers?.includes('batch.kubernetes.io/job-tracking')).length >= 1, true);
  assert.equal(p0.metadata.ownerReferences[0].kind, 'Job');
  assert.equal(pods.length, 2, 'parallelism 2');
  const w = await c.kubectl(['wait', '--for=condition=complete', 'job/idx', '--timeout=40s']);
  assert.equal(w.code, 0, w.stderr + c.logs());
  const done = await c.get(`${NS}/jobs/idx`);
  assert.equal(done.status.succeeded, 3);
  assert.equal(done.status.completedIndexes, '0-2');
  assert.ok(done.status.completionTime);
  assert.ok(cond(done, 'SuccessCriteriaMet'));
  assert.equal(cond(done, 'Complete').reason, 'CompletionsReached');
  assert.deepEqual(done.status.uncountedTerminatedPods, {});
  await c.eventually('finalizers removed from finished pods', async () =>
    (await podsOf('idx')).every((p) => !p.metadata.finalizers?.includes('batch.kubernetes.io/job-tracking')));
  await c.eventually('events', async () => { const e = await events('idx'); return e.includes('Completed Job completed') && e.some((x) => x.startsWith('SuccessfulCreate Created pod: idx-')); });
  const out = await c.kubectl(['get', 'job', 'idx']);
  assert.match(out.stdout, /idx\s+Complete\s+3\/3/);
});

test('a Job whose pods fail hits backoffLimit: Failed with BackoffLimitExceeded after the pod backoff', async () => {
  await c.create(`${NS}/jobs`, job('failing', { backoffLimit: 1 }, { 'sim.kumo.dev/exit-code': '3' }));
  const j = await c.eventually('the Failed condition', async () => { const x = await c.get(`${NS}/jobs/failing`); return cond(x, 'Failed') && x; }, 45_000);
  assert.equal(cond(j, 'Failed').reason, 'BackoffLimitExceeded');
  assert.equal(cond(j, 'Failed').message, 'Job has reached the specified backoff limit');
  assert.equal(cond(j, 'FailureTarget').reason, 'BackoffLimitExceeded');
  assert.equal(j.status.failed, 2);
  assert.equal(j.status.completionTime, undefined);
  assert.equal((await podsOf('failing')).length, 2, 'one pod and one replacement after the backoff');
  await c.eventually('the warning event', async () => (await events('failing')).includes('BackoffLimitExceeded Job has reached the specified backoff limit'));
});

test('suspend deletes active pods and sets Suspended; resume creates pods again', async () => {
  await c.create(`${NS}/jobs`, job('sleepy', { parallelism: 1, completions: 1 }, { 'sim.kumo.dev/run-seconds': '600' }));
  await c.eventually('a running pod', async () => (await c.get(`${NS}/jobs/sleepy`))?.status?.active === 1);
  await c.patch(`${NS}/jobs/sleepy`, { spec: { suspend: true } });
  const s = await c.eventually('suspended with no active pods', async () => {
    const x = await c.get(`${NS}/jobs/sleepy`);
    return cond(x, 'Suspended') && !x.status.active && x;
  });
  assert.equal(cond(s, 'Suspended').reason, 'JobSuspended');
  await c.eventually('pods gone', async () => (await podsOf('sleepy')).every((p) => p.metadata.deletionTimestamp || p.status.phase === 'Failed'), 20_000);
  await c.patch(`${NS}/jobs/sleepy`, { spec: { suspend: false } });
  // the deleted pod counted as a failure (as upstream), so its replacement waits out the 10 s backoff
  const r = await c.eventually('resumed with an active pod', async () => {
    const x = await c.get(`${NS}/jobs/sleepy`);
    return x.status.active === 1 && x;
  });
  assert.equal(r.status.failed, 1);
  const sc = r.status.conditions.find((x) => x.type === 'Suspended');
  assert.equal(sc.status, 'False');
  assert.equal(sc.reason, 'JobResumed');
  const e = await events('sleepy');
  assert.ok(e.includes('Suspended Job suspended') && e.includes('Resumed Job resumed'), e.join('\n'));
});

test('ttlSecondsAfterFinished: 0 deletes the finished Job', async () => {
  await c.create(`${NS}/jobs`, job('short-lived', { ttlSecondsAfterFinished: 0 }));
  await c.eventually('the Job deleted', async () => (await c.s.request('GET', `${NS}/jobs/short-lived`)).status === 404, 30_000);
});

test('kubectl create job --from=cronjob: owned by the CronJob, template labels/annotations; the CronJob reports it', async () => {
  await c.create(`${NS}/cronjobs`, { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'nightly' },
    spec: { schedule: '0 3 * * *', jobTemplate: { metadata: { labels: { team: 'a' } }, spec: { template: template() } } } });
  const r = await c.kubectl(['create', 'job', 'manual', '--from=cronjob/nightly']);
  assert.equal(r.code, 0, r.stderr);
  const j = await c.get(`${NS}/jobs/manual`);
  const cj = await c.get(`${NS}/cronjobs/nightly`);
  assert.equal(j.metadata.ownerReferences[0].kind, 'CronJob');
  assert.equal(j.metadata.ownerReferences[0].uid, cj.metadata.uid);
  assert.equal(j.metadata.annotations['cronjob.kubernetes.io/instantiate'], 'manual');
  assert.equal(j.metadata.labels.team, 'a');
  await c.eventually('the manual job completes', async () => cond(await c.get(`${NS}/jobs/manual`), 'Complete'));
  // the controller saw a Job it did not schedule: upstream warns about it
  await c.eventually('UnexpectedJob', async () => (await events('nightly')).includes('UnexpectedJob Saw a job that the controller did not create or forgot: manual'));
  const after = await c.get(`${NS}/cronjobs/nightly`);
  assert.equal(after.status.lastScheduleTime, undefined, 'not scheduled before 03:00');
});

// Real time: a `* * * * *` CronJob fires at the next minute boundary (up to 60 s away).
test('REAL-TIME: a `* * * * *` CronJob fires once at the next minute', { timeout: 80_000 }, async () => {
  const created = await c.create(`${NS}/cronjobs`, { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'every' },
    spec: { schedule: '* * * * *', concurrencyPolicy: 'Forbid', jobTemplate: { spec: { template: template() } } } });
  const next = Math.floor(Date.parse(created.metadata.creationTimestamp) / 60000) + 1;
  const cj = await c.eventually('the first scheduled Job', async () => { const x = await c.get(`${NS}/cronjobs/every`); return x.status?.lastScheduleTime && x; }, 75_000);
  assert.equal(Date.parse(cj.status.lastScheduleTime), next * 60000);
  const j = await c.get(`${NS}/jobs/every-${next}`);
  assert.ok(j, `job every-${next} exists`);
  assert.equal(j.metadata.annotations['batch.kubernetes.io/cronjob-scheduled-timestamp'], new Date(next * 60000).toISOString().replace('.000Z', 'Z'));
  assert.equal(j.metadata.ownerReferences[0].name, 'every');
  await c.eventually('SuccessfulCreate', async () => (await events('every')).includes(`SuccessfulCreate Created job every-${next}`));
});
