// API server benchmark (issue: foundation). Starts real `kumo server` processes and measures:
//   startup   cold start on an existing data dir to /readyz ok
//   idle_rss  resident memory of an idle server
//   creates   32 concurrent HTTPS clients creating 1 KiB ConfigMaps (durable), with the raw
//             datastore rate measured in the same run as the ceiling
//   watch     1,000 concurrent watches: latency from a write's reply to the event at the last watcher
//   list      LIST of 10,000 ~4 KiB pods as JSON and as Table
//   verbs     create, get and update (PUT with the resourceVersion) of 1 KiB ConfigMaps at 1, 8, 32 and 128
//             concurrent clients: throughput and p50/p99 per verb and concurrency, next to the raw datastore's
//             create/get/compare-and-swap update at the same concurrency in the same run
// Prints a table and writes JSON to bench/results/. Not a test: nothing here asserts a time.
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import https from 'node:https';
import http2 from 'node:http2';
import { ROOT, round, pct, startServer as start, stop, req, gitCommit, saveResult, timed } from './lib.mjs';

const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);
const startServer = (dir) => start(dir);

function rssMB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

/** Raw datastore ceiling: the same writes straight into a SqliteBackend, 32 in flight. */
async function rawDatastore(n) {
  const { SqliteBackend } = await import(join(ROOT, 'dist/storage/sqlite.js'));
  const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-raw-'));
  const b = new SqliteBackend(join(dir, 'state.db'));
  const value = Buffer.alloc(1024, 'x');
  const r = await timed(n, 32, async (k) => { await b.create(`/registry/configmaps/bench/cm-${k}`, value); return true; });
  await b.close();
  rmSync(dir, { recursive: true, force: true });
  return { creates_per_sec: r.per_sec, p50_ms: r.p50_ms, p99_ms: r.p99_ms };
}

