import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';
import { HorizontalController, type HPA, type MetricSpec } from './controller.js';
import { recordingClient, eventLog } from '../common/testing.js';

const NOW = Date.parse('2025-01-01T12:00:00Z');
const iso = (ms: number) => new Date(ms).toISOString();

function setup(o: { metrics?: 'ok' | '404'; scale?: 'ok' | '404'; replicas?: number; usage?: string } = {}) {
  const { recorder, events } = eventLog();
  const { client, calls } = recordingClient((method, path, body) => {
    if (path === '/apis/apps/v1') return { resources: [{ name: 'deployments', kind: 'Deployment' }, { name: 'deployments/scale', kind: 'Scale' }] };
    if (path.endsWith('/deployments/web/scale')) {
      if (method === 'PUT') return body;
      if (o.scale === '404') throw new APIError(404, { reason: 'NotFound', message: 'deployments.apps "web" not found' }, '');
      return { metadata: { name: 'web', namespace: 'd', resourceVersion: '5' }, spec: { replicas: o.replicas ?? 1 }, status: { replicas: o.replicas ?? 1, selector: 'app=web' } };
    }
    if (path.startsWith('/apis/metrics.k8s.io/v1beta1/namespaces/d/pods')) {
      if (o.metrics === '404') throw new APIError(404, undefined, '404 page not found');
      assert.equal(path, '/apis/metrics.k8s.io/v1beta1/namespaces/d/pods?labelSelector=app%3Dweb');
      return { items: [{ metadata: { name: 'web-1', namespace: 'd' }, timestamp: iso(NOW), window: '15s', containers: [{ name: 'app', usage: { cpu: o.usage ?? '200m', memory: '10Mi' } }] }] };
    }
    return body ?? {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new HorizontalController(client, factory, {
    recorder,
    syncPeriodMs: 15_000, downscaleStabilizationMs: 300_000, tolerance: 0.1, cpuInitializationPeriodMs: 300_000, initialReadinessDelayMs: 30_000,
    now: () => NOW,
  });
  factory.forPath('/api/v1/pods').handle('ADDED', {
    metadata: { name: 'web-1', namespace: 'd', resourceVersion: '1', labels: { app: 'web' } },
    spec: { containers: [{ name: 'app', resources: { requests: { cpu: '100m' } } }] },
    status: { phase: 'Running', startTime: iso(NOW - 600_000), conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: iso(NOW - 590_000) }] },
  });
  const hpas = factory.forPath<HPA>('/apis/autoscaling/v2/horizontalpodautoscalers');
  const add = (metrics: MetricSpec[] = [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 50 } } }]) =>
    hpas.handle('ADDED', { metadata: { name: 'web', namespace: 'd', resourceVersion: '1', uid: 'u' },
      spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics } });
  const status = () => calls.filter((x) => x.method === 'PUT' && x.path.endsWith('/status')).at(-1)?.body.status;
  return { c, calls, events, add, status };
}

const cond = (s: any, type: string) => s.conditions.find((x: any) => x.type === type);

test('scales the target through /scale and records status, conditions and the SuccessfulRescale event', async () => {
  const { c, calls, events, add, status } = setup();
  add();
  assert.equal(await c.sync('d/web'), false);
  const put = calls.find((x) => x.method === 'PUT' && x.path === '/apis/apps/v1/namespaces/d/deployments/web/scale');
  assert.deepEqual(put?.body.spec, { replicas: 4 });
  assert.equal(put?.body.metadata.resourceVersion, '5');
  assert.deepEqual(events, ['Normal SuccessfulRescale New size: 4; reason: cpu resource utilization (percentage of request) above target']);
  const s = status();
  assert.equal(s.currentReplicas, 1);
  assert.equal(s.desiredReplicas, 4);
  assert.equal(s.lastScaleTime, '2025-01-01T12:00:00Z');
  assert.deepEqual(s.currentMetrics, [{ type: 'Resource', resource: { name: 'cpu', current: { averageValue: '200m', averageUtilization: 200 } } }]);
  assert.deepEqual(cond(s, 'AbleToScale'), { type: 'AbleToScale', status: 'True', lastTransitionTime: '2025-01-01T12:00:00Z', reason: 'SucceededRescale', message: 'the HPA controller was able to update the target scale to 4' });
  assert.equal(cond(s, 'ScalingActive').reason, 'ValidMetricFound');
  assert.equal(cond(s, 'ScalingLimited').reason, 'DesiredWithinRange');
  const path = calls.find((x) => x.path.endsWith('/status'))!.path;
  assert.equal(path, '/apis/autoscaling/v2/namespaces/d/horizontalpodautoscalers/web/status');
});

