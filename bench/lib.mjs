// Shared by the benchmarks: start/stop real `kumo server` processes, raw HTTPS requests with the
// admin certificate, percentiles, and where results go.
import { spawn, execFileSync } from 'node:child_process';
import { readFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import https from 'node:https';
import { parse as parseYAML } from 'yaml';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

export const round = (x, d = 2) => Math.round(x * 10 ** d) / 10 ** d;

export function pct(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] : NaN;
}

/** spawn `kumo server` on a data dir; resolves at its ready line with { child, url, tls, readyMs, selfReportedMs } */
export async function startServer(dir, args = []) {
  const t0 = performance.now();
  // KUMO_BENCH_SERVER_NODE_ARGS: node flags for the server process (e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof")
  const nodeArgs = (process.env.KUMO_BENCH_SERVER_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, join(ROOT, 'bin/kumo'), 'server', '--data-dir', dir, '--secure-port', '0', ...args],
    { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const m = await new Promise((resolve, reject) => {
    const onData = (d) => {
      out += d;
      const mm = /is ready at (https:\/\/\S+) \((\d+) ms\); kubeconfig: (\S+)/.exec(out);
      if (mm) resolve(mm);
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (c) => reject(new Error(`server exited ${c}: ${out}`)));
  });
  const readyMs = performance.now() - t0;
  const kc = parseYAML(readFileSync(m[3], 'utf8'));
  const tls = {
    ca: Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(kc.users[0].user['client-certificate-data'], 'base64'),
    key: Buffer.from(kc.users[0].user['client-key-data'], 'base64'),
  };
  return { child, url: new URL(m[1]), tls, readyMs, selfReportedMs: Number(m[2]) };
}

export function stop(s) {
  return new Promise((r) => { s.child.once('exit', r); s.child.kill('SIGTERM'); });
}

/** one HTTPS request as admin; body is JSON-encoded unless a string */
export function req(s, agent, method, path, body, headers = {}) {
  return new Promise((resolve, reject) => {
    const data = body ? Buffer.from(typeof body === 'string' ? body : JSON.stringify(body)) : undefined;
    const r = https.request({ host: s.url.hostname, port: s.url.port, method, path, agent, ...s.tls,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, body: Buffer.concat(chunks) }));
    });
    r.on('error', reject);
    if (data) r.write(data);
    r.end();
  });
}

export function gitCommit() {
  try { return execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: ROOT }).toString().trim(); } catch { return 'unknown'; }
}

/** write bench/results/<name>-<date>-<commit>.json and return its path */
export function saveResult(name, result) {
  const dir = join(ROOT, 'bench', 'results');
  mkdirSync(dir, { recursive: true });
  const file = join(dir, `${name}-${new Date().toISOString().slice(0, 10)}-${result.commit ?? gitCommit()}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
  return file;
}

/**
 * A closed loop: `clients` workers run op(0..n-1) between them, each starting the next as soon as its
 * last answers; op resolves true on success. Throughput, latency percentiles and the failures.
 */
export async function timed(n, clients, op) {
  let i = 0;
  let errors = 0;
  const lat = [];
  const t0 = performance.now();
  await Promise.all(Array.from({ length: clients }, async () => {
    while (i < n) {
      const k = i++;
      const st = performance.now();
      if (!(await op(k))) errors++;
      lat.push(performance.now() - st);
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  lat.sort((a, b) => a - b);
  return { per_sec: round(n / secs, 0), p50_ms: round(pct(lat, 50)), p99_ms: round(pct(lat, 99)), errors };
}
