import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../resources.js';
import {
  buildOpenAPIv2, buildOpenAPIv3, buildOpenAPIv3Index, openAPIv2Serialized, openAPIv3Serialized,
} from './index.js';

type Doc = Record<string, any>;

function refsIn(v: unknown, out: string[] = []): string[] {
  if (Array.isArray(v)) for (const x of v) refsIn(x, out);
  else if (v && typeof v === 'object') {
    for (const [k, x] of Object.entries(v)) {
      if (k === '$ref' && typeof x === 'string') out.push(x);
      else refsIn(x, out);
    }
  }
  return out;
}

test('v2: definitions with GVKs, paths with actions, GVKs and the fieldValidation parameter', () => {
  const doc = buildOpenAPIv2(builtinResources) as Doc;
  assert.equal(doc.swagger, '2.0');
  for (const r of builtinResources) {
    assert.deepEqual(doc.definitions[r.definition]['x-kubernetes-group-version-kind'],
      [{ group: r.group, kind: r.kind, version: r.version }]);
  }
  // every $ref resolves inside the document
  for (const ref of refsIn(doc)) {
    assert.ok(ref.startsWith('#/definitions/') && doc.definitions[ref.slice(14)], `dangling ${ref}`);
  }
  const item = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'];
  assert.deepEqual(Object.keys(item).sort(), ['delete', 'get', 'parameters', 'patch', 'put']);
  assert.equal(item.patch['x-kubernetes-action'], 'patch');
  assert.equal(item.patch.operationId, 'patchAppsV1NamespacedDeployment');
  assert.deepEqual(item.patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok(item.patch.consumes.includes('application/strategic-merge-patch+json'));
  const names = (op: Doc) => op.parameters.map((p: Doc) => p.name);
  for (const op of [item.patch, item.put]) {
    assert.ok(names(op).includes('fieldValidation'));
    assert.ok(names(op).includes('dryRun'));
    assert.ok(names(op).includes('fieldManager'));
    // kubectl only reads inline parameters
    assert.ok(op.parameters.every((p: Doc) => !p.$ref));
  }
  const coll = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments'];
  assert.equal(coll.get['x-kubernetes-action'], 'list');
  assert.equal(coll.post['x-kubernetes-action'], 'post');
  assert.ok(names(coll.post).includes('fieldValidation'));
  assert.equal(coll.delete['x-kubernetes-action'], 'deletecollection');
  assert.equal(doc.paths['/apis/apps/v1/deployments'].get.operationId, 'listAppsV1DeploymentForAllNamespaces');
  assert.equal(doc.paths['/apis/apps/v1/watch/namespaces/{namespace}/deployments/{name}'].get['x-kubernetes-action'], 'watch');
  assert.equal(doc.paths['/apis/apps/v1/watch/namespaces/{namespace}/deployments'].get['x-kubernetes-action'], 'watchlist');
  const scale = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale'];
  assert.deepEqual(scale.put['x-kubernetes-group-version-kind'], { group: 'autoscaling', version: 'v1', kind: 'Scale' });
  assert.equal(scale.get.responses['200'].schema.$ref, '#/definitions/io.k8s.api.autoscaling.v1.Scale');
  assert.ok(doc.paths['/api/v1/namespaces/{namespace}/pods/{name}/status'].patch);
  assert.ok(doc.paths['/api/v1/nodes/{name}'].get, 'cluster-scoped item path');
  assert.equal(doc.paths['/api/v1/namespaces/{namespace}/nodes'], undefined);
  // Binding is create-only
  assert.deepEqual(Object.keys(doc.paths['/api/v1/namespaces/{namespace}/bindings']).sort(), ['parameters', 'post']);
  assert.equal(doc.paths['/api/v1/namespaces/{namespace}/bindings/{name}'], undefined);
  assert.equal(doc.paths['/apis/rbac.authorization.k8s.io/v1/clusterroles'].get.operationId, 'listRbacAuthorizationV1ClusterRole');
  // DeleteOptions is registered in every served group version
  const gvks = doc.definitions['io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions']['x-kubernetes-group-version-kind'];
  assert.ok(gvks.some((g: Doc) => g.group === 'apps' && g.version === 'v1'));
  assert.equal(doc.definitions['io.k8s.api.core.v1.PodSpec'].properties.containers['x-kubernetes-patch-merge-key'], 'name');
});

test('v2 serialization is cached with a stable hash', () => {
  const a = openAPIv2Serialized(builtinResources);
  assert.equal(a, openAPIv2Serialized(builtinResources));
  assert.match(a.hash, /^[0-9A-F]{128}$/);
  assert.equal(a.etag, `"${a.hash}"`);
  const other = openAPIv2Serialized(builtinResources.filter((r) => r.group === 'apps'));
  assert.notEqual(other.hash, a.hash);
});

test('v3 index lists every served group version with a hash-pinned URL', () => {
  const idx = buildOpenAPIv3Index(builtinResources);
  assert.ok(idx.paths['api/v1']);
  assert.ok(idx.paths['apis/apps/v1']);
  assert.ok(idx.paths['apis/autoscaling/v2']);
  assert.ok(idx.paths['apis/rbac.authorization.k8s.io/v1']);
  const url = idx.paths['apis/apps/v1'].serverRelativeURL;
  const doc = openAPIv3Serialized(builtinResources, 'apis/apps/v1')!;
  assert.equal(url, `/openapi/v3/apis/apps/v1?hash=${doc.hash}`);
  assert.equal(openAPIv3Serialized(builtinResources, 'apps/v1'), doc, 'both spellings share the cache');
  assert.equal(openAPIv3Serialized(builtinResources, 'apis/nope/v1'), undefined);
  assert.equal(buildOpenAPIv3(builtinResources, 'apis/apps/v9'), undefined);
});

test('v3 per-GV document: only reachable schemas, refs resolve, allOf-wrapped field refs', () => {
  const doc = buildOpenAPIv3(builtinResources, 'apis/apps/v1') as Doc;
  assert.equal(doc.openapi, '3.0.0');
  const schemas = doc.components.schemas;
  for (const ref of refsIn(doc)) {
    assert.ok(ref.startsWith('#/components/schemas/') && schemas[ref.slice(21)], `dangling ${ref}`);
  }
  assert.ok(schemas['io.k8s.api.apps.v1.Deployment']);
  assert.ok(schemas['io.k8s.api.core.v1.PodSpec'], 'reachable through the pod template');
  assert.equal(schemas['io.k8s.api.batch.v1.Job'], undefined, 'other groups stay out');
  assert.equal(schemas['io.k8s.api.core.v1.Pod'], undefined);
  const strategy = schemas['io.k8s.api.apps.v1.DeploymentSpec'].properties.strategy;
  assert.deepEqual(strategy.allOf, [{ $ref: '#/components/schemas/io.k8s.api.apps.v1.DeploymentStrategy' }]);
  assert.match(schemas['io.k8s.api.apps.v1.DeploymentStrategy'].description, /replace existing pods/);
  assert.equal(strategy['x-kubernetes-patch-strategy'], 'retainKeys');
  const paths = Object.keys(doc.paths);
  assert.ok(paths.every((p) => p.startsWith('/apis/apps/v1/')));
  assert.ok(doc.paths['/apis/apps/v1/'].get, 'discovery path');
  const patch = doc.paths['/apis/apps/v1/namespaces/{namespace}/deployments/{name}'].patch;
  assert.ok(patch.parameters.some((p: Doc) => p.name === 'fieldValidation' && p.in === 'query' && p.schema.type === 'string'));
  assert.ok(patch.requestBody.content['application/apply-patch+yaml']);
  assert.deepEqual(patch['x-kubernetes-group-version-kind'], { group: 'apps', version: 'v1', kind: 'Deployment' });
  assert.ok(patch.responses['200'].content['application/json'].schema.$ref.endsWith('.Deployment'));
  const core = buildOpenAPIv3(builtinResources, 'api/v1') as Doc;
  assert.ok(core.paths['/api/v1/namespaces/{namespace}/pods/{name}/status']);
  assert.ok(core.components.schemas['io.k8s.apimachinery.pkg.api.resource.Quantity']);
});
