import { test } from 'node:test';
import assert from 'node:assert/strict';
import { builtinResources } from '../resources.js';
import { loadDefinitions, schemaFor, fieldPatchMeta, definitionMapType } from './index.js';

test('every built-in kind has a definition with its GVK, and a List definition when listable', () => {
  const defs = loadDefinitions();
  for (const r of builtinResources) {
    const d = defs[r.definition];
    assert.ok(d, `missing ${r.definition}`);
    if (r.verbs.includes('list')) assert.ok(defs[`${r.definition}List`], `missing ${r.definition}List`);
    const gvk = d['x-kubernetes-group-version-kind'] as { group: string; version: string; kind: string }[];
    assert.deepEqual(gvk, [{ group: r.group, kind: r.kind, version: r.version }], r.definition);
  }
});

test('definitions use upstream names and types', () => {
  const defs = loadDefinitions();
  for (const n of ['io.k8s.api.core.v1.PodSpec', 'io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta',
    'io.k8s.apimachinery.pkg.api.resource.Quantity', 'io.k8s.apimachinery.pkg.util.intstr.IntOrString',
    'io.k8s.apimachinery.pkg.apis.meta.v1.Time', 'io.k8s.api.autoscaling.v1.Scale', 'io.k8s.api.policy.v1.Eviction',
    'io.k8s.api.core.v1.TopologySelectorTerm', 'io.k8s.apimachinery.pkg.version.Info',
    'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition',
    'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService', 'io.k8s.api.core.v1.Event', 'io.k8s.api.events.v1.Event']) {
    assert.ok(defs[n], n);
  }
  // wrongly homed types would show up under core
  assert.equal(defs['io.k8s.api.core.v1.Scale'], undefined);
  assert.equal(defs['io.k8s.api.core.v1.LabelSelector'], undefined);
  const spec = defs['io.k8s.api.apps.v1.DeploymentSpec'];
  assert.deepEqual([spec.properties!.replicas.type, spec.properties!.replicas.format], ['integer', 'int32']);
  assert.match(spec.properties!.replicas.description!, /Number of desired pods/);
  assert.equal(spec.properties!.selector.$ref, '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector');
  assert.deepEqual(spec.required, ['selector', 'template']);
  const rr = defs['io.k8s.api.core.v1.ResourceRequirements'].properties!.limits;
  assert.equal((rr.additionalProperties as { $ref: string }).$ref, '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity');
  assert.equal(defs['io.k8s.api.core.v1.ServicePort'].properties!.targetPort.$ref,
    '#/definitions/io.k8s.apimachinery.pkg.util.intstr.IntOrString');
  assert.equal(defs['io.k8s.api.core.v1.Event'].properties!.eventTime.$ref,
    '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime');
  assert.equal(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'].properties!.creationTimestamp.$ref,
    '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.Time');
  assert.equal(defs['io.k8s.api.core.v1.PodSecurityContext'].properties!.supplementalGroups.items!.format, 'int64');
});

test('descriptions are carried, with newlines restored', () => {
  const defs = loadDefinitions();
  const strategy = defs['io.k8s.api.apps.v1.DeploymentSpec'].properties!.strategy;
  // client-node has no text for a field that is a model; the model's own description is what explain shows
  assert.equal(strategy.description, undefined, 'not a copy of the type description (explain would print it twice)');
  assert.match(defs['io.k8s.api.apps.v1.DeploymentStrategy'].description ?? '', /replace existing pods with new ones/);
  assert.match(defs['io.k8s.api.core.v1.PodSpec'].properties!.containers.description ?? '', /^List of containers belonging to the pod/);
  assert.match(defs['io.k8s.api.apps.v1.DeploymentSpec'].properties!.paused.description!, /^Indicates that the deployment is paused/);
  // client-node escapes quotes and comment markers; we undo it
  assert.doesNotMatch(JSON.stringify(defs['io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta']), /\\\\'|shouldn\\'t/);
  assert.match(defs['io.k8s.api.admissionregistration.v1.RuleWithOperations'].properties!.resources.description!, /'pods\/\*' means/);
});