test('within tolerance: no rescale, desired = current', async () => {
  const { c, calls, events, add, status } = setup({ usage: '52m' });
  add();
  await c.sync('d/web');
  assert.equal(calls.filter((x) => x.method === 'PUT' && x.path.endsWith('/scale')).length, 0);
  assert.deepEqual(events, []);
  assert.equal(status().desiredReplicas, 1);
  assert.equal(status().lastScaleTime, undefined);
  assert.equal(cond(status(), 'AbleToScale').reason, 'ReadyForNewScale');
});

test('current above maxReplicas is brought down without metrics', async () => {
  const { c, calls, events, add } = setup({ replicas: 9 });
  add();
  await c.sync('d/web');
  assert.deepEqual(calls.find((x) => x.method === 'PUT' && x.path.endsWith('/scale'))?.body.spec, { replicas: 5 });
  assert.deepEqual(events, ['Normal SuccessfulRescale New size: 5; reason: Current number of replicas above Spec.MaxReplicas']);
  assert.equal(calls.some((x) => x.path.includes('metrics.k8s.io')), false);
});

test('metrics API missing: ScalingActive False FailedGetResourceMetric and FailedComputeMetricsReplicas', async () => {
  const { c, events, add, status } = setup({ metrics: '404' });
  add();
  await assert.rejects(c.sync('d/web'), /failed to compute desired number of replicas based on listed metrics for Deployment\/d\/web/);
  const detail = 'failed to get cpu utilization: unable to get metrics for resource cpu: unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)';
  assert.deepEqual(events, [
    `Warning FailedGetResourceMetric ${detail}`,
    `Warning FailedComputeMetricsReplicas invalid metrics (1 invalid out of 1), first error is: failed to get cpu resource metric value: ${detail}`,
  ]);
  const s = status();
  assert.deepEqual(cond(s, 'ScalingActive'), { type: 'ScalingActive', status: 'False', lastTransitionTime: '2025-01-01T12:00:00Z', reason: 'FailedGetResourceMetric', message: `the HPA was unable to compute the replica count: ${detail}` });
  assert.equal(cond(s, 'AbleToScale').reason, 'SucceededGetScale');
  assert.deepEqual(s.currentMetrics, [{ type: '' }]);
  assert.equal(s.currentReplicas, 1);
});

test('missing target: AbleToScale False FailedGetScale', async () => {
  const { c, events, add, status } = setup({ scale: '404' });
  add();
  await assert.rejects(c.sync('d/web'), /failed to query scale subresource for Deployment\/d\/web: deployments.apps "web" not found/);
  assert.deepEqual(events, ['Warning FailedGetScale deployments.apps "web" not found']);
  assert.equal(cond(status(), 'AbleToScale').message, 'the HPA controller was unable to get the target\'s current scale: deployments.apps "web" not found');
});

test('a Pods metric reports the missing custom metrics API', async () => {
  const { c, events, add, status } = setup();
  add([{ type: 'Pods', pods: { metric: { name: 'packets-per-second' }, target: { type: 'AverageValue', averageValue: '1k' } } }]);
  await assert.rejects(c.sync('d/web'));
  assert.equal(cond(status(), 'ScalingActive').reason, 'FailedGetPodsMetric');
  assert.match(events[0], /^Warning FailedGetPodsMetric unable to get metric packets-per-second: .*no custom metrics API \(custom.metrics.k8s.io\) registered$/);
});

test('an unknown target kind is FailedGetScale with the RESTMapper message', async () => {
  const { c, events, add, status } = setup();
  add();
  (c as unknown as { hpas: { handle(t: string, o: unknown): void } }).hpas.handle('MODIFIED', { metadata: { name: 'web', namespace: 'd', resourceVersion: '2', uid: 'u' },
    spec: { scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Foo', name: 'web' }, minReplicas: 1, maxReplicas: 5, metrics: [] } });
  await assert.rejects(c.sync('d/web'), /unable to determine resource for scale target reference: no matches for kind "Foo" in group "apps"/);
  assert.deepEqual(events, ['Warning FailedGetScale no matches for kind "Foo" in group "apps"']);
  assert.equal(cond(status(), 'AbleToScale').reason, 'FailedGetScale');
});

test('a deleted HPA is forgotten', async () => {
  const { c } = setup();
  assert.equal(await c.sync('d/gone'), true);
});
