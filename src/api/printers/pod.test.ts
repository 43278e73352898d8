import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../types.js';
import { podPrinter, summarizePod } from './pod.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const ago = (ms: number) => new Date(NOW - ms).toISOString();

function pod(spec: Record<string, unknown>, status: Record<string, unknown>, meta: Record<string, unknown> = {}): KObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: 'p', namespace: 'default', creationTimestamp: ago(3600_000), ...meta },
    spec: { containers: [{ name: 'app', image: 'nginx' }], ...spec },
    status,
  };
}
const running = (name: string, ready = true, restartCount = 0) =>
  ({ name, ready, restartCount, state: { running: { startedAt: ago(60_000) } } });
const waiting = (name: string, reason: string, restartCount = 0) => ({ name, ready: false, restartCount, state: { waiting: { reason } } });
const terminated = (name: string, t: Record<string, unknown>) => ({ name, ready: false, restartCount: 0, state: { terminated: t } });

test('Running pod with all containers ready', () => {
  const p = pod({ containers: [{ name: 'a' }, { name: 'b' }] },
    { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running('a'), running('b')] });
  assert.deepEqual(summarizePod(p, NOW), { ready: '2/2', status: 'Running', restarts: '0' });
});

test('READY counts only ready running containers', () => {
  const p = pod({ containers: [{ name: 'a' }, { name: 'b' }] },
    { phase: 'Running', containerStatuses: [running('a'), running('b', false)] });
  assert.equal(summarizePod(p, NOW).ready, '1/2');
});

test('Pending pod without statuses', () => {
  assert.equal(summarizePod(pod({}, { phase: 'Pending' }), NOW).status, 'Pending');
  // no status at all: empty phase, like upstream
  assert.equal(summarizePod(pod({}, {}), NOW).status, '');
});

test('ContainerCreating and CrashLoopBackOff come from the waiting reason', () => {
  assert.equal(summarizePod(pod({}, { phase: 'Pending', containerStatuses: [waiting('app', 'ContainerCreating')] }), NOW).status,
    'ContainerCreating');
  const crash = pod({}, { phase: 'Running', containerStatuses: [{
    ...waiting('app', 'CrashLoopBackOff', 4),
    lastState: { terminated: { exitCode: 1, reason: 'Error', finishedAt: ago(5 * 60_000) } },
  }] });
  assert.deepEqual(summarizePod(crash, NOW), { ready: '0/1', status: 'CrashLoopBackOff', restarts: '4 (5m ago)' });
});

test('Completed and Error from terminated containers; exit code and signal without reason', () => {
  assert.equal(summarizePod(pod({}, { phase: 'Succeeded', containerStatuses: [terminated('app', { exitCode: 0, reason: 'Completed' })] }), NOW).status, 'Completed');
  assert.equal(summarizePod(pod({}, { phase: 'Failed', containerStatuses: [terminated('app', { exitCode: 1, reason: 'Error' })] }), NOW).status, 'Error');
  assert.equal(summarizePod(pod({}, { phase: 'Failed', containerStatuses: [terminated('app', { exitCode: 137 })] }), NOW).status, 'ExitCode:137');
  assert.equal(summarizePod(pod({}, { phase: 'Failed', containerStatuses: [terminated('app', { exitCode: 0, signal: 9 })] }), NOW).status, 'Signal:9');
});

test('Completed with another container still running is Running or NotReady', () => {
  const containers = [{ name: 'a' }, { name: 'b' }];
  const statuses = [running('a'), terminated('b', { exitCode: 0, reason: 'Completed' })];
  assert.equal(summarizePod(pod({ containers }, { phase: 'Running', containerStatuses: statuses,
    conditions: [{ type: 'Ready', status: 'True' }] }), NOW).status, 'Running');
  assert.equal(summarizePod(pod({ containers }, { phase: 'Running', containerStatuses: statuses,
    conditions: [{ type: 'Ready', status: 'False' }] }), NOW).status, 'NotReady');
});

test('Evicted pod shows status.reason', () => {
  const p = pod({}, { phase: 'Failed', reason: 'Evicted', message: 'The node was low on resource: memory.' });
  assert.equal(summarizePod(p, NOW).status, 'Evicted');
});

