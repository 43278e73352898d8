// Test harness: starts a real `kumo server` process on loopback with a temporary data dir and a
// random port, waits for its ready line, and gives tests a kubectl runner, a raw HTTPS client
// with the admin certificate, and @kubernetes/client-node config. Stops what it starts, by PID.
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import https from 'node:https';
import { parse as parseYAML } from 'yaml';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const KUMO = join(ROOT, 'bin', 'kumo');
const SDK_BIN = '/usr/lib/google-cloud-sdk/bin';

/** A specific kubectl minor if installed side by side (kubectl.1.NN), else the one on PATH. */
export function kubectlBinary(minor) {
  if (minor) {
    const p = join(SDK_BIN, `kubectl.1.${minor}`);
    if (existsSync(p)) return p;
  }
  return 'kubectl';
}

export async function startServer({ args = [], dataDir, env = {} } = {}) {
  const dir = dataDir ?? mkdtempSync(join(tmpdir(), 'kumo-test-'));
  const child = spawn(process.execPath, [KUMO, 'server', '--data-dir', dir, '--secure-port', '0', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env },
  });
  let out = '';
  const ready = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`kumo server not ready in 30s:\n${out}`)); }, 30_000);
    const onData = (d) => {
      out += d.toString();
      const m = /is ready at (https:\/\/\S+) \((\d+) ms\); kubeconfig: (\S+)/.exec(out);
      if (m) { clearTimeout(timer); resolve({ url: m[1], startMs: Number(m[2]), kubeconfig: m[3] }); }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.on('exit', (code) => { clearTimeout(timer); reject(new Error(`kumo server exited with ${code}:\n${out}`)); });
  }).catch((err) => {
    // a server that never came up (tests of bad flags expect this) leaves nothing behind in /tmp
    if (!dataDir) rmSync(dir, { recursive: true, force: true });
    throw err;
  });
  child.stdout.on('data', (d) => { out += d.toString(); });
  child.stderr.on('data', (d) => { out += d.toString(); });
  const kc = parseYAML(readFileSync(ready.kubeconfig, 'utf8'));
  const cluster = kc.clusters[0].cluster;
  const user = kc.users[0].user;
  const tls = {
    ca: Buffer.from(cluster['certificate-authority-data'], 'base64'),
    cert: Buffer.from(user['client-certificate-data'], 'base64'),
    key: Buffer.from(user['client-key-data'], 'base64'),
  };
  const server = {
    dir, child, ...ready, tls, output: () => out,
    /** run kubectl (optionally a given minor version) with this server's kubeconfig */
    kubectl(argv, { input, minor, env: extra = {} } = {}) {
      return runKubectl(kubectlBinary(minor), argv, { KUBECONFIG: ready.kubeconfig, ...extra }, input);
    },
    /** raw HTTPS request as admin (or with { anonymous: true } / custom tls) */
    request(method, path, { body, headers = {}, anonymous = false, tls: tlsOverride } = {}) {
      return request(ready.url, method, path, body, headers, anonymous ? { ca: tls.ca } : (tlsOverride ?? tls));
    },
    async stop(signal = 'SIGTERM') {
      if (child.exitCode === null && child.signalCode === null) {
        const exited = new Promise((r) => child.once('exit', (code, sig) => r({ code, sig })));
        child.kill(signal);
        return exited;
      }
      return { code: child.exitCode, sig: child.signalCode };
    },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
  return server;
}

export function runKubectl(bin, argv, env, input) {
  return new Promise((resolve) => {
    const p = execFile(bin, argv, { env: { ...process.env, ...env }, timeout: 60_000, maxBuffer: 64 << 20 }, (err, stdout, stderr) => {
      resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
    });
    if (input !== undefined) { p.stdin.write(input); }
    p.stdin.end();
  });
}

export function request(base, method, path, body, headers, tls) {
  const u = new URL(path, base);
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body));
    const req = https.request({
      hostname: u.hostname, port: u.port, path: u.pathname + u.search, method,
      headers: { ...(data ? { 'content-type': 'application/json', 'content-length': data.length } : {}), ...headers },
      ...tls, agent: false,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { /* not JSON */ }
        resolve({ status: res.statusCode, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (data) req.write(data);
    req.end();
  });
}
