import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';
import { StatefulSetController } from './controller.js';
import type { PersistentVolumeClaim, Pod, StatefulSet } from './types.js';
import { recordingClient, eventLog } from '../common/testing.js';

const sts: StatefulSet = {
  metadata: { name: 'web', namespace: 'd', uid: 'sts-uid', generation: 2, resourceVersion: '1' },
  spec: {
    replicas: 2, selector: { matchLabels: { app: 'web' } }, serviceName: 'nginx', podManagementPolicy: 'OrderedReady',
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 0 } }, revisionHistoryLimit: 10,
    persistentVolumeClaimRetentionPolicy: { whenDeleted: 'Delete', whenScaled: 'Retain' },
    template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    volumeClaimTemplates: [{ metadata: { name: 'www' }, spec: { accessModes: ['ReadWriteOnce'] } }],
  },
};

function setup(opts: { failPod?: boolean; failClaim?: boolean } = {}) {
  const { recorder, events } = eventLog();
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'POST' && path.endsWith('/pods') && opts.failPod) throw new APIError(403, { message: 'exceeded quota' }, '');
    if (method === 'POST' && path.endsWith('/persistentvolumeclaims') && opts.failClaim) throw new APIError(422, { message: 'bad claim' }, '');
    if (method === 'POST') return { ...body, metadata: { ...body.metadata, uid: `uid-${calls.length}` } };
    if (method === 'GET' && path.endsWith('/statefulsets/web')) return sts;
    return body ?? {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new StatefulSetController(client, factory, { recorder });
  return {
    c, calls, events,
    sets: factory.forPath<StatefulSet>('/apis/apps/v1/statefulsets'),
    pods: factory.forPath<Pod>('/api/v1/pods'),
    pvcs: factory.forPath<PersistentVolumeClaim>('/api/v1/persistentvolumeclaims'),
  };
}

test('first sync: a revision, the claim then web-0, upstream event wording, status with revisions', async () => {
  const { c, calls, events, sets } = setup();
  sets.handle('ADDED', sts);
  await c.sync('d/web');
  const writes = calls.filter((x) => x.method !== 'GET').map((x) => `${x.method} ${x.path}`);
  assert.deepEqual(writes, [
    'POST /apis/apps/v1/namespaces/d/controllerrevisions',
    'POST /api/v1/namespaces/d/persistentvolumeclaims',
    'POST /api/v1/namespaces/d/pods',
    'PUT /apis/apps/v1/namespaces/d/statefulsets/web/status',
  ]);
  const rev = calls[0].body;
  assert.match(rev.metadata.name, /^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  assert.equal(rev.revision, 1);
  const claim = calls[1].body;
  assert.equal(claim.metadata.name, 'www-web-0');
  // whenDeleted=Delete: the claim is owned by the set (not as controller)
  assert.deepEqual(claim.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: 'sts-uid' }]);
  const pod = calls[2].body;
  assert.equal(pod.metadata.name, 'web-0');
  assert.equal(pod.metadata.labels['controller-revision-hash'], rev.metadata.name);
  assert.deepEqual(pod.spec.volumes, [{ name: 'www', persistentVolumeClaim: { claimName: 'www-web-0' } }]);
  assert.deepEqual(events, [
    'Normal SuccessfulCreate create Claim www-web-0 Pod web-0 in StatefulSet web success',
    'Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful',
  ]);
  const status = calls[3].body.status;
  assert.equal(status.observedGeneration, 2);
  assert.equal(status.currentRevision, rev.metadata.name);
  assert.equal(status.updateRevision, rev.metadata.name);
  assert.equal(status.collisionCount, 0);
  assert.equal(status.replicas, 0);
});

test('FailedCreate events carry the API error; the sync fails so it is retried', async () => {
  const { c, events, sets } = setup({ failPod: true });
  sets.handle('ADDED', sts);
  await assert.rejects(c.sync('d/web'), /exceeded quota/);
  assert.ok(events.includes('Warning FailedCreate create Pod web-0 in StatefulSet web failed error: exceeded quota'), events.join('\n'));
});

test('a failing claim stops the pod from being created', async () => {
  const { c, calls, events, sets } = setup({ failClaim: true });
  sets.handle('ADDED', sts);
  await assert.rejects(c.sync('d/web'), /bad claim/);
  assert.equal(calls.filter((x) => x.method === 'POST' && x.path.endsWith('/pods')).length, 0);
  assert.ok(events.includes('Warning FailedCreate create Claim www-web-0 for Pod web-0 in StatefulSet web failed error: bad claim'), events.join('\n'));
});

test('an invalid selector is logged and not retried; an unknown key is ignored', async () => {
  const { c, calls, sets } = setup();
  sets.handle('ADDED', { ...sts, spec: { ...sts.spec, selector: { matchExpressions: [{ key: 'a', operator: 'Bogus' }] } } });
  await c.sync('d/web');
  await c.sync('d/nope');
  assert.equal(calls.length, 0);
});

test('orphan pods with a member name are adopted; pods of another name are not', async () => {
  const { c, calls, sets, pods } = setup();
  sets.handle('ADDED', sts);
  pods.handle('ADDED', { metadata: { name: 'web-0', namespace: 'd', uid: 'p0', resourceVersion: '5', labels: { app: 'web' } }, status: { phase: 'Pending' } });
  pods.handle('ADDED', { metadata: { name: 'other-0', namespace: 'd', uid: 'px', resourceVersion: '6', labels: { app: 'web' } }, status: { phase: 'Running' } });
  await c.sync('d/web');
  const patches = calls.filter((x) => x.method === 'PATCH').map((x) => x.path);
  assert.deepEqual(patches, ['/api/v1/namespaces/d/pods/web-0']);
  // web-0 exists (adopted) and is Pending: no new pod
  assert.equal(calls.filter((x) => x.method === 'POST' && x.path.endsWith('/pods')).length, 0);
});
