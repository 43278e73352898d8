// Scheduler throughput (issue 4 `scheduler`, issue 5 performance): N Node objects created through the
// API (with status; no simulator), M pending pods created while no scheduler runs, then `kumo
// scheduler` started. Pods/s from the first binding to the last, seen on a pod watch; the
// scheduler's own attempt histogram from /metrics; RSS and CPU of server and scheduler.
// Scenario "spread": every pod has required pod anti-affinity (hostname) to its group of 10 and a
// DoNotSchedule zone spread constraint (maxSkew 1) over that group, so InterPodAffinity and
// PodTopologySpread do real work in PreFilter/Filter/Score. Per-phase time (PreFilter, Filter,
// PreScore, Score, Reserve, PreBind, Bind) comes from scheduler_framework_extension_point_duration_seconds.
// Usage: node bench/scheduler.mjs [nodes=1000] [pods=5000] [scenario=plain|spread]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import http from 'node:http';
import { startServer, stop, req, gitCommit, saveResult, round } from './lib.mjs';
import { procStats, usage, spawnKumo, stopChild, componentKubeconfig, watchPods, paced, until, pausePod } from './cluster.mjs';

const nodes = Number(process.argv[2] ?? 1000);
const pods = Number(process.argv[3] ?? 5000);
const scenario = process.argv[4] ?? 'plain';
if (!['plain', 'spread'].includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
const GROUP = 10;

function benchPod(i) {
  if (scenario === 'plain') return pausePod(`pod-${i}`);
  const group = `g-${Math.floor(i / GROUP)}`;
  const p = pausePod(`pod-${i}`, {
    affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { group } }, topologyKey: 'kubernetes.io/hostname' }] } },
    topologySpreadConstraints: [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { group } } }],
  });
  p.metadata.labels = { ...p.metadata.labels, group };
  return p;
}
const NS = 'sched-bench';

function node(i) {
  const name = `node-${i}`;
  const alloc = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' };
  return {
    body: { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${i % 3}` } } },
    status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'bench', lastHeartbeatTime: new Date().toISOString(), lastTransitionTime: new Date().toISOString() }] },
  };
}

async function metricsText(port) {
  return new Promise((resolve, reject) => {
    http.get({ host: '127.0.0.1', port, path: '/metrics' }, (res) => { let t = ''; res.on('data', (d) => { t += d; }); res.on('end', () => resolve(t)); }).on('error', reject);
  });
}

const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-sched-'));
// the Nodes here are bare objects nobody heartbeats: without this the node lifecycle controller rightly
// taints them unreachable after the 50 s grace period, and a run longer than that stalls
const server = await startServer(dir, ['--disable-scheduler', '--controllers', '*,-node-lifecycle-controller']);
const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
let sched;
let watch;
try {
  const mustOK = (r, what) => { if (r.status >= 300) throw new Error(`${what}: ${r.status} ${r.body.toString().slice(0, 300)}`); };
  // nodes, with allocatable through the status subresource (status is dropped on create)
  let t = performance.now();
  await paced(nodes, 32, Infinity, async (i) => {
    const n = node(i);
    mustOK(await req(server, agent, 'POST', '/api/v1/nodes', n.body), 'create node');
    mustOK(await req(server, agent, 'PATCH', `/api/v1/nodes/${n.body.metadata.name}/status`, { status: n.status }, { 'content-type': 'application/merge-patch+json' }), 'node status');
  });
  const nodesMs = performance.now() - t;

  mustOK(await req(server, agent, 'POST', '/api/v1/namespaces', { metadata: { name: NS } }), 'namespace');
  await until(async () => (await req(server, agent, 'GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status === 200, 30_000, 'default service account');
  t = performance.now();
  await paced(pods, 32, Infinity, async (i) => {
    mustOK(await req(server, agent, 'POST', `/api/v1/namespaces/${NS}/pods`, benchPod(i)), 'create pod');
  });
  const podsMs = performance.now() - t;

  // watch bindings, then start the scheduler
  let bound = 0;
  let first = 0;
  let last = 0;
  const seen = new Set();
  let allBound;
  const done = new Promise((r) => { allBound = r; });
  watch = await watchPods(server, (type, p) => {
    if (p.spec?.nodeName && !seen.has(p.metadata.name)) {
      seen.add(p.metadata.name);
      const now = performance.now();
      if (!first) first = now;
      last = now;
      if (++bound === pods) allBound();
    }
  }, `fieldSelector=metadata.namespace%3D${NS}`);
  const kc = await componentKubeconfig(dir, 'scheduler', server);
  const tStart = performance.now();
  sched = await spawnKumo(['scheduler', '--kubeconfig', kc, '--secure-port', '0', '--leader-elect=false'], /healthz\/metrics at http:\/\/[^:]+:(\d+)/);
  const tReady = performance.now();
  const sched0 = procStats(sched.child.pid);
  const server0 = procStats(server.child.pid);
  const timeout = setTimeout(() => allBound('timeout'), 600_000);
  const outcome = await done;
  clearTimeout(timeout);
  const sched1 = procStats(sched.child.pid);
  const server1 = procStats(server.child.pid);
  const metrics = await metricsText(Number(sched.match[1]));
  const attempts = {};
  for (const m of metrics.matchAll(/^scheduler_scheduling_attempt_duration_seconds_(sum|count)\{result="(\w+)",profile="[^"]+"\} (\S+)$/gm)) {
    (attempts[m[2]] ??= {})[m[1]] = Number(m[3]);
  }
  const attemptMeanMs = Object.fromEntries(Object.entries(attempts).map(([k, v]) => [k, { count: v.count, mean_ms: round(1000 * v.sum / v.count, 3) }]));
  // per extension point: total seconds over the run and mean per call (Filter/Score are once per cycle, over all nodes evaluated)
  const phases = {};
  for (const m of metrics.matchAll(/^scheduler_framework_extension_point_duration_seconds_(sum|count)\{extension_point="(\w+)",status="(\w+)",profile="[^"]+"\} (\S+)$/gm)) {
    const ph = (phases[m[2]] ??= { count: 0, sum: 0 });
    ph[m[1]] += Number(m[4]);
  }
  const phaseTimes = Object.fromEntries(Object.entries(phases).map(([k, v]) => [k, { count: v.count, total_s: round(v.sum, 3), mean_ms: round(1000 * v.sum / v.count, 3) }]));
  const span = (last - first) / 1000;
  const result = {
    commit: gitCommit(), date: new Date().toISOString(), node: process.version,
    // other work on the machine skews every figure: the 1/5/15-minute load averages at the end
    loadAverage: loadavg().map((x) => round(x, 2)), nodes, pods, scenario,
    outcome: outcome === 'timeout' ? `timeout with ${bound} bound` : 'all bound',
    setup: { nodesCreateMs: round(nodesMs, 0), podsCreateMs: round(podsMs, 0) },
    schedulerStartToReadyMs: round(tReady - tStart, 0),
    schedulerStartToFirstBindingMs: round(first - tStart, 0),
    firstToLastBindingMs: round(last - first, 0),
    podsPerSecond: round((bound - 1) / span, 0),
    podsPerSecondFromStart: round(bound / ((last - tStart) / 1000), 0),
    schedulingAttempts: attemptMeanMs,
    phases: phaseTimes,
    scheduler: usage(sched0, sched1),
    apiserver: usage(server0, server1),
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`saved ${saveResult(scenario === 'plain' ? 'scheduler' : `scheduler-${scenario}`, result)}`);
} finally {
  watch?.close();
  agent.destroy();
  await stopChild(sched?.child);
  await stop(server);
  rmSync(dir, { recursive: true, force: true });
}
