// scripts/gen-proto.mjs: descriptor extraction from a (synthetic) binary and kubectl discovery.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { protobufLibrary } from './descriptors.js';

// temp dirs made by this file's tests, removed when they are done
const tempDirs: string[] = [];
after(() => { for (const d of tempDirs) rmSync(d, { recursive: true, force: true }); });
function tempDir(prefix: string): string { const d = mkdtempSync(join(tmpdir(), prefix)); tempDirs.push(d); return d; }

interface GenProto {
  findKubectl(env: Record<string, string | undefined>): string | null;
  extractDescriptors(buf: Buffer): Array<{ fd: { name: string } }>;
  buildDescriptorJson(path: string, defs: Record<string, unknown> | null): { json: { files: string[]; root: unknown } } | null;
}
const gen = (await import(new URL('../../../scripts/gen-proto.mjs', import.meta.url).href)) as GenProto;

// Hand-encoded FileDescriptorProto: protobufjs' descriptor types cannot write gogo extensions.
function fileDescriptor(name: string, pkg: string, messages: Array<{ name: string; fields: Array<{ name: string; num: number; type: number; typeName?: string; nonNullable?: boolean }> }>): Uint8Array {
  const W = protobufLibrary().Writer;
  const w = W.create();
  w.uint32((1 << 3) | 2).string(name);
  w.uint32((2 << 3) | 2).string(pkg);
  for (const m of messages) {
    const mw = W.create();
    mw.uint32((1 << 3) | 2).string(m.name);
    for (const f of m.fields) {
      const fw = W.create();
      fw.uint32((1 << 3) | 2).string(f.name).uint32((3 << 3) | 0).int32(f.num).uint32((4 << 3) | 0).int32(1).uint32((5 << 3) | 0).int32(f.type);
      if (f.typeName) fw.uint32((6 << 3) | 2).string(f.typeName);
      if (f.nonNullable) fw.uint32((8 << 3) | 2).bytes(W.create().uint32((65001 << 3) | 0).bool(false).finish());
      mw.uint32((2 << 3) | 2).bytes(fw.finish());
    }
    w.uint32((4 << 3) | 2).bytes(mw.finish());
  }
  w.uint32((12 << 3) | 2).string('proto2');
  return w.finish();
}

const TEST_PROTO = fileDescriptor('k8s.io/api/test/v1/generated.proto', 'k8s.io.api.test.v1', [
  { name: 'Source', fields: [{ name: 'path', num: 1, type: 9, nonNullable: true }] },
  { name: 'Thing', fields: [
    { name: 'Name', num: 1, type: 9, nonNullable: true },
    { name: 'count', num: 2, type: 5 },
    { name: 'source', num: 3, type: 11, typeName: '.k8s.io.api.test.v1.Source', nonNullable: true },
  ] },
]);
const OTHER_PROTO = fileDescriptor('k8s.io/api/other/v1/generated.proto', 'k8s.io.api.other.v1', [
  { name: 'Other', fields: [{ name: 'x', num: 1, type: 9 }] },
]);
const FOREIGN = fileDescriptor('google/protobuf/any.proto', 'google.protobuf', [{ name: 'Any', fields: [] }]);

function fakeBinary(): Buffer {
  const corrupt = Buffer.from(gzipSync(Buffer.from(TEST_PROTO)));
  corrupt[corrupt.length - 6] ^= 0xff; // break the CRC
  return Buffer.concat([
    Buffer.from('\x7fELF garbage \x1f\x8b\x08 not really gzip'),
    gzipSync(Buffer.from(TEST_PROTO)),
    gzipSync(Buffer.from(OTHER_PROTO)), // directly adjacent: must not merge into the previous one
    Buffer.from('....'),
    gzipSync(Buffer.from(FOREIGN)),
    corrupt,
    gzipSync(Buffer.from(TEST_PROTO)), // duplicate
  ]);
}

test('extractDescriptors keeps each k8s.io generated.proto once, unmerged, and skips corrupt members', () => {
  const got = gen.extractDescriptors(fakeBinary());
  assert.deepEqual(got.map((f) => f.fd.name), ['k8s.io/api/test/v1/generated.proto', 'k8s.io/api/other/v1/generated.proto']);
});

test('buildDescriptorJson annotates nullable, JSON names, required and inline fields', () => {
  const dir = tempDir('kumo-genproto-');
  const bin = join(dir, 'kubectl');
  writeFileSync(bin, fakeBinary());
  const defs = {
    'io.k8s.api.test.v1.Thing': { properties: { name: {}, count: {}, path: {} }, required: ['name'] },
  };
  const built = gen.buildDescriptorJson(bin, defs);
  assert.ok(built);
  const pb = protobufLibrary();
  const root = pb.Root.fromJSON(built.json.root as never);
  const thing = root.lookupType('k8s.io.api.test.v1.Thing');
  assert.deepEqual(thing.fields.Name.options, { '(gogoproto.nullable)': false, 'kumo.json': 'name', 'kumo.required': true });
  assert.equal(thing.fields.count.options, undefined);
  assert.deepEqual(thing.fields.source.options, { '(gogoproto.nullable)': false, 'kumo.inline': true });
  assert.equal(gen.buildDescriptorJson(join(dir, 'kubectl'), null)!.json.files.length, 2);
  writeFileSync(join(dir, 'empty'), 'no descriptors here');
  assert.equal(gen.buildDescriptorJson(join(dir, 'empty'), null), null);
});

test('findKubectl prefers the newest kubectl.1.NN beside the kubectl on PATH', () => {
  const dir = tempDir('kumo-kubectl-');
  const sdk = join(dir, 'sdk'), bin = join(dir, 'bin');
  mkdirSync(sdk); mkdirSync(bin);
  for (const n of ['kubectl', 'kubectl.1.9', 'kubectl.1.31', 'kubectl.1.30', 'kubectl.1.40.bak']) {
    writeFileSync(join(sdk, n), '');
    chmodSync(join(sdk, n), 0o755);
  }
  writeFileSync(join(sdk, 'kubectl.1.99'), ''); // not executable
  symlinkSync(join(sdk, 'kubectl'), join(bin, 'kubectl'));
  assert.equal(gen.findKubectl({ PATH: `${join(dir, 'nothing')}:${bin}` }), join(sdk, 'kubectl.1.31'));
  assert.equal(gen.findKubectl({ PATH: join(dir, 'nothing') }), null);
  assert.equal(gen.findKubectl({ PATH: bin, KUMO_KUBECTL: join(sdk, 'kubectl.1.9') }), join(sdk, 'kubectl.1.9'));
  const lone = join(dir, 'lone');
  mkdirSync(lone);
  writeFileSync(join(lone, 'kubectl'), '');
  chmodSync(join(lone, 'kubectl'), 0o755);
  assert.equal(gen.findKubectl({ PATH: lone }), join(lone, 'kubectl'));
});
