// Loads the message definitions scripts/gen-proto.mjs extracted from kubectl at build time. Loading is
// lazy (first protobuf request): parsing ~70 descriptor files must not slow the server's cold start.

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type * as PB from 'protobufjs';

export type Protobuf = typeof PB;

/** What descriptors.json holds. */
export interface DescriptorFile {
  /** The kubectl binary the definitions came from. */
  source: string;
  /** generated.proto files found in it. */
  files: string[];
  /** protobufjs JSON (Root.toJSON) with the extra field options described in gen-proto.mjs. */
  root: PB.INamespace;
}

export interface ProtoSchema {
  pb: Protobuf;
  root: PB.Root;
  source: string;
}

let protobufjs: Protobuf | undefined;

/** protobufjs itself, required on first use only. */
export function protobufLibrary(): Protobuf {
  protobufjs ??= createRequire(import.meta.url)('protobufjs') as Protobuf;
  return protobufjs;
}

/** descriptors.json beside this module (dist/ or src/), or $KUMO_PROTOBUF_DESCRIPTORS. */
export function descriptorPath(): string {
  return process.env.KUMO_PROTOBUF_DESCRIPTORS || fileURLToPath(new URL('./descriptors.json', import.meta.url));
}

export function descriptorsPresent(path = descriptorPath()): boolean {
  return existsSync(path);
}

export function schemaFromJson(file: DescriptorFile): ProtoSchema {
  if (!file || typeof file !== 'object' || !file.root || typeof file.root !== 'object') {
    throw new Error('descriptor file has no "root" namespace');
  }
  const pb = protobufLibrary();
  const root = pb.Root.fromJSON(file.root);
  root.resolveAll();
  return { pb, root, source: String(file.source ?? '') };
}

/** Reads and parses a descriptor file; null when it does not exist. */
export function loadSchema(path = descriptorPath()): ProtoSchema | null {
  if (!existsSync(path)) return null;
  return schemaFromJson(JSON.parse(readFileSync(path, 'utf8')) as DescriptorFile);
}
