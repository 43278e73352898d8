import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import { remainingBackoff, updateBackoff } from './backoff.js';
import { JobController } from './controller.js';
import { matchPodFailurePolicy, matchSuccessPolicy } from './failurepolicy.js';
import { firstPendingIndexes, formatIndexes, parseIndexes } from './indexes.js';
import { ensureCondition, type Job, type JobPod } from './types.js';
import { recordingClient, eventLog } from '../common/testing.js';

const T0 = Date.parse('2024-01-01T00:00:00Z');

test('completed indexes: parse and format the interval form', () => {
  assert.equal(formatIndexes([5, 0, 1, 2, 7, 8]), '0-2,5,7-8');
  assert.equal(formatIndexes([]), '');
  assert.deepEqual([...parseIndexes('0-2,5,9', 6)].sort(), [0, 1, 2, 5], 'beyond completions dropped');
  assert.deepEqual([...parseIndexes('x,1', 3)], [1], 'malformed parts skipped');
  assert.deepEqual(firstPendingIndexes(2, 5, new Set([0, 2])), [1, 3]);
  assert.deepEqual(firstPendingIndexes(9, 3, new Set([1])), [0, 2]);
});

const failedPod = (code: number, conds: { type: string; status: string }[] = [], name = 'main'): JobPod => ({
  metadata: { name: 'p', namespace: 'ns' },
  status: { phase: 'Failed', conditions: conds, containerStatuses: [{ name, state: { terminated: { exitCode: code } } }] },
});

test('podFailurePolicy: first matching rule wins; FailJob message as upstream; no match counts', () => {
  const rules = [
    { action: 'Ignore' as const, onPodConditions: [{ type: 'DisruptionTarget' }] },
    { action: 'FailJob' as const, onExitCodes: { operator: 'In' as const, values: [42] } },
    { action: 'Count' as const, onExitCodes: { containerName: 'side', operator: 'NotIn' as const, values: [1] } },
    { action: 'FailIndex' as const, onExitCodes: { operator: 'In' as const, values: [7] } },
  ];
  assert.deepEqual(matchPodFailurePolicy(rules, failedPod(42)), { countFailed: true, action: 'FailJob',
    failJobMessage: 'Container main for pod ns/p failed with exit code 42 matching FailJob rule at index 1' });
  assert.deepEqual(matchPodFailurePolicy(rules, failedPod(42, [{ type: 'DisruptionTarget', status: 'True' }])), { countFailed: false, action: 'Ignore' });
  assert.deepEqual(matchPodFailurePolicy(rules, failedPod(42, [{ type: 'DisruptionTarget', status: 'False' }])).action, 'FailJob', 'condition status must match');
  assert.deepEqual(matchPodFailurePolicy(rules, failedPod(3, [], 'side')), { countFailed: true, action: 'Count' });
  assert.deepEqual(matchPodFailurePolicy(rules, failedPod(7)), { countFailed: true, action: 'FailIndex' });
  assert.deepEqual(matchPodFailurePolicy(rules, failedPod(3)), { countFailed: true }, 'no rule matched');
  assert.deepEqual(matchPodFailurePolicy([{ action: 'FailJob', onExitCodes: { operator: 'NotIn', values: [] } }], failedPod(0)), { countFailed: true },
    'exit code 0 never matches');
  const byCond = matchPodFailurePolicy([{ action: 'FailJob', onPodConditions: [{ type: 'ConfigIssue', status: 'True' }] }],
    failedPod(1, [{ type: 'ConfigIssue', status: 'True' }]));
  assert.equal(byCond.failJobMessage, 'Pod ns/p has condition ConfigIssue matching FailJob rule at index 0');
});

test('successPolicy: indexes, count, or both', () => {
  const s = new Set([0, 1, 4]);
  assert.equal(matchSuccessPolicy([{ succeededIndexes: '0-1' }], 5, s), 0);
  assert.equal(matchSuccessPolicy([{ succeededIndexes: '0-2' }], 5, s), undefined);
  assert.equal(matchSuccessPolicy([{ succeededIndexes: '0-2' }, { succeededIndexes: '1-4', succeededCount: 2 }], 5, s), 1);
  assert.equal(matchSuccessPolicy([{ succeededCount: 3 }], 5, s), 0);
  assert.equal(matchSuccessPolicy([{ succeededCount: 4 }], 5, s), undefined);
});

