// Server-side apply of an unchanged ~4 KiB Deployment (issue 7 target: ≤ 2 ms server time at p50).
// One keep-alive HTTPS client applies the same configuration N times; a GET of the same object on
// the same connection is the transport baseline, so "server time" is estimated as apply − get.
// Also times the apply computation alone in-process (dist/apiserver/apply), without HTTP or storage.
// Usage: node bench/apply.mjs [N=1000]   (after make build)
import https from 'node:https';
import os from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startServer, stop, req, pct, round, saveResult, gitCommit, ROOT } from './lib.mjs';

const N = Number(process.argv[2] ?? 1000);

function deployment() {
  const env = Array.from({ length: 24 }, (_, i) => ({ name: `VAR_${i}`, value: `value-number-${i}-${'x'.repeat(20)}` }));
  const labels = { app: 'web', tier: 'frontend', team: 'platform', release: 'stable' };
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'web', namespace: 'default', labels, annotations: { 'example.com/owner': 'bench', 'example.com/purpose': 'server-side apply timing' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: 'web', image: 'nginx:1.25', ports: [{ containerPort: 80, name: 'http' }, { containerPort: 443, name: 'https' }], env,
              resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } },
              readinessProbe: { httpGet: { path: '/healthz', port: 80 }, periodSeconds: 5 },
              volumeMounts: [{ name: 'config', mountPath: '/etc/nginx/conf.d' }] },
            { name: 'sidecar', image: 'busybox:1.36', command: ['sh', '-c', 'while true; do sleep 3600; done'] },
          ],
          volumes: [{ name: 'config', configMap: { name: 'web-config' } }],
        },
      },
    },
  };
}

async function timeLoop(fn, n) {
  const out = [];
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    await fn();
    out.push(performance.now() - t);
  }
  return out.sort((a, b) => a - b);
}

const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-apply-'));
const s = await startServer(dir, ['--controllers', 'serviceaccount,root-ca-cert-publisher,namespace']);
const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
try {
  const body = JSON.stringify(deployment());
  const path = '/apis/apps/v1/namespaces/default/deployments/web?fieldManager=bench';
  const headers = { 'content-type': 'application/apply-patch+yaml' };
  const first = await req(s, agent, 'PATCH', path, body, headers);
  if (first.status !== 201) throw new Error(`apply-create: ${first.status} ${first.body}`);
  const stored = JSON.parse(first.body.toString());
  const rv = stored.metadata.resourceVersion;
  // warm up both paths
  for (let i = 0; i < 100; i++) { await req(s, agent, 'PATCH', path, body, headers); await req(s, agent, 'GET', '/apis/apps/v1/namespaces/default/deployments/web'); }
  const apply = await timeLoop(async () => {
    const r = await req(s, agent, 'PATCH', path, body, headers);
    if (r.status !== 200) throw new Error(`apply: ${r.status} ${r.body}`);
  }, N);
  const get = await timeLoop(() => req(s, agent, 'GET', '/apis/apps/v1/namespaces/default/deployments/web'), N);
  const after = JSON.parse((await req(s, agent, 'GET', '/apis/apps/v1/namespaces/default/deployments/web')).body.toString());
  if (after.metadata.resourceVersion !== rv) throw new Error('an unchanged apply wrote the object');

  // the apply computation alone (merge, field sets, conflicts), in this process
  const { applyConfig } = await import(join(ROOT, 'dist/apiserver/apply/fieldmanager.js'));
  const { typeInfoFor } = await import(join(ROOT, 'dist/apiserver/apply/typeinfo.js'));
  const { builtinResources } = await import(join(ROOT, 'dist/api/resources.js'));
  const type = typeInfoFor(builtinResources.find((r) => r.group === 'apps' && r.kind === 'Deployment'));
  const config = deployment();
  const opts = { manager: 'bench', force: false, apiVersion: 'apps/v1', subresource: '', type, describe: 'default/web; apps/v1, Kind=Deployment' };
  for (let i = 0; i < 200; i++) applyConfig(after, config, opts);
  const compute = [];
  for (let i = 0; i < N; i++) { const t = performance.now(); applyConfig(after, config, opts); compute.push(performance.now() - t); }
  compute.sort((a, b) => a - b);

  const ms = (a) => ({ p50: round(pct(a, 50), 3), p99: round(pct(a, 99), 3) });
  const result = {
    commit: gitCommit(), date: new Date().toISOString(), loadAverage: os.loadavg().map((x) => round(x)), n: N,
    objectBytes: Buffer.byteLength(JSON.stringify(after)), configBytes: Buffer.byteLength(body),
    applyRoundTripMs: ms(apply), getRoundTripMs: ms(get),
    serverTimeEstimateMs: { p50: round(pct(apply, 50) - pct(get, 50), 3), p99: round(pct(apply, 99) - pct(get, 99), 3) },
    applyComputeMs: ms(compute),
    target: 'unchanged SSA of a 4 KiB Deployment ≤ 2 ms server time at p50',
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`saved ${saveResult('apply', result)}`);
} finally {
  agent.destroy();
  await stop(s);
  rmSync(dir, { recursive: true, force: true });
}
