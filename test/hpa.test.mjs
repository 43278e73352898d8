// End-to-end: metrics.k8s.io from `kumo sim-nodes --metrics-port 0 --metrics-register` and the
// horizontal pod autoscaler. Pods "use" what their sim.kumo.dev/cpu-usage annotation says; `kubectl
// top` reads it through the aggregation layer; `kubectl autoscale` scales a Deployment up when usage
// is above target, down (after the shortened stabilization window) when it drops, and reports
// ScalingActive=False FailedGetResourceMetric once the metrics API is gone.
import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './cluster-helpers.mjs';

let c;
const NS = 'default';

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: { name: web, namespace: ${NS} }
spec:
  replicas: 1
  selector: { matchLabels: { app: web } }
  template:
    metadata:
      labels: { app: web }
      annotations: { sim.kumo.dev/cpu-usage: 200m, sim.kumo.dev/memory-usage: 64Mi }
    spec:
      containers:
      - name: app
        image: nginx
        resources: { requests: { cpu: 100m, memory: 128Mi } }
`;

const hpa = () => c.get(`/apis/autoscaling/v2/namespaces/${NS}/horizontalpodautoscalers/web`);
const cond = (h, type) => h?.status?.conditions?.find((x) => x.type === type);
const events = async () => (await c.get(`/api/v1/namespaces/${NS}/events`)).items
  .filter((e) => e.involvedObject.kind === 'HorizontalPodAutoscaler' && e.involvedObject.name === 'web');

describe('horizontal pod autoscaler with simulated metrics', { timeout: 120_000 }, () => {
  before(async () => {
    c = await startCluster({
      controllers: 'deployment,replicaset,horizontalpodautoscaling', nodes: 2,
      simArgs: ['--metrics-port', '0', '--metrics-register', '--metrics-window', '1s'],
      cmArgs: ['--horizontal-pod-autoscaler-sync-period', '1s', '--horizontal-pod-autoscaler-downscale-stabilization', '4s'],
    });
  });
  after(async () => { await c?.stop(); });

  test('kubectl top pods and nodes show the annotated usage', async () => {
    const r = await c.kubectl(['apply', '-f', '-'], { input: deployment });
    assert.equal(r.code, 0, r.stderr);
    const out = await c.eventually('kubectl top pods', async () => {
      const t = await c.kubectl(['top', 'pods', '-l', 'app=web']);
      return t.code === 0 && /web-\S+\s+200m\s+64Mi/.test(t.stdout) ? t.stdout : undefined;
    });
    assert.match(out, /^NAME\s+CPU\(cores\)\s+MEMORY\(bytes\)/);
    const nodes = await c.kubectl(['top', 'nodes']);
    assert.equal(nodes.code, 0, nodes.stderr);
    assert.match(nodes.stdout, /sim-node-\d\s+200m\s+\d+%\s+64Mi/);
    // only the front proxy may talk to the extension server directly
    const svc = await c.get('/api/v1/namespaces/kube-system/endpoints/metrics-server');
    const port = svc.subsets[0].ports[0].port;
    const direct = await fetch(`https://127.0.0.1:${port}/apis/metrics.k8s.io/v1beta1/pods`).catch((e) => e);
    assert.ok(direct instanceof Error || direct.status === 401, 'a client without the front-proxy certificate is refused');
  });

  test('kubectl autoscale scales up above target, then down after the stabilization window', async () => {
    const r = await c.kubectl(['autoscale', 'deployment', 'web', '--cpu-percent=50', '--min=1', '--max=5']);
    assert.equal(r.code, 0, r.stderr);
    // 200% of request against a 50% target: 1 → 4 (the scale-up limit), then to the maximum 5
    await c.eventually('scale up to 4', async () => (await events()).find((e) => e.reason === 'SuccessfulRescale'
      && e.message === 'New size: 4; reason: cpu resource utilization (percentage of request) above target'));
    const up = await c.eventually('5 replicas and TooManyReplicas', async () => {
      const h = await hpa();
      return h?.status?.desiredReplicas === 5 && cond(h, 'ScalingLimited')?.reason === 'TooManyReplicas' ? h : undefined;
    });
    assert.equal(cond(up, 'ScalingActive').status, 'True');
    assert.equal(cond(up, 'ScalingActive').reason, 'ValidMetricFound');
    assert.equal(cond(up, 'ScalingActive').message, 'the HPA was able to successfully calculate a replica count from cpu resource utilization (percentage of request)');
    assert.ok(up.status.lastScaleTime);
    await c.eventually('deployment at 5', async () => (await c.get(`/apis/apps/v1/namespaces/${NS}/deployments/web`))?.spec.replicas === 5);
    const m = await c.eventually('current metrics at 200%', async () => {
      const h = await hpa();
      const cur = h?.status?.currentMetrics?.[0];
      return cur?.resource?.current?.averageUtilization === 200 ? cur : undefined;
    });
    assert.deepEqual(m, { type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: 200, averageValue: '200m' } } });
    await c.eventually('kubectl get hpa', async () => {
      const get = await c.kubectl(['get', 'hpa', 'web']);
      return /web\s+Deployment\/web\s+cpu: 200%\/50%\s+1\s+5\s+5\s/.test(get.stdout);
    });

    // usage drops to 10%: the recommendation is 1, held back until the 4 s window has passed
    const lowered = Date.now();
    const a = await c.kubectl(['annotate', 'pods', '-l', 'app=web', 'sim.kumo.dev/cpu-usage=10m', '--overwrite']);
    assert.equal(a.code, 0, a.stderr);
    const stabilized = await c.eventually('ScaleDownStabilized', async () => {
      const h = await hpa();
      return cond(h, 'AbleToScale')?.reason === 'ScaleDownStabilized' ? h : undefined;
    });
    assert.equal(stabilized.status.desiredReplicas, 5);
    await c.eventually('scale down to 1', async () => (await events()).find((e) => e.reason === 'SuccessfulRescale'
      && e.message === 'New size: 1; reason: All metrics below target'));
    assert.ok(Date.now() - lowered >= 4000, 'the scale down waited for the stabilization window');
    await c.eventually('deployment at 1', async () => (await c.get(`/apis/apps/v1/namespaces/${NS}/deployments/web`))?.spec.replicas === 1);
  });

  test('without the metrics API the HPA reports FailedGetResourceMetric', async () => {
    const d = await c.kubectl(['delete', 'apiservice', 'v1beta1.metrics.k8s.io']);
    assert.equal(d.code, 0, d.stderr);
    const h = await c.eventually('ScalingActive False', async () => {
      const x = await hpa();
      return cond(x, 'ScalingActive')?.status === 'False' ? x : undefined;
    });
    const sa = cond(h, 'ScalingActive');
    assert.equal(sa.reason, 'FailedGetResourceMetric');
    assert.equal(sa.message, 'the HPA was unable to compute the replica count: failed to get cpu utilization: unable to get metrics for resource cpu: '
      + 'unable to fetch metrics from resource metrics API: the server could not find the requested resource (get pods.metrics.k8s.io)');
    const ev = await c.eventually('FailedComputeMetricsReplicas event', async () => (await events()).find((e) => e.reason === 'FailedComputeMetricsReplicas'));
    assert.match(ev.message, /^invalid metrics \(1 invalid out of 1\), first error is: failed to get cpu resource metric value: failed to get cpu utilization: /);
    assert.equal(ev.type, 'Warning');
    assert.equal(h.status.currentReplicas, 1);
  });
});
