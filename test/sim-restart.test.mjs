// `kumo sim-nodes` across restarts, with the server's built-in controllers and scheduler: a
// Deployment's pods run on simulated nodes; restarting the simulator (same names) adopts nodes and
// pods (same IPs, Leases keep renewing); the drill API fails and recovers nodes at runtime; and a
// server restart on the same data dir and port is ridden out. Every process is stopped by PID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startServer } from './harness.mjs';
import { poller, sleep, startSim } from './sim-helpers.mjs';

const until = poller({ timeout: 30_000, every: 150 });

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => { const { port } = srv.address(); srv.close(() => resolve(port)); });
  });
}

async function drill(base, method, path) {
  const r = await fetch(`${base}${path}`, { method });
  return { status: r.status, json: await r.json() };
}

const deployment = (replicas) => ({
  apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' },
  spec: {
    replicas, selector: { matchLabels: { app: 'web' } },
    template: { metadata: { labels: { app: 'web' } }, spec: { automountServiceAccountToken: false, containers: [{ name: 'c', image: 'pause' }] } },
  },
});

test('sim-nodes: survives its own restart, node drills at runtime, and a server restart', async () => {
  const port = await freePort();
  let s = await startServer({ args: ['--secure-port', String(port)] });
  const dataDir = s.dir;
  const flags = ['--count', '3', '--heartbeat-interval', '1s', '--drill-address', '127.0.0.1:0'];
  let sim = startSim(s.kubeconfig, flags);
  try {
    let drillURL = await sim.ready;
    assert.match(drillURL, /^http:\/\/127\.0\.0\.1:\d+$/);
    const lease = async (n) => (await s.request('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n}`)).json.spec.renewTime;
    const pods = async () => (await s.request('GET', '/api/v1/namespaces/default/pods?labelSelector=app%3Dweb')).json.items;
    const running = async (n) => { const ps = (await pods()).filter((p) => !p.metadata.deletionTimestamp); return ps.length === n && ps.every((p) => p.status.phase === 'Running') && ps; };
    const available = async (n) => {
      const d = (await s.request('GET', '/apis/apps/v1/namespaces/default/deployments/web')).json;
      return d.status?.availableReplicas === n && d.status?.updatedReplicas === n && d.status?.replicas === n;
    };
    const scale = (n) => s.request('PATCH', '/apis/apps/v1/namespaces/default/deployments/web', { body: { spec: { replicas: n } }, headers: { 'content-type': 'application/merge-patch+json' } });

    await until('default service account', async () => (await s.request('GET', '/api/v1/namespaces/default/serviceaccounts/default')).status === 200);
    const created = await s.request('POST', '/apis/apps/v1/namespaces/default/deployments', { body: deployment(4) });
    assert.equal(created.status, 201, created.text);
    const before = await until('4 pods Running', () => running(4));
    await until('Deployment available', () => available(4));
    const ipOf = new Map(before.map((p) => [p.metadata.uid, p.status.podIP]));
    assert.equal(new Set(ipOf.values()).size, 4, 'distinct pod IPs');

    // 1. the simulator restarts under the same names: adopts, keeps IPs, Leases keep renewing
    await sim.stop();
    const staleLease = await lease('sim-node-0');
    sim = startSim(s.kubeconfig, flags);
    drillURL = await sim.ready;
    assert.match(sim.output(), /3 nodes registered in \d+ ms \(3 adopted\)/);
    await until('lease renewed after the simulator restart', async () => (await lease('sim-node-0')) > staleLease);
    await sleep(1500);
    const adopted = await running(4);
    assert.ok(adopted, 'pods stay Running across the simulator restart');
    for (const p of adopted) assert.equal(p.status.podIP, ipOf.get(p.metadata.uid), `pod ${p.metadata.name} kept its IP`);
    assert.equal((await s.request('GET', '/api/v1/nodes')).json.items.length, 3, 'no duplicate nodes');
    assert.equal((await scale(6)).status, 200);
    const six = await until('6 pods Running after the simulator restart', () => running(6));
    assert.equal(new Set(six.map((p) => p.status.podIP)).size, 6, 'new pods do not reuse adopted IPs');
    await until('Deployment available at 6', () => available(6));

    // 2. drills at runtime
    assert.equal((await drill(drillURL, 'POST', '/fail?nodes=nope')).status, 404);
    assert.equal((await drill(drillURL, 'POST', '/fail')).status, 400);
    assert.equal((await drill(drillURL, 'GET', '/fail?nodes=sim-node-0')).status, 405);
    assert.equal((await drill(drillURL, 'POST', '/explode?nodes=sim-node-0')).status, 404);
    const failed = await drill(drillURL, 'POST', '/fail?nodes=sim-node-0');
    assert.equal(failed.status, 200);
    assert.deepEqual(failed.json.failed, ['sim-node-0']);
    await sleep(300); // a renewal already in flight may land
    const frozen = await lease('sim-node-0');
    const other = await lease('sim-node-1');
    await sleep(2500);
    assert.equal(await lease('sim-node-0'), frozen, 'a failed node stops renewing its Lease');
    assert.ok((await lease('sim-node-1')) > other, 'the others keep renewing');
    // a pod on the failed node that is deleted stays Terminating: its kubelet is gone
    const victim = (await pods()).find((p) => p.spec.nodeName === 'sim-node-0' && !p.metadata.deletionTimestamp);
    assert.ok(victim, 'a pod on sim-node-0');
    assert.equal((await s.request('DELETE', `/api/v1/namespaces/default/pods/${victim.metadata.name}`)).status, 200);
    await sleep(2000);
    assert.equal((await s.request('GET', `/api/v1/namespaces/default/pods/${victim.metadata.name}`)).status, 200, 'still Terminating on a failed node');
    const recovered = await drill(drillURL, 'POST', '/recover?nodes=sim-node-0');
    assert.equal(recovered.status, 200);
    assert.deepEqual(recovered.json.failed, []);
    await until('lease renewed after recovery', async () => (await lease('sim-node-0')) > frozen);
    await until('the deleted pod removed once its kubelet is back', async () => (await s.request('GET', `/api/v1/namespaces/default/pods/${victim.metadata.name}`)).status === 404);
    await until('6 Running again', () => running(6));

    const nodeReady = async (n) => (await s.request('GET', `/api/v1/nodes/${n}`)).json.status.conditions.find((c) => c.type === 'Ready');
    assert.deepEqual((await drill(drillURL, 'POST', '/not-ready?nodes=sim-node-2')).json.notReady, ['sim-node-2']);
    await until('sim-node-2 NotReady', async () => (await nodeReady('sim-node-2')).status === 'False');
    assert.equal((await nodeReady('sim-node-2')).reason, 'KubeletNotReady');
    await drill(drillURL, 'POST', '/recover?nodes=sim-node-2');
    await until('sim-node-2 Ready again', async () => (await nodeReady('sim-node-2')).status === 'True');
    assert.deepEqual((await drill(drillURL, 'GET', '/drills')).json.notReady, []);

    // 3. the server restarts on the same data dir and port; the simulator carries on
    const ipsBefore = new Map((await running(6)).map((p) => [p.metadata.uid, p.status.podIP]));
    await s.stop();
    await sleep(2000);
    s = await startServer({ args: ['--secure-port', String(port)], dataDir });
    const restartedAt = new Date().toISOString();
    await until('lease renewed after the server restart', async () => (await lease('sim-node-1')) > restartedAt);
    await until('every lease renewed after the server restart', async () => {
      for (const n of ['sim-node-0', 'sim-node-1', 'sim-node-2']) if (!((await lease(n)) > restartedAt)) return false;
      return true;
    });
    const still = await running(6);
    assert.ok(still, 'pods stay Running across the server restart');
    for (const p of still) assert.equal(p.status.podIP, ipsBefore.get(p.metadata.uid));
    assert.equal((await scale(8)).status, 200);
    await until('8 pods Running after the server restart (the simulator watches again)', () => running(8), 45_000);
    await until('Deployment available at 8', () => available(8), 45_000);
    assert.equal((await nodeReady('sim-node-0')).status, 'True');
  } finally {
    await sim.stop();
    await s.stop();
    s.cleanup();
  }
});
