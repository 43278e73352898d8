// Helpers for the cluster scenarios (density, scheduler, startup): other kumo processes (scheduler,
// sim-nodes), per-process RSS/CPU from /proc, a raw pod watch, and API latency recording per verb
// and scope (the upstream API call latency SLIs).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import https from 'node:https';
import { ROOT, req, round, pct } from './lib.mjs';

const CLK = 100; // USER_HZ on Linux

/** RSS, peak RSS and total CPU seconds of a process, from /proc */
export function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = (k) => Number(new RegExp(`${k}:\\s+(\\d+)`).exec(status)?.[1] ?? NaN);
  return { at: performance.now(), cpuSeconds: (Number(stat[11]) + Number(stat[12])) / CLK, rssBytes: kib('VmRSS') * 1024, hwmBytes: kib('VmHWM') * 1024 };
}

/** CPU% between two procStats samples, RSS of the later, peak RSS so far */
export function usage(a, b) {
  return {
    cpuPercent: round(100 * (b.cpuSeconds - a.cpuSeconds) / ((b.at - a.at) / 1000), 1),
    cpuSeconds: round(b.cpuSeconds - a.cpuSeconds, 2),
    rssMiB: round(b.rssBytes / 2 ** 20, 1),
    peakRssMiB: round(b.hwmBytes / 2 ** 20, 1),
  };
}

/**
 * spawn `kumo <args>` and resolve once its output matches `ready`: { child, match, out() }.
 * KUMO_BENCH_NODE_ARGS adds node flags (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof", which
 * NODE_OPTIONS refuses) to these processes.
 */
export function spawnKumo(args, ready, timeoutMs = 120_000) {
  const nodeArgs = (process.env.KUMO_BENCH_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin/kumo'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`kumo ${args[0]} not ready after ${timeoutMs} ms: ${out.slice(-2000)}`)), timeoutMs);
    const onData = (d) => {
      // keep only the tail: long runs may log a lot
      out = (out + d).slice(-20_000);
      const m = ready.exec(out);
      if (m) { clearTimeout(timer); child.stdout.off('data', onData); child.stderr.off('data', onData); resolve({ child, match: m, out: () => out }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.stdout.resume();
    child.once('exit', (c) => { clearTimeout(timer); reject(new Error(`kumo ${args[0]} exited ${c}: ${out.slice(-2000)}`)); });
  }).then((r) => { child.stdout.resume(); child.stderr.resume(); return r; });
}

/** stop a child we spawned (by its PID) and wait for it to exit */
export function stopChild(child) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });
}

/** `kumo kubeconfig --kind <kind>` for a component identity against this server */
export async function componentKubeconfig(dir, kind, server) {
  const out = join(dir, `${kind}.kubeconfig`);
  const child = spawn(process.execPath, [join(ROOT, 'bin/kumo'), 'kubeconfig', '--kind', kind, '--dir', dir, '--server', server.url.origin, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
  let text = '';
  child.stdout.on('data', (d) => { text += d; });
  child.stderr.on('data', (d) => { text += d; });
  const code = await new Promise((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`kumo kubeconfig --kind ${kind}: ${text}`);
  return out;
}

/**
 * Watch a collection (e.g. "/api/v1/pods") from the current resourceVersion; onEvent(type, obj) per
 * event (with initialList, the listed objects first, as ADDED). Returns { close() }. One plain JSON stream (a line per event), as `kubectl get -w` reads it.
 */
export async function watchResource(s, collection, onEvent, query = '', { initialList = false } = {}) {
  const list = await req(s, undefined, 'GET', `${collection}?${initialList ? '' : 'limit=1'}${query ? `&${query}` : ''}`);
  const listed = JSON.parse(list.body);
  const rv = listed.metadata.resourceVersion;
  if (initialList) for (const o of listed.items) onEvent('ADDED', o);
  let r;
  await new Promise((resolve, reject) => {
    r = https.request({ host: s.url.hostname, port: s.url.port, method: 'GET', ...s.tls,
      path: `${collection}?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}${query ? `&${query}` : ''}` }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`watch ${collection}: ${res.statusCode}`)); return; }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d) => {
        buf += d;
        let nl;
        while ((nl = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, nl);
          buf = buf.slice(nl + 1);
          if (!line.trim()) continue;
          const ev = JSON.parse(line);
          if (ev.type !== 'BOOKMARK') onEvent(ev.type, ev.object);
        }
      });
      resolve();
    });
    r.on('error', (e) => { if (!r.destroyed) reject(e); });
    r.end();
  });
  return { close: () => r.destroy() };
}

