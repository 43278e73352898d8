// The statefulset controller end to end: a real server, `kumo sim-nodes`, the scheduler and a
// controller manager running only the statefulset controller. Ordered scale up (web-1 only after
// web-0 is Ready) and reverse scale down, Parallel, a partitioned RollingUpdate, `kubectl rollout
// status/history/undo`, PVCs from volumeClaimTemplates and the events `kubectl describe` shows.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster, sleep } from './cluster-helpers.mjs';

let c;
const NS = 'default';
const stsPath = (name) => `/apis/apps/v1/namespaces/${NS}/statefulsets/${name}`;
const ready = (p) => p.status?.phase === 'Running' && p.status?.conditions?.some((x) => x.type === 'Ready' && x.status === 'True');
async function podsOf(name) {
  const items = (await c.s.request('GET', `/api/v1/namespaces/${NS}/pods?labelSelector=${encodeURIComponent(`app=${name}`)}`)).json.items;
  return new Map(items.map((p) => [p.metadata.name, p]));
}
const stsBody = (name, replicas, spec = {}, podSpec = {}) => ({
  apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
  spec: {
    replicas, serviceName: name, selector: { matchLabels: { app: name } },
    template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1' }], ...podSpec } },
    ...spec,
  },
});
const scale = (name, replicas) => c.patch(`${stsPath(name)}/scale`, { spec: { replicas } });

before(async () => { c = await startCluster({ controllers: 'statefulset', nodes: 2 }); });
after(async () => { await c?.stop(); });

test('OrderedReady scales up in order (web-1 only after web-0 is Ready) and down in reverse', async () => {
  await c.create(`/apis/apps/v1/namespaces/${NS}/statefulsets`, stsBody('web', 0));
  await scale('web', 3);
  // every snapshot: a pod exists only when all lower ordinals are Running and Ready
  await c.eventually('3 ready pods in order', async () => {
    const pods = await podsOf('web');
    for (let i = 1; i < 3; i++) {
      if (pods.has(`web-${i}`)) assert.ok(ready(pods.get(`web-${i - 1}`)), `web-${i} created before web-${i - 1} was Ready`);
    }
    return [0, 1, 2].every((i) => pods.get(`web-${i}`) && ready(pods.get(`web-${i}`)));
  });
  const p0 = (await podsOf('web')).get('web-0');
  assert.equal(p0.spec.hostname, 'web-0');
  assert.equal(p0.spec.subdomain, 'web');
  assert.equal(p0.metadata.labels['statefulset.kubernetes.io/pod-name'], 'web-0');
  assert.equal(p0.metadata.labels['apps.kubernetes.io/pod-index'], '0');
  await c.eventually('status', async () => {
    const st = (await c.get(stsPath('web'))).status;
    return st.replicas === 3 && st.readyReplicas === 3 && st.availableReplicas === 3 && st.currentReplicas === 3 && st.updatedReplicas === 3
      && st.currentRevision && st.currentRevision === st.updateRevision && st.observedGeneration >= 1;
  });

  await scale('web', 1);
  await c.eventually('scaled down to web-0', async () => {
    const pods = await podsOf('web');
    // web-1 goes only once web-2 is gone
    if (pods.get('web-1')?.metadata.deletionTimestamp) assert.ok(!pods.has('web-2'), 'web-1 deleted while web-2 still existed');
    assert.ok(!pods.get('web-0').metadata.deletionTimestamp);
    return pods.size === 1;
  });
  const d = await c.kubectl(['describe', 'sts', 'web']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /SuccessfulCreate\s+\S+\s+statefulset-controller\s+create Pod web-2 in StatefulSet web successful/);
  assert.match(d.stdout, /SuccessfulDelete\s+\S+\s+statefulset-controller\s+delete Pod web-2 in StatefulSet web successful/);
});

test('OrderedReady stops at an unschedulable pod; Parallel creates all pods at once', async () => {
  const stuck = { nodeSelector: { nowhere: 'true' } };
  await c.create(`/apis/apps/v1/namespaces/${NS}/statefulsets`, stsBody('ord', 3, {}, stuck));
  await c.create(`/apis/apps/v1/namespaces/${NS}/statefulsets`, stsBody('par', 3, { podManagementPolicy: 'Parallel' }, stuck));
  await c.eventually('3 parallel pods', async () => (await podsOf('par')).size === 3);
  await sleep(1500);
  assert.deepEqual([...(await podsOf('ord')).keys()], ['ord-0']);
  const st = (await c.get(stsPath('par'))).status;
  assert.equal(st.replicas, 3);
  assert.equal(st.readyReplicas ?? 0, 0);
  await c.s.request('DELETE', stsPath('ord'));
  await c.s.request('DELETE', stsPath('par'));
});