test('pod backoff: 10 s doubling per failure since the last success, capped, counted from the last failure', () => {
  const fail = (at: number): JobPod => ({ metadata: { name: 'f' }, status: { phase: 'Failed',
    containerStatuses: [{ name: 'c', state: { terminated: { exitCode: 1, finishedAt: new Date(at).toISOString() } } }] } });
  const ok = (at: number): JobPod => ({ ...fail(at), status: { ...fail(at).status, phase: 'Succeeded' } });
  let r = updateBackoff({ failuresAfterLastSuccess: 0 }, [], [fail(T0)], T0);
  assert.equal(remainingBackoff(r, T0 + 4000), 6000);
  r = updateBackoff(r, [], [fail(T0 + 1000)], T0);
  assert.equal(remainingBackoff(r, T0 + 1000), 20_000);
  assert.equal(remainingBackoff(r, T0 + 21_000), 0);
  assert.equal(remainingBackoff({ failuresAfterLastSuccess: 20, lastFailureTime: T0 }, T0), 360_000, 'capped at 6 minutes');
  assert.deepEqual(updateBackoff(r, [ok(T0 + 5000)], [], T0), { failuresAfterLastSuccess: 0 }, 'a success resets');
  assert.deepEqual(updateBackoff(r, [ok(T0 + 5000)], [fail(T0 + 6000)], T0), { failuresAfterLastSuccess: 1, lastFailureTime: T0 + 6000 });
  const deleted: JobPod = { metadata: { name: 'd', deletionTimestamp: new Date(T0 + 30_000).toISOString(), deletionGracePeriodSeconds: 30 }, status: { phase: 'Running' } };
  assert.equal(updateBackoff({ failuresAfterLastSuccess: 0 }, [], [deleted], T0 + 99_000).lastFailureTime, T0, 'deletion asked grace seconds before the timestamp');
});

test('ensureCondition: appends True, ignores a missing False, flips an existing one with a new transition time', () => {
  let r = ensureCondition([], 'Suspended', 'False', 'JobResumed', 'Job resumed', T0);
  assert.equal(r.changed, false);
  r = ensureCondition([], 'Suspended', 'True', 'JobSuspended', 'Job suspended', T0);
  assert.equal(r.changed, true);
  assert.equal(r.conditions[0].lastTransitionTime, '2024-01-01T00:00:00Z');
  const again = ensureCondition(r.conditions, 'Suspended', 'True', 'JobSuspended', 'Job suspended', T0 + 5000);
  assert.equal(again.changed, false);
  const flipped = ensureCondition(r.conditions, 'Suspended', 'False', 'JobResumed', 'Job resumed', T0 + 5000);
  assert.deepEqual(flipped.conditions[0], { type: 'Suspended', status: 'False', reason: 'JobResumed', message: 'Job resumed',
    lastProbeTime: '2024-01-01T00:00:05Z', lastTransitionTime: '2024-01-01T00:00:05Z' });
});

// ---- the controller against a fake API server ----

type Call = { method: string; path: string; body?: any };
function setup(now = T0) {
  const { recorder, events } = eventLog();
  let n = 0;
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'POST' && path.endsWith('/pods')) return { ...body, metadata: { ...body.metadata, name: `${body.metadata.generateName}${n++}` } };
    if (method === 'PUT' && path.endsWith('/status')) return { ...body, metadata: { ...body.metadata, resourceVersion: String(100 + calls.length) } };
    return {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new JobController(client, factory, { recorder, now: () => now });
  const jobs = factory.forPath<Job>('/apis/batch/v1/jobs');
  const pods = factory.forPath<JobPod>('/api/v1/pods');
  return { c, calls, events, jobs, pods };
}
const UID = 'job-uid';
const mkJob = (spec: Job['spec'], status?: Job['status']): Job => ({
  metadata: { name: 'pi', namespace: 'd', uid: UID, resourceVersion: '1' },
  spec: { parallelism: 2, completions: 2, backoffLimit: 6, completionMode: 'NonIndexed', podReplacementPolicy: 'TerminatingOrFailed',
    selector: { matchLabels: { 'batch.kubernetes.io/controller-uid': UID } },
    template: { metadata: { labels: { 'batch.kubernetes.io/controller-uid': UID, 'job-name': 'pi' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'main' }] } },
    ...spec },
  ...(status ? { status } : {}),
});
const pod = (name: string, phase: string, extra: Partial<JobPod['metadata']> = {}, status: Record<string, unknown> = {}): JobPod => ({
  metadata: { name, namespace: 'd', uid: `uid-${name}`, resourceVersion: '5', labels: { 'batch.kubernetes.io/controller-uid': UID },
    finalizers: ['batch.kubernetes.io/job-tracking'],
    ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'pi', uid: UID, controller: true }], ...extra },
  status: { phase, ...status },
});
const statuses = (calls: Call[]) => calls.filter((x) => x.method === 'PUT' && x.path.endsWith('/jobs/pi/status')).map((x) => x.body.status);

