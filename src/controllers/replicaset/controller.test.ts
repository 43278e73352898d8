import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';
import { ReplicaSetController, type ReplicaSet } from './controller.js';
import type { Pod } from './pods.js';
import { recordingClient, eventLog } from '../common/testing.js';

function setup(opts: { failCreate?: boolean } = {}) {
  const { recorder, events } = eventLog();
  let n = 0;
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'POST' && path.endsWith('/pods')) {
      if (opts.failCreate) throw new APIError(403, { message: 'pods "web-" is forbidden: exceeded quota' }, '');
      return { ...body, metadata: { ...body!.metadata, name: `web-${String(n++).padStart(5, '0')}` } };
    }
    if (method === 'GET' && path.includes('/replicasets/')) return rs;
    return {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new ReplicaSetController(client, factory, { recorder });
  const rsInf = factory.forPath<ReplicaSet>('/apis/apps/v1/replicasets');
  const podInf = factory.forPath<Pod>('/api/v1/pods');
  return { c, calls, events, rsInf, podInf };
}
const rs: ReplicaSet = {
  metadata: { name: 'web', namespace: 'd', uid: 'rs-uid', generation: 1, resourceVersion: '1' },
  spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } } },
};

test('sync creates the missing pods with a controller owner reference, then waits on expectations', async () => {
  const { c, calls, events, rsInf } = setup();
  rsInf.handle('ADDED', rs);
  await c.sync('d/web');
  const creates = calls.filter((x) => x.method === 'POST' && x.path === '/api/v1/namespaces/d/pods');
  assert.equal(creates.length, 3);
  assert.equal(creates[0].body!.metadata.generateName, 'web-');
  assert.deepEqual(creates[0].body!.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true, blockOwnerDeletion: true }]);
  assert.deepEqual(creates[0].body!.metadata.labels, { app: 'web' });
  assert.equal(events.filter((e) => e.startsWith('Normal SuccessfulCreate Created pod: web-')).length, 3);
  // the informer has not seen the pods yet: a second sync must not create more
  await c.sync('d/web');
  assert.equal(calls.filter((x) => x.method === 'POST' && x.path.endsWith('/pods')).length, 3);
  const status = calls.find((x) => x.method === 'PUT' && x.path.endsWith('/replicasets/web/status'));
  assert.equal(status?.body?.status.observedGeneration, 1);
});

test('sync adopts a matching orphan and releases an owned pod that stopped matching', async () => {
  const { c, calls, rsInf, podInf } = setup();
  rsInf.handle('ADDED', { ...rs, spec: { ...rs.spec, replicas: 1 } });
  podInf.handle('ADDED', { metadata: { name: 'orphan', namespace: 'd', uid: 'p1', resourceVersion: '2', labels: { app: 'web' } }, status: { phase: 'Running' } });
  podInf.handle('ADDED', { metadata: { name: 'moved', namespace: 'd', uid: 'p2', resourceVersion: '3', labels: { app: 'other' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }] }, status: { phase: 'Running' } });
  await c.sync('d/web');
  const adopt = calls.find((x) => x.method === 'PATCH' && x.path.endsWith('/pods/orphan'));
  assert.equal(adopt?.body?.metadata.ownerReferences[0].uid, 'rs-uid');
  const release = calls.find((x) => x.method === 'PATCH' && x.path.endsWith('/pods/moved'));
  assert.equal(release?.body?.metadata.ownerReferences, null);
  assert.equal(calls.filter((x) => x.method === 'POST' && x.path.endsWith('/pods')).length, 0, 'the adopted orphan is the one replica');
});

test('sync deletes the surplus, not-ready pod first and records SuccessfulDelete', async () => {
  const { c, calls, events, rsInf, podInf } = setup();
  rsInf.handle('ADDED', { ...rs, spec: { ...rs.spec, replicas: 1 } });
  const owned = (name: string, ready: string) => ({ metadata: { name, namespace: 'd', uid: name, resourceVersion: '5', labels: { app: 'web' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web', uid: 'rs-uid', controller: true }] },
  spec: { nodeName: 'n1' }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready }] } });
  podInf.handle('ADDED', owned('good', 'True'));
  podInf.handle('ADDED', owned('bad', 'False'));
  await c.sync('d/web');
  assert.deepEqual(calls.filter((x) => x.method === 'DELETE').map((x) => x.path), ['/api/v1/namespaces/d/pods/bad']);
  assert.deepEqual(events, ['Normal SuccessfulDelete Deleted pod: bad']);
  assert.equal(c.expectations.satisfiedExpectations('d/web'), false);
  podInf.handle('DELETED', owned('bad', 'False'));
  assert.equal(c.expectations.satisfiedExpectations('d/web'), true);
});

test('a failed creation records FailedCreate, sets ReplicaFailure, stops the slow start and fails the sync', async () => {
  const { c, calls, events, rsInf } = setup({ failCreate: true });
  rsInf.handle('ADDED', rs);
  await assert.rejects(c.sync('d/web'), /exceeded quota/);
  assert.equal(calls.filter((x) => x.method === 'POST' && x.path.endsWith('/pods')).length, 1, 'first batch of 1 failed: no more attempts');
  assert.deepEqual(events, ['Warning FailedCreate Error creating: pods "web-" is forbidden: exceeded quota']);
  const status = calls.find((x) => x.method === 'PUT' && x.path.endsWith('/status'));
  assert.equal(status?.body?.status.conditions[0].reason, 'FailedCreate');
  assert.equal(c.expectations.satisfiedExpectations('d/web'), true, 'skipped creations are not waited for');
});

test('a ReplicaSet that is gone drops its expectations; an invalid selector is not retried', async () => {
  const { c, rsInf, calls } = setup();
  c.expectations.expectCreations('d/gone', 2);
  await c.sync('d/gone');
  assert.equal(c.expectations.get('d/gone'), undefined);
  rsInf.handle('ADDED', { ...rs, metadata: { ...rs.metadata, name: 'bad' }, spec: { ...rs.spec, selector: { matchExpressions: [{ key: 'a', operator: 'Near' }] } } });
  await c.sync('d/bad');
  assert.equal(calls.length, 0);
});
