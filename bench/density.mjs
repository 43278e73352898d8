// Density (issue 4 `density`): `kumo server` + `kumo sim-nodes` (N nodes in 3 zones, 110 pods each)
// + `kumo scheduler`; M pause-like pods created at a steady rate with bounded concurrency (no
// controllers yet, so Pods directly rather than through Deployments). Reports time until every
// pod is Running (the simulator marks them), the latency of the harness's own API calls during the
// run by upstream SLI class (mutating single object; GET; LIST in a namespace and cluster-wide),
// and RSS/CPU of each process over the run.
// Usage: node bench/density.mjs [nodes=500] [pods=5000] [createRate=500/s]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { startServer, stop, req, gitCommit, saveResult, round } from './lib.mjs';
import { procStats, usage, spawnKumo, stopChild, componentKubeconfig, watchPods, LatencyRecorder, paced, until, pausePod } from './cluster.mjs';

const nodes = Number(process.argv[2] ?? 500);
const pods = Number(process.argv[3] ?? 5000);
const rate = Number(process.argv[4] ?? 500);
const concurrency = 16;
const NS = 'density';

const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-density-'));
const server = await startServer(dir, ['--disable-scheduler']);
const agent = new https.Agent({ keepAlive: true, maxSockets: concurrency + 4 });
const lat = new LatencyRecorder();
let sim;
let sched;
let watch;
let probing = true;
try {
  // simulated nodes first: time to register them is part of the report
  let t = performance.now();
  sim = await spawnKumo(['sim-nodes', '--kubeconfig', join(dir, 'kubeconfig'), '--count', String(nodes), '--zones', '3', '--pods', '110',
    '--pod-cidr-base', '10.0.0.0/8'], /(\d+) nodes registered in (\d+) ms/, 300_000);
  const registerMs = performance.now() - t;
  const kc = await componentKubeconfig(dir, 'scheduler', server);
  sched = await spawnKumo(['scheduler', '--kubeconfig', kc, '--secure-port', '0', '--leader-elect=false'], /healthz\/metrics at http/);

  await req(server, agent, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
  await until(async () => (await req(server, agent, 'GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status === 200, 30_000, 'default service account');

  // count pods Running as the simulator reports them
  const running = new Set();
  let allRunning;
  const done = new Promise((r) => { allRunning = r; });
  watch = await watchPods(server, (type, p) => {
    if (type !== 'DELETED' && p.status?.phase === 'Running' && !running.has(p.metadata.name)) {
      running.add(p.metadata.name);
      if (running.size === pods) allRunning();
    }
  }, `fieldSelector=metadata.namespace%3D${NS}`);

  const procs = { apiserver: server.child.pid, scheduler: sched.child.pid, 'sim-nodes': sim.child.pid };
  const before = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, procStats(pid)]));

  // probes alongside the load, as a user would see the API during the run (SLI classes)
  const probes = [
    [500, async () => { // mutating single object (beyond the creates): label a pod already created
      const i = Math.floor(Math.random() * Math.max(1, created));
      if (created) await lat.time('PATCH pods namespace', () => req(server, agent, 'PATCH', `/api/v1/namespaces/${NS}/pods/pod-${i}`,
        { metadata: { labels: { probed: String(Date.now()) } } }, { 'content-type': 'application/merge-patch+json' }));
    }],
    [500, async () => { const i = Math.floor(Math.random() * Math.max(1, created)); if (created) await lat.time('GET pods namespace', () => req(server, agent, 'GET', `/api/v1/namespaces/${NS}/pods/pod-${i}`)); }],
    [2000, () => lat.time('LIST pods namespace', () => req(server, agent, 'GET', `/api/v1/namespaces/${NS}/pods`))],
    [5000, () => lat.time('LIST pods cluster', () => req(server, agent, 'GET', '/api/v1/pods'))],
    [5000, () => lat.time('LIST nodes cluster', () => req(server, agent, 'GET', '/api/v1/nodes'))],
  ];
  let created = 0;
  const probeLoops = probes.map(async ([every, fn]) => {
    while (probing) {
      const s = performance.now();
      await fn();
      const wait = every - (performance.now() - s);
      if (wait > 0 && probing) await new Promise((r) => setTimeout(r, wait));
    }
  });

  t = performance.now();
  await paced(pods, concurrency, rate, async (i) => {
    const r = await lat.time('POST pods namespace', () => req(server, agent, 'POST', `/api/v1/namespaces/${NS}/pods`, pausePod(`pod-${i}`)));
    if (r.status !== 201) throw new Error(`create pod-${i}: ${r.status} ${r.body.toString().slice(0, 300)}`);
    created = i + 1;
  });
  const createdMs = performance.now() - t;
  const timeout = setTimeout(() => allRunning('timeout'), 600_000);
  const outcome = await done;
  clearTimeout(timeout);
  const runningMs = performance.now() - t;
  const after = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, procStats(pid)]));
  probing = false;
  await Promise.all(probeLoops);

  const result = {
    commit: gitCommit(), date: new Date().toISOString(), node: process.version,
    // other work on the machine skews every figure: the 1/5/15-minute load averages at the end
    loadAverage: loadavg().map((x) => round(x, 2)),
    nodes, pods, createRatePerSecond: rate, createConcurrency: concurrency,
    outcome: outcome === 'timeout' ? `timeout with ${running.size} Running` : 'all Running',
    nodesRegisteredMs: round(registerMs, 0),
    podsCreatedMs: round(createdMs, 0),
    firstCreateToAllRunningMs: round(runningMs, 0),
    lastCreateToAllRunningMs: round(runningMs - createdMs, 0),
    podsRunningPerSecond: round(running.size / (runningMs / 1000), 0),
    apiLatency: lat.summary(),
    processes: Object.fromEntries(Object.keys(procs).map((k) => [k, usage(before[k], after[k])])),
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`saved ${saveResult('density', result)}`);
} finally {
  probing = false;
  watch?.close();
  agent.destroy();
  await stopChild(sched?.child);
  await stopChild(sim?.child);
  await stop(server);
  rmSync(dir, { recursive: true, force: true });
}
