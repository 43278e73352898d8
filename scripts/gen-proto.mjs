#!/usr/bin/env node
// Extracts Kubernetes' protobuf message definitions from a kubectl binary, so the API server can
// decode application/vnd.kubernetes.protobuf bodies without committing upstream's .proto files.
//
//   node scripts/gen-proto.mjs [out.json …]
//
// Default outputs: dist/apiserver/protobuf/descriptors.json (read by the compiled server) and
// src/apiserver/protobuf/descriptors.json (gitignored; read by tsx tests).
//
// Go's gogo-protobuf code embeds every generated.proto as a gzipped FileDescriptorProto; we scan the
// binary for gzip members, inflate them, keep the k8s.io/…/generated.proto ones and turn them into
// protobufjs JSON. What protobufjs would drop and the decoder needs is added as field options:
//   "(gogoproto.nullable)": false   Go field is not a pointer (wire always carries it)
//   "kumo.json": "<name>"           JSON name differs from the proto name (e.g. Variable.Name)
//   "kumo.required": true           JSON tag has no omitempty (OpenAPI lists it as required)
//   "kumo.inline": true             embedded struct whose fields JSON inlines (Volume.volumeSource)
// JSON names, required and inline come from the OpenAPI models that gen-models.mjs writes first.
//
// Without a kubectl binary nothing is written and the server answers protobuf bodies with 415.

import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync, realpathSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve, delimiter } from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(join(ROOT, 'package.json'));
const protobuf = require('protobufjs');
const descriptor = require('protobufjs/ext/descriptor');

const GOGO_NULLABLE = 65001;

function isExecutable(p) {
  try { return statSync(p).isFile() && (statSync(p).mode & 0o111) !== 0; } catch { return false; }
}

/** The newest kubectl.1.NN beside the kubectl on PATH (symlinks resolved), else that kubectl. */
export function findKubectl(env = process.env) {
  if (env.KUMO_KUBECTL) return isExecutable(env.KUMO_KUBECTL) ? env.KUMO_KUBECTL : null;
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, 'kubectl');
    if (!isExecutable(candidate)) continue;
    const real = realpathSync(candidate);
    let best = null;
    for (const name of readdirSync(dirname(real))) {
      const m = /^kubectl\.1\.(\d+)$/.exec(name);
      if (!m || !isExecutable(join(dirname(real), name))) continue;
      if (!best || Number(m[1]) > best.minor) best = { minor: Number(m[1]), path: join(dirname(real), name) };
    }
    return best ? best.path : real;
  }
  return null;
}

/** Every gzip member in buf that inflates (with a matching CRC) to a k8s.io generated.proto descriptor. */
export function extractDescriptors(buf) {
  const magic = Buffer.from([0x1f, 0x8b, 0x08]);
  const found = new Map();
  for (let i = buf.indexOf(magic); i >= 0; i = buf.indexOf(magic, i + 1)) {
    const flags = buf[i + 3];
    if (flags & 0xe0) continue;
    let p = i + 10;
    if (flags & 4) p += 2 + buf.readUInt16LE(p);
    if (flags & 8) p = buf.indexOf(0, p) + 1;
    if (flags & 16) p = buf.indexOf(0, p) + 1;
    if (flags & 2) p += 2;
    let out, used;
    try {
      // raw inflate stops at the end of this member; gunzip would run on into the next one
      const r = zlib.inflateRawSync(buf.subarray(p, p + (8 << 20)), { info: true, maxOutputLength: 8 << 20 });
      out = r.buffer; used = r.engine.bytesWritten;
    } catch { continue; }
    if (p + used + 8 > buf.length) continue;
    if (buf.readUInt32LE(p + used) !== zlib.crc32(out) || buf.readUInt32LE(p + used + 4) !== out.length >>> 0) continue;
    let fd;
    try { fd = descriptor.FileDescriptorProto.decode(out); } catch { continue; }
    if (!/^k8s\.io\/.+\/generated\.proto$/.test(fd.name ?? '') || found.has(fd.name)) continue;
    found.set(fd.name, { fd, raw: out });
  }
  return [...found.values()];
}

