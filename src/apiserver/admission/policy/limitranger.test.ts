import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { KObject } from '../../../api/types.js';
import { defaultPod, podViolations, pvcViolations, LIMIT_RANGER_ANNOTATION } from './limitranger.js';

const lr = (limits: unknown[]): KObject => ({ metadata: { name: 'lr', namespace: 'ns' }, spec: { limits } });
const pod = (containers: unknown[]): KObject => ({ metadata: { name: 'p', namespace: 'ns' }, spec: { containers } });

test('Container defaults fill missing requests and limits and annotate the pod', () => {
  const p = pod([{ name: 'a', resources: { limits: { cpu: '300m' } } }, { name: 'b' }]);
  defaultPod(p, [lr([{ type: 'Container', default: { cpu: '500m', memory: '128Mi' }, defaultRequest: { cpu: '100m', memory: '64Mi' } }])]);
  const [a, b] = (p.spec as { containers: { resources: { requests: Record<string, string>; limits: Record<string, string> } }[] }).containers;
  assert.deepEqual(a.resources.limits, { cpu: '300m', memory: '128Mi' }, 'an explicit limit is kept');
  assert.deepEqual(a.resources.requests, { cpu: '100m', memory: '64Mi' });
  assert.deepEqual(b.resources.limits, { cpu: '500m', memory: '128Mi' });
  assert.equal(p.metadata!.annotations![LIMIT_RANGER_ANNOTATION],
    'LimitRanger plugin set: cpu, memory request for container a; memory limit for container a; cpu, memory request for container b; cpu, memory limit for container b');
});

test('max defaults the limit and the request when no default is given', () => {
  const p = pod([{ name: 'c' }]);
  defaultPod(p, [lr([{ type: 'Container', max: { cpu: '1' } }])]);
  const c = (p.spec as { containers: { resources: unknown }[] }).containers[0];
  assert.deepEqual(c.resources, { limits: { cpu: '1' }, requests: { cpu: '1' } });
});

test('Container max/min/ratio and Pod max violations use upstream wording', () => {
  const ranges = [lr([
    { type: 'Container', max: { cpu: '1' }, min: { memory: '10Mi' }, maxLimitRequestRatio: { cpu: '2' } },
    { type: 'Pod', max: { memory: '1Gi' } },
  ])];
  const p = pod([{ name: 'c', resources: { limits: { cpu: '2', memory: '2Gi' }, requests: { cpu: '500m', memory: '5Mi' } } }]);
  assert.deepEqual(podViolations(p, ranges), [
    'minimum memory usage per Container is 10Mi, but request is 5Mi',
    'maximum cpu usage per Container is 1, but limit is 2',
    'cpu max limit to request ratio per Container is 2, but provided ratio is 4.000000',
    'maximum memory usage per Pod is 1Gi, but limit is 2Gi',
  ]);
  const fine = pod([{ name: 'c', resources: { limits: { cpu: '1', memory: '100Mi' }, requests: { cpu: '500m', memory: '50Mi' } } }]);
  assert.deepEqual(podViolations(fine, ranges), []);
  assert.deepEqual(podViolations(pod([{ name: 'c' }]), [lr([{ type: 'Container', max: { cpu: '1' } }])]),
    ['maximum cpu usage per Container is 1.  No limit is specified']);
});

test('PersistentVolumeClaim storage min and max', () => {
  const ranges = [lr([{ type: 'PersistentVolumeClaim', min: { storage: '1Gi' }, max: { storage: '2Gi' } }])];
  const pvc = (s: string): KObject => ({ metadata: { name: 'c' }, spec: { resources: { requests: { storage: s } } } });
  assert.deepEqual(pvcViolations(pvc('5Gi'), ranges), ['maximum storage usage per PersistentVolumeClaim is 2Gi, but request is 5Gi']);
  assert.deepEqual(pvcViolations(pvc('500Mi'), ranges), ['minimum storage usage per PersistentVolumeClaim is 1Gi, but request is 500Mi']);
  assert.deepEqual(pvcViolations(pvc('1536Mi'), ranges), []);
});
