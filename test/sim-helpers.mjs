// What the `kumo sim-nodes` end-to-end tests share: polling until a condition holds, and starting the
// simulator as a child process (ready once its nodes are registered; stopped by PID).
import { spawn } from 'node:child_process';
import { KUMO } from './harness.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** a poller: until(what, fn, ms) calls fn every `every` ms until it returns something truthy, which it returns */
export function poller({ timeout, every }) {
  return async function until(what, fn, ms = timeout) {
    const end = Date.now() + ms;
    let last;
    while (Date.now() < end) {
      last = await fn();
      if (last) return last;
      await sleep(every);
    }
    throw new Error(`timed out waiting for ${what}`);
  };
}

/** `kumo sim-nodes --kubeconfig <kubeconfig> ...args`; ready resolves with the drill API address, if it serves one */
export function startSim(kubeconfig, args) {
  const child = spawn(process.execPath, [KUMO, 'sim-nodes', '--kubeconfig', kubeconfig, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const ready = new Promise((resolve, reject) => {
    const t = setInterval(() => { if (/nodes registered in \d+ ms/.test(out)) { clearInterval(t); resolve(/drill API at (\S+)/.exec(out)?.[1]); } }, 50);
    child.once('exit', (c) => { clearInterval(t); reject(new Error(`sim-nodes exited ${c}: ${out}`)); });
  });
  return {
    child, ready, output: () => out,
    stop() {
      if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
      return new Promise((r) => { child.once('exit', r); child.kill('SIGTERM'); });
    },
  };
}
