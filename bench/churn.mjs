// Churn (issue 4 `churn`): a cluster at steady state — `kumo server` (built-in controllers and
// scheduler) + `kumo sim-nodes` with its drill API, M pods in Deployments — then, for a while, pod
// deletions and node failures at a steady rate. Failed nodes stop heartbeating (sim-nodes
// POST /fail); the node lifecycle controller marks them Unknown and taints them, the taint
// eviction controller deletes their pods after the pods' tolerationSeconds (set short here, see
// below), and the ReplicaSets replace what was lost. Reports time to re-converge (every Deployment
// Available again) after the churn ends and after the last node failure, API latency during the
// churn (the upstream SLI classes), heartbeat lateness of the healthy nodes, RSS/CPU; then the
// failed nodes recover and the time until their Terminating pods are gone. SVG: unavailable
// replicas over time.
// The pod template tolerates node.kubernetes.io/unreachable and not-ready for `tolerationSeconds`
// (default 10 s rather than the 300 s DefaultTolerationSeconds gives) so a run takes minutes.
// Usage: node bench/churn.mjs [nodes=50] [pods=1000] [churnSeconds=60] [podDeletesPerSecond=5]
//        [nodeFailEverySeconds=20] [tolerationSeconds=10]
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import { startServer, stop, req, gitCommit, saveResult, round } from './lib.mjs';
import {
  procStats, usage, spawnKumo, stopChild, watchPods, watchResource, LatencyRecorder, paced, until, startProbes,
  HeartbeatTracker, scrapeRequestDurations, durationQuantiles, deploymentObject, deploymentAvailable,
} from './cluster.mjs';
import { lineChart } from './svg.mjs';

const nodes = Number(process.argv[2] ?? 50);
const pods = Number(process.argv[3] ?? 1000);
const churnSeconds = Number(process.argv[4] ?? 60);
const deleteRate = Number(process.argv[5] ?? 5);
const failEvery = Number(process.argv[6] ?? 20);
const tolerationSeconds = Number(process.argv[7] ?? 10);
const perDeployment = 100;
const deployments = Math.ceil(pods / perDeployment);
const NS = 'churn';
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const T0 = performance.now();
const log = (m) => console.error(`churn ${round((performance.now() - T0) / 1000, 1)}s: ${m}`);

