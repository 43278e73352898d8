// Cold start (issue 4 `startup`): `kumo server` from process spawn to its ready line, on an empty data
// dir and on one holding K objects (a third each ConfigMaps, Pods, Services, spread over 10
// namespaces, written through the API). Each start is repeated; RSS right at ready and after a
// settle second. Usage: node bench/startup.mjs [objects=50000] [repeats=3]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { startServer, stop, req, gitCommit, saveResult, round, pct } from './lib.mjs';
import { procStats, paced, until, pausePod } from './cluster.mjs';

const objects = Number(process.argv[2] ?? 50000);
const repeats = Number(process.argv[3] ?? 3);
const NAMESPACES = 10;

async function coldStarts(dir) {
  const runs = [];
  for (let i = 0; i < repeats; i++) {
    const s = await startServer(dir);
    const atReady = procStats(s.child.pid);
    await new Promise((r) => setTimeout(r, 1000));
    const settled = procStats(s.child.pid);
    runs.push({ readyMs: round(s.readyMs, 0), selfReportedMs: s.selfReportedMs, rssAtReadyMiB: round(atReady.rssBytes / 2 ** 20, 1), rssSettledMiB: round(settled.rssBytes / 2 ** 20, 1) });
    await stop(s);
  }
  const ready = runs.map((r) => r.readyMs).sort((a, b) => a - b);
  return { runs, medianReadyMs: pct(ready, 50) };
}

function object(i) {
  const ns = `ns-${i % NAMESPACES}`;
  const name = `obj-${i}`;
  switch (i % 3) {
    case 0: return [`/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name }, data: { payload: 'x'.repeat(900) } }];
    case 1: return [`/api/v1/namespaces/${ns}/pods`, pausePod(name)];
    default: return [`/api/v1/namespaces/${ns}/services`, { apiVersion: 'v1', kind: 'Service', metadata: { name }, spec: { ports: [{ port: 80 }], selector: { app: name } } }];
  }
}

const emptyDir = mkdtempSync(join(tmpdir(), 'kumo-bench-start0-'));
const fullDir = mkdtempSync(join(tmpdir(), 'kumo-bench-startK-'));
try {
  // first start on an empty dir initialises it (PKI, bootstrap objects); the measured runs come after
  await stop(await startServer(emptyDir));
  const empty = await coldStarts(emptyDir);

  const s = await startServer(fullDir);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  let failed = 0;
  let t = performance.now();
  try {
    for (let n = 0; n < NAMESPACES; n++) await req(s, agent, 'POST', '/api/v1/namespaces', { metadata: { name: `ns-${n}` } });
    for (let n = 0; n < NAMESPACES; n++) await until(async () => (await req(s, agent, 'GET', `/api/v1/namespaces/ns-${n}/serviceaccounts/default`)).status === 200, 30_000, 'default service account');
    t = performance.now();
    await paced(objects, 32, Infinity, async (i) => {
      const [path, body] = object(i);
      const r = await req(s, agent, 'POST', path, body);
      if (r.status !== 201) { failed++; if (failed <= 3) console.error(`create ${path}/${body.metadata.name}: ${r.status} ${r.body.toString().slice(0, 200)}`); }
    });
  } finally { agent.destroy(); await stop(s); }
  const fillMs = performance.now() - t;
  const full = await coldStarts(fullDir);

  const result = {
    commit: gitCommit(), date: new Date().toISOString(), node: process.version,
    // other work on the machine skews every figure: the 1/5/15-minute load averages at the end
    loadAverage: loadavg().map((x) => round(x, 2)),
    empty,
    withObjects: { objects, failedCreates: failed, kinds: 'ConfigMap (1 KiB) / Pod / Service, a third each, 10 namespaces', fillMs: round(fillMs, 0), ...full },
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`saved ${saveResult('startup', result)}`);
} finally {
  rmSync(emptyDir, { recursive: true, force: true });
  rmSync(fullDir, { recursive: true, force: true });
}
