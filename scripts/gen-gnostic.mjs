#!/usr/bin/env node
// Extracts gnostic's OpenAPI v2 message definitions (openapiv2/OpenAPIv2.proto, package openapi.v2)
// from a kubectl binary on this machine and writes them as a protobufjs JSON root, so the server can
// encode /openapi/v2 as protobuf without committing the .proto:
//
//   node scripts/gen-gnostic.mjs [out.json …]
//
// Default outputs: dist/apiserver/openapi-proto/gnostic.json (read by the compiled server) and
// src/apiserver/openapi-proto/gnostic.json (read by tsx/tests; gitignored).
//
// protobuf-go keeps every compiled-in .proto as a raw serialized FileDescriptorProto; kubectl links
// gnostic-models, so the bytes `0a 19 "openapiv2/OpenAPIv2.proto"` start that descriptor. Its end is
// not marked, so fields are walked one by one until a tag that a FileDescriptorProto cannot have.
// No kubectl found is not an error: the server then keeps answering 406 for protobuf, as before.

import { readFileSync, writeFileSync, mkdirSync, existsSync, readdirSync, realpathSync } from 'node:fs';
import { dirname, join, resolve, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import protobuf from 'protobufjs';
import descriptor from 'protobufjs/ext/descriptor/index.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const PROTO_NAME = 'openapiv2/OpenAPIv2.proto';
const SDK_BIN = '/usr/lib/google-cloud-sdk/bin';

/** kubectl binaries to look in: $KUMO_KUBECTL, side-by-side releases (newest first), then PATH. */
function candidates() {
  const out = [];
  if (process.env.KUMO_KUBECTL) out.push(process.env.KUMO_KUBECTL);
  if (existsSync(SDK_BIN)) {
    const minors = readdirSync(SDK_BIN)
      .map((f) => /^kubectl\.1\.(\d+)$/.exec(f))
      .filter(Boolean)
      .sort((a, b) => Number(b[1]) - Number(a[1]));
    for (const m of minors) out.push(join(SDK_BIN, m[0]));
  }
  for (const dir of (process.env.PATH ?? '').split(delimiter)) if (dir) out.push(join(dir, 'kubectl'));
  const seen = new Set();
  return out.filter((p) => {
    if (!existsSync(p)) return false;
    const real = realpathSync(p);
    if (seen.has(real)) return false;
    seen.add(real);
    return true;
  });
}

// Field number → wire type of FileDescriptorProto (descriptor.proto).
const FILE_FIELDS = new Map([
  [1, 2], [2, 2], [3, 2], [4, 2], [5, 2], [6, 2], [7, 2], [8, 2], [9, 2], [10, 0], [11, 0], [12, 2], [14, 0],
]);

function readVarint(buf, pos) {
  let value = 0;
  let shift = 0;
  for (let i = 0; i < 10; i++) {
    if (pos >= buf.length) return undefined;
    const b = buf[pos++];
    value += (b & 0x7f) * 2 ** shift;
    if (!(b & 0x80)) return { value, pos };
    shift += 7;
  }
  return undefined;
}

/** Length of the FileDescriptorProto starting at `start`, walking fields until an impossible tag. */
function descriptorLength(buf, start) {
  let pos = start;
  for (;;) {
    const tag = readVarint(buf, pos);
    if (!tag) break;
    const field = Math.floor(tag.value / 8);
    const wire = tag.value & 7;
    if (FILE_FIELDS.get(field) !== wire) break;
    let next;
    if (wire === 0) {
      const v = readVarint(buf, tag.pos);
      if (!v) break;
      next = v.pos;
    } else {
      const len = readVarint(buf, tag.pos);
      if (!len || len.pos + len.value > buf.length) break;
      next = len.pos + len.value;
    }
    pos = next;
  }
  return pos - start;
}

/** The decoded FileDescriptorProto of gnostic's OpenAPIv2.proto in this binary, or undefined. */
export function extractFrom(binary) {
  const buf = readFileSync(binary);
  const marker = Buffer.concat([Buffer.from([0x0a, PROTO_NAME.length]), Buffer.from(PROTO_NAME)]);
  for (let at = buf.indexOf(marker); at >= 0; at = buf.indexOf(marker, at + 1)) {
    const len = descriptorLength(buf, at);
    try {
      const file = descriptor.FileDescriptorProto.decode(buf.subarray(at, at + len));
      if (file.package === 'openapi.v2' && file.messageType.some((m) => m.name === 'Document')) return file;
    } catch {
      // not a descriptor after all; keep looking
    }
  }
  return undefined;
}

/** protobufjs JSON root holding openapi.v2 and the google.protobuf.Any it imports. */
export function gnosticRoot(file) {
  // OpenAPIv2.proto imports google/protobuf/any.proto, which is a separate descriptor in the binary;
  // its one message is well known, so it is described here rather than searched for.
  const any = {
    name: 'google/protobuf/any.proto', package: 'google.protobuf', syntax: 'proto3',
    messageType: [{
      name: 'Any',
      field: [
        { name: 'type_url', number: 1, label: 1, type: 9, jsonName: 'typeUrl' },
        { name: 'value', number: 2, label: 1, type: 12, jsonName: 'value' },
      ],
    }],
  };
  return protobuf.Root.fromDescriptor({ file: [any, file] }, { keepCase: true }).toJSON();
}

function main() {
  const outs = process.argv.slice(2);
  if (!outs.length) {
    outs.push(join(ROOT, 'dist/apiserver/openapi-proto/gnostic.json'));
    outs.push(join(ROOT, 'src/apiserver/openapi-proto/gnostic.json'));
  }
  for (const bin of candidates()) {
    const file = extractFrom(bin);
    if (!file) continue;
    const json = JSON.stringify({ source: `${PROTO_NAME} from ${bin}`, root: gnosticRoot(file) });
    for (const out of outs) {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, json);
    }
    console.log(`gen-gnostic: ${PROTO_NAME} (${file.messageType.length} messages) from ${bin}`);
    return;
  }
  console.warn('gen-gnostic: no kubectl with gnostic descriptors found; /openapi/v2 protobuf stays unavailable');
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
