// Density (issue 4 `density`): `kumo server` (its built-in controller manager and scheduler) +
// `kumo sim-nodes` (N nodes in 3 zones, 110 pods each); M pause-like pods as D Deployments created
// at a steady rate (pods/s ÷ pods per Deployment). Reports time until every pod is Running (the
// simulator marks them) and every Deployment is Available; the latency of the harness's own API
// probes during the run by upstream SLI class, and the server's apiserver_request_duration_seconds
// over the run when it serves /metrics; RSS and CPU of each process; node heartbeat lateness from
// a Lease watch (max gap between renewals per node vs the 40 s lease) and nodes that went NotReady.
// Deployments go into namespaces of at most 3,000 pods, as clusterloader2 does.
// Writes the JSON and two SVG plots (pods over time, probe latency over time) to bench/results/.
// Usage: node bench/density.mjs [nodes=100] [pods=2000] [podsPerDeployment=100] [podsPerSecond=200] [scheduler=builtin]
// scheduler "separate": the server runs with --disable-scheduler and a `kumo scheduler` process
// schedules instead (its own event loop), to compare with the built-in one.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { startServer, stop, req, gitCommit, saveResult, round } from './lib.mjs';
import {
  componentKubeconfig, procStats, usage, spawnKumo, stopChild, watchPods, watchResource, LatencyRecorder, paced, until, startProbes,
  HeartbeatTracker, scrapeRequestDurations, durationQuantiles, deploymentObject, deploymentAvailable, sampleProcesses,
} from './cluster.mjs';
import { lineChart } from './svg.mjs';

const nodes = Number(process.argv[2] ?? 100);
const pods = Number(process.argv[3] ?? 2000);
const perDeployment = Number(process.argv[4] ?? 100);
const podRate = Number(process.argv[5] ?? 200);
const separateScheduler = process.argv[6] === 'separate';
if (process.argv[6] && !['builtin', 'separate'].includes(process.argv[6])) throw new Error(`scheduler: builtin or separate, not ${process.argv[6]}`);
const deployments = Math.ceil(pods / perDeployment);
// as clusterloader2's density: namespaces of at most 3,000 pods (whole Deployments)
const perNamespace = Math.max(1, Math.floor(3000 / perDeployment));
const namespaces = Math.ceil(deployments / perNamespace);
const nsOf = (i) => `density-${Math.floor(i / perNamespace)}`;

