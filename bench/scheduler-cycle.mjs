// The scheduling cycle alone (issue 5 performance), in this process on the built dist/: N nodes in
// the scheduler's cache, M pods scheduled one after another by the default profile (metrics on),
// each assumed and then recorded as bound, as the informer would. No API server, no HTTP, so the
// figure is CPU time per pod — far less sensitive to other work on the machine than bench/scheduler.mjs.
// Scenarios: plain (pause pods), spread (as bench/scheduler.mjs: hostname anti-affinity to a group
// of 10 + DoNotSchedule zone spread over it), deploy (one zone spread constraint over all pods),
// rs (pods of one ReplicaSet: the system default spread constraints apply).
// Usage: node bench/scheduler-cycle.mjs [nodes=5000] [pods=5000] [scenario=spread]
import { Framework } from '../dist/scheduler/framework.js';
import { parseSchedulerConfig } from '../dist/scheduler/config.js';
import { Cache } from '../dist/scheduler/nodeinfo.js';
import { Listers } from '../dist/scheduler/listers.js';
import { Metrics } from '../dist/scheduler/metrics.js';
import { gitCommit } from './lib.mjs';
import { loadavg } from 'node:os';

const N = Number(process.argv[2] ?? 5000);
const P = Number(process.argv[3] ?? 5000);
const scenario = process.argv[4] ?? 'spread';
if (!['plain', 'spread', 'deploy', 'rs'].includes(scenario)) throw new Error(`unknown scenario ${scenario}`);
const NS = 'sched-bench';

const cache = new Cache();
const listers = new Listers();
const cfg = parseSchedulerConfig('');
const fwk = new Framework(cfg.profiles[0], cfg.percentageOfNodesToScore, undefined, { cache, listers });
fwk.metrics = new Metrics();
listers.onWorkload('ReplicaSet', 'ADDED', { metadata: { name: 'web', namespace: NS }, spec: { selector: { matchLabels: { app: 'pause' } } } });
const alloc = { cpu: '32', memory: '256Gi', pods: '110', 'ephemeral-storage': '100Gi' };
for (let i = 0; i < N; i++) {
  const name = `node-${i}`;
  // through JSON, as objects from the API arrive
  cache.addNode(JSON.parse(JSON.stringify({ metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', 'topology.kubernetes.io/zone': `zone-${i % 3}` } },
    status: { capacity: alloc, allocatable: alloc, conditions: [{ type: 'Ready', status: 'True' }] } })));
}

function benchPod(i) {
  const p = { metadata: { name: `pod-${i}`, namespace: NS, uid: `u${i}`, labels: { app: 'pause' } },
    spec: { schedulerName: 'default-scheduler', containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '10Mi' } } }] } };
  if (scenario === 'rs') p.metadata.ownerReferences = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs', controller: true }];
  if (scenario === 'deploy') p.spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'pause' } } }];
  if (scenario === 'spread') {
    const group = `g-${Math.floor(i / 10)}`;
    p.metadata.labels.group = group;
    p.spec.affinity = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { group } }, topologyKey: 'kubernetes.io/hostname' }] } };
    p.spec.topologySpreadConstraints = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { group } } }];
  }
  return JSON.parse(JSON.stringify(p));
}

const timings = {};
const placed = [];
const t0 = performance.now();
const c0 = process.cpuUsage();
for (let i = 0; i < P; i++) {
  const pod = benchPod(i);
  const r = fwk.schedule(fwk.newCycleState(), pod, cache.nodes(), timings);
  cache.assumePod(pod, r.node);
  cache.addPod({ ...pod, spec: { ...pod.spec, nodeName: r.node } });
  placed.push(r.node);
}
const cpu = process.cpuUsage(c0);
const ms = performance.now() - t0;
// the constraints held: no two pods of a group on one node
let violations = 0;
if (scenario === 'spread') for (let g = 0; g * 10 < P; g++) { const ns = placed.slice(g * 10, g * 10 + 10); if (new Set(ns).size !== ns.length) violations++; }
console.log(JSON.stringify({
  commit: gitCommit(), loadAverage: loadavg().map((x) => Math.round(x * 100) / 100), nodes: N, pods: P, scenario,
  cpuMsPerPod: +((cpu.user + cpu.system) / 1000 / P).toFixed(3), wallMsPerPod: +(ms / P).toFixed(3), podsPerSecondWall: Math.round((P / ms) * 1000),
  phasesMeanMs: Object.fromEntries(Object.entries(timings).map(([k, v]) => [k, +(v / P).toFixed(3)])),
  rssMiB: Math.round(process.memoryUsage().rss / 2 ** 20), ...(scenario === 'spread' ? { groupsWithTwoPodsOnANode: violations } : {}),
}, null, 2));
