// Namespace deletion end to end (issue 6): a namespace holding a Deployment with pods Running on
// simulated nodes, a Service, ConfigMaps, Secrets and custom resources of a namespaced CRD is deleted
// with `kubectl delete ns` and disappears, custom resources included. A custom resource held by its
// own finalizer keeps the namespace Terminating with upstream's NamespaceContentRemaining and
// NamespaceFinalizersRemaining conditions until the finalizer is removed.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startCluster } from './cluster-helpers.mjs';

let c;
const GROUP = 'nsdel.kumo.dev';
const crs = (ns) => `/apis/${GROUP}/v1/namespaces/${ns}/gadgets`;
const crd = {
  apiVersion: 'apiextensions.k8s.io/v1', kind: 'CustomResourceDefinition', metadata: { name: `gadgets.${GROUP}` },
  spec: {
    group: GROUP, scope: 'Namespaced', names: { plural: 'gadgets', singular: 'gadget', kind: 'Gadget' },
    versions: [{ name: 'v1', served: true, storage: true,
      schema: { openAPIV3Schema: { type: 'object', properties: { spec: { type: 'object', properties: { size: { type: 'integer' } } } } } } }],
  },
};
const gadget = (name, extra = {}) => ({ apiVersion: `${GROUP}/v1`, kind: 'Gadget', metadata: { name, ...extra }, spec: { size: 1 } });
const condition = (ns, type) => ns?.status?.conditions?.find((x) => x.type === type);

async function fill(ns) {
  let r = await c.kubectl(['create', 'namespace', ns]);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['-n', ns, 'create', 'deployment', 'web', '--image=nginx', '--replicas=2']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['-n', ns, 'create', 'service', 'clusterip', 'web', '--tcp=80:80']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['-n', ns, 'create', 'configmap', 'cfg', '--from-literal=a=b']);
  assert.equal(r.code, 0, r.stderr);
  r = await c.kubectl(['-n', ns, 'create', 'secret', 'generic', 'pw', '--from-literal=p=x']);
  assert.equal(r.code, 0, r.stderr);
  for (const n of ['g1', 'g2']) await c.create(crs(ns), gadget(n));
  await c.eventually(`2 Running pods in ${ns}`, async () =>
    ((await c.get(`/api/v1/namespaces/${ns}/pods`))?.items ?? []).filter((p) => p.status?.phase === 'Running').length === 2);
}

before(async () => {
  c = await startCluster({ controllers: 'deployment,replicaset,garbagecollector', nodes: 1 });
  const r = await c.kubectl(['apply', '-f', '-'], { input: JSON.stringify(crd) });
  assert.equal(r.code, 0, r.stderr);
  const w = await c.kubectl(['wait', '--for=condition=Established', `crd/gadgets.${GROUP}`, '--timeout=20s']);
  assert.equal(w.code, 0, w.stderr);
});
after(async () => { await c?.stop(); });

test('kubectl delete ns empties a namespace of workloads, config and custom resources, then removes it', async () => {
  await fill('doomed');
  const r = await c.kubectl(['delete', 'ns', 'doomed', '--timeout=50s']);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /namespace "doomed" deleted/);
  const g = await c.kubectl(['get', 'ns', 'doomed']);
  assert.notEqual(g.code, 0);
  assert.match(g.stderr, /Error from server \(NotFound\): namespaces "doomed" not found/);
  for (const p of ['/api/v1/namespaces/doomed/pods', '/api/v1/namespaces/doomed/configmaps', '/api/v1/namespaces/doomed/secrets',
    '/api/v1/namespaces/doomed/services', '/apis/apps/v1/namespaces/doomed/deployments', '/apis/apps/v1/namespaces/doomed/replicasets',
    '/api/v1/namespaces/doomed/serviceaccounts', crs('doomed')]) {
    assert.deepEqual(((await c.get(p))?.items ?? []).map((o) => o.metadata.name), [], p);
  }
});

test('a custom resource with its own finalizer keeps the namespace Terminating with upstream conditions', async () => {
  await fill('held');
  await c.create(crs('held'), gadget('stuck', { finalizers: ['example.com/hold'] }));
  const r = await c.kubectl(['delete', 'ns', 'held', '--wait=false']);
  assert.equal(r.code, 0, r.stderr);
  // everything else goes; the held object stays, marked for deletion, and the conditions say why
  const ns = await c.eventually('conditions naming only the held gadget', async () => {
    const n = await c.get('/api/v1/namespaces/held');
    const content = condition(n, 'NamespaceContentRemaining');
    return content?.message === `Some resources are remaining: gadgets.${GROUP} has 1 resource instances` ? n : undefined;
  }, 45_000);
  assert.equal(ns.status.phase, 'Terminating');
  assert.ok(ns.metadata.deletionTimestamp);
  assert.deepEqual(ns.spec.finalizers, ['kubernetes']);
  const content = condition(ns, 'NamespaceContentRemaining');
  assert.equal(content.status, 'True');
  assert.equal(content.reason, 'SomeResourcesRemain');
  const fin = condition(ns, 'NamespaceFinalizersRemaining');
  assert.equal(fin.status, 'True');
  assert.equal(fin.reason, 'SomeFinalizerRemain');
  assert.equal(fin.message, 'Some finalizers are remaining: example.com/hold in 1 resource instances');
  // the other NamespaceDeletion* conditions are present in their "ok" form
  assert.deepEqual(
    ['NamespaceDeletionDiscoveryFailure', 'NamespaceDeletionGroupVersionParsingFailure', 'NamespaceDeletionContentFailure']
      .map((t) => [t, condition(ns, t)?.status, condition(ns, t)?.reason]),
    [['NamespaceDeletionDiscoveryFailure', 'False', 'ResourcesDiscovered'],
      ['NamespaceDeletionGroupVersionParsingFailure', 'False', 'ParsedGroupVersions'],
      ['NamespaceDeletionContentFailure', 'False', 'ContentDeleted']]);
  // kubectl describe shows them as upstream's describer does
  const d = await c.kubectl(['describe', 'ns', 'held']);
  assert.equal(d.code, 0, d.stderr);
  assert.match(d.stdout, /Status:\s+Terminating/);
  assert.match(d.stdout, /NamespaceFinalizersRemaining\s+True\s+\S.*\S\s+SomeFinalizerRemain\s+Some finalizers are remaining: example.com\/hold in 1 resource instances/);
  const stuck = await c.get(`${crs('held')}/stuck`);
  assert.ok(stuck.metadata.deletionTimestamp, 'the held object is marked for deletion');
  for (const p of ['/api/v1/namespaces/held/pods', '/api/v1/namespaces/held/configmaps', '/api/v1/namespaces/held/secrets']) {
    assert.deepEqual(((await c.get(p))?.items ?? []).map((o) => o.metadata.name), [], p);
  }
  // new objects are refused while it terminates (upstream's NamespaceLifecycle wording)
  const refused = await c.s.request('POST', '/api/v1/namespaces/held/configmaps', { body: { metadata: { name: 'late' } } });
  assert.equal(refused.status, 403, refused.text);
  assert.match(refused.json.message, /unable to create new content in namespace held because it is being terminated/);
  // the finalizer goes: the object, then the namespace, go too
  await c.patch(`${crs('held')}/stuck`, { metadata: { finalizers: null } });
  await c.eventually('namespace held gone', async () => (await c.s.request('GET', '/api/v1/namespaces/held')).status === 404, 30_000);
  assert.deepEqual((await c.get(crs('held')))?.items ?? [], []);
});
