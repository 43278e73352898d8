// Controller manager (issue 6 "Performance"). Three scenarios, each against real `kumo` processes:
//  deployment — `kumo server` (built-in controller manager and scheduler) + `kumo sim-nodes`: one
//    Deployment of R pause-like replicas reaching all-available, then a rolling update to a new image
//    (maxSurge 25 %, maxUnavailable 25 %) completing as `kubectl rollout status` judges it. Time of
//    each phase and the API requests the server counted (apiserver_request_total) during it.
//  namespace — the same namespace (the Deployment's pods) topped up with ConfigMaps, Secrets and
//    Services to O objects, then DELETE of the namespace until it is gone (404).
//  memory — `kumo server --disable-controller-manager --disable-scheduler` + a standalone `kumo
//    controller-manager` (its own process, so its RSS is its own); P pods created through the API
//    (pending: no nodes), the controller manager's RSS once it has taken them in (its CPU gone idle),
//    at each quarter of P, and a straight-line extrapolation to 150,000 pods when P is smaller; then
//    the controller manager restarted, so that it LISTs all P pods at once: its RSS and peak after.
// Usage: node bench/controllers.mjs [--only deployment,namespace,memory] [--replicas 3000]
//          [--nodes 100] [--namespace-objects 10000] [--informer-pods 50000]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import http from 'node:http';
import { startServer, stop, req, gitCommit, saveResult, round } from './lib.mjs';
import { procStats, usage, spawnKumo, stopChild, paced, until, pausePod } from './cluster.mjs';

const opts = parseArgs(process.argv.slice(2), {
  only: 'deployment,namespace,memory', replicas: '3000', nodes: '100', 'namespace-objects': '10000', 'informer-pods': '50000',
});
const only = new Set(opts.only.split(',').filter(Boolean));
for (const s of only) if (!['deployment', 'namespace', 'memory'].includes(s)) throw new Error(`unknown scenario ${s}`);
const REPLICAS = Number(opts.replicas);
const NODES = Number(opts.nodes);
const NS_OBJECTS = Number(opts['namespace-objects']);
const INFORMER_PODS = Number(opts['informer-pods']);
const NS = 'ctrl-bench';
// the issue's goals, printed beside each figure
const GOALS = { availableS: 30, rolloutS: 60, namespaceS: 30, rssMB150k: 500 };

function parseArgs(argv, defaults) {
  const out = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([\w-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m || !(m[1] in defaults)) throw new Error(`unknown argument ${argv[i]}; flags: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')}`);
    out[m[1]] = m[2] ?? argv[++i];
    if (out[m[1]] === undefined) throw new Error(`--${m[1]} needs a value`);
  }
  return out;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** apiserver_request_total summed over codes per "VERB resource[/subresource]" (plus errors ≥ 400 per key) */
async function scrapeRequestCounts(server, agent) {
  const r = await req(server, agent, 'GET', '/metrics');
  if (r.status !== 200) throw new Error(`/metrics: ${r.status}`);
  const counts = {};
  for (const line of r.body.toString().split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const l = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    if (!l.resource) continue; // /metrics, /healthz, discovery
    const key = `${l.verb} ${l.resource}${l.subresource ? `/${l.subresource}` : ''}`;
    const n = Number(line.slice(line.lastIndexOf(' ') + 1));
    counts[key] = (counts[key] ?? 0) + n;
    if (Number(l.code) >= 400) counts[`${key} (error ${l.code})`] = (counts[`${key} (error ${l.code})`] ?? 0) + n;
  }
  return counts;
}

/** after − before, only what changed, largest first, and the total */
function countDiff(before, after) {
  const d = Object.entries(after).map(([k, v]) => [k, v - (before[k] ?? 0)]).filter(([, v]) => v > 0).sort((a, b) => b[1] - a[1]);
  return { total: d.filter(([k]) => !k.includes('(error')).reduce((s, [, v]) => s + v, 0), byVerbResource: Object.fromEntries(d) };
}

/** a phase: time, CPU/RSS of the given processes, API request counts (the harness's own polls are in them) */
async function phase(server, agent, procs, fn) {
  const before = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, procStats(pid)]));
  const countsBefore = await scrapeRequestCounts(server, agent);
  const t = performance.now();
  const extra = await fn();
  const ms = performance.now() - t;
  const countsAfter = await scrapeRequestCounts(server, agent);
  const after = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, procStats(pid)]));
  return {
    seconds: round(ms / 1000, 2), ...extra,
    apiRequests: countDiff(countsBefore, countsAfter),
    processes: Object.fromEntries(Object.keys(procs).map((k) => [k, usage(before[k], after[k])])),
  };
}