/** Watch every pod (see watchResource). */
export function watchPods(s, onEvent, query = '') {
  return watchResource(s, '/api/v1/pods', onEvent, query);
}

/** Latencies of the harness's own requests, keyed by upstream SLI class (verb + scope), with when each was taken. */
export class LatencyRecorder {
  constructor() { this.samples = new Map(); this.errors = new Map(); this.series = new Map(); this.t0 = performance.now(); }

  /** time one request; key like "POST pods namespace" */
  async time(key, fn) {
    const t = performance.now();
    const r = await fn();
    const ms = performance.now() - t;
    let a = this.samples.get(key);
    if (!a) { this.samples.set(key, (a = [])); this.series.set(key, []); }
    a.push(ms);
    this.series.get(key).push([(t - this.t0) / 1000, ms]);
    if (r.status >= 400) this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    return r;
  }

  summary() {
    const out = {};
    for (const [k, a0] of [...this.samples].sort()) {
      const a = [...a0].sort((x, y) => x - y);
      out[k] = { count: a.length, errors: this.errors.get(k) ?? 0, p50_ms: round(pct(a, 50)), p90_ms: round(pct(a, 90)), p99_ms: round(pct(a, 99)), max_ms: round(a[a.length - 1]) };
    }
    return out;
  }
}

/**
 * Probes alongside a load, as a user would see the API (the upstream SLI classes): PATCH and GET
 * of a single pod every 0.5 s, LIST of one namespace's pods every 2 s, cluster-wide LIST of nodes
 * every 10 s and of pods every 30 s (at 150,000 pods one such LIST is ~1 GB of JSON: probing it
 * more often would be the load, not a measure of it). pickPod() names an existing pod
 * ([namespace, name]) or undefined.
 * Returns { stop() } (resolves when the loops have ended).
 */
export function startProbes(server, agent, lat, ns, pickPod) {
  let probing = true;
  const one = (verb, fn) => async () => { const p = pickPod(); if (p) await lat.time(verb, () => fn(p)); };
  const probes = [
    [500, one('PATCH pods resource', ([n, name]) => req(server, agent, 'PATCH', `/api/v1/namespaces/${n}/pods/${name}`,
      { metadata: { labels: { probed: String(Date.now()) } } }, { 'content-type': 'application/merge-patch+json' }))],
    [500, one('GET pods resource', ([n, name]) => req(server, agent, 'GET', `/api/v1/namespaces/${n}/pods/${name}`))],
    [2000, () => lat.time('LIST pods namespace', () => req(server, agent, 'GET', `/api/v1/namespaces/${ns}/pods`))],
    [30000, () => lat.time('LIST pods cluster', () => req(server, agent, 'GET', '/api/v1/pods'))],
    [10000, () => lat.time('LIST nodes cluster', () => req(server, agent, 'GET', '/api/v1/nodes'))],
  ];
  const loops = probes.map(async ([every, fn]) => {
    while (probing) {
      const s = performance.now();
      try { await fn(); } catch { /* a refused probe is the server's problem, not the harness's */ }
      const wait = every - (performance.now() - s);
      if (wait > 0 && probing) await new Promise((r) => setTimeout(r, wait));
    }
  });
  return { stop: () => { probing = false; return Promise.all(loops); } };
}

/**
 * Node heartbeats as the node lifecycle controller sees them: watch Leases in kube-node-lease and
 * record, per node, the largest gap between consecutive renewals (by renewTime, and by when the
 * watch saw them), and Node Ready conditions that stop being True. summary(now) also counts the
 * time since each node's last renewal, so a node that stopped renewing shows up.
 */
