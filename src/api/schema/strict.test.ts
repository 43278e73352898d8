import { test } from 'node:test';
import assert from 'node:assert/strict';
import { schemaFor, findUnknownFields, checkTypes, strictDecodingError, goTypeName } from './index.js';

const deployment = () => schemaFor('io.k8s.api.apps.v1.Deployment');

const valid = {
  apiVersion: 'apps/v1', kind: 'Deployment',
  metadata: { name: 'web', labels: { app: 'web' }, annotations: { a: 'b' }, ownerReferences: [] },
  spec: {
    replicas: 3, selector: { matchLabels: { app: 'web' } },
    strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: '25%', maxUnavailable: 1 } },
    template: {
      metadata: { labels: { app: 'web' } },
      spec: {
        containers: [{
          name: 'web', image: 'nginx', ports: [{ containerPort: 80, protocol: 'TCP' }],
          env: [{ name: 'A', valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } }],
          resources: { limits: { cpu: '500m', memory: '1Gi' }, requests: { cpu: 0.5 } },
          livenessProbe: { httpGet: { path: '/', port: 'http' }, periodSeconds: 10 },
        }],
        nodeSelector: { disk: 'ssd' },
        volumes: [{ name: 'v', emptyDir: { sizeLimit: '1Gi' } }],
      },
    },
  },
  status: { conditions: [{ type: 'Available', status: 'True', lastUpdateTime: '2024-01-01T00:00:00Z' }] },
};

test('a valid object has no unknown fields and no type errors', () => {
  assert.deepEqual(findUnknownFields(valid, deployment()), []);
  assert.equal(checkTypes(valid, deployment()), undefined);
});

test('unknown fields are reported with upstream paths, list items indexed', () => {
  const obj = structuredClone(valid) as Record<string, any>;
  obj.spec.x = 1;
  obj.spec.y = { z: 1 };
  obj.metadata.bogus = true;
  obj.spec.template.spec.containers[0].imagePullPolice = 'Always';
  obj.spec.template.spec.containers[0].ports[0].hostname = 'h';
  obj.spec.template.spec.volumes[0].emptyDir.size = 1;
  obj.extra = 1;
  assert.deepEqual(findUnknownFields(obj, deployment()), [
    'metadata.bogus',
    // document order: ports came before the added key
    'spec.template.spec.containers[0].ports[0].hostname',
    'spec.template.spec.containers[0].imagePullPolice',
    'spec.template.spec.volumes[0].emptyDir.size',
    'spec.x',
    'spec.y',
    'extra',
  ]);
  assert.equal(strictDecodingError(['spec.x', 'spec.y']),
    'strict decoding error: unknown field "spec.x", unknown field "spec.y"');
});

test('free-form fields (RawExtension, JSON, maps) are not searched', () => {
  const cr = schemaFor('io.k8s.api.apps.v1.ControllerRevision');
  assert.deepEqual(findUnknownFields({ data: { anything: { goes: 1 } }, revision: 1 }, cr), []);
  assert.deepEqual(findUnknownFields({ metadata: { labels: { 'any.key/x': 'v' } } }, deployment()), []);
  const crd = schemaFor('io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps');
  assert.deepEqual(findUnknownFields({ type: 'object', default: { x: 1 }, properties: { a: { type: 'string', nope: 1 } } }, crd),
    ['properties.a.nope']);
});

test('inherited object keys are unknown fields, not schema lookups', () => {
  assert.deepEqual(findUnknownFields({ spec: { constructor: 1, toString: 2 } }, deployment()), ['spec.constructor', 'spec.toString']);
  assert.equal(checkTypes({ spec: { constructor: 'x' } }, deployment()), undefined);
});

test('wrong JSON types give upstream decoder messages', () => {
  const d = deployment();
  assert.equal(checkTypes({ spec: { replicas: 'x' } }, d),
    'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(checkTypes({ spec: { replicas: 1.5 } }, d),
    'json: cannot unmarshal number 1.5 into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(checkTypes({ spec: { replicas: 2 ** 31 } }, d),
    'json: cannot unmarshal number 2147483648 into Go struct field DeploymentSpec.spec.replicas of type int32');
  assert.equal(checkTypes({ spec: { paused: 'yes' } }, d),
    'json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool');
  assert.equal(checkTypes({ spec: { template: { spec: { containers: [{ image: 3 }] } } } }, d),
    'json: cannot unmarshal number into Go struct field Container.spec.template.spec.containers.image of type string');
  assert.equal(checkTypes({ spec: { template: { spec: { containers: {} } } } }, d),
    'json: cannot unmarshal object into Go struct field PodSpec.spec.template.spec.containers of type []v1.Container');
  assert.equal(checkTypes({ metadata: { labels: { a: 1 } } }, d),
    'json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string');
  assert.equal(checkTypes({ spec: 'x' }, d),
    'json: cannot unmarshal string into Go struct field Deployment.spec of type v1.DeploymentSpec');
  assert.equal(checkTypes({ metadata: { creationTimestamp: 5 } }, d),
    'json: cannot unmarshal number into Go value of type string');
  assert.equal(checkTypes([], d), 'json: cannot unmarshal array into Go value of type v1.Deployment');
});

test('int-or-string and quantity accept both forms; null is accepted anywhere', () => {
  const d = deployment();
  const ru = (v: unknown) => ({ spec: { strategy: { rollingUpdate: { maxSurge: v } } } });
  assert.equal(checkTypes(ru(1), d), undefined);
  assert.equal(checkTypes(ru('25%'), d), undefined);
  assert.equal(checkTypes(ru(true), d), 'json: cannot unmarshal bool into Go value of type int32');
  const res = (v: unknown) => ({ spec: { template: { spec: { containers: [{ resources: { limits: { cpu: v } } }] } } } });
  assert.equal(checkTypes(res(1), d), undefined);
  assert.equal(checkTypes(res('100m'), d), undefined);
  assert.match(checkTypes(res([1]), d) ?? '', /^quantities must match the regular expression/);
  assert.equal(checkTypes({ spec: { replicas: null, template: null } }, d), undefined);
});

test('goTypeName prints Go types like the decoder', () => {
  const p = schemaFor('io.k8s.api.core.v1.PodSpec').properties!;
  assert.equal(goTypeName(p.containers), '[]v1.Container');
  assert.equal(goTypeName(p.nodeSelector), 'map[string]string');
  assert.equal(goTypeName(p.activeDeadlineSeconds), 'int64');
  assert.equal(goTypeName(p.overhead), 'map[string]resource.Quantity');
  assert.equal(goTypeName(schemaFor('io.k8s.api.core.v1.Secret').properties!.data), 'map[string][]uint8');
});
