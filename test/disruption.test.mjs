// The disruption controller and pods/eviction end to end: a real server, `kumo sim-nodes`, the
// scheduler and a controller manager running disruption + replicaset. A ReplicaSet of 3 behind a
// PodDisruptionBudget (minAvailable 2) allows one disruption; an eviction spends it and the next one
// gets upstream's 429; `kubectl drain` retries until the ReplicaSet has replaced what it evicted;
// a pod without a budget is simply deleted; bad Eviction bodies get upstream's 400s.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './cluster-helpers.mjs';

let c;
const NS = 'default';
const pdbPath = (name) => `/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets/${name}`;
const evictPath = (pod, ns = NS) => `/api/v1/namespaces/${ns}/pods/${pod}/eviction`;
const eviction = (name, extra = {}) => ({ apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace: NS }, ...extra });
const evict = (pod, body = eviction(pod), query = '') => c.s.request('POST', `${evictPath(pod)}${query}`, { body });
const livePods = async (app) => (await c.get(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`)).items
  .filter((p) => !p.metadata.deletionTimestamp);
const ready = (p) => p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');

/** The budget once the controller has caught up with 3 ready pods (one disruption allowed). */
async function settled(name = 'web-pdb') {
  return c.eventually(`${name} to allow one disruption with 3 healthy pods`, async () => {
    const pdb = await c.get(pdbPath(name));
    const pods = await livePods('web');
    return pdb?.status?.disruptionsAllowed === 1 && pdb.status.currentHealthy === 3 && pods.length === 3 && pods.every(ready)
      && pdb.status.observedGeneration === pdb.metadata.generation && !Object.keys(pdb.status.disruptedPods ?? {}).length && pdb;
  });
}

before(async () => {
  c = await startCluster({ controllers: 'disruption,replicaset', nodes: 2 });
  await c.create(`/apis/apps/v1/namespaces/${NS}/replicasets`, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
    spec: { replicas: 3, selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' } }, spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  await c.create(`/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets`, {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-pdb' },
    spec: { minAvailable: 2, selector: { matchLabels: { app: 'web' } } },
  });
});

after(async () => { await c?.stop(); });

test('a ReplicaSet of 3 behind minAvailable 2: status and kubectl get pdb', async () => {
  const pdb = await settled();
  assert.equal(pdb.status.desiredHealthy, 2);
  assert.equal(pdb.status.expectedPods, 3);
  const cond = pdb.status.conditions.find((x) => x.type === 'DisruptionAllowed');
  assert.deepEqual([cond.status, cond.reason], ['True', 'SufficientPods']);
  const out = await c.kubectl(['get', 'pdb', 'web-pdb']);
  assert.equal(out.code, 0, out.stderr);
  assert.match(out.stdout, /^NAME\s+MIN AVAILABLE\s+MAX UNAVAILABLE\s+ALLOWED DISRUPTIONS\s+AGE\n/);
  assert.match(out.stdout, /\nweb-pdb\s+2\s+N\/A\s+1\s+\S+\n/);
});

test('an eviction spends the disruption; the next one gets 429 with the budget as the cause', async () => {
  await settled();
  const [first, second] = await livePods('web');
  // a dry run checks everything and changes nothing
  const dry = await evict(first.metadata.name, eviction(first.metadata.name), '?dryRun=All');
  assert.equal(dry.status, 201, dry.text);
  assert.equal((await c.get(pdbPath('web-pdb'))).status.disruptionsAllowed, 1);
  assert.ok(!(await c.get(`/api/v1/namespaces/${NS}/pods/${first.metadata.name}`)).metadata.deletionTimestamp);

  // both evictions at once: the budget allows exactly one (asked one after the other, the simulated
  // kubelet may have the replacement pod Ready in between and the controller allow one more)
  const results = await Promise.all([first, second].map(async (p) => ({ p, res: await evict(p.metadata.name) })));
  const allowed = results.filter((x) => x.res.status === 201);
  const refused = results.filter((x) => x.res.status !== 201);
  assert.equal(allowed.length, 1, results.map((x) => `${x.res.status} ${x.res.text}`).join('\n'));
  const { p: evicted, res: r } = allowed[0];
  const { p: kept, res: again } = refused[0];
  assert.equal(r.status, 201, r.text);
  assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 });
  const gone = await c.get(`/api/v1/namespaces/${NS}/pods/${evicted.metadata.name}`);
  if (gone) {
    assert.ok(gone.metadata.deletionTimestamp, 'the evicted pod is terminating');
    const dt = gone.status.conditions.find((x) => x.type === 'DisruptionTarget');
    assert.deepEqual([dt.status, dt.reason, dt.message], ['True', 'EvictionByEvictionAPI', 'Eviction API: evicting']);
  }
  assert.equal(again.status, 429, again.text);
  assert.equal(again.json.reason, 'TooManyRequests');
  assert.equal(again.json.message, "Cannot evict pod as it would violate the pod's disruption budget.");
  assert.equal(again.json.details.causes.length, 1);
  assert.equal(again.json.details.causes[0].reason, 'DisruptionBudget');
  assert.match(again.json.details.causes[0].message, /^The disruption budget web-pdb needs 2 healthy pods and has [23] currently$/);
  assert.ok(!(await c.get(`/api/v1/namespaces/${NS}/pods/${kept.metadata.name}`)).metadata.deletionTimestamp, 'the other pod stays');
});

test('kubectl drain --pod-selector evicts through the budget, retrying on 429', async () => {
  await settled();
  const onNode = (await livePods('web')).reduce((m, p) => ({ ...m, [p.spec.nodeName]: (m[p.spec.nodeName] ?? 0) + 1 }), {});
  const node = Object.entries(onNode).sort((a, b) => b[1] - a[1])[0][0];
  const out = await c.kubectl(['drain', node, '--ignore-daemonsets', '--delete-emptydir-data', '--pod-selector', 'app=web', '--timeout=40s']);
  assert.equal(out.code, 0, `${out.stdout}\n${out.stderr}\n${c.logs()}`);
  assert.match(out.stdout, new RegExp(`node/${node} drained`));
  assert.match(out.stdout, /evicted/);
  if (onNode[node] > 1) {
    // both of the node's pods were asked for at once: the budget allowed one, kubectl retried the other
    assert.match(out.stderr, /error when evicting pods\/"web-\S+" -n "default" \(will retry after 5s\): Cannot evict pod as it would violate the pod's disruption budget\./);
  }
  const left = (await livePods('web')).filter((p) => p.spec.nodeName === node);
  assert.deepEqual(left.map((p) => p.metadata.name), [], 'nothing of the ReplicaSet left on the drained node');
  const uncordon = await c.kubectl(['uncordon', node]);
  assert.equal(uncordon.code, 0, uncordon.stderr);
});

test('a pod no budget covers is deleted at once', async () => {
  await c.create(`/api/v1/namespaces/${NS}/pods`, {
    apiVersion: 'v1', kind: 'Pod', metadata: { name: 'lonely', labels: { app: 'lonely' } },
    spec: { terminationGracePeriodSeconds: 1, containers: [{ name: 'c', image: 'nginx' }] },
  });
  await c.eventually('lonely to run', async () => (await c.get(`/api/v1/namespaces/${NS}/pods/lonely`))?.status?.phase === 'Running');
  const r = await evict('lonely', { apiVersion: 'policy/v1beta1', kind: 'Eviction', metadata: { name: 'lonely' }, deleteOptions: { gracePeriodSeconds: 0 } });
  assert.equal(r.status, 201, r.text);
  await c.eventually('lonely to be gone', async () => (await c.s.request('GET', `/api/v1/namespaces/${NS}/pods/lonely`)).status === 404, 10_000);
});

test('bad Eviction bodies and targets get upstream answers', async () => {
  const [pod] = await livePods('web');
  const name = pod.metadata.name;
  const wrongName = await evict(name, eviction('other'));
  assert.equal(wrongName.status, 400);
  assert.equal(wrongName.json.reason, 'BadRequest');
  assert.equal(wrongName.json.message, 'name in URL does not match name in Eviction object');
  const wrongNs = await evict(name, { ...eviction(name), metadata: { name, namespace: 'kube-system' } });
  assert.equal(wrongNs.status, 400);
  assert.equal(wrongNs.json.message, 'the namespace of the provided object does not match the namespace sent on the request');
  const wrongVersion = await evict(name, { ...eviction(name), apiVersion: 'policy/v2' });
  assert.equal(wrongVersion.status, 400);
  assert.equal(wrongVersion.json.message, 'the API version in the data (policy/v2) does not match the expected API version (policy/v1)');
  const missing = await evict('nope', eviction('nope'));
  assert.equal(missing.status, 404);
  assert.equal(missing.json.message, 'pods "nope" not found');
  const badPrecondition = await evict(name, eviction(name, { deleteOptions: { preconditions: { uid: 'not-the-uid' } } }));
  assert.equal(badPrecondition.status, 409, badPrecondition.text);
  assert.match(badPrecondition.json.message, /the UID in the precondition \(not-the-uid\) does not match the UID in record/);
  const get = await c.s.request('GET', evictPath(name));
  assert.equal(get.status, 405);
});

test('a pod under two budgets: 500 with upstream message', async () => {
  await c.create(`/apis/policy/v1/namespaces/${NS}/poddisruptionbudgets`, {
    apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name: 'web-pdb-2' },
    spec: { maxUnavailable: 1, selector: { matchLabels: { app: 'web' } } },
  });
  const [pod] = await livePods('web');
  const r = await evict(pod.metadata.name);
  assert.equal(r.status, 500, r.text);
  assert.deepEqual(r.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500,
    message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' });
  // maxUnavailable 1 of the ReplicaSet's 3: expected 3 from its scale, 2 desired
  const pdb2 = await c.eventually('web-pdb-2 status', async () => {
    const p = await c.get(pdbPath('web-pdb-2'));
    return p?.status?.expectedPods === 3 && p.status.desiredHealthy === 2 && p;
  });
  assert.equal(pdb2.status.observedGeneration, 1);
});
