// Bodies captured from kubectl 1.33 (`kubectl create …` against a recording server); each must decode
// to exactly the JSON kubectl prints for the same command with --dry-run=client -o json.
import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { ProtobufCodec } from './codec.js';
import { descriptorsPresent, loadSchema } from './descriptors.js';

const skip = descriptorsPresent() ? false : 'no protobuf descriptors (run node scripts/gen-proto.mjs; needs kubectl)';
const schema = skip ? null : loadSchema();
const codec = schema ? new ProtobufCodec(schema) : null;
const hex = (h: string) => Buffer.from(h, 'hex');

const CAPTURED: Array<[string, string, unknown]> = [
  ['create namespace team-a',
    '6b3873000a0f0a02763112094e616d657370616365121e0a160a067465616d2d6112001a0022002a0032003800420012001a020a001a002200',
    { kind: 'Namespace', apiVersion: 'v1', metadata: { name: 'team-a', creationTimestamp: null }, spec: {}, status: {} }],
  ['create deployment web --image=nginx --replicas=3 --port=80',
    '6b3873000a150a07617070732f7631120a4465706c6f796d656e7412b8010a1f0a0377656212001a0022002a003200380042005a0a0a0361707012037765621286010803120c0a0a0a0361707012037765621a6c0a1c0a0012001a0022002a003200380042005a0a0a036170701203776562124c122e0a056e67696e7812056e67696e782a00320a0a001000185022002a0042006a007200800100880100900100a201001a00320042004a0052005800600068008201008a01009a0100c2010022020a00280038001a0c0800100018002000280038001a002200',
    { kind: 'Deployment', apiVersion: 'apps/v1',
      metadata: { name: 'web', creationTimestamp: null, labels: { app: 'web' } },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } },
        template: { metadata: { creationTimestamp: null, labels: { app: 'web' } },
          spec: { containers: [{ name: 'nginx', image: 'nginx', ports: [{ containerPort: 80 }], resources: {} }] } },
        strategy: {} },
      status: {} }],
  ['create configmap cm --from-literal=a=1 --from-literal=b=two',
    '6b3873000a0f0a0276311209436f6e6669674d617012260a120a02636d12001a0022002a0032003800420012060a016112013112080a0162120374776f1a002200',
    { kind: 'ConfigMap', apiVersion: 'v1', metadata: { name: 'cm', creationTimestamp: null }, data: { a: '1', b: 'two' } }],
  ['create secret generic s --from-literal=pw=s3cr3t',
    '6b3873000a0c0a027631120653656372657412230a110a017312001a0022002a00320038004200120c0a02707712067333637233741a001a002200',
    { kind: 'Secret', apiVersion: 'v1', metadata: { name: 's', creationTimestamp: null }, data: { pw: 'czNjcjN0' } }],
  ['create service clusterip svc --tcp=80:8080',
    '6b3873000a0d0a02763112075365727669636512690a1f0a0373766312001a0022002a003200380042005a0a0a03617070120373766312420a1b0a0738302d38303830120354435018502207080010903f1a002800120a0a0361707012037376631a002209436c757374657249503a00420052005a00600068001a020a001a002200',
    { kind: 'Service', apiVersion: 'v1', metadata: { name: 'svc', creationTimestamp: null, labels: { app: 'svc' } },
      spec: { ports: [{ name: '80-8080', protocol: 'TCP', port: 80, targetPort: 8080 }], selector: { app: 'svc' }, type: 'ClusterIP' },
      status: { loadBalancer: {} } }],
  ["create job pi --image=perl -- perl -e 'print 1'",
    '6b3873000a0f0a0862617463682f763112034a6f62128a010a120a02706912001a0022002a00320038004200126a32680a100a0012001a0022002a00320038004200125412310a02706912047065726c1a047065726c1a022d651a077072696e7420312a0042006a007200800100880100900100a201001a054e65766572320042004a0052005800600068008201008a01009a0100c201001a082000280030003a001a002200',
    { kind: 'Job', apiVersion: 'batch/v1', metadata: { name: 'pi', creationTimestamp: null },
      spec: { template: { metadata: { creationTimestamp: null },
        spec: { containers: [{ name: 'pi', image: 'perl', command: ['perl', '-e', 'print 1'], resources: {} }], restartPolicy: 'Never' } } },
      status: {} }],
];

describe('bodies captured from kubectl 1.33', { skip }, () => {
  for (const [cmd, body, want] of CAPTURED) {
    test(`kubectl ${cmd}`, () => {
      const got = codec!.decode(hex(body));
      assert.deepEqual(got, want);
      // same key order as kubectl's JSON too (kind, apiVersion, metadata, …)
      assert.equal(JSON.stringify(got), JSON.stringify(want));
    });
  }

  test('every truncation of a captured body is a 400 or a shorter valid message, never a crash', () => {
    // protobuf has no end marker: a cut at a field boundary is a valid (shorter) message, as upstream
    const full = hex(CAPTURED[1][1]);
    let refused = 0;
    for (let n = 5; n < full.length; n++) {
      try {
        const obj = codec!.decode(full.subarray(0, n));
        assert.equal(obj.kind, 'Deployment');
      } catch (e) {
        assert.equal((e as { code?: number }).code, 400, `truncated at ${n}: ${String(e)}`);
        refused++;
      }
    }
    assert.ok(refused > full.length / 2, `only ${refused} truncations refused`);
  });
});
