import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeCache } from './testutil.js';
import { NodeAuthorizer, podReferences } from './node.js';
import type { AuthorizationAttributes } from '../chain.js';

const n1 = { name: 'system:node:n1', groups: ['system:nodes', 'system:authenticated'] };
const a = (verb: string, resource: string, namespace: string, name: string, extra: Partial<AuthorizationAttributes> = {}): AuthorizationAttributes =>
  ({ user: n1, verb, isResourceRequest: true, path: '', apiGroup: '', apiVersion: 'v1', namespace, resource, subresource: '', name, ...extra });

function cache() {
  const c = new FakeCache();
  c.put('pods', {
    metadata: { name: 'web', namespace: 'app' },
    spec: {
      nodeName: 'n1', serviceAccountName: 'web-sa', imagePullSecrets: [{ name: 'pull' }],
      volumes: [{ name: 'v', secret: { secretName: 'tls' } }, { name: 'c', configMap: { name: 'conf' } }, { name: 'd', persistentVolumeClaim: { claimName: 'data' } },
        { name: 'p', projected: { sources: [{ configMap: { name: 'proj' } }] } }],
      containers: [{ name: 'c', env: [{ name: 'X', valueFrom: { secretKeyRef: { name: 'env-secret', key: 'k' } } }], envFrom: [{ configMapRef: { name: 'envcm' } }] }],
    },
  });
  c.put('pods', { metadata: { name: 'other', namespace: 'app' }, spec: { nodeName: 'n2', volumes: [{ name: 'v', secret: { secretName: 'theirs' } }] } });
  c.put('persistentvolumeclaims', { metadata: { name: 'data', namespace: 'app' }, spec: { volumeName: 'pv-1' } });
  return c;
}

test('podReferences finds secrets, configmaps, claims and the service account', () => {
  const refs = podReferences(cache().lookup('', 'v1', 'pods')!.store.cache.objects.get('/registry/pods/app/web')!.obj as never);
  for (const r of ['secret:app/tls', 'secret:app/pull', 'secret:app/env-secret', 'configmap:app/conf', 'configmap:app/proj', 'configmap:app/envcm', 'pvc:app/data', 'serviceaccount:app/web-sa']) {
    assert.ok(refs.includes(r), r);
  }
});

test('a node reads only what its pods reference', () => {
  const c = cache();
  const z = new NodeAuthorizer(c.lookup);
  assert.equal(z.authorize(a('get', 'secrets', 'app', 'tls')).decision, 'allow');
  assert.equal(z.authorize(a('get', 'configmaps', 'app', 'envcm')).decision, 'allow');
  const theirs = z.authorize(a('get', 'secrets', 'app', 'theirs'));
  assert.deepEqual(theirs, { decision: 'noOpinion', reason: "no relationship found between node 'n1' and this object" });
  assert.equal(z.authorize(a('list', 'secrets', 'app', '')).decision, 'noOpinion');
  assert.equal(z.authorize(a('update', 'secrets', 'app', 'tls')).reason, 'can only read resources of this type');
  assert.equal(z.authorize(a('get', 'persistentvolumeclaims', 'app', 'data')).decision, 'allow');
  assert.equal(z.authorize(a('get', 'persistentvolumes', '', 'pv-1')).decision, 'allow');
  assert.equal(z.authorize(a('get', 'persistentvolumes', '', 'pv-2')).decision, 'noOpinion');
  assert.equal(z.authorize(a('create', 'serviceaccounts', 'app', 'web-sa', { subresource: 'token' })).decision, 'allow');
  assert.equal(z.authorize(a('create', 'serviceaccounts', 'app', 'default', { subresource: 'token' })).decision, 'noOpinion');
  // own Node and Lease only
  assert.equal(z.authorize(a('get', 'nodes', '', 'n1')).decision, 'allow');
  assert.equal(z.authorize(a('get', 'nodes', '', 'n2')).decision, 'noOpinion');
  assert.equal(z.authorize(a('update', 'leases', 'kube-node-lease', 'n1', { apiGroup: 'coordination.k8s.io' })).decision, 'allow');
  assert.equal(z.authorize(a('update', 'leases', 'kube-node-lease', 'n2', { apiGroup: 'coordination.k8s.io' })).decision, 'noOpinion');
  assert.equal(z.authorize(a('get', 'leases', 'default', 'n1', { apiGroup: 'coordination.k8s.io' })).decision, 'noOpinion');
  // static system:node rules
  assert.equal(z.authorize(a('list', 'pods', '', '')).decision, 'allow');
  assert.equal(z.authorize(a('delete', 'deployments', 'app', 'x', { apiGroup: 'apps' })).decision, 'noOpinion');
  // the graph follows pod changes
  c.remove('pods', 'app', 'web');
  assert.equal(z.authorize(a('get', 'secrets', 'app', 'tls')).decision, 'noOpinion');
});

test('non-nodes get no opinion; a node identity needs the system:nodes group', () => {
  const z = new NodeAuthorizer(cache().lookup);
  assert.deepEqual(z.authorize({ ...a('get', 'secrets', 'app', 'tls'), user: { name: 'system:node:n1', groups: [] } }), { decision: 'noOpinion', reason: '' });
  assert.deepEqual(z.authorize({ ...a('get', 'secrets', 'app', 'tls'), user: { name: 'system:node:', groups: ['system:nodes'] } }), { decision: 'noOpinion', reason: 'unknown node' });
});