test('init containers: Init:1/2, Init:CrashLoopBackOff, Init:Error, Init:ExitCode', () => {
  const initContainers = [{ name: 'i1' }, { name: 'i2' }];
  const done = terminated('i1', { exitCode: 0, reason: 'Completed' });
  assert.equal(summarizePod(pod({ initContainers }, { phase: 'Pending',
    initContainerStatuses: [done, running('i2', false)] }), NOW).status, 'Init:1/2');
  assert.equal(summarizePod(pod({ initContainers }, { phase: 'Pending',
    initContainerStatuses: [done, waiting('i2', 'PodInitializing')] }), NOW).status, 'Init:1/2');
  assert.equal(summarizePod(pod({ initContainers }, { phase: 'Pending',
    initContainerStatuses: [waiting('i1', 'PodInitializing'), waiting('i2', 'PodInitializing')] }), NOW).status, 'Init:0/2');
  const crash = pod({ initContainers }, { phase: 'Pending',
    initContainerStatuses: [done, waiting('i2', 'CrashLoopBackOff', 3)],
    containerStatuses: [waiting('app', 'PodInitializing')] });
  // restarts count the init containers while initializing
  assert.deepEqual(summarizePod(crash, NOW), { ready: '0/1', status: 'Init:CrashLoopBackOff', restarts: '3' });
  assert.equal(summarizePod(pod({ initContainers }, { phase: 'Pending',
    initContainerStatuses: [terminated('i1', { exitCode: 2, reason: 'Error' })] }), NOW).status, 'Init:Error');
  assert.equal(summarizePod(pod({ initContainers }, { phase: 'Pending',
    initContainerStatuses: [terminated('i1', { exitCode: 2 })] }), NOW).status, 'Init:ExitCode:2');
  assert.equal(summarizePod(pod({ initContainers }, { phase: 'Pending',
    initContainerStatuses: [terminated('i1', { exitCode: 2, signal: 15 })] }), NOW).status, 'Init:Signal:15');
});

test('sidecar (restartable) init containers count toward READY', () => {
  const p = pod({ initContainers: [{ name: 'proxy', restartPolicy: 'Always' }] }, {
    phase: 'Running',
    conditions: [{ type: 'Initialized', status: 'True' }, { type: 'Ready', status: 'True' }],
    initContainerStatuses: [{ ...running('proxy', true, 2), started: true }],
    containerStatuses: [running('app', true, 1)],
  });
  assert.deepEqual(summarizePod(p, NOW), { ready: '2/2', status: 'Running', restarts: '3' });
});

test('deletionTimestamp makes a live pod Terminating, NodeLost pods Unknown, finished pods unchanged', () => {
  const del = { deletionTimestamp: ago(1000) };
  assert.equal(summarizePod(pod({}, { phase: 'Running', containerStatuses: [running('app')] }, del), NOW).status, 'Terminating');
  assert.equal(summarizePod(pod({}, { phase: 'Running', reason: 'NodeLost' }, del), NOW).status, 'Unknown');
  assert.equal(summarizePod(pod({}, { phase: 'Running', reason: 'NodeLost' }), NOW).status, 'NodeLost');
  assert.equal(summarizePod(pod({}, { phase: 'Succeeded', containerStatuses: [terminated('app', { exitCode: 0, reason: 'Completed' })] }, del), NOW).status, 'Completed');
});

test('SchedulingGated overrides the phase', () => {
  const p = pod({ schedulingGates: [{ name: 'x' }] }, { phase: 'Pending', conditions: [{ type: 'PodScheduled', status: 'False', reason: 'SchedulingGated' }] });
  assert.equal(summarizePod(p, NOW).status, 'SchedulingGated');
});

test('RESTARTS without a last termination time is a bare count', () => {
  const p = pod({}, { phase: 'Running', containerStatuses: [running('app', true, 7)] });
  assert.equal(summarizePod(p, NOW).restarts, '7');
});

test('pod cells, wide columns included', () => {
  const p = pod({ nodeName: 'n1', readinessGates: [{ conditionType: 'g1' }, { conditionType: 'g2' }] }, {
    phase: 'Running', podIPs: [{ ip: '10.0.0.5' }, { ip: 'fd00::5' }],
    conditions: [{ type: 'Ready', status: 'True' }, { type: 'g1', status: 'True' }, { type: 'g2', status: 'False' }],
    containerStatuses: [running('app')],
  });
  assert.deepEqual(podPrinter.cells(p, NOW), ['p', '1/1', 'Running', '0', '60m', '10.0.0.5', 'n1', '<none>', '1/2']);
  assert.deepEqual(podPrinter.columns.map((c) => [c.name, c.priority]), [
    ['Name', 0], ['Ready', 0], ['Status', 0], ['Restarts', 0], ['Age', 0],
    ['IP', 1], ['Node', 1], ['Nominated Node', 1], ['Readiness Gates', 1],
  ]);
  const bare = pod({}, {});
  assert.deepEqual(podPrinter.cells(bare, NOW).slice(5), ['<none>', '<none>', '<none>', '<none>']);
});

test('malformed status fields do not throw', () => {
  const p = { metadata: { name: 'x' }, spec: { containers: 'nope' }, status: { containerStatuses: [null, 3, { state: null }] } } as unknown as KObject;
  assert.deepEqual(summarizePod(p, NOW), { ready: '0/0', status: '', restarts: '0' });
});