const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-density-'));
const server = await startServer(dir, separateScheduler ? ['--disable-scheduler'] : []);
const agent = new https.Agent({ keepAlive: true, maxSockets: 16 });
const lat = new LatencyRecorder();
const hb = new HeartbeatTracker(40);
let sim;
let sched;
let podWatch;
let deployWatch;
let probes;
let sampler;
try {
  const t0 = performance.now();
  sim = await spawnKumo(['sim-nodes', '--kubeconfig', join(dir, 'kubeconfig'), '--count', String(nodes), '--zones', '3', '--pods', '110',
    '--pod-cidr-base', '10.0.0.0/8'], /(\d+) nodes registered in (\d+) ms/, 600_000);
  const registerMs = performance.now() - t0;
  if (separateScheduler) {
    const kc = await componentKubeconfig(dir, 'scheduler', server);
    sched = await spawnKumo(['scheduler', '--kubeconfig', kc, '--secure-port', '0', '--leader-elect=false'], /healthz\/metrics at http/);
  }
  await hb.start(server);

  for (let n = 0; n < namespaces; n++) await req(server, agent, 'POST', '/api/v1/namespaces', { metadata: { name: `density-${n}` } });
  for (let n = 0; n < namespaces; n++) await until(async () => (await req(server, agent, 'GET', `/api/v1/namespaces/density-${n}/serviceaccounts/default`)).status === 200, 30_000, 'default service account');

  // pods seen and Running, Deployments Available, as watches report them
  const seen = new Set();
  const running = new Set();
  const names = [];
  const available = new Set();
  let finished;
  const done = new Promise((r) => { finished = r; });
  let t = 0;
  let allCreatedMs = -1;
  let allRunningMs = -1;
  const check = () => { if (running.size >= pods && available.size >= deployments) finished('done'); };
  podWatch = await watchPods(server, (type, p) => {
    const name = `${p.metadata.namespace}/${p.metadata.name}`;
    if (type === 'DELETED') return;
    if (!seen.has(name)) { seen.add(name); if (seen.size === pods) allCreatedMs = performance.now() - t; }
    if (p.status?.phase === 'Running' && !running.has(name)) {
      running.add(name);
      names.push(name);
      if (running.size === pods) allRunningMs = performance.now() - t;
      check();
    }
  }, 'labelSelector=app%3Dbench');
  deployWatch = await watchResource(server, '/apis/apps/v1/deployments', (type, d) => {
    const name = `${d.metadata.namespace}/${d.metadata.name}`;
    if (type !== 'DELETED' && deploymentAvailable(d)) { available.add(name); check(); } else available.delete(name);
  }, 'labelSelector=app%3Dbench');

  const procs = { apiserver: server.child.pid, ...(sched ? { scheduler: sched.child.pid } : {}), 'sim-nodes': sim.child.pid, harness: process.pid };
  const before = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, procStats(pid)]));
  sampler = sampleProcesses(procs);
  const metricsBefore = await scrapeRequestDurations(server, agent);
  probes = startProbes(server, agent, lat, 'density-0', () => (names.length ? names[Math.floor(Math.random() * names.length)].split('/') : undefined));

  t = performance.now();
  const progress = setInterval(() => console.error(`density ${round((performance.now() - t) / 1000, 0)}s: pods ${seen.size} seen, ${running.size} Running; ${available.size} of ${deployments} Deployments Available`), 15_000);
  const timeline = [];
  const tick = setInterval(() => timeline.push([round((performance.now() - t) / 1000, 1), seen.size, running.size, available.size]), 1000);
  await paced(deployments, 4, podRate / perDeployment, async (i) => {
    const replicas = Math.min(perDeployment, pods - i * perDeployment);
    const r = await lat.time('POST deployments namespace', () => req(server, agent, 'POST', `/apis/apps/v1/namespaces/${nsOf(i)}/deployments`, deploymentObject(`deploy-${i}`, replicas)));
    if (r.status !== 201) throw new Error(`create deploy-${i}: ${r.status} ${r.body.toString().slice(0, 300)}`);
  });
  const deploymentsCreatedMs = performance.now() - t;
  const timeout = setTimeout(() => finished('timeout'), Math.max(600_000, pods * 20));
  const outcome = await done;
  clearTimeout(timeout);
  const availableMs = performance.now() - t;
  clearInterval(tick);
  clearInterval(progress);
  timeline.push([round(availableMs / 1000, 1), seen.size, running.size, available.size]);
  const after = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, procStats(pid)]));
  await probes.stop();
  sampler.stop();
  const metricsAfter = await scrapeRequestDurations(server, agent);

  const result = {
    commit: gitCommit(), date: new Date().toISOString(), node: process.version,
    // other work on the machine skews every figure: the 1/5/15-minute load averages at the end
    loadAverage: loadavg().map((x) => round(x, 2)),
    nodes, pods, deployments, podsPerDeployment: perDeployment, namespaces, podsPerSecondAsked: podRate,
    setup: separateScheduler ? 'kumo server --disable-scheduler (built-in controller manager) + kumo scheduler; kumo sim-nodes' : 'kumo server with its built-in controller manager and scheduler; kumo sim-nodes',
    outcome: outcome === 'timeout' ? `timeout with ${running.size} Running, ${available.size} Deployments Available` : 'all Running and Available',
    nodesRegisteredMs: round(registerMs, 0),
    deploymentsCreatedMs: round(deploymentsCreatedMs, 0),
    allPodsCreatedMs: round(allCreatedMs, 0),
    firstDeploymentToAllRunningMs: round(allRunningMs, 0),
    firstDeploymentToAllAvailableMs: round(availableMs, 0),
    podsRunningPerSecond: round(running.size / (allRunningMs / 1000), 0),
    apiLatency: lat.summary(),
    serverRequestDurations: durationQuantiles(metricsBefore, metricsAfter) ?? 'no /metrics',
    heartbeats: hb.summary(),
    processes: Object.fromEntries(Object.keys(procs).map((k) => [k, usage(before[k], after[k])])),
    processSeries: sampler.series,
    timeline,
  };
  console.log(JSON.stringify({ ...result, processSeries: undefined, timeline: undefined }, null, 2));
  const file = saveResult(separateScheduler ? 'density-separate-scheduler' : 'density', result);
  console.log(`saved ${file}`);
  const size = `${nodes} nodes, ${pods} pods in ${deployments} Deployments${separateScheduler ? ', separate scheduler' : ''}`;
  writeFileSync(file.replace(/\.json$/, '-pods.svg'), lineChart({
    title: `density: ${size} (${result.commit})`, xLabel: 'seconds since the first Deployment', yLabel: 'pods',
    series: [{ name: 'pods created', points: timeline.map(([x, c]) => [x, c]) }, { name: 'pods Running', points: timeline.map(([x, , r]) => [x, r]) },
      { name: `Deployments Available × ${perDeployment}`, points: timeline.map(([x, , , a]) => [x, a * perDeployment]) }],
  }));
  writeFileSync(file.replace(/\.json$/, '-latency.svg'), lineChart({
    title: `density: probe latency, ${size}`, xLabel: 'seconds since the harness started probing', yLabel: 'ms',
    series: [...lat.series].filter(([k]) => !k.startsWith('POST')).map(([k, pts]) => ({ name: k, points: pts })),
    refs: [{ y: 1000, label: 'SLO 1 s (mutating / GET)' }],
  }));
} finally {
  await probes?.stop();
  sampler?.stop();
  hb.close();
  podWatch?.close();
  deployWatch?.close();
  agent.destroy();
  await stopChild(sched?.child);
  await stopChild(sim?.child);
  await stop(server);
  rmSync(dir, { recursive: true, force: true });
}
