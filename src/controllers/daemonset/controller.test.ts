import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import type { ControllerRevision } from '../history/index.js';
import { DaemonSetsController } from './controller.js';
import { templateHash } from './revisions.js';
import type { DaemonSet, Node, Pod } from './types.js';
import { recordingClient, eventLog } from '../common/testing.js';

const daemonSet: DaemonSet = {
  metadata: { name: 'agent', namespace: 'd', uid: 'ds-uid', generation: 1, resourceVersion: '1' },
  spec: {
    selector: { matchLabels: { app: 'agent' } },
    template: { metadata: { labels: { app: 'agent' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } },
    updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
    revisionHistoryLimit: 10,
  },
};
const node = (name: string, taints?: { key: string; effect: string }[]): Node => ({ metadata: { name, resourceVersion: '1' }, spec: taints ? { taints } : {} });

function setup(ds: DaemonSet = daemonSet) {
  const { recorder, events } = eventLog();
  let n = 0;
  const { client, calls } = recordingClient((method, path, body) => {
    if (method === 'POST' && path.endsWith('/pods')) return { ...body, metadata: { ...body!.metadata, name: `agent-${n++}` } };
    if (method === 'POST' && path.endsWith('/controllerrevisions')) return { ...body, metadata: { ...body!.metadata, uid: 'rev-uid', resourceVersion: '5' } };
    if (method === 'GET' && path.includes('/daemonsets/')) return ds;
    return {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new DaemonSetsController(client, factory, { recorder });
  const dsInf = factory.forPath<DaemonSet>('/apis/apps/v1/daemonsets');
  const podInf = factory.forPath<Pod>('/api/v1/pods');
  const nodeInf = factory.forPath<Node>('/api/v1/nodes');
  const revInf = factory.forPath<ControllerRevision>('/apis/apps/v1/controllerrevisions');
  dsInf.handle('ADDED', ds);
  return { c, calls, events, podInf, nodeInf, revInf };
}

test('sync snapshots a revision and creates one pinned, tolerating pod per eligible node', async () => {
  const { c, calls, events, nodeInf } = setup();
  nodeInf.handle('ADDED', node('n1'));
  nodeInf.handle('ADDED', node('n2'));
  nodeInf.handle('ADDED', node('tainted', [{ key: 'k', effect: 'NoSchedule' }]));
  await c.sync('d/agent');
  const rev = calls.find((x) => x.method === 'POST' && x.path === '/apis/apps/v1/namespaces/d/controllerrevisions');
  const hash = templateHash(daemonSet);
  assert.equal(rev?.body?.metadata.name, `agent-${hash}`);
  assert.equal(rev?.body?.revision, 1);
  assert.deepEqual(rev?.body?.metadata.labels, { app: 'agent', 'controller-revision-hash': hash });
  assert.equal(rev?.body?.data.spec.template.$patch, 'replace');
  assert.deepEqual(rev?.body?.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true, blockOwnerDeletion: true }]);
  const creates = calls.filter((x) => x.method === 'POST' && x.path === '/api/v1/namespaces/d/pods');
  assert.equal(creates.length, 2);
  const targets = creates.map((x) => x.body!.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchFields[0].values[0]).sort();
  assert.deepEqual(targets, ['n1', 'n2']);
  assert.equal(creates[0].body!.spec.nodeName, undefined, 'the scheduler binds it');
  assert.equal(creates[0].body!.metadata.generateName, 'agent-');
  assert.equal(creates[0].body!.metadata.labels['controller-revision-hash'], hash);
  assert.equal(creates[0].body!.spec.tolerations.length, 6);
  assert.deepEqual(events.filter((e) => e.startsWith('Normal SuccessfulCreate')), ['Normal SuccessfulCreate Created pod: agent-0', 'Normal SuccessfulCreate Created pod: agent-1']);
  const status = calls.find((x) => x.method === 'PUT' && x.path === '/apis/apps/v1/namespaces/d/daemonsets/agent/status');
  assert.deepEqual(status?.body?.status, {
    desiredNumberScheduled: 2, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0,
    numberAvailable: 0, numberUnavailable: 2, observedGeneration: 1,
  });
  // the informer has not seen the pods yet: expectations stop a second round of creations
  await c.sync('d/agent');
  assert.equal(calls.filter((x) => x.method === 'POST' && x.path.endsWith('/pods')).length, 2);
});

test('sync deletes the pod of a node tainted NoExecute and keeps the one on a NoSchedule node', async () => {
  const { c, calls, events, nodeInf, podInf, revInf } = setup();
  const hash = templateHash(daemonSet);
  revInf.handle('ADDED', { metadata: { name: `agent-${hash}`, namespace: 'd', uid: 'r1', resourceVersion: '2', labels: { app: 'agent', 'controller-revision-hash': hash },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }] },
  data: { spec: { template: { ...daemonSet.spec.template, $patch: 'replace' } } }, revision: 1 });
  const owned = (name: string, nodeName: string): Pod => ({ metadata: { name, namespace: 'd', uid: name, resourceVersion: '3', labels: { app: 'agent', 'controller-revision-hash': hash },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }] },
  spec: { nodeName }, status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] } });
  nodeInf.handle('ADDED', node('evict', [{ key: 'k', effect: 'NoExecute' }]));
  nodeInf.handle('ADDED', node('cordon', [{ key: 'k', effect: 'NoSchedule' }]));
  podInf.handle('ADDED', owned('p-evict', 'evict'));
  podInf.handle('ADDED', owned('p-cordon', 'cordon'));
  await c.sync('d/agent');
  assert.equal(calls.some((x) => x.method === 'POST'), false, 'the revision exists, no pod is missing');
  assert.deepEqual(calls.filter((x) => x.method === 'DELETE').map((x) => x.path), ['/api/v1/namespaces/d/pods/p-evict']);
  assert.deepEqual(events, ['Normal SuccessfulDelete Deleted pod: p-evict']);
  const status = calls.find((x) => x.method === 'PUT' && x.path.endsWith('/status'));
  assert.equal(status?.body?.status.numberMisscheduled, 2);
  assert.equal(status?.body?.status.desiredNumberScheduled, 0);
});