export class HeartbeatTracker {
  constructor(leaseSeconds = 40) {
    this.leaseSeconds = leaseSeconds;
    this.leases = new Map(); // node → { renew, seen, maxRenewGap, maxSeenGap, renewals }
    this.notReady = new Map(); // node → { at, status, reason } while not Ready
    this.notReadyEver = new Set();
  }

  async start(server) {
    this.t0 = Date.now();
    this.leaseWatch = await watchResource(server, '/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases', (type, l) => {
      if (type === 'DELETED') return;
      const name = l.metadata.name;
      const renew = Date.parse(l.spec?.renewTime ?? '');
      const seen = Date.now();
      const e = this.leases.get(name);
      if (!e) { this.leases.set(name, { renew, seen, maxRenewGap: 0, maxSeenGap: 0, renewals: 0 }); return; }
      if (renew === e.renew) return;
      e.maxRenewGap = Math.max(e.maxRenewGap, renew - e.renew);
      e.maxSeenGap = Math.max(e.maxSeenGap, seen - e.seen);
      e.renew = renew;
      e.seen = seen;
      e.renewals++;
    }, '', { initialList: true });
    this.nodeWatch = await watchResource(server, '/api/v1/nodes', (type, n) => {
      if (type === 'DELETED') return;
      const ready = (n.status?.conditions ?? []).find((c) => c.type === 'Ready');
      const name = n.metadata.name;
      if (ready && ready.status !== 'True') {
        if (!this.notReady.has(name)) { this.notReady.set(name, { at: Date.now() - this.t0, status: ready.status, reason: ready.reason }); this.notReadyEver.add(name); }
      } else this.notReady.delete(name);
    }, '', { initialList: true });
  }

  close() { this.leaseWatch?.close(); this.nodeWatch?.close(); }

  /** exclude: nodes failed on purpose (drills) */
  summary(exclude = new Set()) {
    const now = Date.now();
    const gaps = [];
    const seenGaps = [];
    let late = 0;
    let renewals = 0;
    for (const [name, e] of this.leases) {
      if (exclude.has(name)) continue;
      const g = Math.max(e.maxRenewGap, now - e.renew);
      gaps.push(g);
      seenGaps.push(Math.max(e.maxSeenGap, now - e.seen));
      renewals += e.renewals;
      if (g > this.leaseSeconds * 1000) late++;
    }
    gaps.sort((a, b) => a - b);
    seenGaps.sort((a, b) => a - b);
    const s = (a) => ({ p50_s: round(pct(a, 50) / 1000), p99_s: round(pct(a, 99) / 1000), max_s: round((a[a.length - 1] ?? NaN) / 1000) });
    const notReadyNow = [...this.notReady.keys()].filter((n) => !exclude.has(n));
    return {
      nodes: gaps.length, renewals, leaseDurationSeconds: this.leaseSeconds,
      maxGapPerNodeByRenewTime: s(gaps), maxGapPerNodeAsSeen: s(seenGaps),
      nodesOverLeaseDuration: late,
      nodesNotReadyEver: [...this.notReadyEver].filter((n) => !exclude.has(n)).length, nodesNotReadyAtEnd: notReadyNow.length,
    };
  }
}

/** SLI class of an apiserver_request_duration_seconds series (upstream's API call latency SLIs) */
function sliClass(verb, scope) {
  if (['POST', 'PUT', 'PATCH', 'DELETE', 'APPLY'].includes(verb)) return 'mutating';
  if (verb === 'GET' && scope === 'resource') return 'GET resource';
  if (verb === 'LIST' && scope === 'namespace') return 'LIST namespace';
  if (verb === 'LIST' && scope === 'cluster') return 'LIST cluster';
  return undefined;
}