// --- raw wire reading, for the gogo options protobufjs does not keep ---

function readVarint(b, p) {
  let v = 0n, s = 0n;
  for (;;) {
    const x = b[p++];
    v |= BigInt(x & 0x7f) << s; s += 7n;
    if (!(x & 0x80)) return [v, p];
  }
}

function* wireFields(b) {
  let p = 0;
  while (p < b.length) {
    let tag; [tag, p] = readVarint(b, p);
    const num = Number(tag >> 3n), wt = Number(tag & 7n);
    if (wt === 0) { let v; [v, p] = readVarint(b, p); yield [num, v]; }
    else if (wt === 2) { let l; [l, p] = readVarint(b, p); yield [num, b.subarray(p, p + Number(l))]; p += Number(l); }
    else if (wt === 5) p += 4;
    else if (wt === 1) p += 8;
    else throw new Error(`unexpected wire type ${wt}`);
  }
}

/** Map "pkg.Msg.field" → true for every field carrying (gogoproto.nullable) = false. */
function nonNullableFields(raw) {
  const out = new Set();
  let pkg = '';
  const msgs = [];
  for (const [n, v] of wireFields(raw)) {
    if (n === 2) pkg = v.toString();
    if (n === 4) msgs.push(v);
  }
  const walk = (m, prefix) => {
    let name = '';
    const nested = [], fields = [];
    for (const [n, v] of wireFields(m)) {
      if (n === 1) name = v.toString();
      if (n === 3) nested.push(v);
      if (n === 2) fields.push(v);
    }
    const full = `${prefix}.${name}`;
    for (const f of fields) {
      let fname = '', nullable = true;
      for (const [n, v] of wireFields(f)) {
        if (n === 1) fname = v.toString();
        if (n === 8) for (const [o, ov] of wireFields(v)) if (o === GOGO_NULLABLE && ov === 0n) nullable = false;
      }
      if (!nullable) out.add(`${full}.${fname}`);
    }
    for (const n of nested) walk(n, full);
  };
  for (const m of msgs) walk(m, pkg);
  return out;
}

// --- OpenAPI models (JSON names, required, inline) ---

function loadModels(paths) {
  for (const p of paths) if (existsSync(p)) return JSON.parse(readFileSync(p, 'utf8')).definitions ?? {};
  return null;
}

/** io.k8s.api.apps.v1.Deployment for message k8s.io.api.apps.v1.Deployment. */
function definitionName(fullMessage) {
  return fullMessage.startsWith('k8s.io.') ? `io.k8s.${fullMessage.slice('k8s.io.'.length)}` : fullMessage;
}

/** The message's own definition, else the same kind in another version of its group (older versions
 *  such as extensions/v1beta1 are not in the models), else null. */
function definitionFor(defs, fullMessage) {
  if (!defs) return null;
  const name = definitionName(fullMessage);
  if (defs[name]) return defs[name];
  const parts = name.split('.');
  const kind = parts.pop();
  parts.pop(); // version
  const group = `${parts.join('.')}.`;
  const sibling = Object.keys(defs).filter((d) => d.startsWith(group) && d.split('.').length === parts.length + 2 && d.endsWith(`.${kind}`)).sort();
  return sibling.length ? defs[sibling[sibling.length - 1]] : null;
}

