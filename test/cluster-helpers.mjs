// A whole small cluster for controller end-to-end tests: a real `kumo server`, `kumo sim-nodes` as
// the kubelets, the scheduler and the controller manager (only the controllers a test names), each a
// child process stopped by PID in stop(). Output of every process is kept for failure messages.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startServer, KUMO } from './harness.mjs';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/**
 * @param {object} o
 * @param {string} o.controllers   --controllers for the controller manager (e.g. 'deployment,replicaset'); serviceaccount,
 *                                 root-ca-cert-publisher and namespace are always added
 * @param {number} [o.nodes]       simulated nodes (0: none)
 * @param {string[]} [o.simArgs]   extra `kumo sim-nodes` flags
 * @param {boolean} [o.scheduler]  start `kumo scheduler` (default true when there are nodes)
 * @param {string[]} [o.cmArgs]    extra controller-manager flags
 * @param {string[]} [o.serverArgs] extra `kumo server` flags
 * @param {(s: object) => Promise<void>} [o.setup] runs against the server before any component starts (e.g. to install
 *                                 CRDs the garbage collector should know from its first discovery, not its 30 s resync)
 */
export async function startCluster({ controllers, nodes = 2, simArgs = [], scheduler = nodes > 0, cmArgs = [], serverArgs = [], setup } = {}) {
  // the server's built-in controller manager is off so that only the named controllers run (plus the
  // per-namespace basics every cluster needs: default ServiceAccounts, kube-root-ca.crt, namespace deletion)
  const s = await startServer({ args: ['--disable-controller-manager', '--disable-scheduler', ...serverArgs] });
  const procs = [];
  let logs = '';
  const start = (cmd, args, readyRe) => {
    const child = spawn(process.execPath, [KUMO, cmd, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    procs.push(child);
    let out = '';
    return new Promise((resolve, reject) => {
      const on = (d) => { out += d; logs += `[${cmd}] ${d}`; const m = readyRe.exec(out); if (m) resolve({ child, m }); };
      child.stdout.on('data', on);
      child.stderr.on('data', on);
      child.once('exit', (code) => reject(new Error(`${cmd} exited ${code}: ${out}`)));
    });
  };
  const c = {
    s, procs,
    logs: () => `${logs.slice(-6000)}\n[server] ${s.output().slice(-2000)}`,
    start,
    /** polls fn until it returns something truthy; fails with the cluster's logs */
    async eventually(what, fn, ms = 30_000) {
      const end = Date.now() + ms;
      for (;;) {
        const v = await fn();
        if (v) return v;
        if (Date.now() > end) assert.fail(`timed out waiting for ${what}\n${c.logs()}`);
        await sleep(200);
      }
    },
    async get(path) { const r = await s.request('GET', path); return r.status === 200 ? r.json : undefined; },
    async create(path, body) { const r = await s.request('POST', path, { body }); assert.equal(r.status, 201, r.text); return r.json; },
    async patch(path, body, type = 'application/merge-patch+json') {
      const r = await s.request('PATCH', path, { body, headers: { 'content-type': type } }); assert.equal(r.status, 200, r.text); return r.json;
    },
    kubectl: (argv, opts) => s.kubectl(argv, opts),
    async stop() {
      for (const p of procs.reverse()) {
        if (p.exitCode === null && p.signalCode === null) {
          const exited = new Promise((r) => p.once('exit', r));
          p.kill('SIGTERM');
          await Promise.race([exited, sleep(5000)]);
          if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
        }
      }
      await s.stop();
      s.cleanup();
    },
  };
  try {
    if (setup) await setup(s);
    if (nodes > 0) {
      await start('sim-nodes', ['--kubeconfig', s.kubeconfig, '--count', String(nodes), '--heartbeat-interval', '2s', ...simArgs],
        /nodes registered in \d+ ms/);
    }
    if (scheduler) await start('scheduler', ['--kubeconfig', s.kubeconfig, '--secure-port', '0', '--leader-elect=false'], /healthz\/metrics at (http:\S+)/);
    {
      const cm = await start('controller-manager', ['--kubeconfig', s.kubeconfig, '--secure-port', '0', '--leader-elect=false',
        '--controllers', `${controllers},serviceaccount,root-ca-cert-publisher,namespace`, ...cmArgs], /healthz\/metrics at (http:\S+)/);
      c.cmURL = cm.m[1];
    }
  } catch (err) {
    await c.stop();
    throw err;
  }
  return c;
}