test('a new Job gets parallelism pods with the tracking finalizer and a controller reference, and a start time', async () => {
  const { c, calls, events, jobs } = setup();
  jobs.handle('ADDED', mkJob({ parallelism: 2, completions: 5 }));
  await c.sync('d/pi');
  const creates = calls.filter((x) => x.method === 'POST');
  assert.equal(creates.length, 2);
  assert.deepEqual(creates[0].body.metadata.finalizers, ['batch.kubernetes.io/job-tracking']);
  assert.equal(creates[0].body.metadata.generateName, 'pi-');
  assert.equal(creates[0].body.metadata.ownerReferences[0].kind, 'Job');
  assert.equal(events.filter((e) => e === 'Normal SuccessfulCreate Created pod: pi-0' || e === 'Normal SuccessfulCreate Created pod: pi-1').length, 2);
  const st = statuses(calls).at(-1);
  assert.equal(st.startTime, '2024-01-01T00:00:00Z');
  assert.equal(st.active, 2);
  assert.equal(st.ready, 0);
  assert.deepEqual(st.uncountedTerminatedPods, {});
  await c.sync('d/pi');
  assert.equal(calls.filter((x) => x.method === 'POST').length, 2, 'expectations hold further creations');
});

test('finished pods: uncounted first, then the finalizer goes, then they are counted; Complete once all are in', async () => {
  const { c, calls, events, jobs, pods } = setup();
  jobs.handle('ADDED', mkJob({}, { startTime: '2024-01-01T00:00:00Z' }));
  pods.handle('ADDED', pod('a', 'Succeeded'));
  pods.handle('ADDED', pod('b', 'Succeeded'));
  await c.sync('d/pi');
  const puts = statuses(calls);
  assert.equal(puts.length, 2);
  assert.deepEqual(puts[0].uncountedTerminatedPods, { succeeded: ['uid-a', 'uid-b'] });
  assert.equal(puts[0].succeeded, undefined);
  const patches = calls.filter((x) => x.method === 'PATCH');
  assert.deepEqual(patches.map((x) => x.path).sort(), ['/api/v1/namespaces/d/pods/a', '/api/v1/namespaces/d/pods/b']);
  assert.deepEqual(patches[0].body, { metadata: { '$deleteFromPrimitiveList/finalizers': ['batch.kubernetes.io/job-tracking'] } });
  // the PATCHes come before the counting write
  assert.ok(calls.indexOf(patches[1]) < calls.lastIndexOf(calls.filter((x) => x.method === 'PUT').at(-1)!));
  const last = puts[1];
  assert.equal(last.succeeded, 2);
  assert.deepEqual(last.uncountedTerminatedPods, {});
  assert.deepEqual(last.conditions.map((x: any) => `${x.type}=${x.status}/${x.reason}`), ['SuccessCriteriaMet=True/CompletionsReached', 'Complete=True/CompletionsReached']);
  assert.equal(last.completionTime, '2024-01-01T00:00:00Z');
  assert.ok(events.includes('Normal Completed Job completed'));
});

