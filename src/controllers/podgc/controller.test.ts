import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';
import { PodGCController, terminatedToDelete } from './controller.js';
import { recordingClient } from '../common/testing.js';

const pod = (name: string, phase: string, created: string, extra: any = {}) => ({
  metadata: { name, namespace: 'd', uid: name, resourceVersion: '1', creationTimestamp: created, ...extra.metadata },
  spec: { nodeName: 'n1', ...extra.spec }, status: { phase, ...extra.status },
});

test('terminatedToDelete: evicted first, then oldest, then by name; nothing at or under the threshold', () => {
  const pods = [
    pod('new', 'Succeeded', '2024-01-03T00:00:00Z'), pod('old', 'Failed', '2024-01-01T00:00:00Z'),
    pod('evicted', 'Failed', '2024-01-05T00:00:00Z', { status: { reason: 'Evicted' } }), pod('b', 'Succeeded', '2024-01-02T00:00:00Z'),
    pod('a', 'Succeeded', '2024-01-02T00:00:00Z'), pod('running', 'Running', '2023-01-01T00:00:00Z'), pod('pending', 'Pending', '2023-01-01T00:00:00Z'),
  ];
  assert.deepEqual(terminatedToDelete(pods, 2).map((p) => p.metadata.name), ['evicted', 'old', 'a']);
  assert.deepEqual(terminatedToDelete(pods, 5), []);
  assert.deepEqual(terminatedToDelete(pods, 0), [], 'threshold <= 0 disables it');
});

function setup(threshold: number, nodeExists: (n: string) => boolean = () => false) {
  const { client, calls } = recordingClient((method, path) => {
    const m = /^\/api\/v1\/nodes\/(.+)$/.exec(path);
    if (m && method === 'GET' && !nodeExists(m[1])) throw new APIError(404, { message: 'not found' }, '');
    return {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new PodGCController(client, factory, { terminatedPodThreshold: threshold, quarantineMs: 30 });
  return { c, calls, pods: factory.forPath('/api/v1/pods'), nodes: factory.forPath('/api/v1/nodes') };
}

test('podgc deletes the oldest terminated pods beyond the threshold, forced, without touching their phase', async () => {
  const { c, calls, pods, nodes } = setup(1);
  nodes.handle('ADDED', { metadata: { name: 'n1', resourceVersion: '1' } });
  pods.handle('ADDED', pod('x', 'Succeeded', '2024-01-01T00:00:00Z'));
  pods.handle('ADDED', pod('y', 'Succeeded', '2024-01-02T00:00:00Z'));
  await c.gc();
  assert.deepEqual(calls.map((x) => `${x.method} ${x.path}`), ['DELETE /api/v1/namespaces/d/pods/x']);
  assert.equal(calls[0].body.gracePeriodSeconds, 0);
  c.stop();
});

test('podgc: pods on a vanished node are failed with DisruptionTarget and deleted only after the quarantine and a 404', async () => {
  const { c, calls, pods, nodes } = setup(0, (n) => n === 'back');
  nodes.handle('ADDED', { metadata: { name: 'n1', resourceVersion: '1' } });
  pods.handle('ADDED', pod('orphan', 'Running', '2024-01-01T00:00:00Z', { spec: { nodeName: 'gone' } }));
  pods.handle('ADDED', pod('lagging', 'Running', '2024-01-01T00:00:00Z', { spec: { nodeName: 'back' } }));
  pods.handle('ADDED', pod('fine', 'Running', '2024-01-01T00:00:00Z'));
  await c.gc();
  assert.equal(calls.length, 0, 'quarantined: nothing yet');
  await new Promise((r) => setTimeout(r, 60));
  await c.gc();
  const paths = calls.map((x) => `${x.method} ${x.path}`);
  assert.deepEqual(paths.filter((p) => !p.startsWith('GET')), ['PATCH /api/v1/namespaces/d/pods/orphan/status', 'DELETE /api/v1/namespaces/d/pods/orphan']);
  assert.ok(paths.includes('GET /api/v1/nodes/gone') && paths.includes('GET /api/v1/nodes/back'));
  const st = calls.find((x) => x.method === 'PATCH')!.body.status;
  assert.equal(st.phase, 'Failed');
  assert.deepEqual({ ...st.conditions[0], lastTransitionTime: undefined },
    { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists', lastTransitionTime: undefined });
  c.stop();
});

test('podgc: unscheduled terminating pods and terminating pods on out-of-service NotReady nodes are force deleted', async () => {
  const { c, calls, pods, nodes } = setup(0);
  nodes.handle('ADDED', { metadata: { name: 'n1', resourceVersion: '1' }, spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', effect: 'NoExecute' }] },
    status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
  nodes.handle('ADDED', { metadata: { name: 'n2', resourceVersion: '1' }, status: { conditions: [{ type: 'Ready', status: 'Unknown' }] } });
  const del = { metadata: { deletionTimestamp: '2024-01-01T00:00:00Z' } };
  pods.handle('ADDED', pod('unscheduled', 'Pending', '2024-01-01T00:00:00Z', { ...del, spec: { nodeName: '' } }));
  pods.handle('ADDED', pod('oos', 'Running', '2024-01-01T00:00:00Z', del));
  pods.handle('ADDED', pod('stuck', 'Running', '2024-01-01T00:00:00Z', { ...del, spec: { nodeName: 'n2' } }));
  await c.gc();
  const deletes = calls.filter((x) => x.method === 'DELETE').map((x) => x.path).sort();
  assert.deepEqual(deletes, ['/api/v1/namespaces/d/pods/oos', '/api/v1/namespaces/d/pods/unscheduled']);
  assert.equal(calls.filter((x) => x.method === 'PATCH').length, 2, 'both patched to Failed first');
  c.stop();
});