/** Walks the protobufjs JSON, adding the options described at the top of this file. */
function annotate(rootJson, nonNullable, defs) {
  const messages = new Map(); // full name → type JSON
  const collect = (ns, prefix) => {
    for (const [name, node] of Object.entries(ns.nested ?? {})) {
      const full = prefix ? `${prefix}.${name}` : name;
      if (node.fields) messages.set(full, node);
      collect(node, full);
    }
  };
  collect(rootJson, '');
  const resolveType = (from, typeName) => {
    if (typeName.startsWith('.')) return typeName.slice(1);
    // protobufjs keeps fully qualified names from descriptors; relative ones resolve upward
    for (let scope = from; scope; scope = scope.slice(0, Math.max(0, scope.lastIndexOf('.')))) {
      if (messages.has(`${scope}.${typeName}`)) return `${scope}.${typeName}`;
    }
    return typeName;
  };
  const stats = { jsonRenamed: [], inline: [] };
  for (const [full, type] of messages) {
    const def = definitionFor(defs, full);
    const props = def?.properties ? Object.keys(def.properties) : null;
    const required = new Set(def?.required ?? []);
    for (const [fname, field] of Object.entries(type.fields)) {
      const opts = {};
      if (nonNullable.has(`${full}.${fname}`)) opts['(gogoproto.nullable)'] = false;
      let json = fname;
      if (props && !props.includes(fname)) {
        const ci = props.find((p) => p.toLowerCase() === fname.toLowerCase());
        if (ci) json = ci;
      } else if (!props && /^[A-Z]/.test(fname) && !full.endsWith('.DaemonEndpoint')) {
        json = fname[0].toLowerCase() + fname.slice(1);
      }
      if (json !== fname) { opts['kumo.json'] = json; stats.jsonRenamed.push(`${full}.${fname}→${json}`); }
      if (required.has(json)) opts['kumo.required'] = true;
      // inline: the struct's own JSON has no such property but carries the embedded type's fields
      const target = messages.get(resolveType(full, field.type));
      if (props && !props.includes(json) && target && !field.keyType && field.rule !== 'repeated') {
        const inner = Object.keys(target.fields);
        const present = inner.filter((n) => props.includes(n)).length;
        if (inner.length > 0 && present * 2 >= inner.length) { opts['kumo.inline'] = true; stats.inline.push(`${full}.${fname}`); }
      }
      if (Object.keys(opts).length) field.options = { ...(field.options ?? {}), ...opts };
    }
  }
  return stats;
}

export function buildDescriptorJson(binaryPath, defs) {
  const files = extractDescriptors(readFileSync(binaryPath));
  if (files.length === 0) return null;
  const set = descriptor.FileDescriptorSet.create({ file: files.map((f) => f.fd) });
  const root = protobuf.Root.fromDescriptor(set);
  root.resolveAll();
  const rootJson = root.toJSON();
  const nonNullable = new Set();
  for (const f of files) for (const k of nonNullableFields(f.raw)) nonNullable.add(k);
  const stats = annotate(rootJson, nonNullable, defs);
  return {
    json: { source: binaryPath, files: files.map((f) => f.fd.name).sort(), root: rootJson },
    stats,
  };
}

function main() {
  const outs = process.argv.slice(2);
  if (outs.length === 0) {
    outs.push(join(ROOT, 'src/apiserver/protobuf/descriptors.json'), join(ROOT, 'dist/apiserver/protobuf/descriptors.json'));
  }
  const kubectl = findKubectl();
  if (!kubectl) {
    console.warn('gen-proto: no kubectl found on PATH; protobuf request bodies will be answered with 415');
    return;
  }
  const defs = loadModels([join(ROOT, 'src/api/schema/generated/models.json'), join(ROOT, 'dist/api/schema/generated/models.json')]);
  if (!defs) console.warn('gen-proto: OpenAPI models not found (run gen-models first); JSON names guessed, inlined structs not detected');
  const built = buildDescriptorJson(kubectl, defs);
  if (!built) {
    console.warn(`gen-proto: no protobuf descriptors found in ${kubectl}; protobuf request bodies will be answered with 415`);
    return;
  }
  const text = JSON.stringify(built.json);
  for (const out of outs) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  }
  if (process.env.KUMO_GEN_PROTO_VERBOSE) console.log(JSON.stringify(built.stats, null, 1));
  console.log(`gen-proto: ${built.json.files.length} descriptor files from ${kubectl} → ${outs.join(', ')}`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