test('patch metadata is set on the field that holds the list', () => {
  const defs = loadDefinitions();
  const c = defs['io.k8s.api.core.v1.PodSpec'].properties!.containers;
  assert.equal(c['x-kubernetes-patch-strategy'], 'merge');
  assert.equal(c['x-kubernetes-patch-merge-key'], 'name');
  assert.equal(c['x-kubernetes-list-type'], 'map');
  assert.deepEqual(c['x-kubernetes-list-map-keys'], ['name']);

  const pod = schemaFor('io.k8s.api.core.v1.PodSpec');
  const p = pod.properties!;
  assert.deepEqual([p.containers.patchStrategy, p.containers.patchMergeKey], ['merge', 'name']);
  assert.deepEqual([p.volumes.patchStrategy, p.volumes.patchMergeKey], ['merge,retainKeys', 'name']);
  assert.deepEqual([p.imagePullSecrets.patchMergeKey, p.hostAliases.patchMergeKey], ['name', 'ip']);
  assert.deepEqual(p.topologySpreadConstraints.listMapKeys, ['topologyKey', 'whenUnsatisfiable']);
  assert.equal(p.tolerations.listType, 'atomic');
  assert.equal(p.tolerations.patchStrategy, undefined);
  const ctr = p.containers.items!.properties!;
  assert.deepEqual([ctr.env.patchMergeKey, ctr.ports.patchMergeKey, ctr.volumeMounts.patchMergeKey, ctr.volumeDevices.patchMergeKey],
    ['name', 'containerPort', 'mountPath', 'devicePath']);
  assert.deepEqual(ctr.ports.listMapKeys, ['containerPort', 'protocol']);
  assert.equal(schemaFor('io.k8s.api.core.v1.ServiceSpec').properties!.ports.patchMergeKey, 'port');
  assert.equal(schemaFor('io.k8s.api.apps.v1.DeploymentSpec').properties!.strategy.patchStrategy, 'retainKeys');
  const meta = schemaFor('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta').properties!;
  assert.deepEqual([meta.finalizers.patchStrategy, meta.finalizers.listType], ['merge', 'set']);
  assert.equal(meta.ownerReferences.patchMergeKey, 'uid');
  for (const d of ['io.k8s.api.core.v1.PodStatus', 'io.k8s.api.core.v1.NodeStatus', 'io.k8s.api.apps.v1.DeploymentStatus']) {
    assert.equal(schemaFor(d).properties!.conditions.patchMergeKey, 'type', d);
  }
  assert.equal(fieldPatchMeta('io.k8s.api.core.v1.NodeSpec', 'taints')?.listType, 'atomic');
  assert.equal(fieldPatchMeta('io.k8s.api.core.v1.NodeSpec', 'nope'), undefined);
  assert.equal(definitionMapType('io.k8s.api.core.v1.LocalObjectReference'), 'atomic');
  assert.equal(schemaFor('io.k8s.api.core.v1.LocalObjectReference').mapType, 'atomic');
});

test('schemaFor resolves refs lazily, handles cycles, and rejects unknown names', () => {
  const d = schemaFor('io.k8s.api.apps.v1.Deployment');
  assert.equal(d, schemaFor('io.k8s.api.apps.v1.Deployment'));
  assert.equal(d.ref, 'io.k8s.api.apps.v1.Deployment');
  const spec = d.properties!.spec;
  assert.equal(spec.ref, 'io.k8s.api.apps.v1.DeploymentSpec');
  assert.equal(spec.properties!.replicas.type, 'integer');
  assert.equal(spec.properties!.replicas.format, 'int32');
  const tpl = spec.properties!.template.properties!.spec.properties!;
  assert.equal(tpl.containers.type, 'array');
  assert.equal(tpl.containers.items!.properties!.image.type, 'string');
  const ports = schemaFor('io.k8s.api.core.v1.ServicePort').properties!;
  assert.equal(ports.targetPort.intOrString, true);
  const lim = schemaFor('io.k8s.api.core.v1.ResourceRequirements').properties!.limits;
  assert.equal(lim.additionalProperties!.format, 'quantity');
  // JSONSchemaProps refers to itself
  const jsp = schemaFor('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps');
  assert.equal(jsp.properties!.properties.additionalProperties!.properties!.properties.additionalProperties!.ref, jsp.ref);
  assert.equal(schemaFor('io.k8s.api.core.v1.Event').properties!.series.properties!.lastObservedTime.ref,
    'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime');
  assert.throws(() => schemaFor('io.k8s.api.core.v1.Nope'), /no definition io\.k8s\.api\.core\.v1\.Nope/);
});