const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-churn-'));
const server = await startServer(dir);
const agent = new https.Agent({ keepAlive: true, maxSockets: 16 });
const lat = new LatencyRecorder();
const hb = new HeartbeatTracker(40);
let sim;
let podWatch;
let deployWatch;
let probes;
try {
  sim = await spawnKumo(['sim-nodes', '--kubeconfig', join(dir, 'kubeconfig'), '--count', String(nodes), '--zones', '3', '--pods', '110',
    '--pod-cidr-base', '10.0.0.0/8', '--drill-address', '127.0.0.1:0'], /(\d+) nodes registered in (\d+) ms/, 600_000);
  const drillURL = /drill API at (\S+)/.exec(sim.out())[1];
  const drill = async (what, names) => {
    const r = await fetch(`${drillURL}/${what}?nodes=${names.join(',')}`, { method: 'POST' });
    if (r.status !== 200) throw new Error(`drill ${what}: ${r.status} ${await r.text()}`);
  };
  await hb.start(server);
  await req(server, agent, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
  await until(async () => (await req(server, agent, 'GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status === 200, 30_000, 'default service account');

  // what the watches say: pods (node, Running, terminating) and each Deployment's unavailable replicas
  const podState = new Map();
  const unavailable = new Map();
  podWatch = await watchPods(server, (type, p) => {
    const name = p.metadata.name;
    if (type === 'DELETED') { podState.delete(name); return; }
    podState.set(name, { node: p.spec.nodeName, running: p.status?.phase === 'Running', terminating: !!p.metadata.deletionTimestamp });
  }, `fieldSelector=metadata.namespace%3D${NS}`);
  deployWatch = await watchResource(server, `/apis/apps/v1/namespaces/${NS}/deployments`, (type, d) => {
    if (type === 'DELETED') { unavailable.delete(d.metadata.name); return; }
    unavailable.set(d.metadata.name, deploymentAvailable(d) ? 0 : Math.max(1, (d.spec.replicas ?? 1) - (d.status?.availableReplicas ?? 0)));
  });
  const totalUnavailable = () => { let n = 0; for (const v of unavailable.values()) n += v; return n; };
  const converged = () => unavailable.size === deployments && totalUnavailable() === 0;

  // steady state
  const unreachable = ['node.kubernetes.io/unreachable', 'node.kubernetes.io/not-ready'].map((key) => ({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds }));
  let t = performance.now();
  await paced(deployments, 4, 5, async (i) => {
    const r = await req(server, agent, 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`,
      deploymentObject(`deploy-${i}`, Math.min(perDeployment, pods - i * perDeployment), { tolerations: unreachable }));
    if (r.status !== 201) throw new Error(`create deploy-${i}: ${r.status} ${r.body.toString().slice(0, 300)}`);
  });
  const progress = setInterval(() => {
    let terminating = 0;
    let running = 0;
    for (const p of podState.values()) { if (p.terminating) terminating++; else if (p.running) running++; }
    log(`pods ${podState.size} (Running ${running}, Terminating ${terminating}); unavailable replicas ${totalUnavailable()} in ${unavailable.size} Deployments`);
  }, 10_000);
  await until(converged, Math.max(600_000, pods * 20), 'steady state', 200);
  const steadyMs = performance.now() - t;
  log(`steady state in ${round(steadyMs, 0)} ms`);

  const procs = { apiserver: server.child.pid, 'sim-nodes': sim.child.pid, harness: process.pid };
  const before = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, procStats(pid)]));
  const metricsBefore = await scrapeRequestDurations(server, agent);
  const live = () => [...podState].filter(([, s]) => s.running && !s.terminating).map(([n]) => n);
  let liveNames = live();
  probes = startProbes(server, agent, lat, NS, () => (liveNames.length ? [NS, liveNames[Math.floor(Math.random() * liveNames.length)]] : undefined));

  // churn: pod deletions at a steady rate, a node failure every failEvery seconds
  const failed = [];
  const timeline = [];
  t = performance.now();
  const tick = setInterval(() => {
    let terminating = 0;
    let running = 0;
    for (const s of podState.values()) { if (s.terminating) terminating++; else if (s.running) running++; }
    timeline.push([round((performance.now() - t) / 1000, 1), totalUnavailable(), running, terminating, failed.length]);
  }, 1000);
  const healthy = () => [...Array(nodes).keys()].map((i) => `sim-node-${i}`).filter((n) => !failed.includes(n));
  let lastFailureAt = 0;
  const failures = (async () => {
    for (let k = 0; k * failEvery < churnSeconds; k++) {
      const due = t + k * failEvery * 1000;
      if (due > performance.now()) await sleep(due - performance.now());
      const h = healthy();
      const victim = h[Math.floor(Math.random() * h.length)];
      await drill('fail', [victim]);
      log(`failed ${victim}`);
      failed.push(victim);
      lastFailureAt = performance.now();
    }
  })();
  let deleted = 0;
  await paced(Math.floor(churnSeconds * deleteRate), 8, deleteRate, async () => {
    liveNames = live();
    const victim = liveNames[Math.floor(Math.random() * liveNames.length)];
    if (!victim) return;
    const r = await lat.time('DELETE pods resource', () => req(server, agent, 'DELETE', `/api/v1/namespaces/${NS}/pods/${victim}`));
    if (r.status === 200) deleted++;
  });
  await failures;
  const churnEnd = performance.now();
  log(`churn over: ${deleted} pods deleted, ${failed.length} nodes failed`);
  const reconverge = await until(converged, 600_000, 're-convergence', 200).then(() => 'converged', () => 'timeout after 600 s');
  const reconvergedAt = performance.now();
  const after = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, procStats(pid)]));
  await probes.stop();
  const metricsAfter = await scrapeRequestDurations(server, agent);
  const heartbeats = hb.summary(new Set(failed));
  const notReadyFailed = failed.filter((n) => hb.notReadyEver.has(n)).length;

  // the failed kubelets come back: their Terminating pods are finally removed
  const recoverStart = performance.now();
  await drill('recover', failed);
  const cleaned = await until(() => ![...podState.values()].some((s) => s.terminating), 300_000, 'Terminating pods gone', 200).then(() => true, () => false);
  const cleanupMs = cleaned ? performance.now() - recoverStart : -1;
  log(cleaned ? 'recovered nodes cleaned up' : 'Terminating pods left 300 s after the nodes recovered');
  clearInterval(tick);
  clearInterval(progress);

  const result = {
    commit: gitCommit(), date: new Date().toISOString(), node: process.version,
    loadAverage: loadavg().map((x) => round(x, 2)),
    nodes, pods, deployments, podsPerDeployment: perDeployment,
    churn: { seconds: churnSeconds, podDeletesPerSecond: deleteRate, podsDeleted: deleted, nodeFailEverySeconds: failEvery, nodesFailed: failed.length, tolerationSeconds },
    setup: 'kumo server with its built-in controllers and scheduler (node-monitor-grace-period 50s); kumo sim-nodes --drill-address',
    steadyStateMs: round(steadyMs, 0),
    outcome: reconverge,
    reconvergeAfterChurnEndMs: round(reconvergedAt - churnEnd, 0),
    reconvergeAfterLastNodeFailureMs: round(reconvergedAt - lastFailureAt, 0),
    failedNodesSeenNotReady: `${notReadyFailed} of ${failed.length}`,
    recoveredNodesTerminatingPodsGoneMs: round(cleanupMs, 0),
    apiLatency: lat.summary(),
    serverRequestDurations: durationQuantiles(metricsBefore, metricsAfter) ?? 'no /metrics',
    heartbeatsOfHealthyNodes: heartbeats,
    processes: Object.fromEntries(Object.keys(procs).map((k) => [k, usage(before[k], after[k])])),
    timeline,
  };
  console.log(JSON.stringify({ ...result, timeline: undefined }, null, 2));
  const file = saveResult('churn', result);
  console.log(`saved ${file}`);
  writeFileSync(file.replace(/\.json$/, '.svg'), lineChart({
    title: `churn: ${nodes} nodes, ${pods} pods; ${deleteRate} deletes/s, a node fails every ${failEvery} s for ${churnSeconds} s (${result.commit})`,
    xLabel: 'seconds since the churn started', yLabel: 'replicas / pods',
    series: [{ name: 'unavailable replicas', points: timeline.map(([x, u]) => [x, u]) }, { name: 'Terminating pods', points: timeline.map(([x, , , term]) => [x, term]) },
      { name: 'failed nodes × 10', points: timeline.map(([x, , , , f]) => [x, f * 10]) }],
  }));
} finally {
  await probes?.stop();
  hb.close();
  podWatch?.close();
  deployWatch?.close();
  agent.destroy();
  await stopChild(sim?.child);
  await stop(server);
  rmSync(dir, { recursive: true, force: true });
}