/** poll the Deployment until done(d); a timeline of its status every second */
async function waitDeployment(server, agent, name, done, timeoutMs) {
  const t0 = performance.now();
  const timeline = [];
  let lastSample = -Infinity;
  let d;
  for (;;) {
    const r = await req(server, agent, 'GET', `/apis/apps/v1/namespaces/${NS}/deployments/${name}`);
    d = JSON.parse(r.body);
    const el = performance.now() - t0;
    const s = d.status ?? {};
    if (el - lastSample >= 1000) {
      lastSample = el;
      timeline.push([round(el / 1000, 1), s.replicas ?? 0, s.updatedReplicas ?? 0, s.readyReplicas ?? 0, s.availableReplicas ?? 0]);
    }
    if (done(d)) return { ok: true, timeline, status: s };
    if (el > timeoutMs) return { ok: false, timeline, status: s };
    await sleep(200);
  }
}

/** `kubectl rollout status`'s test: the new generation is observed and every replica is updated and available, no old ones left */
function rolledOut(d, want) {
  const s = d.status ?? {};
  return (s.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && s.updatedReplicas === want && s.replicas === want && s.availableReplicas === want;
}

function deployment(name, replicas) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, labels: { app: name } },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: '25%' } },
      template: {
        metadata: { labels: { app: name } },
        spec: {
          automountServiceAccountToken: false,
          containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '10Mi' } } }],
        },
      },
    },
  };
}

async function createMany(server, agent, n, concurrency, path, body) {
  let failed = 0;
  let firstError;
  await paced(n, concurrency, 1e9, async (i) => {
    const r = await req(server, agent, 'POST', path(i), body(i));
    if (r.status !== 201) { failed++; firstError ??= `${r.status} ${r.body.toString().slice(0, 200)}`; }
  });
  if (failed) throw new Error(`${failed} of ${n} creates at ${path(0)} failed, first: ${firstError}`);
}

