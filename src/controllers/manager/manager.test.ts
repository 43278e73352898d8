import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalName, isControllerEnabled, parseControllersFlag, validateControllers } from './names.js';
import { renderWorkqueueMetrics } from './metrics.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { StringInterner } from '../../client/intern.js';
import { informerTransform } from './manager.js';

test('--controllers: *, names, aliases and -name as upstream', () => {
  assert.equal(canonicalName('replicaset'), 'replicaset-controller');
  assert.equal(isControllerEnabled('replicaset', ['*']), true);
  assert.equal(isControllerEnabled('replicaset', ['*', '-replicaset']), false);
  assert.equal(isControllerEnabled('replicaset-controller', ['-replicaset', '*']), false);
  assert.equal(isControllerEnabled('replicaset', ['deployment']), false);
  assert.equal(isControllerEnabled('replicaset', ['replicaset-controller']), true);
  assert.equal(isControllerEnabled('bootstrapsigner', ['*']), false, 'disabled by default');
  assert.equal(isControllerEnabled('bootstrapsigner', ['*', 'bootstrapsigner']), true);
  assert.deepEqual(parseControllersFlag('*, -job,,deployment'), ['*', '-job', 'deployment']);
});

test('--controllers: unknown names are reported with upstream wording', () => {
  assert.deepEqual(validateControllers(['*', '-job', 'replicaset-controller']), []);
  assert.deepEqual(validateControllers(['foo', '-bar']), ['"foo" is not in the list of known controllers', '"bar" is not in the list of known controllers']);
});

test('workqueue metrics per controller in Prometheus text', async () => {
  const q = new RateLimitingQueue('replicaset');
  q.add('a'); q.add('b');
  await q.get();
  const text = renderWorkqueueMetrics([q.metrics]);
  assert.match(text, /^workqueue_depth\{name="replicaset"\} 1$/m);
  assert.match(text, /^workqueue_adds_total\{name="replicaset"\} 2$/m);
  assert.match(text, /^workqueue_retries_total\{name="replicaset"\} 0$/m);
  assert.match(text, /^workqueue_queue_duration_seconds_count\{name="replicaset"\} 1$/m);
  assert.match(text, /# TYPE workqueue_depth gauge/);
});

test('informer transform: managedFields dropped, every other value kept, repeated strings held once', () => {
  const interner = new StringInterner();
  const transform = informerTransform(interner);
  const pod = (name: string) => ({
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'ns', uid: `uid-${name}`, resourceVersion: '5', labels: { app: 'web' }, managedFields: [{ manager: 'kubectl', operation: 'Apply' }] },
    spec: { containers: [{ name: 'c', image: 'registry.k8s.io/pause:3.9' }], nodeName: 'node-1' },
  });
  const input = pod('a');
  const out = transform(structuredClone(input));
  const { managedFields: _m, ...meta } = input.metadata;
  assert.deepEqual(out, { ...input, metadata: meta });
  const held = interner.size;
  assert.ok(held > 0);
  assert.deepEqual(transform(pod('b')).spec, input.spec);
  assert.equal(interner.size, held, 'a second pod with the same strings adds nothing to the table');
});
