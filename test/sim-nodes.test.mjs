// `kumo sim-nodes` against a real server: Nodes and Leases appear and renew, a bound pod runs with an
// IP from its node's podCIDR, a run-seconds pod Succeeds, deletion completes, a failed node's Lease
// goes stale, and a restarted simulator adopts what is there. Every process is stopped by PID.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startServer } from './harness.mjs';
import { poller, sleep, startSim } from './sim-helpers.mjs';

const until = poller({ timeout: 15_000, every: 100 });

const ipInt = (ip) => ip.split('.').reduce((a, p) => a * 256 + Number(p), 0);
function inCIDR(ip, cidr) {
  const [base, bits] = cidr.split('/');
  const size = 2 ** (32 - Number(bits));
  return ipInt(ip) >= ipInt(base) && ipInt(ip) < ipInt(base) + size;
}

test('sim-nodes: nodes, leases, pods, completion, deletion, failure drill, restart', async () => {
  const s = await startServer({ args: ['--disable-scheduler'] });
  const flags = ['--count', '3', '--heartbeat-interval', '1s', '--zones', '2', '--labels', 'tier=sim', '--taints', 'sim=true:NoSchedule', '--cpu', '4', '--memory', '8Gi'];
  let sim = startSim(s.kubeconfig, flags);
  try {
    await sim.ready;
    const nodes = (await s.request('GET', '/api/v1/nodes?labelSelector=tier%3Dsim')).json.items;
    assert.deepEqual(nodes.map((n) => n.metadata.name).sort(), ['sim-node-0', 'sim-node-1', 'sim-node-2']);
    const n0 = nodes.find((n) => n.metadata.name === 'sim-node-0');
    assert.equal(n0.spec.podCIDR, '10.244.0.0/24');
    assert.deepEqual(n0.spec.taints, [{ key: 'sim', value: 'true', effect: 'NoSchedule' }]);
    assert.equal(n0.metadata.labels['topology.kubernetes.io/zone'], 'zone-0');
    assert.equal(nodes.find((n) => n.metadata.name === 'sim-node-1').metadata.labels['topology.kubernetes.io/zone'], 'zone-1');
    assert.equal(n0.status.capacity.cpu, '4');
    assert.deepEqual(n0.status.allocatable, n0.status.capacity);
    const ready = n0.status.conditions.find((c) => c.type === 'Ready');
    assert.equal(ready.status, 'True');
    assert.equal(ready.reason, 'KubeletReady');
    const version = (await s.request('GET', '/version')).json.gitVersion;
    assert.equal(n0.status.nodeInfo.kubeletVersion, version);
    assert.equal(n0.status.nodeInfo.containerRuntimeVersion, 'sim://1.0');
    assert.equal(n0.status.addresses.find((a) => a.type === 'InternalIP').address, '172.16.0.1');
    // kubectl sees them Ready
    const k = await s.kubectl(['get', 'nodes', '-l', 'tier=sim', '--no-headers']);
    assert.equal(k.code, 0, k.stderr);
    assert.equal(k.stdout.trim().split('\n').filter((l) => /\sReady\s/.test(l)).length, 3, k.stdout);

    const lease = async (n) => (await s.request('GET', `/apis/coordination.k8s.io/v1/namespaces/kube-node-lease/leases/${n}`)).json;
    const l1 = await lease('sim-node-0');
    assert.equal(l1.spec.holderIdentity, 'sim-node-0');
    assert.equal(l1.spec.leaseDurationSeconds, 40);
    assert.match(l1.spec.renewTime, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}Z$/);
    assert.equal(l1.metadata.ownerReferences[0].uid, n0.metadata.uid);
    await until('lease renewal', async () => (await lease('sim-node-0')).spec.renewTime !== l1.spec.renewTime);

    // a pod bound through pods/binding runs with an IP from its node's CIDR
    const mk = (name, annotations = {}, extra = {}) => s.request('POST', '/api/v1/namespaces/default/pods', { body: {
      metadata: { name, annotations }, spec: { containers: [{ name: 'c', image: 'busybox' }], tolerations: [{ key: 'sim', operator: 'Exists' }], ...extra } } });
    const bind = (name, node) => s.request('POST', `/api/v1/namespaces/default/pods/${name}/binding`, { body: { metadata: { name }, target: { kind: 'Node', name: node } } });
    const getPod = async (name) => (await s.request('GET', `/api/v1/namespaces/default/pods/${name}`));
    assert.equal((await mk('web')).status, 201);
    assert.equal((await bind('web', 'sim-node-1')).status, 201);
    const web = await until('web Running', async () => { const p = (await getPod('web')).json; return p.status.phase === 'Running' && p; });
    assert.ok(inCIDR(web.status.podIP, '10.244.1.0/24'), web.status.podIP);
    assert.equal(web.status.hostIP, '172.16.0.2');
    assert.equal(web.status.containerStatuses[0].ready, true);
    assert.ok(web.status.containerStatuses[0].state.running.startedAt);
    assert.equal(web.status.conditions.find((c) => c.type === 'Ready').status, 'True');

    // readiness gate: Ready only once the gate condition is True
    assert.equal((await mk('gated', {}, { readinessGates: [{ conditionType: 'example.com/ready' }] })).status, 201);
    assert.equal((await bind('gated', 'sim-node-0')).status, 201);
    const gated = await until('gated Running', async () => { const p = (await getPod('gated')).json; return p.status.phase === 'Running' && p; });
    assert.equal(gated.status.conditions.find((c) => c.type === 'Ready').status, 'False');
    assert.equal(gated.status.conditions.find((c) => c.type === 'Ready').reason, 'ReadinessGatesNotReady');
    const patched = await s.request('PATCH', '/api/v1/namespaces/default/pods/gated/status', {
      body: { status: { conditions: [{ type: 'example.com/ready', status: 'True' }] } }, headers: { 'content-type': 'application/strategic-merge-patch+json' } });
    assert.equal(patched.status, 200, patched.text);
    await until('gated Ready', async () => (await getPod('gated')).json.status.conditions.find((c) => c.type === 'Ready').status === 'True');

    // a run-seconds pod Succeeds
    assert.equal((await mk('job', { 'sim.kumo.dev/run-seconds': '1' }, { restartPolicy: 'Never' })).status, 201);
    assert.equal((await bind('job', 'sim-node-2')).status, 201);
    const done = await until('job Succeeded', async () => { const p = (await getPod('job')).json; return p.status.phase === 'Succeeded' && p; });
    assert.equal(done.status.containerStatuses[0].state.terminated.exitCode, 0);

    // graceful deletion completes (the simulator removes it with grace 0)
    const del = await s.request('DELETE', '/api/v1/namespaces/default/pods/web');
    assert.equal(del.status, 200);
    assert.ok(del.json.metadata.deletionTimestamp, 'graceful: the pod stays until its kubelet finishes');
    await until('web gone', async () => (await getPod('web')).status === 404);

    // restart as a failure drill: sim-node-2 stops heartbeating, sim-node-1 reports NotReady
    await sim.stop();
    sim = startSim(s.kubeconfig, [...flags, '--fail-nodes', 'sim-node-2', '--not-ready-nodes', 'sim-node-1']);
    await sim.ready;
    assert.match(sim.output(), /3 adopted/);
    await until('sim-node-1 NotReady', async () => {
      const n = (await s.request('GET', '/api/v1/nodes/sim-node-1')).json;
      return n.status.conditions.find((c) => c.type === 'Ready').status === 'False';
    });
    const stale = (await lease('sim-node-2')).spec.renewTime;
    const fresh = (await lease('sim-node-0')).spec.renewTime;
    await sleep(2500);
    assert.equal((await lease('sim-node-2')).spec.renewTime, stale, 'failed node stops renewing');
    assert.notEqual((await lease('sim-node-0')).spec.renewTime, fresh, 'healthy node keeps renewing');
    // adoption kept the running pod as it was, and new pods get distinct IPs
    const gated2 = (await getPod('gated')).json;
    assert.equal(gated2.status.podIP, gated.status.podIP);
    assert.equal((await mk('after')).status, 201);
    assert.equal((await bind('after', 'sim-node-0')).status, 201);
    const after = await until('after Running', async () => { const p = (await getPod('after')).json; return p.status.phase === 'Running' && p; });
    assert.ok(inCIDR(after.status.podIP, '10.244.0.0/24'));
    assert.notEqual(after.status.podIP, gated.status.podIP, 'adopted IPs are not handed out again');
    assert.equal((await s.request('GET', '/api/v1/nodes?labelSelector=tier%3Dsim')).json.items.length, 3, 'no duplicate nodes');
  } finally {
    await sim.stop();
    await s.stop();
    s.cleanup();
  }
});
