import { test, describe, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StatusError } from '../../machinery/errors.js';
import { ProtobufCodec } from './codec.js';
import { descriptorsPresent, loadSchema } from './descriptors.js';
import { decodeProtobufObject, protobufAvailable, resetProtobufForTests } from './index.js';
import { body, envelope, messageBytes } from './testutil.js';

// temp dirs made by this file's tests, removed when they are done
const tempDirs: string[] = [];
after(() => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });
function tempDir(prefix: string): string { const d = mkdtempSync(join(tmpdir(), prefix)); tempDirs.push(d); return d; }

const skip = descriptorsPresent() ? false : 'no protobuf descriptors (run node scripts/gen-proto.mjs; needs kubectl)';
const schema = skip ? null : loadSchema();
const codec = schema ? new ProtobufCodec(schema) : null;
const decode = (b: Uint8Array) => codec!.decode(b);

function statusOf(fn: () => unknown): StatusError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof StatusError, `expected StatusError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a StatusError');
}

// Go marshals every non-pointer field, zero or not; these helpers mimic that for ObjectMeta.
const goMeta = (m: Record<string, unknown>) => ({
  name: '', generateName: '', namespace: '', selfLink: '', uid: '', resourceVersion: '', generation: 0,
  creationTimestamp: {}, ...m,
});

describe('decodeProtobufObject', { skip }, () => {
  test('Namespace as kubectl create namespace sends it', () => {
    const b = body(schema!, 'v1', 'Namespace', 'k8s.io.api.core.v1.Namespace', {
      metadata: goMeta({ name: 'team-a' }), spec: {}, status: { phase: '' },
    });
    assert.deepEqual(decode(b), {
      kind: 'Namespace', apiVersion: 'v1',
      metadata: { name: 'team-a', creationTimestamp: null }, spec: {}, status: {},
    });
  });

  test('the default codec decodes the same body', () => {
    assert.equal(protobufAvailable(), true);
    const b = body(schema!, 'v1', 'Namespace', 'k8s.io.api.core.v1.Namespace', { metadata: { name: 'x' } });
    assert.equal((decodeProtobufObject(b).metadata as Record<string, unknown>).name, 'x');
  });

  test('Deployment: replicas 0 kept, unset pointers absent, intstr and quantities converted', () => {
    const b = body(schema!, 'apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', {
      metadata: goMeta({ name: 'web', labels: { app: 'web' } }),
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: goMeta({ labels: { app: 'web' } }),
          spec: {
            containers: [{
              name: 'nginx', image: 'nginx', workingDir: '', terminationMessagePath: '', imagePullPolicy: '',
              stdin: false, stdinOnce: false, tty: false,
              resources: { limits: { cpu: { string: '500m' }, memory: { string: '128Mi' } }, requests: { cpu: { string: '100m' } } },
              ports: [{ name: '', containerPort: 80, hostPort: 0, protocol: 'TCP', hostIP: '' }],
            }],
            restartPolicy: '', dnsPolicy: '', serviceAccountName: '', hostNetwork: false,
          },
        },
        strategy: {
          type: 'RollingUpdate',
          rollingUpdate: { maxSurge: { type: 1, strVal: '25%' }, maxUnavailable: { type: 0, intVal: 1 } },
        },
        minReadySeconds: 0,
        paused: false,
      },
      status: { observedGeneration: 0, replicas: 0 },
    });
    const obj = decode(b);
    assert.deepEqual(obj, {
      kind: 'Deployment', apiVersion: 'apps/v1',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: {
        replicas: 0,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: {
            containers: [{
              name: 'nginx', image: 'nginx',
              // containerPort has no omitempty in Go, hostPort has
              ports: [{ containerPort: 80, protocol: 'TCP' }],
              resources: { limits: { cpu: '500m', memory: '128Mi' }, requests: { cpu: '100m' } },
            }],
          },
        },
        strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: '25%' } },
      },
      status: {},
    });
    const spec = obj.spec as Record<string, unknown>;
    assert.ok(!('revisionHistoryLimit' in spec), 'unset pointer must stay absent');
    assert.ok(!('progressDeadlineSeconds' in spec));
  });

  test('non-pointer structs missing from the wire appear as Go zero values', () => {
    const b = body(schema!, 'apps/v1', 'Deployment', 'k8s.io.api.apps.v1.Deployment', { metadata: { name: 'd' } });
    assert.deepEqual(decode(b), {
      kind: 'Deployment', apiVersion: 'apps/v1',
      metadata: { name: 'd', creationTimestamp: null },
      spec: { template: { metadata: { creationTimestamp: null }, spec: {} }, strategy: {} },
      status: {},
    });
  });

  test('Secret: bytes values become base64, stringData stays, immutable false kept (pointer)', () => {
    const b = body(schema!, 'v1', 'Secret', 'k8s.io.api.core.v1.Secret', {
      metadata: goMeta({ name: 's', namespace: 'default' }),
      data: { password: Buffer.from('s3cr3t\n'), empty: Buffer.alloc(0) },
      stringData: { plain: 'text' },
      type: 'Opaque',
      immutable: false,
    });
    assert.deepEqual(decode(b), {
      kind: 'Secret', apiVersion: 'v1',
      metadata: { name: 's', namespace: 'default', creationTimestamp: null },
      immutable: false,
      data: { password: Buffer.from('s3cr3t\n').toString('base64'), empty: '' },
      stringData: { plain: 'text' },
      type: 'Opaque',
    });
  });

  test('ConfigMap from literals; binaryData as base64', () => {
    const b = body(schema!, 'v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', {
      metadata: goMeta({ name: 'cm' }), data: { a: '1', b: '' }, binaryData: { bin: Uint8Array.of(0, 255) },
    });
    assert.deepEqual(decode(b), {
      kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', creationTimestamp: null },
      data: { a: '1', b: '' }, binaryData: { bin: 'AP8=' },
    });
  });

  test('Service clusterip: targetPort int and string, port kept even when 0 (required field)', () => {
    const b = body(schema!, 'v1', 'Service', 'k8s.io.api.core.v1.Service', {
      metadata: goMeta({ name: 'svc', labels: { app: 'svc' } }),
      spec: {
        ports: [
          { name: '80-8080', protocol: 'TCP', port: 80, targetPort: { type: 0, intVal: 8080 }, nodePort: 0 },
          { name: 'http', protocol: 'TCP', port: 0, targetPort: { type: 1, strVal: 'http' }, nodePort: 0 },
        ],
        selector: { app: 'svc' }, clusterIP: '', type: 'ClusterIP', sessionAffinity: '',
        externalName: '', externalTrafficPolicy: '', healthCheckNodePort: 0, publishNotReadyAddresses: false,
      },
      status: { loadBalancer: {} },
    });
    assert.deepEqual(decode(b), {
      kind: 'Service', apiVersion: 'v1',
      metadata: { name: 'svc', creationTimestamp: null, labels: { app: 'svc' } },
      spec: {
        ports: [
          { name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 },
          { name: 'http', protocol: 'TCP', port: 0, targetPort: 'http' },
        ],
        selector: { app: 'svc' }, type: 'ClusterIP',
      },
      status: { loadBalancer: {} },
    });
  });

  test('Job with a timestamp, backoffLimit 0 and a pod template with env from a secret key (inline reference)', () => {
    const b = body(schema!, 'batch/v1', 'Job', 'k8s.io.api.batch.v1.Job', {
      metadata: goMeta({ name: 'pi', creationTimestamp: { seconds: 1700000000 } }),
      spec: {
        backoffLimit: 0,
        template: {
          metadata: goMeta({}),
          spec: {
            restartPolicy: 'Never',
            containers: [{
              name: 'pi', image: 'perl', command: ['perl', '-e', 'print 1'],
              env: [{ name: 'PW', value: '', valueFrom: { secretKeyRef: { localObjectReference: { name: 'db' }, key: 'pw', optional: false } } }],
              volumeMounts: [{ name: 'data', mountPath: '/data', readOnly: false, subPath: '' }],
            }],
            volumes: [{ name: 'data', volumeSource: { emptyDir: { sizeLimit: { string: '1Gi' } } } }],
          },
        },
      },
      status: { startTime: { seconds: 1700000100, nanos: 999 }, active: 0, succeeded: 0, failed: 0 },
    });
    assert.deepEqual(decode(b), {
      kind: 'Job', apiVersion: 'batch/v1',
      metadata: { name: 'pi', creationTimestamp: '2023-11-14T22:13:20Z' },
      spec: {
        backoffLimit: 0,
        template: {
          metadata: { creationTimestamp: null },
          spec: {
            volumes: [{ name: 'data', emptyDir: { sizeLimit: '1Gi' } }],
            containers: [{
              name: 'pi', image: 'perl', command: ['perl', '-e', 'print 1'],
              env: [{ name: 'PW', valueFrom: { secretKeyRef: { name: 'db', key: 'pw', optional: false } } }],
              resources: {},
              volumeMounts: [{ name: 'data', mountPath: '/data' }],
            }],
            restartPolicy: 'Never',
          },
        },
      },
      status: { startTime: '2023-11-14T22:15:00Z' },
    });
  });

  test('Event: MicroTime keeps microseconds; Lease durations and times', () => {
    const ev = decode(body(schema!, 'events.k8s.io/v1', 'Event', 'k8s.io.api.events.v1.Event', {
      metadata: goMeta({ name: 'e' }), eventTime: { seconds: 1700000000, nanos: 123456789 }, reason: 'Started',
    }));
    assert.equal(ev.eventTime, '2023-11-14T22:13:20.123456Z');
    assert.equal(ev.reason, 'Started');
    const lease = decode(body(schema!, 'coordination.k8s.io/v1', 'Lease', 'k8s.io.api.coordination.v1.Lease', {
      metadata: goMeta({ name: 'l' }),
      spec: { holderIdentity: 'me', leaseDurationSeconds: 15, renewTime: { seconds: 0, nanos: 5000 }, leaseTransitions: 0 },
    }));
    assert.deepEqual(lease.spec, { holderIdentity: 'me', leaseDurationSeconds: 15, renewTime: '1970-01-01T00:00:00.000005Z', leaseTransitions: 0 });
  });

  test('RawExtension holds embedded JSON (ControllerRevision.data)', () => {
    const data = { spec: { template: { metadata: { labels: { a: 'b' } } } } };
    const obj = decode(body(schema!, 'apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', {
      metadata: goMeta({ name: 'cr' }), data: { raw: Buffer.from(JSON.stringify(data)) }, revision: 3,
    }));
    assert.deepEqual(obj.data, data);
    assert.equal(obj.revision, 3);
  });

  test('renamed proto fields get their JSON names (webhooks, name/expression, uid)', () => {
    const obj = decode(body(schema!, 'admissionregistration.k8s.io/v1', 'ValidatingAdmissionPolicy',
      'k8s.io.api.admissionregistration.v1.ValidatingAdmissionPolicy', {
        metadata: goMeta({ name: 'p' }),
        spec: { variables: [{ Name: 'x', Expression: 'object.spec' }], validations: [{ Expression: 'true', message: '' }] },
      }));
    const spec = obj.spec as Record<string, unknown>;
    assert.deepEqual(spec.variables, [{ name: 'x', expression: 'object.spec' }]);
    assert.deepEqual(spec.validations, [{ expression: 'true' }]);
  });

  test('DeleteOptions sent with a group version decode from meta/v1', () => {
    const obj = decode(body(schema!, 'apps/v1', 'DeleteOptions', 'k8s.io.apimachinery.pkg.apis.meta.v1.DeleteOptions', {
      gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'],
    }));
    assert.deepEqual(obj, { kind: 'DeleteOptions', apiVersion: 'apps/v1', gracePeriodSeconds: 0, propagationPolicy: 'Foreground', dryRun: ['All'] });
  });

  test('an embedded protobuf object in a RawExtension is decoded too', () => {
    const inner = body(schema!, 'v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'in' } });
    const obj = decode(body(schema!, 'apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', {
      metadata: { name: 'cr' }, data: { raw: inner },
    }));
    assert.deepEqual(obj.data, { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'in', creationTimestamp: null } });
  });
});

describe('bad protobuf bodies', { skip }, () => {
  test('empty, wrong prefix, prefix only', () => {
    assert.equal(statusOf(() => decode(new Uint8Array(0))).message, 'empty data');
    const wrong = statusOf(() => decode(Buffer.from('{"kind":"Pod"}')));
    assert.equal(wrong.code, 400);
    assert.equal(wrong.reason, 'BadRequest');
    assert.match(wrong.message, /does not appear to be a protobuf message, expected prefix \[107 56 115 0\]/);
    assert.equal(statusOf(() => decode(Uint8Array.of(0x6b, 0x38, 0x73, 0))).message, 'empty body');
  });

  test('missing kind or apiVersion', () => {
    const noKind = statusOf(() => decode(envelope(schema!, { typeMeta: { apiVersion: 'v1' }, raw: new Uint8Array(0) })));
    assert.equal(noKind.code, 400);
    assert.match(noKind.message, /^Object 'Kind' is missing in/);
    const noVersion = statusOf(() => decode(envelope(schema!, { typeMeta: { kind: 'Pod' }, raw: new Uint8Array(0) })));
    assert.match(noVersion.message, /^Object 'apiVersion' is missing in/);
  });

  test('unknown kind and unknown group', () => {
    const raw = messageBytes(schema!, 'k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'x' } });
    const e1 = statusOf(() => decode(envelope(schema!, { typeMeta: { apiVersion: 'v1', kind: 'Widget' }, raw })));
    assert.equal(e1.code, 400);
    assert.equal(e1.message, 'no kind "Widget" is registered for version "v1"');
    const e2 = statusOf(() => decode(envelope(schema!, { typeMeta: { apiVersion: 'example.com/v1', kind: 'ConfigMap' }, raw })));
    assert.equal(e2.message, 'no kind "ConfigMap" is registered for version "example.com/v1"');
    const e3 = statusOf(() => decode(envelope(schema!, { typeMeta: { apiVersion: 'v1', kind: 'constructor' }, raw })));
    assert.equal(e3.code, 400);
  });

  test('truncated envelope and truncated message', () => {
    const good = body(schema!, 'v1', 'ConfigMap', 'k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'x' }, data: { a: 'b' } });
    const cut = statusOf(() => decode(good.subarray(0, good.length - 3)));
    assert.equal(cut.code, 400);
    assert.match(cut.message, /^unable to decode protobuf envelope/);
    const raw = messageBytes(schema!, 'k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'x' }, data: { a: 'b' } });
    const bad = statusOf(() => decode(envelope(schema!, { typeMeta: { apiVersion: 'v1', kind: 'ConfigMap' }, raw: raw.subarray(0, raw.length - 2) })));
    assert.equal(bad.code, 400);
    assert.match(bad.message, /^unable to decode ConfigMap \(v1\) from protobuf/);
  });

  test('content encoding and foreign content type are refused', () => {
    const raw = messageBytes(schema!, 'k8s.io.api.core.v1.ConfigMap', { metadata: { name: 'x' } });
    const gz = statusOf(() => decode(envelope(schema!, { typeMeta: { apiVersion: 'v1', kind: 'ConfigMap' }, raw, contentEncoding: 'gzip' })));
    assert.match(gz.message, /content encoding "gzip"/);
    const ct = statusOf(() => decode(envelope(schema!, { typeMeta: { apiVersion: 'v1', kind: 'ConfigMap' }, raw, contentType: 'application/json' })));
    assert.match(ct.message, /content type "application\/json"/);
  });

  test('impossible IntOrString type and a RawExtension that is not JSON', () => {
    const svc = statusOf(() => decode(body(schema!, 'v1', 'Service', 'k8s.io.api.core.v1.Service', {
      spec: { ports: [{ port: 80, targetPort: { type: 7 } }] },
    })));
    assert.equal(svc.code, 400);
    assert.match(svc.message, /impossible IntOrString.Type 7/);
    const cr = statusOf(() => decode(body(schema!, 'apps/v1', 'ControllerRevision', 'k8s.io.api.apps.v1.ControllerRevision', {
      data: { raw: Buffer.from('{not json') },
    })));
    assert.equal(cr.code, 400);
    assert.match(cr.message, /RawExtension does not hold JSON/);
  });
});

describe('without descriptors', () => {
  test('a missing descriptor file answers 415 with the reason', () => {
    const prev = process.env.KUMO_PROTOBUF_DESCRIPTORS;
    process.env.KUMO_PROTOBUF_DESCRIPTORS = join(tempDir('kumo-pb-'), 'none.json');
    resetProtobufForTests();
    try {
      assert.equal(protobufAvailable(), false);
      const e = statusOf(() => decodeProtobufObject(Uint8Array.of(0x6b, 0x38, 0x73, 0, 1)));
      assert.equal(e.code, 415);
      assert.equal(e.reason, 'UnsupportedMediaType');
      assert.match(e.details!.causes![0].message!, /no protobuf descriptors at .*none\.json/);
    } finally {
      if (prev === undefined) delete process.env.KUMO_PROTOBUF_DESCRIPTORS; else process.env.KUMO_PROTOBUF_DESCRIPTORS = prev;
      resetProtobufForTests();
    }
  });

  test('a corrupt descriptor file answers 415, not a crash', () => {
    const prev = process.env.KUMO_PROTOBUF_DESCRIPTORS;
    const p = join(tempDir('kumo-pb-'), 'bad.json');
    writeFileSync(p, '{"root": 5}');
    process.env.KUMO_PROTOBUF_DESCRIPTORS = p;
    resetProtobufForTests();
    try {
      const e = statusOf(() => decodeProtobufObject(Uint8Array.of(0x6b, 0x38, 0x73, 0, 1)));
      assert.equal(e.code, 415);
      assert.match(e.details!.causes![0].message!, /unusable/);
      assert.equal(protobufAvailable(), false);
    } finally {
      if (prev === undefined) delete process.env.KUMO_PROTOBUF_DESCRIPTORS; else process.env.KUMO_PROTOBUF_DESCRIPTORS = prev;
      resetProtobufForTests();
    }
  });
});