test('backoffLimit exceeded: FailureTarget at once, active pods deleted, Failed only when none is left', async () => {
  const { c, calls, events, jobs, pods } = setup();
  jobs.handle('ADDED', mkJob({ backoffLimit: 1, completions: 3 }, { startTime: '2024-01-01T00:00:00Z', failed: 1 }));
  pods.handle('ADDED', pod('x', 'Failed'));
  pods.handle('ADDED', pod('run', 'Running'));
  await c.sync('d/pi');
  assert.deepEqual(calls.filter((x) => x.method === 'DELETE').map((x) => x.path), ['/api/v1/namespaces/d/pods/run']);
  const st = statuses(calls).at(-1);
  assert.deepEqual(st.conditions.map((x: any) => `${x.type}/${x.reason}`), ['FailureTarget/BackoffLimitExceeded']);
  assert.equal(st.conditions[0].message, 'Job has reached the specified backoff limit');
  assert.equal(st.terminating, 1);
  assert.equal(st.failed, 3, 'the failed pod and the one removed because the Job failed');
  assert.ok(!events.some((e) => e.includes('Warning BackoffLimitExceeded')), 'no Failed yet');
  // next round: the cache shows the job with FailureTarget and the pods gone
  jobs.handle('MODIFIED', { ...mkJob({ backoffLimit: 1, completions: 3 }, { ...st }), metadata: { ...mkJob({}).metadata, resourceVersion: '9' } });
  pods.handle('DELETED', pod('run', 'Running'));
  pods.handle('MODIFIED', { ...pod('x', 'Failed', { finalizers: [], resourceVersion: '7' }) });
  calls.length = 0;
  await c.sync('d/pi');
  const fin = statuses(calls).at(-1);
  assert.deepEqual(fin.conditions.map((x: any) => `${x.type}/${x.reason}`), ['FailureTarget/BackoffLimitExceeded', 'Failed/BackoffLimitExceeded']);
  assert.equal(fin.completionTime, undefined);
  assert.ok(events.includes('Warning BackoffLimitExceeded Job has reached the specified backoff limit'));
});

test('a FailJob rule fails the Job with reason PodFailurePolicy; an Ignore rule does not count', async () => {
  const rules = [{ action: 'Ignore' as const, onExitCodes: { operator: 'In' as const, values: [9] } },
    { action: 'FailJob' as const, onExitCodes: { operator: 'In' as const, values: [42] } }];
  {
    const { c, calls, jobs, pods } = setup();
    jobs.handle('ADDED', mkJob({ podFailurePolicy: { rules }, podReplacementPolicy: 'Failed', backoffLimit: 0 }, { startTime: '2024-01-01T00:00:00Z' }));
    pods.handle('ADDED', pod('ign', 'Failed', {}, { containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 9 } } }] }));
    await c.sync('d/pi');
    const st = statuses(calls).at(-1);
    assert.equal(st.failed, undefined, 'ignored failure not counted');
    assert.equal(st.conditions, undefined);
  }
  const { c, calls, jobs, pods } = setup();
  jobs.handle('ADDED', mkJob({ podFailurePolicy: { rules }, podReplacementPolicy: 'Failed' }, { startTime: '2024-01-01T00:00:00Z' }));
  pods.handle('ADDED', pod('boom', 'Failed', {}, { containerStatuses: [{ name: 'main', state: { terminated: { exitCode: 42 } } }] }));
  await c.sync('d/pi');
  const st = statuses(calls).at(-1);
  assert.deepEqual(st.conditions.map((x: any) => `${x.type}/${x.reason}`), ['FailureTarget/PodFailurePolicy', 'Failed/PodFailurePolicy']);
  assert.equal(st.conditions[1].message, 'Container main for pod d/boom failed with exit code 42 matching FailJob rule at index 1');
});

test('activeDeadlineSeconds: DeadlineExceeded once past the start time plus the deadline', async () => {
  const { c, calls, jobs } = setup(T0 + 11_000);
  jobs.handle('ADDED', mkJob({ activeDeadlineSeconds: 10 }, { startTime: '2024-01-01T00:00:00Z' }));
  await c.sync('d/pi');
  assert.equal(calls.filter((x) => x.method === 'POST').length, 0, 'no pods for a Job past its deadline');
  const st = statuses(calls).at(-1);
  assert.deepEqual(st.conditions.map((x: any) => `${x.type}/${x.reason}/${x.message}`),
    ['FailureTarget/DeadlineExceeded/Job was active longer than specified deadline', 'Failed/DeadlineExceeded/Job was active longer than specified deadline']);
});

