// Custom resources vs built-ins (issue 7 performance): 32 concurrent HTTPS clients create 1 KiB
// ConfigMaps, then 1 KiB custom resources of a CRD with a structural schema (defaults, an enum, a
// CEL rule), in the same server run. The ratio is what the goal (≥ 0.8) is about.
// Usage: node bench/crd.mjs [n=5000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { round, startServer, stop, req, gitCommit, saveResult, timed } from './lib.mjs';

const n = Number(process.argv[2] ?? 5000);
const CLIENTS = 32;

const crd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: 'widgets.bench.kumo.dev' },
  spec: {
    group: 'bench.kumo.dev', scope: 'Namespaced', names: { plural: 'widgets', singular: 'widget', kind: 'Widget' },
    versions: [{
      name: 'v1', served: true, storage: true, subresources: { status: {} },
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: {
        type: 'object', required: ['size'],
        'x-kubernetes-validations': [{ rule: 'self.size <= self.max', message: 'size must not exceed max' }],
        properties: {
          size: { type: 'integer', minimum: 0 }, max: { type: 'integer', default: 100 },
          color: { type: 'string', enum: ['red', 'green', 'blue'], default: 'red' }, payload: { type: 'string' },
        },
      } } } },
    }],
  },
};

async function creates(s, agent, path, body, count = n, prefix = 'o') {
  let shown = false;
  const r = await timed(count, CLIENTS, async (k) => {
    const res = await req(s, agent, 'POST', path, body(`${prefix}-${k}`));
    if (res.status !== 201 && !shown) { shown = true; console.error(res.status, res.body.toString().slice(0, 300)); }
    return res.status === 201;
  });
  return { creates: count, errors: r.errors, creates_per_sec: r.per_sec, p50_ms: r.p50_ms, p99_ms: r.p99_ms };
}

const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-crd-'));
const s = await startServer(dir, ['--controllers', 'serviceaccount,root-ca-cert-publisher,namespace']);
const agent = new https.Agent({ keepAlive: true, maxSockets: CLIENTS });
try {
  await req(s, agent, 'POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
  const c = await req(s, agent, 'POST', '/apis/apiextensions.k8s.io/v1/customresourcedefinitions', crd);
  if (c.status !== 201) throw new Error(`CRD: ${c.status} ${c.body}`);
  for (let t = 0; ; t++) {
    const r = await req(s, agent, 'GET', '/apis/bench.kumo.dev/v1/namespaces/bench/widgets');
    if (r.status === 200) break;
    if (t > 100) throw new Error('CRD not served');
    await new Promise((res) => setTimeout(res, 100));
  }
  const payload = 'x'.repeat(1024 - 120);
  // warm both paths up first (JIT, caches) so the order of the measured runs does not decide the ratio
  const cm = (name) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { payload } });
  const cr = (name) => ({ apiVersion: 'bench.kumo.dev/v1', kind: 'Widget', metadata: { name }, spec: { size: 3, payload } });
  await creates(s, agent, '/api/v1/namespaces/bench/configmaps', cm, 500, 'warm');
  await creates(s, agent, '/apis/bench.kumo.dev/v1/namespaces/bench/widgets', cr, 500, 'warm');
  const configMaps = await creates(s, agent, '/api/v1/namespaces/bench/configmaps', cm);
  const customResources = await creates(s, agent, '/apis/bench.kumo.dev/v1/namespaces/bench/widgets', cr);
  const result = {
    commit: gitCommit(), date: new Date().toISOString(), node: process.version, loadAverage: loadavg().map((x) => round(x, 2)),
    clients: CLIENTS, configMaps, customResources,
    ratio: round(customResources.creates_per_sec / configMaps.creates_per_sec, 3),
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`saved ${saveResult('crd', result)}`);
} finally {
  agent.destroy();
  await stop(s);
  rmSync(dir, { recursive: true, force: true });
}
