import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageRefs, readyCondition, readyUpdate, reportedBySim, runningStatus, runSeconds, terminatedStatus, type PodLike } from './pod-status.js';

const NOW = Date.parse('2025-01-02T03:04:05.678Z');
const pod = (extra: Partial<PodLike> = {}): PodLike => ({
  metadata: { name: 'p', namespace: 'default', uid: 'u1', ...(extra.metadata ?? {}) },
  spec: { nodeName: 'sim-node-0', containers: [{ name: 'app', image: 'nginx:1.27' }, { name: 'side', image: 'registry.k8s.io/pause' }], ...(extra.spec ?? {}) },
  status: { phase: 'Pending', ...(extra.status ?? {}) },
});

test('running status: phase, IPs, start time, conditions and container statuses', () => {
  const s = runningStatus(pod(), '172.16.0.1', '10.244.0.2', NOW) as Record<string, any>;
  assert.equal(s.phase, 'Running');
  assert.equal(s.podIP, '10.244.0.2');
  assert.deepEqual(s.podIPs, [{ ip: '10.244.0.2' }]);
  assert.equal(s.hostIP, '172.16.0.1');
  assert.equal(s.startTime, '2025-01-02T03:04:05Z');
  const conds = Object.fromEntries(s.conditions.map((c: any) => [c.type, c.status]));
  assert.deepEqual(conds, { PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True' });
  assert.equal(s.containerStatuses.length, 2);
  const [app, side] = s.containerStatuses;
  assert.equal(app.name, 'app');
  assert.equal(app.ready, true);
  assert.equal(app.started, true);
  assert.equal(app.restartCount, 0);
  assert.deepEqual(app.state, { running: { startedAt: '2025-01-02T03:04:05Z' } });
  assert.equal(app.image, 'docker.io/library/nginx:1.27');
  assert.match(app.imageID, /^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
  assert.match(app.containerID, /^sim:\/\/[0-9a-f]{64}$/);
  assert.notEqual(app.containerID, side.containerID);
  assert.equal(side.image, 'registry.k8s.io/pause:latest');
});

test('an adopted pod keeps its start time and condition transition times', () => {
  const earlier = '2024-12-31T00:00:00Z';
  const s = runningStatus(pod({ status: { phase: 'Running', startTime: earlier, conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: earlier }] } }),
    '172.16.0.1', '10.244.0.2', NOW) as Record<string, any>;
  assert.equal(s.startTime, earlier);
  assert.equal(s.conditions.find((c: any) => c.type === 'Ready').lastTransitionTime, earlier);
  assert.equal(s.conditions.find((c: any) => c.type === 'Initialized').lastTransitionTime, '2025-01-02T03:04:05Z');
});

test('image references are normalised as a runtime reports them', () => {
  assert.equal(imageRefs('busybox').image, 'docker.io/library/busybox:latest');
  assert.equal(imageRefs('me/app:v1').image, 'docker.io/me/app:v1');
  assert.equal(imageRefs('localhost:5000/app').image, 'localhost:5000/app:latest');
  assert.equal(imageRefs('quay.io/x/y@sha256:abc').imageID, 'quay.io/x/y@sha256:abc');
});

test('Ready honours readiness gates', () => {
  const gated = pod({ spec: { readinessGates: [{ conditionType: 'example.com/lb' }, { conditionType: 'example.com/dns' }] } });
  const missing = readyCondition(gated, true, [], 't');
  assert.equal(missing.status, 'False');
  assert.equal(missing.reason, 'ReadinessGatesNotReady');
  assert.equal(missing.message, 'corresponding condition of pod readiness gate "example.com/lb" does not exist., corresponding condition of pod readiness gate "example.com/dns" does not exist.');
  const half = readyCondition(gated, true, [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'False' }], 't');
  assert.equal(half.status, 'False');
  assert.equal(half.message, 'the status of pod readiness gate "example.com/dns" is not "True", but False');
  const all = readyCondition(gated, true, [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'True' }], 't');
  assert.equal(all.status, 'True');
  assert.equal(readyCondition(gated, false, [{ type: 'example.com/lb', status: 'True' }, { type: 'example.com/dns', status: 'True' }], 't').reason, 'ContainersNotReady');
  const s = runningStatus(gated, 'h', '10.0.0.2', NOW) as Record<string, any>;
  assert.equal(s.conditions.find((c: any) => c.type === 'Ready').status, 'False', 'a new gated pod starts unready');
});

test('readyUpdate: only when a gate changes the Ready condition', () => {
  const base = pod({ spec: { readinessGates: [{ conditionType: 'g' }] } });
  const running = (conds: any[]) => ({ ...base, status: { phase: 'Running', conditions: [{ type: 'ContainersReady', status: 'True' }, ...conds] } });
  const gateNowTrue = running([{ type: 'Ready', status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate "g" does not exist.' }, { type: 'g', status: 'True' }]);
  assert.equal(readyUpdate(gateNowTrue, NOW)?.status, 'True');
  assert.equal(readyUpdate(running([{ type: 'Ready', status: 'True', lastTransitionTime: 'x' }, { type: 'g', status: 'True' }]), NOW), undefined);
  assert.equal(readyUpdate(running([{ type: 'Ready', status: 'True' }, { type: 'g', status: 'False' }]), NOW)?.status, 'False');
  assert.equal(readyUpdate({ ...base, status: { phase: 'Pending' } }, NOW), undefined);
});

test('terminated status: Succeeded with exit 0, Failed otherwise; containers terminated', () => {
  const p = pod({ metadata: { annotations: { 'sim.kumo.dev/run-seconds': '2' } }, status: { phase: 'Running', startTime: '2025-01-02T03:04:00Z' } });
  assert.equal(runSeconds(p), 2);
  const s = terminatedStatus(p, 'h', '10.0.0.2', NOW) as Record<string, any>;
  assert.equal(s.phase, 'Succeeded');
  const t = s.containerStatuses[0].state.terminated;
  assert.equal(t.exitCode, 0);
  assert.equal(t.reason, 'Completed');
  assert.equal(t.startedAt, '2025-01-02T03:04:00Z');
  assert.equal(t.finishedAt, '2025-01-02T03:04:05Z');
  assert.equal(s.containerStatuses[0].ready, false);
  assert.equal(s.conditions.find((c: any) => c.type === 'Ready').reason, 'PodCompleted');
  const f = terminatedStatus(p, 'h', '10.0.0.2', NOW, 3) as Record<string, any>;
  assert.equal(f.phase, 'Failed');
  assert.equal(f.containerStatuses[0].state.terminated.reason, 'Error');
});

test('run-seconds annotation: absent or bad means run forever', () => {
  assert.equal(runSeconds(pod()), undefined);
  assert.equal(runSeconds(pod({ metadata: { annotations: { 'sim.kumo.dev/run-seconds': 'soon' } } })), undefined);
  assert.equal(runSeconds(pod({ metadata: { annotations: { 'sim.kumo.dev/run-seconds': '-1' } } })), undefined);
});

test('reportedBySim recognises its own container IDs only', () => {
  assert.equal(reportedBySim(pod()), false);
  const mine = runningStatus(pod(), 'h', 'i', NOW) as any;
  assert.equal(reportedBySim({ ...pod(), status: mine }), true);
  assert.equal(reportedBySim({ ...pod(), status: { containerStatuses: [{ containerID: 'containerd://x' }] } }), false);
});
