import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';
import { DeploymentController, oldPodsRunning } from './controller.js';
import type { Deployment, ReplicaSet } from './types.js';
import type { Pod } from '../replicaset/pods.js';
import { recordingClient, eventLog } from '../common/testing.js';

let rv = 100;

function setup(d: Deployment, opts: { createFails?: number } = {}) {
  const { recorder, events } = eventLog();
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'POST' && path.endsWith('/replicasets')) {
      if (opts.createFails) throw new APIError(opts.createFails, { message: 'replicasets "x" is forbidden: exceeded quota' }, '');
      return { ...body, metadata: { ...body!.metadata, uid: 'new-uid', resourceVersion: String(++rv) } };
    }
    if (method === 'GET' && path.includes('/deployments/')) return d;
    return { ...(body ?? {}), metadata: { ...(body?.metadata ?? {}), resourceVersion: String(++rv) } };
  });
  const factory = new SharedInformerFactory(client);
  const c = new DeploymentController(client, factory, {
    recorder,
    now: () => Date.parse('2024-05-01T10:00:00Z'),
  });
  const dInf = factory.forPath<Deployment>('/apis/apps/v1/deployments');
  const rsInf = factory.forPath<ReplicaSet>('/apis/apps/v1/replicasets');
  dInf.handle('ADDED', d);
  return { c, calls, events, rsInf, dInf };
}

const template = (image: string) => ({ metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image }] } });
const deployment = (o: Partial<Deployment['spec']> = {}): Deployment => ({
  metadata: { name: 'web', namespace: 'd', uid: 'd-uid', generation: 1, resourceVersion: '1' },
  spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: template('v2'), progressDeadlineSeconds: 600, revisionHistoryLimit: 1,
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 1 } }, ...o },
});
const owned = (name: string, image: string, replicas: number, rev: string, o: { available?: number; created?: string } = {}): ReplicaSet => ({
  metadata: { name, namespace: 'd', uid: `${name}-uid`, resourceVersion: '5', generation: 1, creationTimestamp: o.created ?? '2024-01-01T00:00:00Z',
    labels: { app: 'web', 'pod-template-hash': name }, annotations: { 'deployment.kubernetes.io/revision': rev, 'deployment.kubernetes.io/desired-replicas': '4', 'deployment.kubernetes.io/max-replicas': '5' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true }] },
  spec: { replicas, selector: { matchLabels: { app: 'web', 'pod-template-hash': name } }, template: { ...template(image), metadata: { labels: { app: 'web', 'pod-template-hash': name } } } },
  status: { replicas, availableReplicas: o.available ?? replicas, readyReplicas: o.available ?? replicas, observedGeneration: 1 },
});

