import { test } from 'node:test';
import assert from 'node:assert/strict';
import { SharedInformerFactory } from '../../client/informer.js';
import { APIError } from '../../client/rest.js';
import { matchingTolerations, minTolerationMs, TaintEvictionController } from './tainteviction.js';
import { recordingClient } from '../common/testing.js';

const unreachable = { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' };

test('matchingTolerations and minTolerationMs as upstream', () => {
  assert.deepEqual(matchingTolerations([], undefined), { all: true, used: [] });
  assert.equal(matchingTolerations([unreachable], []).all, false);
  assert.equal(matchingTolerations([unreachable, { key: 'x', effect: 'NoExecute' }], [{ key: unreachable.key, operator: 'Exists' }]).all, false);
  const r = matchingTolerations([unreachable], [{ key: 'other', operator: 'Exists' }, { operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 7 }]);
  assert.deepEqual(r, { all: true, used: [{ operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 7 }] });
  assert.equal(minTolerationMs([]), 0);
  assert.equal(minTolerationMs([{ operator: 'Exists' }]), -1, 'forever');
  assert.equal(minTolerationMs([{ operator: 'Exists', tolerationSeconds: 30 }, { operator: 'Exists', tolerationSeconds: 3 }]), 3000);
  assert.equal(minTolerationMs([{ operator: 'Exists', tolerationSeconds: 30 }, { operator: 'Exists', tolerationSeconds: -5 }]), 0);
});

function setup(pods: Record<string, any> = {}) {
  const events: string[] = [];
  let t = 1_000_000;
  const { client, calls } = recordingClient((method, path) => {
    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods\/([^/]+)$/.exec(path);
    if (m && method === 'GET') {
      const p = pods[`${m[1]}/${m[2]}`];
      if (!p) throw new APIError(404, { message: 'not found' }, '');
      return structuredClone(p);
    }
    return {};
  });
  const factory = new SharedInformerFactory(client);
  const c = new TaintEvictionController(client, factory, {
    recorder: { event: (o, type, reason, msg) => events.push(`${o.metadata.namespace}/${o.metadata.name} ${type} ${reason} ${msg}`) }, now: () => t,
  });
  const nodes = factory.forPath('/api/v1/nodes');
  const podInf = factory.forPath('/api/v1/pods');
  return { c, calls, events, nodes, podInf, advance: (ms: number) => { t += ms; } };
}

const pod = (name: string, tolerations: any[] = [], nodeName = 'n1') => ({
  metadata: { name, namespace: 'd', uid: `u-${name}`, resourceVersion: '1' }, spec: { nodeName, tolerations }, status: { phase: 'Running' },
});
const taintedNode = (taints: any[], rv = '2') => ({ metadata: { name: 'n1', resourceVersion: rv }, spec: { taints } });

test('a pod tolerating the taint for N seconds is scheduled for deletion N seconds after the taint was seen; re-seeing it keeps the time', async () => {
  const { c, nodes, podInf, advance } = setup();
  podInf.handle('ADDED', pod('p', [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]));
  nodes.handle('ADDED', taintedNode([unreachable]));
  await c.handleNodeUpdate('n1');
  const w = c.evictions.getWorker('d/p');
  assert.equal(w?.fireAt, 1_000_000 + 300_000);
  advance(10_000);
  await c.handlePodUpdate('d/p');
  assert.equal(c.evictions.getWorker('d/p')?.fireAt, 1_000_000 + 300_000, 'counted from the first sighting');
  c.stop();
});

test('taints removed before the toleration ends: deletion cancelled with an event', async () => {
  const { c, events, nodes, podInf } = setup();
  podInf.handle('ADDED', pod('p', [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 }]));
  nodes.handle('ADDED', taintedNode([unreachable]));
  await c.handleNodeUpdate('n1');
  nodes.handle('MODIFIED', taintedNode([], '3'));
  await c.handleNodeUpdate('n1');
  assert.equal(c.evictions.getWorker('d/p'), undefined);
  assert.equal(c.taintedNodes.has('n1'), false);
  assert.deepEqual(events, ['d/p Normal TaintManagerEviction Cancelling deletion of Pod d/p']);
  c.stop();
});

test('a pod that tolerates forever is left alone; one that does not tolerate is marked DisruptionTarget and deleted at once', async () => {
  const p = pod('bad');
  const { c, calls, events, nodes, podInf } = setup({ 'd/bad': p });
  podInf.handle('ADDED', pod('forever', [{ operator: 'Exists' }]));
  podInf.handle('ADDED', p);
  podInf.handle('ADDED', pod('elsewhere', [], 'n2'));
  nodes.handle('ADDED', taintedNode([unreachable]));
  await c.handleNodeUpdate('n1');
  assert.equal(c.evictions.getWorker('d/forever'), undefined);
  await new Promise((r) => setTimeout(r, 20));
  const patch = calls.find((x) => x.method === 'PATCH' && x.path === '/api/v1/namespaces/d/pods/bad/status');
  assert.deepEqual({ ...patch?.body.status.conditions[0], lastTransitionTime: undefined },
    { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint', lastTransitionTime: undefined });
  const del = calls.findIndex((x) => x.method === 'DELETE' && x.path === '/api/v1/namespaces/d/pods/bad');
  assert.ok(del > calls.indexOf(patch!), 'condition first, then the delete');
  assert.equal(calls[del].body.preconditions.uid, 'u-bad');
  assert.deepEqual(events, ['d/bad Normal TaintManagerEviction Marking for deletion Pod d/bad']);
  assert.ok(!calls.some((x) => x.path.includes('elsewhere')));
  c.stop();
});

test('a short toleration fires after its seconds', async () => {
  const p = pod('short', [{ key: unreachable.key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 0.05 }]);
  const { c, calls, nodes, podInf } = setup({ 'd/short': p });
  podInf.handle('ADDED', p);
  nodes.handle('ADDED', taintedNode([unreachable]));
  await c.handleNodeUpdate('n1');
  assert.equal(calls.length, 0);
  await new Promise((r) => setTimeout(r, 120));
  assert.ok(calls.some((x) => x.method === 'DELETE'));
  c.stop();
});