/** The server's apiserver_request_duration_seconds, summed per SLI class: { class: { le → count } }; undefined if no /metrics */
export async function scrapeRequestDurations(server, agent) {
  const r = await req(server, agent, 'GET', '/metrics');
  if (r.status !== 200) return undefined;
  const out = {};
  for (const line of r.body.toString().split('\n')) {
    if (!line.startsWith('apiserver_request_duration_seconds_bucket{')) continue;
    const labels = Object.fromEntries([...line.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]]));
    const cls = sliClass(labels.verb, labels.scope);
    if (!cls) continue;
    const count = Number(line.slice(line.lastIndexOf(' ') + 1));
    const le = labels.le === '+Inf' ? Infinity : Number(labels.le);
    out[cls] ??= {};
    out[cls][le] = (out[cls][le] ?? 0) + count;
  }
  return out;
}

/** Quantiles from two scrapes (after − before), interpolated within buckets as histogram_quantile does. */
export function durationQuantiles(before, after) {
  if (!after) return undefined;
  const out = {};
  for (const [cls, b] of Object.entries(after)) {
    const les = Object.keys(b).map(Number).sort((x, y) => x - y);
    const cum = les.map((le) => b[le] - (before?.[cls]?.[le] ?? 0));
    const total = cum[cum.length - 1] ?? 0;
    if (!total) continue;
    const q = (p) => {
      const rank = p * total;
      const i = cum.findIndex((c) => c >= rank);
      if (les[i] === Infinity) return `> ${les[i - 1]} s`;
      const lo = i > 0 ? les[i - 1] : 0;
      const below = i > 0 ? cum[i - 1] : 0;
      return round(1000 * (lo + (les[i] - lo) * ((rank - below) / ((cum[i] - below) || 1))), 1);
    };
    out[cls] = { count: total, p50_ms: q(0.5), p99_ms: q(0.99) };
  }
  return out;
}

/** A Deployment of pause-like pods; extraSpec goes into the pod template's spec */
export function deploymentObject(name, replicas, extraSpec = {}) {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name, labels: { app: 'bench' } },
    spec: {
      replicas, selector: { matchLabels: { app: 'bench', deployment: name } },
      template: {
        metadata: { labels: { app: 'bench', deployment: name } },
        spec: {
          automountServiceAccountToken: false,
          containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '10Mi' } } }],
          ...extraSpec,
        },
      },
    },
  };
}

/** true when a Deployment has all its replicas updated and available for its current generation */
export function deploymentAvailable(d) {
  const want = d.spec?.replicas ?? 1;
  const st = d.status ?? {};
  return (st.observedGeneration ?? 0) >= (d.metadata?.generation ?? 1) && st.availableReplicas === want && st.updatedReplicas === want && st.replicas === want;
}

/** RSS/CPU sampler over a run: { pid → series of [t, cpu%, rssMiB] } every `everyMs` */
export function sampleProcesses(procs, everyMs = 2000) {
  const t0 = performance.now();
  const series = Object.fromEntries(Object.keys(procs).map((k) => [k, []]));
  let last = Object.fromEntries(Object.entries(procs).map(([k, pid]) => [k, procStats(pid)]));
  const timer = setInterval(() => {
    for (const [k, pid] of Object.entries(procs)) {
      try {
        const now = procStats(pid);
        const u = usage(last[k], now);
        series[k].push([round((now.at - t0) / 1000, 1), u.cpuPercent, u.rssMiB]);
        last[k] = now;
      } catch { /* exited */ }
    }
  }, everyMs);
  return { series, stop: () => clearInterval(timer) };
}

/** run fn(i) for i in [0, n) with at most `concurrency` in flight and at most `rate` starts per second */
export async function paced(n, concurrency, rate, fn) {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(Array.from({ length: Math.min(concurrency, n) }, async () => {
    while (next < n) {
      const i = next++;
      const due = t0 + (i * 1000) / rate;
      const wait = due - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      await fn(i);
    }
  }));
}

/** poll until fn() is truthy */
export async function until(fn, timeoutMs, what, everyMs = 100) {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** a pause-like pod with small requests */
export function pausePod(name, extra = {}) {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, labels: { app: 'bench' } },
    spec: {
      automountServiceAccountToken: false,
      containers: [{ name: 'pause', image: 'registry.k8s.io/pause:3.9', resources: { requests: { cpu: '10m', memory: '10Mi' } } }],
      ...extra,
    },
  };
}
