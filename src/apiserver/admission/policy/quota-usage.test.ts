import { test } from 'node:test';
import assert from 'node:assert/strict';
import { usageOf, podConstraintError, prettyPrint, resourceOfName } from './quota-usage.js';
import { quotaMatches } from './quota-scopes.js';

const str = (l: Record<string, { toString(): string }>) => Object.fromEntries(Object.entries(l).map(([k, v]) => [k, v.toString()]));

test('pod usage sums containers, takes the largest init container, and counts terminal pods only as objects', () => {
  const pod = { metadata: { name: 'p' }, spec: {
    containers: [{ name: 'a', resources: { requests: { cpu: '250m', memory: '64Mi' }, limits: { cpu: '500m' } } },
      { name: 'b', resources: { requests: { cpu: '250m', memory: '64Mi' } } }],
    initContainers: [{ name: 'i', resources: { requests: { cpu: '2' } } }],
  } };
  assert.deepEqual(str(usageOf('', 'pods', pod)), {
    pods: '1', 'count/pods': '1', cpu: '2', 'requests.cpu': '2', memory: '128Mi', 'requests.memory': '128Mi', 'limits.cpu': '500m',
  });
  assert.deepEqual(str(usageOf('', 'pods', { ...pod, status: { phase: 'Succeeded' } })), { 'count/pods': '1' });
});

test('services, PVCs and generic object counts', () => {
  assert.deepEqual(str(usageOf('', 'services', { spec: { type: 'LoadBalancer', ports: [{ port: 1 }, { port: 2 }] } })),
    { services: '1', 'count/services': '1', 'services.loadbalancers': '1', 'services.nodeports': '2' });
  assert.deepEqual(str(usageOf('', 'persistentvolumeclaims', { spec: { storageClassName: 'gold', resources: { requests: { storage: '1Gi' } } } })), {
    persistentvolumeclaims: '1', 'count/persistentvolumeclaims': '1', 'requests.storage': '1Gi',
    'gold.storageclass.storage.k8s.io/requests.storage': '1Gi', 'gold.storageclass.storage.k8s.io/persistentvolumeclaims': '1',
  });
  assert.deepEqual(str(usageOf('apps', 'deployments', {})), { 'count/deployments.apps': '1' });
  assert.deepEqual(resourceOfName('count/deployments.apps'), { group: 'apps', resource: 'deployments' });
  assert.deepEqual(resourceOfName('limits.memory'), { group: '', resource: 'pods' });
  assert.equal(resourceOfName('bogus'), undefined);
});

test('a quota on cpu/memory requires every container to specify them', () => {
  const pod = { spec: { containers: [{ name: 'a', resources: { requests: { cpu: '1' } } }, { name: 'b' }] } };
  assert.equal(podConstraintError(pod, ['pods', 'requests.cpu', 'limits.memory']),
    'must specify limits.memory for: a,b; requests.cpu for: b');
  assert.equal(podConstraintError(pod, ['pods']), undefined);
});

test('prettyPrint sorts names; scopes select pods', () => {
  assert.equal(prettyPrint(usageOf('', 'configmaps', {})), 'configmaps=1,count/configmaps=1');
  const be = { spec: { scopes: ['BestEffort'] } };
  assert.equal(quotaMatches(be, '', 'pods', { spec: { containers: [{ name: 'a' }] } }), true);
  assert.equal(quotaMatches(be, '', 'pods', { spec: { containers: [{ name: 'a', resources: { requests: { cpu: '1' } } }] } }), false);
  assert.equal(quotaMatches(be, '', 'configmaps', {}), false);
  const pc = { spec: { scopeSelector: { matchExpressions: [{ scopeName: 'PriorityClass', operator: 'In', values: ['high'] }] } } };
  assert.equal(quotaMatches(pc, '', 'pods', { spec: { priorityClassName: 'high' } }), true);
  assert.equal(quotaMatches(pc, '', 'pods', { spec: {} }), false);
  assert.equal(quotaMatches({ spec: { scopes: ['Terminating'] } }, '', 'pods', { spec: { activeDeadlineSeconds: 5 } }), true);
});