test('Indexed: pods for the first pending indexes with index annotation/label/env/hostname; duplicates removed', async () => {
  const { c, calls, jobs, pods } = setup();
  jobs.handle('ADDED', mkJob({ completionMode: 'Indexed', completions: 4, parallelism: 3 }, { startTime: '2024-01-01T00:00:00Z', completedIndexes: '0' }));
  const ix = (name: string, i: number, phase = 'Running') => pod(name, phase, { annotations: { 'batch.kubernetes.io/job-completion-index': String(i) } });
  pods.handle('ADDED', ix('one-a', 1));
  pods.handle('ADDED', ix('one-b', 1));
  await c.sync('d/pi');
  assert.equal(calls.filter((x) => x.method === 'DELETE').length, 1, 'a duplicate of index 1 goes first');
  assert.equal(calls.filter((x) => x.method === 'POST').length, 0, 'nothing created in the same sync');
  const { c: c2, calls: calls2, jobs: jobs2, pods: pods2 } = setup();
  jobs2.handle('ADDED', mkJob({ completionMode: 'Indexed', completions: 4, parallelism: 3 }, { startTime: '2024-01-01T00:00:00Z', completedIndexes: '0' }));
  pods2.handle('ADDED', ix('one', 1));
  await c2.sync('d/pi');
  const bodies = calls2.filter((x) => x.method === 'POST').map((x) => x.body);
  assert.deepEqual(bodies.map((b) => b.metadata.annotations['batch.kubernetes.io/job-completion-index']), ['2', '3']);
  assert.equal(bodies[0].metadata.labels['batch.kubernetes.io/job-completion-index'], '2');
  assert.equal(bodies[0].metadata.generateName, 'pi-2-');
  assert.equal(bodies[0].spec.hostname, 'pi-2');
  assert.equal(bodies[0].spec.containers[0].env[0].name, 'JOB_COMPLETION_INDEX');
});

test('Indexed with backoffLimitPerIndex: an index past its limit is failed; all indexes decided with a failure → FailedIndexes', async () => {
  const { c, calls, jobs, pods } = setup();
  jobs.handle('ADDED', mkJob({ completionMode: 'Indexed', completions: 2, parallelism: 2, backoffLimitPerIndex: 0, backoffLimit: 2147483647 },
    { startTime: '2024-01-01T00:00:00Z', completedIndexes: '0', succeeded: 1 }));
  pods.handle('ADDED', pod('i1', 'Failed', { annotations: { 'batch.kubernetes.io/job-completion-index': '1', 'batch.kubernetes.io/job-index-failure-count': '0' } }));
  await c.sync('d/pi');
  const st = statuses(calls).at(-1);
  assert.equal(st.failedIndexes, '1');
  assert.equal(st.completedIndexes, '0');
  assert.deepEqual(st.conditions.map((x: any) => `${x.type}/${x.reason}`), ['FailureTarget/FailedIndexes', 'Failed/FailedIndexes']);
  assert.equal(calls.filter((x) => x.method === 'POST').length, 0);
});

test('suspend: active pods deleted, Suspended condition and event; a missing Job is forgotten', async () => {
  const { c, calls, events, jobs, pods } = setup();
  jobs.handle('ADDED', mkJob({ suspend: true }, { startTime: '2024-01-01T00:00:00Z' }));
  pods.handle('ADDED', pod('r', 'Running'));
  await c.sync('d/pi');
  assert.deepEqual(calls.filter((x) => x.method === 'DELETE').map((x) => x.path), ['/api/v1/namespaces/d/pods/r']);
  const st = statuses(calls).at(-1);
  assert.equal(st.conditions[0].reason, 'JobSuspended');
  assert.ok(events.includes('Normal Suspended Job suspended'));
  c.expectations.expectCreations('d/gone', 1);
  await c.sync('d/gone');
  assert.equal(c.expectations.get('d/gone'), undefined);
});

test('orphaned pods (Job gone or finished) lose the finalizer; pods of a running Job keep it', async () => {
  const { c, calls, jobs, pods } = setup();
  pods.handle('ADDED', pod('orphan', 'Succeeded'));
  await c.syncOrphanPod('d/orphan');
  assert.deepEqual(calls.map((x) => `${x.method} ${x.path}`), ['PATCH /api/v1/namespaces/d/pods/orphan']);
  calls.length = 0;
  jobs.handle('ADDED', mkJob({}));
  await c.syncOrphanPod('d/orphan');
  assert.equal(calls.length, 0, 'owned by an unfinished Job');
});
