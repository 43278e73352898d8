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
 * Watch every pod from the current resourceVersion; onEvent(type, pod) per event. Returns
 * { close() }. One plain JSON stream (a line per event), as `kubectl get -w` reads it.
 */
export async function watchPods(s, onEvent, query = '') {
  const list = await req(s, undefined, 'GET', `/api/v1/pods?limit=1${query ? `&${query}` : ''}`);
  const rv = JSON.parse(list.body).metadata.resourceVersion;
  let r;
  await new Promise((resolve, reject) => {
    r = https.request({ host: s.url.hostname, port: s.url.port, method: 'GET', ...s.tls,
      path: `/api/v1/pods?watch=true&allowWatchBookmarks=true&resourceVersion=${rv}${query ? `&${query}` : ''}` }, (res) => {
      if (res.statusCode !== 200) { reject(new Error(`watch pods: ${res.statusCode}`)); return; }
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

/** Latencies of the harness's own requests, keyed by upstream SLI class (verb + scope). */
export class LatencyRecorder {
  constructor() { this.samples = new Map(); this.errors = new Map(); }

  /** time one request; key like "POST pods namespace" */
  async time(key, fn) {
    const t = performance.now();
    const r = await fn();
    const ms = performance.now() - t;
    let a = this.samples.get(key);
    if (!a) this.samples.set(key, (a = []));
    a.push(ms);
    if (r.status >= 400) this.errors.set(key, (this.errors.get(key) ?? 0) + 1);
    return r;
  }

  summary() {
    const out = {};
    for (const [k, a] of [...this.samples].sort()) {
      a.sort((x, y) => x - y);
      out[k] = { count: a.length, errors: this.errors.get(k) ?? 0, p50_ms: round(pct(a, 50)), p90_ms: round(pct(a, 90)), p99_ms: round(pct(a, 99)), max_ms: round(a[a.length - 1]) };
    }
    return out;
  }
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