test('a new Deployment gets a ReplicaSet named by its template hash, revision 1, events and conditions', async () => {
  const { c, calls, events } = setup(deployment());
  await c.sync('d/web');
  const create = calls.find((x) => x.method === 'POST')!;
  assert.equal(create.path, '/apis/apps/v1/namespaces/d/replicasets');
  const hash = create.body!.metadata.labels['pod-template-hash'];
  assert.match(hash, /^[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(create.body!.metadata.name, `web-${hash}`);
  assert.deepEqual(create.body!.spec.selector, { matchLabels: { app: 'web', 'pod-template-hash': hash } });
  assert.equal(create.body!.spec.template.metadata.labels['pod-template-hash'], hash);
  assert.equal(create.body!.spec.replicas, 4);
  assert.deepEqual(create.body!.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'web', uid: 'd-uid', controller: true, blockOwnerDeletion: true }]);
  assert.equal(create.body!.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  assert.equal(create.body!.metadata.annotations['deployment.kubernetes.io/max-replicas'], '5');
  assert.deepEqual(events, [`Normal ScalingReplicaSet Scaled up replica set web-${hash} from 0 to 4`]);
  // the revision annotation travels with the status update, as upstream (no PATCH of the Deployment itself)
  assert.equal(calls.filter((x) => x.method === 'PATCH' && x.path === '/apis/apps/v1/namespaces/d/deployments/web').length, 0);
  const statusWrites = calls.filter((x) => x.path.endsWith('/deployments/web/status'));
  assert.equal(statusWrites[0].body!.metadata.annotations['deployment.kubernetes.io/revision'], '1');
  const status = statusWrites.map((x) => x.body!.status);
  const progressing = status[0].conditions.find((x: any) => x.type === 'Progressing');
  assert.equal(progressing.reason, 'NewReplicaSetCreated');
  assert.equal(progressing.message, `Created new replica set "web-${hash}"`);
  // the sync after that waits for the cache to show the new ReplicaSet rather than creating it again
  calls.length = 0;
  await c.sync('d/web');
  assert.equal(calls.filter((x) => x.method === 'POST').length, 0);
});

test('rolling update: scales the new RS within maxSurge first, then the old down within maxUnavailable', async () => {
  const d = deployment();
  const { c, calls, events, rsInf, dInf } = setup(d);
  const old = owned('old', 'v1', 4, '1');
  const fresh = owned('new', 'v2', 0, '2', { created: '2024-02-01T00:00:00Z' });
  rsInf.handle('ADDED', old);
  rsInf.handle('ADDED', fresh);
  await c.sync('d/web');
  const puts = calls.filter((x) => x.method === 'PUT' && x.path.includes('/replicasets/'));
  assert.deepEqual(puts.map((x) => [x.path.split('/').pop(), x.body!.spec.replicas]), [['new', 1]]);
  assert.ok(events.includes('Normal ScalingReplicaSet Scaled up replica set new from 0 to 1'));

  // a sync from a cache older than our own writes does nothing (the watch event requeues it)
  calls.length = 0; events.length = 0;
  await c.sync('d/web');
  assert.equal(calls.length, 0);
  // next round: new has 1 (not yet available); old may drop to 3 (4 - maxUnavailable 1 available)
  dInf.handle('MODIFIED', { ...d, metadata: { ...d.metadata, resourceVersion: '999' } });
  rsInf.handle('MODIFIED', { ...owned('new', 'v2', 1, '2', { available: 0, created: '2024-02-01T00:00:00Z' }), metadata: { ...fresh.metadata, resourceVersion: '200' } });
  await c.sync('d/web');
  const down = calls.filter((x) => x.method === 'PUT' && x.path.includes('/replicasets/'));
  assert.deepEqual(down.map((x) => [x.path.split('/').pop(), x.body!.spec.replicas]), [['old', 3]]);
  assert.deepEqual(events, ['Normal ScalingReplicaSet Scaled down replica set old from 4 to 3']);
});

test('cleanup deletes old fully scaled-down ReplicaSets beyond revisionHistoryLimit, oldest revision first', async () => {
  const d = deployment();
  d.status = { observedGeneration: 1, replicas: 4, updatedReplicas: 4, availableReplicas: 4, readyReplicas: 4 };
  const { c, calls, rsInf } = setup(d);
  rsInf.handle('ADDED', owned('r1', 'v0', 0, '1'));
  rsInf.handle('ADDED', owned('r2', 'v1', 0, '2'));
  const busy = owned('r0', 'vx', 0, '0');
  busy.status!.replicas = 1; // pods still terminating: kept
  rsInf.handle('ADDED', busy);
  rsInf.handle('ADDED', owned('cur', 'v2', 4, '3', { created: '2024-03-01T00:00:00Z' }));
  await c.sync('d/web');
  assert.deepEqual(calls.filter((x) => x.method === 'DELETE').map((x) => x.path), ['/apis/apps/v1/namespaces/d/replicasets/r1']);
});

test('a resize mid-rollout is proportional and refreshes the replica annotations', async () => {
  const d = deployment({ replicas: 8 });
  const { c, calls, rsInf } = setup(d);
  rsInf.handle('ADDED', owned('old', 'v1', 3, '1'));
  rsInf.handle('ADDED', owned('new', 'v2', 2, '2', { created: '2024-02-01T00:00:00Z' }));
  await c.sync('d/web');
  const puts = calls.filter((x) => x.method === 'PUT' && x.path.includes('/replicasets/'));
  // max was 5, now 8 + 2 (surge 1... of 8 → 1) = 9: old round(3*9/5)=5, new round(2*9/5)=4
  assert.deepEqual(puts.map((x) => [x.path.split('/').pop(), x.body!.spec.replicas]), [['old', 5], ['new', 4]]);
  assert.equal(puts[0].body!.metadata.annotations['deployment.kubernetes.io/desired-replicas'], '8');
  assert.equal(puts[0].body!.metadata.annotations['deployment.kubernetes.io/max-replicas'], '9');
});

test('Recreate: old scaled to zero first; the new RS only once no old pod is left', async () => {
  const d = deployment({ strategy: { type: 'Recreate' } });
  const { c, calls, rsInf } = setup(d);
  rsInf.handle('ADDED', owned('old', 'v1', 4, '1'));
  await c.sync('d/web');
  assert.deepEqual(calls.filter((x) => x.method === 'PUT' && x.path.includes('/replicasets/')).map((x) => x.body!.spec.replicas), [0]);
  assert.equal(calls.filter((x) => x.method === 'POST').length, 0, 'no new RS while scaling down');
  const pod = (phase: string): Pod => ({ metadata: { name: 'p', ownerReferences: [] }, status: { phase } });
  assert.ok(oldPodsRunning(undefined, [], new Map([['old-uid', [pod('Running')]]])));
  assert.ok(!oldPodsRunning(undefined, [], new Map([['old-uid', [pod('Succeeded'), pod('Failed')]]])));
  assert.ok(!oldPodsRunning({ metadata: { name: 'n', uid: 'n' }, spec: {} }, [], new Map([['n', [pod('Running')]]])), 'new RS pods do not count');
});

test('a failed ReplicaSet creation reports ReplicaSetCreateError as a condition and a Warning event', async () => {
  const { c, calls, events } = setup(deployment(), { createFails: 403 });
  await assert.rejects(c.sync('d/web'), /exceeded quota/);
  assert.match(events[0], /^Warning ReplicaSetCreateError Failed to create new replica set "web-\w+": replicasets "x" is forbidden: exceeded quota$/);
  const st = calls.find((x) => x.path.endsWith('/status'))!.body!.status;
  assert.equal(st.conditions[0].reason, 'ReplicaSetCreateError');
  assert.equal(st.conditions[0].status, 'False');
});

test('an empty selector gets SelectingAll and nothing is created', async () => {
  const { c, calls, events } = setup(deployment({ selector: {} }));
  await c.sync('d/web');
  assert.deepEqual(events, ['Warning SelectingAll This deployment is selecting all pods. A non-empty selector is required.']);
  assert.equal(calls.filter((x) => x.method === 'POST').length, 0);
  assert.equal(calls.find((x) => x.path.endsWith('/status'))!.body!.status.observedGeneration, 1);
});

test('an invalid selector is an error for the sync (requeued), not a crash', async () => {
  const { c, calls } = setup(deployment({ selector: { matchExpressions: [{ key: 'app', operator: 'Bogus' }] } }));
  await assert.rejects(c.sync('d/web'), /has invalid label selector/);
  assert.equal(calls.length, 0);
});

test('paused: Progressing becomes DeploymentPaused and no new ReplicaSet is created', async () => {
  const d = deployment({ paused: true });
  const { c, calls, rsInf } = setup(d);
  rsInf.handle('ADDED', owned('old', 'v1', 4, '1'));
  await c.sync('d/web');
  assert.equal(calls.filter((x) => x.method === 'POST').length, 0);
  const st = calls.find((x) => x.path.endsWith('/status'))!.body!.status;
  assert.deepEqual(st.conditions.map((x: any) => [x.type, x.status, x.reason, x.message]), [['Progressing', 'Unknown', 'DeploymentPaused', 'Deployment is paused']]);
});

test('rollback via the deprecated annotation restores the template and records DeploymentRollback', async () => {
  const d = deployment();
  d.metadata.annotations = { 'deprecated.deployment.rollback.to': '1' };
  const { c, calls, events, rsInf } = setup(d);
  rsInf.handle('ADDED', owned('old', 'v1', 0, '1'));
  rsInf.handle('ADDED', owned('cur', 'v2', 4, '2', { created: '2024-02-01T00:00:00Z' }));
  await c.sync('d/web');
  const put = calls.find((x) => x.method === 'PUT' && x.path === '/apis/apps/v1/namespaces/d/deployments/web')!;
  assert.equal(put.body!.spec.template.spec.containers[0].image, 'v1');
  assert.equal(put.body!.spec.template.metadata.labels['pod-template-hash'], undefined);
  assert.equal(put.body!.metadata.annotations['deprecated.deployment.rollback.to'], undefined);
  assert.ok(events.includes('Normal DeploymentRollback Rolled back deployment "web" to revision 1'));
});
