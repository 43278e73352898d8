// Bad input never takes the controllers down (issue 6): a Deployment whose pods can never be
// scheduled reports FailedScheduling, Available=False and, past its progress deadline,
// ProgressDeadlineExceeded; objects whose owners do not exist are collected; a ReplicaSet with an
// invalid selector is refused by the API server. Meanwhile the same controllers keep serving a
// healthy Deployment: it becomes available, scales and rolls out.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startCluster } from './cluster-helpers.mjs';

let c;
const NS = 'default';
const deps = `/apis/apps/v1/namespaces/${NS}/deployments`;
const cond = (o, type) => o?.status?.conditions?.find((x) => x.type === type);
const events = async (name) => ((await c.get(`/api/v1/namespaces/${NS}/events`))?.items ?? [])
  .filter((e) => e.involvedObject.name === name || e.involvedObject.name.startsWith(`${name}-`)).map((e) => `${e.reason} ${e.message}`);
const podsLabelled = async (app) => (await c.get(`/api/v1/namespaces/${NS}/pods?labelSelector=app%3D${app}`))?.items ?? [];

before(async () => {
  c = await startCluster({ controllers: 'deployment,replicaset,garbagecollector', nodes: 1 });
});
after(async () => { await c?.stop(); });

test('bad input is reported and contained; a healthy Deployment is served throughout', async () => {
  // 1. pods that can never be scheduled, with a short progress deadline
  await c.create(deps, {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'stuck' },
    spec: {
      replicas: 2, progressDeadlineSeconds: 3, selector: { matchLabels: { app: 'stuck' } },
      template: { metadata: { labels: { app: 'stuck' } }, spec: { nodeSelector: { 'kumo.dev/nowhere': 'true' }, containers: [{ name: 'c', image: 'nginx' }] } },
    },
  });
  // 2. objects whose owners do not exist: a ReplicaSet claiming a missing Deployment as controller,
  //    and a ConfigMap owned by a missing custom resource of a kind nobody serves
  const orphanRS = await c.create(`/apis/apps/v1/namespaces/${NS}/replicasets`, {
    apiVersion: 'apps/v1', kind: 'ReplicaSet',
    metadata: { name: 'ownerless', ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'never-was', uid: randomUUID(), controller: true, blockOwnerDeletion: true }] },
    spec: { replicas: 1, selector: { matchLabels: { app: 'ownerless' } }, template: { metadata: { labels: { app: 'ownerless' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  });
  await c.create(`/api/v1/namespaces/${NS}/configmaps`, {
    metadata: { name: 'unknown-owner', ownerReferences: [{ apiVersion: 'nowhere.kumo.dev/v1', kind: 'Ghost', name: 'g', uid: randomUUID() }] },
  });
  // 3. an invalid selector never gets in
  const bad = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'bad-selector' },
    spec: { selector: { matchLabels: { app: 'a' } }, template: { metadata: { labels: { app: 'b' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
  }) });
  assert.notEqual(bad.code, 0);
  assert.match(bad.stderr, /The ReplicaSet "bad-selector" is invalid: spec.template.metadata.labels: Invalid value: map\[string\]string\{"app":"b"\}: `selector` does not match template `labels`/);

  // the healthy Deployment: created after the bad input, served by the same controllers
  let r = await c.kubectl(['create', 'deployment', 'ok', '--image=nginx', '--replicas=2']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['rollout', 'status', 'deployment/ok', '--timeout=30s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /deployment "ok" successfully rolled out/);

  // the unschedulable one: pods Pending with PodScheduled=False/Unschedulable and FailedScheduling events
  const pending = await c.eventually('2 unschedulable pods of stuck', async () => {
    const p = await podsLabelled('stuck');
    return p.length === 2 && p.every((x) => cond(x, 'PodScheduled')?.reason === 'Unschedulable') && p;
  });
  assert.ok(pending.every((p) => p.status.phase === 'Pending' && !p.spec.nodeName));
  await c.eventually('FailedScheduling', async () => (await events('stuck')).some((e) => /^FailedScheduling 0\/1 nodes are available: 1 node\(s\) didn't match Pod's node affinity\/selector/.test(e)));
  const timedOut = await c.eventually('stuck: ProgressDeadlineExceeded', async () => {
    const d = await c.get(`${deps}/stuck`);
    return cond(d, 'Progressing')?.reason === 'ProgressDeadlineExceeded' && d;
  });
  const progressing = cond(timedOut, 'Progressing');
  assert.equal(progressing.status, 'False');
  assert.match(progressing.message, /^ReplicaSet "stuck-[a-z0-9]+" has timed out progressing\.$/);
  const available = cond(timedOut, 'Available');
  assert.deepEqual([available.status, available.reason, available.message], ['False', 'MinimumReplicasUnavailable', 'Deployment does not have minimum availability.']);
  assert.equal(timedOut.status.unavailableReplicas, 2);
  // kubectl rollout status reports the deadline as upstream
  r = await c.kubectl(['rollout', 'status', 'deployment/stuck', '--timeout=10s']);
  assert.notEqual(r.code, 0);
  assert.match(r.stderr, /deployment "stuck" exceeded its progress deadline/);

  // dangling owners: both objects are collected
  await c.eventually('ownerless ReplicaSet collected', async () => (await c.s.request('GET', `/apis/apps/v1/namespaces/${NS}/replicasets/ownerless`)).status === 404);
  await c.eventually('its pods too', async () => ((await c.get(`/api/v1/namespaces/${NS}/pods`))?.items ?? [])
    .every((p) => !p.metadata.ownerReferences?.some((x) => x.uid === orphanRS.metadata.uid) || p.metadata.deletionTimestamp));

  // and the controllers still answer: scale and roll out the healthy Deployment
  r = await c.kubectl(['scale', 'deployment', 'ok', '--replicas=3']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['set', 'image', 'deployment/ok', 'nginx=nginx:2']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['rollout', 'status', 'deployment/ok', '--timeout=30s']);
  assert.equal(r.code, 0, r.stderr);
  const ok = await c.get(`${deps}/ok`);
  assert.equal(ok.status.availableReplicas, 3);
  assert.equal(ok.status.updatedReplicas, 3);
  assert.equal(cond(ok, 'Progressing').reason, 'NewReplicaSetAvailable');
  // the ConfigMap whose owner's kind is not served stays: upstream retries the REST mapping, it does not delete
  assert.ok(await c.get(`/api/v1/namespaces/${NS}/configmaps/unknown-owner`));
  // the controller manager is healthy
  const h = await fetch(`${c.cmURL}/healthz`);
  assert.equal(h.status, 200);
});