test('RollingUpdate with a partition, rollout status, history and undo', async () => {
  await scale('web', 3);
  await c.eventually('3 ready', async () => { const p = await podsOf('web'); return p.size === 3 && [...p.values()].every(ready); });
  const rev1 = (await c.get(stsPath('web'))).status.currentRevision;
  await c.patch(stsPath('web'), {
    spec: { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } }, template: { spec: { containers: [{ name: 'c', image: 'nginx:2' }] } } },
  }, 'application/strategic-merge-patch+json');
  let rev2;
  await c.eventually('web-2 updated only', async () => {
    const st = (await c.get(stsPath('web'))).status;
    rev2 = st.updateRevision;
    const pods = await podsOf('web');
    return rev2 !== rev1 && st.updatedReplicas === 1 && st.readyReplicas === 3 && st.currentRevision === rev1
      && pods.get('web-2')?.metadata.labels['controller-revision-hash'] === rev2 && ready(pods.get('web-2'));
  });
  const pods = await podsOf('web');
  assert.equal(pods.get('web-0').metadata.labels['controller-revision-hash'], rev1);
  assert.equal(pods.get('web-1').metadata.labels['controller-revision-hash'], rev1);
  assert.equal(pods.get('web-1').spec.containers[0].image, 'nginx:1');
  let rs = await c.kubectl(['rollout', 'status', 'sts/web', '--timeout=20s']);
  assert.equal(rs.code, 0, rs.stderr);
  assert.match(rs.stdout, /partitioned roll out complete: 1 new pods have been updated/);

  await c.patch(stsPath('web'), { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } });
  rs = await c.kubectl(['rollout', 'status', 'statefulset/web', '--timeout=40s']);
  assert.equal(rs.code, 0, `${rs.stdout}\n${rs.stderr}\n${c.logs()}`);
  // the API defaults partition to 0, so kubectl reports a partitioned roll out even here (as upstream)
  assert.match(rs.stdout, /partitioned roll out complete: 3 new pods have been updated/);
  const done = (await c.get(stsPath('web'))).status;
  assert.equal(done.currentRevision, rev2);
  assert.equal(done.currentReplicas, 3);
  for (const p of (await podsOf('web')).values()) assert.equal(p.spec.containers[0].image, 'nginx:2');

  const h = await c.kubectl(['rollout', 'history', 'sts/web']);
  assert.equal(h.code, 0, h.stderr);
  assert.match(h.stdout, /^1\s+<none>$/m);
  assert.match(h.stdout, /^2\s+<none>$/m);
  const revs = (await c.get(`/apis/apps/v1/namespaces/${NS}/controllerrevisions`)).items.filter((r) => r.metadata.name.startsWith('web-'));
  assert.deepEqual(revs.map((r) => r.metadata.name).sort(), [rev1, rev2].sort());
  assert.ok(revs.every((r) => r.metadata.ownerReferences?.[0]?.kind === 'StatefulSet' && r.metadata.ownerReferences[0].controller));

  const u = await c.kubectl(['rollout', 'undo', 'statefulset/web']);
  assert.equal(u.code, 0, u.stderr);
  assert.match(u.stdout, /statefulset.apps\/web rolled back/);
  await c.eventually('rolled back to nginx:1', async () => {
    const st = (await c.get(stsPath('web'))).status;
    const p = await podsOf('web');
    return st.updateRevision === rev1 && st.currentRevision === rev1 && st.updatedReplicas === 3 && st.readyReplicas === 3
      && [...p.values()].every((x) => x.spec.containers[0].image === 'nginx:1' && ready(x));
  }, 40_000);
  const r1 = await c.get(`/apis/apps/v1/namespaces/${NS}/controllerrevisions/${rev1}`);
  assert.equal(r1.revision, 3, 'the re-used revision is renumbered to the top');
});

test('volumeClaimTemplates: PVCs <claim>-<set>-<ordinal> before the pods, owned per the retention policy', async () => {
  await c.create(`/apis/apps/v1/namespaces/${NS}/statefulsets`, stsBody('db', 2, {
    podManagementPolicy: 'Parallel',
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
    volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
  }));
  const db = await c.get(stsPath('db'));
  await c.eventually('claims and pods', async () => (await podsOf('db')).size === 2);
  for (const i of [0, 1]) {
    const pvc = await c.get(`/api/v1/namespaces/${NS}/persistentvolumeclaims/data-db-${i}`);
    assert.ok(pvc, `data-db-${i} missing`);
    assert.equal(pvc.metadata.labels.app, 'db');
    assert.deepEqual(pvc.metadata.ownerReferences.map((r) => [r.kind, r.name, r.uid]), [['StatefulSet', 'db', db.metadata.uid]]);
    const pod = (await podsOf('db')).get(`db-${i}`);
    assert.deepEqual(pod.spec.volumes.find((v) => v.name === 'data'), { name: 'data', persistentVolumeClaim: { claimName: `data-db-${i}` } });
  }
  const d = await c.kubectl(['describe', 'sts', 'db']);
  assert.match(d.stdout, /SuccessfulCreate\s+\S+\s+statefulset-controller\s+create Claim data-db-0 Pod db-0 in StatefulSet db success/);
});
