// Tiny bench hook for the node simulator: register N (default 1,000) simulated nodes against a
// fresh server; report time to register, and the simulator's RSS and CPU (from /proc) after it
// has renewed every Lease at least once. Usage: node bench/sim.mjs [count]
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT, startServer, stop, gitCommit, saveResult, round } from './lib.mjs';

const count = Number(process.argv[2] ?? 1000);
const heartbeat = 10;
const CLK = 100; // USER_HZ on Linux

function procStats(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const rss = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))[1]) * 1024;
  return { cpuSeconds: (Number(stat[11]) + Number(stat[12])) / CLK, rssBytes: rss };
}

const dir = mkdtempSync(join(tmpdir(), 'kumo-bench-sim-'));
const server = await startServer(dir);
const t0 = performance.now();
const sim = spawn(process.execPath, [join(ROOT, 'bin/kumo'), 'sim-nodes', '--kubeconfig', join(dir, 'kubeconfig'), '--count', String(count),
  '--pod-cidr-base', '10.0.0.0/8', '--zones', '3', '--heartbeat-interval', `${heartbeat}s`], { stdio: ['ignore', 'pipe', 'pipe'] });
let out = '';
sim.stdout.on('data', (d) => { out += d; });
sim.stderr.on('data', (d) => { out += d; });
try {
  const m = await new Promise((resolve, reject) => {
    const t = setInterval(() => { const mm = /(\d+) nodes registered in (\d+) ms/.exec(out); if (mm) { clearInterval(t); resolve(mm); } }, 20);
    sim.once('exit', (c) => { clearInterval(t); reject(new Error(`sim-nodes exited ${c}: ${out}`)); });
  });
  const wallMs = performance.now() - t0;
  const atRegister = procStats(sim.pid);
  await new Promise((r) => setTimeout(r, heartbeat * 1000 + 1000)); // one full round of Lease renewals
  const steady = procStats(sim.pid);
  const result = {
    commit: gitCommit(), date: new Date().toISOString(), nodes: count,
    registerMs: Number(m[2]), wallToRegisteredMs: round(wallMs, 0),
    nodesPerSecond: round(count / (Number(m[2]) / 1000), 0),
    rssMiB: round(steady.rssBytes / 2 ** 20, 1),
    cpuSecondsRegistering: round(atRegister.cpuSeconds, 2),
    cpuPercentSteady: round(100 * (steady.cpuSeconds - atRegister.cpuSeconds) / (heartbeat + 1), 1),
    leaseRenewalsPerSecond: round(count / heartbeat, 0),
  };
  console.log(JSON.stringify(result, null, 2));
  console.log(`saved ${saveResult('sim', result)}`);
} finally {
  await new Promise((r) => { if (sim.exitCode !== null) r(); else { sim.once('exit', r); sim.kill('SIGTERM'); } });
  await stop(server);
  rmSync(dir, { recursive: true, force: true });
}