test('a failed daemon pod is reported and deleted; an empty selector only warns', async () => {
  const { c, calls, events, nodeInf, podInf } = setup();
  nodeInf.handle('ADDED', node('n1'));
  podInf.handle('ADDED', { metadata: { name: 'bad', namespace: 'd', uid: 'bad', resourceVersion: '3', labels: { app: 'agent' },
    ownerReferences: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'agent', uid: 'ds-uid', controller: true }] },
  spec: { nodeName: 'n1' }, status: { phase: 'Failed' } });
  await c.sync('d/agent');
  assert.deepEqual(calls.filter((x) => x.method === 'DELETE').map((x) => x.path), ['/api/v1/namespaces/d/pods/bad']);
  assert.ok(events.includes('Warning FailedDaemonPod Found failed daemon pod d/bad on node n1, will try to kill it'), events.join('\n'));

  const all = setup({ ...daemonSet, spec: { ...daemonSet.spec, selector: {} } });
  all.nodeInf.handle('ADDED', node('n1'));
  await all.c.sync('d/agent');
  assert.deepEqual(all.events, ['Warning SelectingAll This daemon set is selecting all pods. A non-empty selector is required.']);
  assert.equal(all.calls.length, 0);
});

test('node events requeue only the DaemonSets whose decision changes; heartbeats are ignored', async () => {
  const { c, nodeInf } = setup();
  nodeInf.handle('ADDED', node('n1'));
  assert.equal(c.queue.len(), 1);
  const key = await c.queue.get();
  c.queue.done(key!);
  const hb = { ...node('n1'), metadata: { name: 'n1', resourceVersion: '2' }, status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'x' }] } };
  nodeInf.handle('MODIFIED', { ...node('n1'), status: { conditions: [{ type: 'Ready', status: 'True', lastHeartbeatTime: 'w' }] } });
  while (c.queue.len()) { const k = await c.queue.get(); c.queue.done(k!); }
  nodeInf.handle('MODIFIED', hb);
  assert.equal(c.queue.len(), 0, 'a heartbeat changes nothing');
  nodeInf.handle('MODIFIED', { ...hb, metadata: { name: 'n1', resourceVersion: '3', labels: { unrelated: 'x' } } });
  assert.equal(c.queue.len(), 0, 'a label the DaemonSet does not select on changes no decision');
  nodeInf.handle('MODIFIED', { ...hb, metadata: { name: 'n1', resourceVersion: '4' }, spec: { taints: [{ key: 'k', effect: 'NoExecute' }] } });
  assert.equal(c.queue.len(), 1, 'a NoExecute taint does');
});