/** deployment + namespace scenarios, one cluster */
async function clusterScenarios(results) {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-ctrl-'));
  const server = await startServer(dir);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  let sim;
  try {
    const t0 = performance.now();
    sim = await spawnKumo(['sim-nodes', '--kubeconfig', join(dir, 'kubeconfig'), '--count', String(NODES), '--zones', '3', '--pods', '110',
      '--pod-cidr-base', '10.0.0.0/8'], /(\d+) nodes registered in (\d+) ms/, 300_000);
    const nodesRegisteredMs = round(performance.now() - t0, 0);
    const procs = { 'apiserver+controller-manager+scheduler': server.child.pid, 'sim-nodes': sim.child.pid };
    await req(server, agent, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
    await until(async () => (await req(server, agent, 'GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status === 200, 30_000, 'default service account');
    const out = { nodes: NODES, podsPerNode: 110, nodesRegisteredMs };
    results.cluster = out;

    if (only.has('deployment')) {
      const name = 'web';
      out.createToAvailable = await phase(server, agent, procs, async () => {
        const r = await req(server, agent, 'POST', `/apis/apps/v1/namespaces/${NS}/deployments`, deployment(name, REPLICAS));
        if (r.status !== 201) throw new Error(`create deployment: ${r.status} ${r.body}`);
        const w = await waitDeployment(server, agent, name, (d) => rolledOut(d, REPLICAS), 300_000);
        return { replicas: REPLICAS, outcome: w.ok ? 'all available' : `timeout: ${JSON.stringify(w.status)}`, goalSeconds: GOALS.availableS, timeline: w.timeline };
      });
      console.log(`deployment ${REPLICAS} replicas → all available: ${out.createToAvailable.seconds} s (goal ≤ ${GOALS.availableS} s), ${out.createToAvailable.apiRequests.total} API requests`);
      out.rollingUpdate = await phase(server, agent, procs, async () => {
        const r = await req(server, agent, 'PATCH', `/apis/apps/v1/namespaces/${NS}/deployments/${name}`,
          { spec: { template: { spec: { containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.10' }] } } } },
          { 'content-type': 'application/strategic-merge-patch+json' });
        if (r.status !== 200) throw new Error(`set image: ${r.status} ${r.body}`);
        const w = await waitDeployment(server, agent, name, (d) => rolledOut(d, REPLICAS), 300_000);
        return { maxSurge: '25%', maxUnavailable: '25%', outcome: w.ok ? 'rolled out' : `timeout: ${JSON.stringify(w.status)}`, goalSeconds: GOALS.rolloutS, timeline: w.timeline };
      });
      console.log(`rolling update (maxSurge 25%): ${out.rollingUpdate.seconds} s (goal ≤ ${GOALS.rolloutS} s), ${out.rollingUpdate.apiRequests.total} API requests`);
    }

    if (only.has('namespace')) {
      // top the namespace up to NS_OBJECTS with ConfigMaps, Secrets and Services (3:3:1); the
      // Services select nothing, so each gets an empty Endpoints and EndpointSlice of its own
      const pods = JSON.parse((await req(server, agent, 'GET', `/api/v1/namespaces/${NS}/pods`)).body).items.length;
      const rest = Math.max(0, NS_OBJECTS - pods);
      const nSvc = Math.floor(rest / 7);
      const nCm = Math.floor((rest - nSvc) / 2);
      const nSecret = rest - nSvc - nCm;
      const tFill = performance.now();
      await createMany(server, agent, nCm, 32, () => `/api/v1/namespaces/${NS}/configmaps`,
        (i) => ({ metadata: { name: `cm-${i}`, labels: { bench: 'ns' } }, data: { 'config.yaml': `key: value-${i}\n`.repeat(8) } }));
      await createMany(server, agent, nSecret, 32, () => `/api/v1/namespaces/${NS}/secrets`,
        (i) => ({ metadata: { name: `secret-${i}`, labels: { bench: 'ns' } }, type: 'Opaque', data: { token: Buffer.from(`secret-${i}`.repeat(8)).toString('base64') } }));
      await createMany(server, agent, nSvc, 32, () => `/api/v1/namespaces/${NS}/services`,
        (i) => ({ metadata: { name: `svc-${i}` }, spec: { selector: { app: `none-${i}` }, ports: [{ port: 80, targetPort: 8080 }] } }));
      const fillSeconds = round((performance.now() - tFill) / 1000, 1);
      await sleep(2000); // let the endpoint controllers catch up, so their objects are counted too
      const held = {};
      for (const [k, p] of Object.entries({
        pods: '/api/v1', configmaps: '/api/v1', secrets: '/api/v1', services: '/api/v1', endpoints: '/api/v1', serviceaccounts: '/api/v1',
        deployments: '/apis/apps/v1', replicasets: '/apis/apps/v1', endpointslices: '/apis/discovery.k8s.io/v1', events: '/api/v1',
      })) held[k] = JSON.parse((await req(server, agent, 'GET', `${p}/namespaces/${NS}/${k}`)).body).items?.length ?? 0;
      const objects = Object.values(held).reduce((a, b) => a + b, 0);
      out.namespaceDeletion = await phase(server, agent, procs, async () => {
        const r = await req(server, agent, 'DELETE', `/api/v1/namespaces/${NS}`);
        if (r.status !== 200 && r.status !== 202) throw new Error(`delete namespace: ${r.status} ${r.body}`);
        const t = performance.now();
        let last;
        for (;;) {
          const g = await req(server, agent, 'GET', `/api/v1/namespaces/${NS}`);
          if (g.status === 404) return { objects, held, fillSeconds, outcome: 'namespace gone', goalSeconds: GOALS.namespaceS };
          last = JSON.parse(g.body);
          if (performance.now() - t > 300_000) return { objects, held, fillSeconds, outcome: `timeout: ${JSON.stringify(last.status)}`, goalSeconds: GOALS.namespaceS };
          await sleep(200);
        }
      });
      console.log(`namespace with ${objects} objects deleted: ${out.namespaceDeletion.seconds} s (goal ≤ ${GOALS.namespaceS} s), ${out.namespaceDeletion.apiRequests.total} API requests`);
    }
  } finally {
    agent.destroy();
    await stopChild(sim?.child);
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

/** the controller manager's CPU over windows of `windowMs` until one is under `idlePercent` (or timeout) */
async function waitIdle(pid, { windowMs = 2000, idlePercent = 3, timeoutMs = 120_000 } = {}) {
  const t0 = performance.now();
  let a = procStats(pid);
  for (;;) {
    await sleep(windowMs);
    const b = procStats(pid);
    const u = usage(a, b);
    if (u.cpuPercent < idlePercent) return { idle: true, afterSeconds: round((performance.now() - t0) / 1000, 1), ...u };
    if (performance.now() - t0 > timeoutMs) return { idle: false, afterSeconds: round((performance.now() - t0) / 1000, 1), ...u };
    a = b;
  }
}

function getText(url) {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => { let s = ''; res.setEncoding('utf8'); res.on('data', (d) => { s += d; }); res.on('end', () => resolve(s)); }).on('error', reject);
  });
}

async function memoryScenario(results) {
  const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-cm-'));
  const server = await startServer(dir, ['--disable-controller-manager', '--disable-scheduler']);
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  let cm;
  try {
    // the admin credentials (kumo server's in-process manager uses them too)
    cm = await spawnKumo(['controller-manager', '--kubeconfig', join(dir, 'kubeconfig'), '--leader-elect=false', '--secure-port', '0'],
      /healthz\/metrics at (http:\/\/\S+)/, 120_000);
    const pid = cm.child.pid;
    await req(server, agent, 'POST', '/api/v1/namespaces', { metadata: { name: NS } });
    await until(async () => (await req(server, agent, 'GET', `/api/v1/namespaces/${NS}/serviceaccounts/default`)).status === 200, 30_000, 'default service account');
    const start = await waitIdle(pid);
    const samples = [{ pods: 0, rssMiB: start.rssMiB, peakRssMiB: start.peakRssMiB }];
    const quarter = Math.ceil(INFORMER_PODS / 4);
    let created = 0;
    const t0 = performance.now();
    let createSeconds = 0;
    while (created < INFORMER_PODS) {
      const n = Math.min(quarter, INFORMER_PODS - created);
      const base = created;
      const tc = performance.now();
      // pods as a ReplicaSet would make them: labels, a container with requests; they stay Pending (no nodes)
      await createMany(server, agent, n, 32, () => `/api/v1/namespaces/${NS}/pods`, (i) => {
        const p = pausePod(`pod-${base + i}`);
        p.metadata.labels = { app: 'informer-bench', shard: String((base + i) % 100) };
        delete p.spec.automountServiceAccountToken; // so admission adds the token volume, as in most clusters
        return p;
      });
      createSeconds += (performance.now() - tc) / 1000;
      created += n;
      const idle = await waitIdle(pid);
      samples.push({ pods: created, rssMiB: idle.rssMiB, peakRssMiB: idle.peakRssMiB, idleAfterSeconds: idle.afterSeconds, idle: idle.idle });
      console.log(`controller-manager RSS with ${created} pods: ${idle.rssMiB} MiB (peak ${idle.peakRssMiB} MiB; idle after ${idle.afterSeconds} s)`);
    }
    const podBytes = (await req(server, agent, 'GET', `/api/v1/namespaces/${NS}/pods/pod-0`)).body.length;
    // a restart: the new controller manager LISTs every pod at once instead of watching them arrive
    const before = usage(procStats(pid), procStats(pid));
    await stopChild(cm.child);
    const tr = performance.now();
    cm = await spawnKumo(['controller-manager', '--kubeconfig', join(dir, 'kubeconfig'), '--leader-elect=false', '--secure-port', '0'],
      /healthz\/metrics at (http:\/\/\S+)/, 300_000);
    const restartReadyS = round((performance.now() - tr) / 1000, 1);
    const idleAfterRestart = await waitIdle(cm.child.pid);
    const restart = { readySeconds: restartReadyS, idleAfterSeconds: idleAfterRestart.afterSeconds, rssMiB: idleAfterRestart.rssMiB, peakRssMiB: idleAfterRestart.peakRssMiB, rssBeforeRestartMiB: before.rssMiB };
    console.log(`controller-manager restarted with ${INFORMER_PODS} pods: RSS ${restart.rssMiB} MiB (peak ${restart.peakRssMiB} MiB), ready in ${restartReadyS} s`);
    // slope from the last half of the samples: MiB per 1,000 pods once the fixed costs are paid
    const a = samples[Math.floor(samples.length / 2)];
    const b = samples[samples.length - 1];
    const perThousand = (b.rssMiB - a.rssMiB) / ((b.pods - a.pods) / 1000);
    const at150k = b.rssMiB + perThousand * (150 - b.pods / 1000);
    const queues = (await getText(`${cm.match[1]}/metrics`)).split('\n').filter((l) => l.startsWith('workqueue_adds_total') && !l.endsWith(' 0'));
    results.memory = {
      setup: 'kumo server --disable-controller-manager --disable-scheduler + kumo controller-manager (all default controllers, admin kubeconfig, --leader-elect=false); pods created through the API, Pending (no nodes)',
      pods: INFORMER_PODS, podJSONBytes: podBytes, createSeconds: round(createSeconds, 1), createsPerSecond: round(INFORMER_PODS / createSeconds, 0),
      totalSeconds: round((performance.now() - t0) / 1000, 1),
      controllerManagerRss: samples,
      mibPer1000Pods: round(perThousand, 2),
      restart,
      rssAt150kMiB: INFORMER_PODS >= 150_000 ? b.rssMiB : `${round(at150k, 0)} (extrapolated linearly from ${a.pods}→${b.pods} pods)`,
      goalMB150k: GOALS.rssMB150k,
      apiserverRssMiB: round(procStats(server.child.pid).rssBytes / 2 ** 20, 1),
      workqueueAdds: Object.fromEntries(queues.map((l) => [/name="([^"]*)"/.exec(l)[1], Number(l.slice(l.lastIndexOf(' ') + 1))])),
    };
    console.log(`controller-manager RSS at 150,000 pods: ${results.memory.rssAt150kMiB} MiB (goal ≤ ${GOALS.rssMB150k} MB); ${round(perThousand, 2)} MiB per 1,000 pods`);
  } finally {
    agent.destroy();
    await stopChild(cm?.child);
    await stop(server);
    rmSync(dir, { recursive: true, force: true });
  }
}

const results = { commit: gitCommit(), date: new Date().toISOString(), node: process.version, loadAverageAtStart: loadavg().map((x) => round(x, 2)) };
if (only.has('deployment') || only.has('namespace')) await clusterScenarios(results);
if (only.has('memory')) await memoryScenario(results);
// other work on the machine skews every figure: the 1/5/15-minute load averages at the end
results.loadAverage = loadavg().map((x) => round(x, 2));
const strip = (o) => JSON.parse(JSON.stringify(o, (k, v) => (k === 'timeline' ? undefined : v)));
console.log(JSON.stringify(strip(results), null, 2));
console.log(`saved ${saveResult('controllers', results)}`);
