// Shared by the `kumo scheduler` end-to-end tests: Node objects with allocatable status, polling,
// starting the scheduler as a child process with its own kubeconfig, and stopping it.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { KUMO } from './harness.mjs';

export const node = (name, { cpu = '2', memory = '4Gi', labels = {}, taints } = {}) => ({
  apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...labels } },
  spec: taints ? { taints } : {},
  status: { capacity: { cpu, memory, pods: '110' }, allocatable: { cpu, memory, pods: '110' } },
});

/** Helpers bound to one running server `s` (from harness startServer); scheduler output is collected for failure messages. */
export function schedulerFixture(s) {
  let output = '';
  const eventually = async (fn, ms = 15_000) => {
    const end = Date.now() + ms;
    for (;;) {
      const r = await fn();
      if (r) return r;
      if (Date.now() > end) assert.fail(`condition not met in time\nscheduler output:\n${output}`);
      await new Promise((res) => setTimeout(res, 100));
    }
  };
  const createNode = async (n) => {
    const r = await s.request('POST', '/api/v1/nodes', { body: n });
    assert.equal(r.status, 201, r.text);
    // status is ignored on create: set allocatable through the status subresource
    const st = await s.request('PATCH', `/api/v1/nodes/${n.metadata.name}/status`, { body: { status: n.status }, headers: { 'content-type': 'application/merge-patch+json' } });
    assert.equal(st.status, 200, st.text);
  };
  const getPod = async (ns, name) => (await s.request('GET', `/api/v1/namespaces/${ns}/pods/${name}`)).json;
  const boundNode = (ns, name) => eventually(async () => (await getPod(ns, name)).spec.nodeName);
  /** a scheduler that keeps running; resolves once it serves /healthz */
  const startScheduler = (args) => new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [KUMO, 'scheduler', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const on = (d) => { out += d; output += d; const m = /healthz\/metrics at (http:\S+)/.exec(out); if (m) resolve({ child, url: m[1] }); };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => reject(Object.assign(new Error(`scheduler exited ${code}: ${out}`), { code, out })));
  });
  /** a scheduler expected to exit (bad flags or config); resolves with its exit code and output */
  const runScheduler = (args) => new Promise((resolve) => {
    const child = spawn(process.execPath, [KUMO, 'scheduler', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { out += d; });
    const t = setTimeout(() => child.kill(), 15_000);
    child.on('exit', (code) => { clearTimeout(t); resolve({ code, out }); });
  });
  /** `kumo kubeconfig --kind scheduler` for this server */
  const schedulerKubeconfig = async () => {
    const kc = join(s.dir, 'scheduler.kubeconfig');
    const r = await new Promise((res) => {
      const c = spawn(process.execPath, [KUMO, 'kubeconfig', '--kind', 'scheduler', '--dir', s.dir, '--server', s.url, '--out', kc], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = ''; c.stdout.on('data', (d) => { out += d; }); c.stderr.on('data', (d) => { out += d; });
      c.on('exit', (code) => res({ code, out }));
    });
    assert.equal(r.code, 0, r.out);
    return kc;
  };
  return { eventually, createNode, getPod, boundNode, startScheduler, runScheduler, schedulerKubeconfig };
}

/** for after(): stops a scheduler from startScheduler (SIGTERM by PID, waiting for it to exit), then the server */
export async function stopSchedulerAndServer(sched, s) {
  if (sched && sched.child.exitCode === null) {
    const exited = new Promise((r) => sched.child.once('exit', r));
    sched.child.kill('SIGTERM');
    await exited;
  }
  await s?.stop();
  s?.cleanup();
}