async function createsBench(s, n) {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  await req(s, agent, 'POST', '/api/v1/namespaces', { metadata: { name: 'bench' } });
  const data = { payload: 'x'.repeat(1024 - 100) };
  const r = await timed(n, 32, async (k) => (await req(s, agent, 'POST', '/api/v1/namespaces/bench/configmaps',
    { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${k}` }, data })).status === 201);
  agent.destroy();
  return { clients: 32, creates: n, errors: r.errors, creates_per_sec: r.per_sec, p50_ms: r.p50_ms, p99_ms: r.p99_ms };
}

async function watchBench(s, watchers, writes) {
  await req(s, undefined, 'POST', '/api/v1/namespaces', { metadata: { name: 'watchbench' } });
  // start every watch at the current revision (an old one may be past the cache window: 410)
  const rv = JSON.parse((await req(s, undefined, 'GET', '/api/v1/namespaces/watchbench/configmaps')).body).metadata.resourceVersion;
  // many watches multiplexed over a few HTTP/2 connections, as client-go does
  const sessions = Array.from({ length: 8 }, () => http2.connect(s.url.origin, { ...s.tls, settings: { enablePush: false } }));
  const arrivals = new Map(); // name -> count
  const lastArrival = new Map(); // name -> time last watcher saw it
  let established = 0;
  const streams = [];
  for (let w = 0; w < watchers; w++) {
    const sess = sessions[w % sessions.length];
    const st = sess.request({ ':path': `/api/v1/namespaces/watchbench/configmaps?watch=true&resourceVersion=${rv}&allowWatchBookmarks=false` });
    let buf = '';
    st.on('response', () => { established++; });
    st.on('data', (d) => {
      buf += d;
      let i;
      while ((i = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, i); buf = buf.slice(i + 1);
        const name = /"name":"(wb-\d+)"/.exec(line)?.[1];
        if (!name) continue;
        const c = (arrivals.get(name) ?? 0) + 1;
        arrivals.set(name, c);
        if (c === watchers) lastArrival.set(name, performance.now());
      }
    });
    st.on('error', () => {});
    streams.push(st);
  }
  while (established < watchers) await new Promise((r) => setTimeout(r, 20));
  const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
  const replied = new Map();
  for (let i = 0; i < writes; i++) {
    const name = `wb-${i}`;
    const r = await req(s, agent, 'POST', '/api/v1/namespaces/watchbench/configmaps', { metadata: { name }, data: { i: String(i) } });
    if (r.status !== 201) throw new Error(`create failed ${r.status}`);
    replied.set(name, performance.now());
    await new Promise((r2) => setTimeout(r2, 20));
  }
  const deadline = Date.now() + 10_000;
  while (lastArrival.size < writes && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  const lat = [];
  for (const [name, t] of replied) {
    const a = lastArrival.get(name);
    if (a !== undefined) lat.push(Math.max(0, a - t));
  }
  lat.sort((a, b) => a - b);
  for (const st of streams) st.close();
  for (const sess of sessions) sess.close();
  agent.destroy();
  return { watchers, writes, delivered_to_all: lat.length, p50_ms: round(pct(lat, 50)), p99_ms: round(pct(lat, 99)), max_ms: round(lat[lat.length - 1] ?? NaN) };
}

function podOfSize(i) {
  const labels = {}; const annotations = {};
  for (let k = 0; k < 8; k++) labels[`label-${k}`] = `value-${k}-${i % 10}`;
  annotations['bench/padding'] = 'p'.repeat(2200);
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name: `pod-${String(i).padStart(5, '0')}`, labels, annotations },
    spec: {
      containers: [{ name: 'app', image: 'registry.local/app:1.0', ports: [{ containerPort: 8080 }],
        env: Array.from({ length: 8 }, (_, e) => ({ name: `ENV_${e}`, value: `value-${e}` })),
        resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { cpu: '500m', memory: '256Mi' } } }],
    },
  };
}

async function listBench(s, n) {
  await req(s, undefined, 'POST', '/api/v1/namespaces', { metadata: { name: 'listbench' } });
  const agent = new https.Agent({ keepAlive: true, maxSockets: 32 });
  let i = 0;
  await Promise.all(Array.from({ length: 32 }, async () => {
    while (i < n) {
      const r = await req(s, agent, 'POST', '/api/v1/namespaces/listbench/pods', podOfSize(i++));
      if (r.status !== 201) throw new Error(`pod create ${r.status}: ${r.body}`);
    }
  }));
  const one = await req(s, agent, 'GET', '/api/v1/namespaces/listbench/pods/pod-00000');
  const time = async (headers) => {
    const runs = [];
    let bytes = 0;
    for (let k = 0; k < 7; k++) {
      const t0 = performance.now();
      const r = await req(s, agent, 'GET', '/api/v1/namespaces/listbench/pods', undefined, headers);
      runs.push(performance.now() - t0);
      bytes = r.body.length;
      if (r.status !== 200) throw new Error(`list ${r.status}`);
    }
    runs.sort((a, b) => a - b);
    return { median_ms: round(pct(runs, 50)), min_ms: round(runs[0]), bytes };
  };
  const json = await time({ accept: 'application/json' });
  const table = await time({ accept: 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json' });
  agent.destroy();
  return { pods: n, pod_bytes: one.body.length, json, table };
}

async function main() {
  const commit = gitCommit();
  const results = { commit, date: new Date().toISOString(), node: process.version, cpus: (await import('node:os')).cpus().length };
  const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-'));
  try {
    let s = await startServer(dir);
    await new Promise((r) => setTimeout(r, 3000));
    results.idle_rss_mb = round(rssMB(s.child.pid), 1);
    if (want('creates')) {
      results.datastore_raw = await rawDatastore(20000);
      results.creates = await createsBench(s, 20000);
      results.creates.ratio_to_datastore = round(results.creates.creates_per_sec / results.datastore_raw.creates_per_sec, 3);
    }
    if (want('verbs')) results.verbs = await verbsBench(s, 4000, [1, 8, 32, 128]);
    if (want('watch')) results.watch = await watchBench(s, 1000, 100);
    if (want('list')) results.list = await listBench(s, 10000);
    const count = JSON.parse((await req(s, undefined, 'GET', '/api/v1/configmaps?limit=1')).body).metadata.remainingItemCount ?? 0;
    const pods = JSON.parse((await req(s, undefined, 'GET', '/api/v1/pods?limit=1')).body).metadata.remainingItemCount ?? 0;
    await stop(s);
    if (want('startup')) {
      // cold start on the now non-empty data dir
      const starts = [];
      for (let k = 0; k < 3; k++) {
        s = await startServer(dir);
        starts.push({ ready_ms: round(s.readyMs, 0), self_reported_ms: s.selfReportedMs });
        if (k < 2) await stop(s);
      }
      await new Promise((r) => setTimeout(r, 3000));
      results.startup = { objects_in_store: count + pods + 2, runs: starts, rss_mb_after_load: round(rssMB(s.child.pid), 1) };
      await stop(s);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const file = saveResult('apiserver', results);
  console.log(JSON.stringify(results, null, 2));
  console.log(`\nwritten to ${file}`);
}

main().catch((e) => { console.error(e); process.exit(1); });
