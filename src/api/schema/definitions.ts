// Loads the OpenAPI v2 definitions generated at build time by scripts/gen-models.mjs (from
// @kubernetes/client-node's models) and lays the patch metadata table over them. Loaded lazily on
// first use, so a server that never touches a schema pays nothing at start-up.

import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { allPatchMeta, patchMetaExtensions } from './patchmeta.js';

/** One OpenAPI v2 schema object, as upstream's swagger.json writes them. */
export interface OpenAPIv2Schema {
  type?: string;
  format?: string;
  description?: string;
  properties?: Record<string, OpenAPIv2Schema>;
  required?: string[];
  items?: OpenAPIv2Schema;
  additionalProperties?: OpenAPIv2Schema | boolean;
  $ref?: string;
  [extension: `x-${string}`]: unknown;
}

export const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
export const INT_OR_STRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
export const TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.Time';
export const MICRO_TIME = 'io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime';
export const RAW_EXTENSION = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
export const REF_PREFIX = '#/definitions/';

const MODELS = new URL('./generated/models.json', import.meta.url);
// src/api/schema and dist/api/schema are both three levels below the repository root
const GENERATOR = new URL('../../../scripts/gen-models.mjs', import.meta.url);

let cached: Record<string, OpenAPIv2Schema> | undefined;

function readModels(): Record<string, OpenAPIv2Schema> {
  if (!existsSync(MODELS)) {
    // tests and tsx runs before `make build`: generate on the spot (needs client-node installed)
    const script = fileURLToPath(GENERATOR);
    if (!existsSync(script)) throw new Error(`schema: ${fileURLToPath(MODELS)} is missing; run node scripts/gen-models.mjs`);
    execFileSync(process.execPath, [script, fileURLToPath(MODELS)], { stdio: ['ignore', 'ignore', 'inherit'] });
  }
  const doc = JSON.parse(readFileSync(MODELS, 'utf8')) as { definitions: Record<string, OpenAPIv2Schema> };
  return doc.definitions;
}

/**
 * Adds (or with undefined, removes) definitions served beside the built-in ones: custom resources'
 * schemas from their CRDs, published in /openapi/v2 and /openapi/v3.
 */
export function setExtraDefinitions(defs: Record<string, OpenAPIv2Schema | undefined>): void {
  const all = loadDefinitions();
  for (const [name, d] of Object.entries(defs)) { if (d) all[name] = d; else delete all[name]; }
}

/** All definitions, keyed by upstream name (io.k8s.api.apps.v1.Deployment, …). Cached. */
export function loadDefinitions(): Record<string, OpenAPIv2Schema> {
  if (cached) return cached;
  const defs = readModels();
  for (const [name, fields] of allPatchMeta()) {
    const def = defs[name];
    if (!def) continue;
    for (const [field, meta] of Object.entries(fields)) {
      if (field === '.') {
        if (meta.mapType) def['x-kubernetes-map-type'] = meta.mapType;
        continue;
      }
      const prop = def.properties?.[field];
      if (prop) Object.assign(prop, patchMetaExtensions(meta));
    }
  }
  cached = defs;
  return defs;
}

/** "#/definitions/x" → "x" */
export function refName(ref: string): string {
  return ref.startsWith(REF_PREFIX) ? ref.slice(REF_PREFIX.length) : ref.replace(/^#\/components\/schemas\//, '');
}

/** Names of every definition reachable from the given ones (themselves included). */
export function reachableDefinitions(roots: Iterable<string>): Set<string> {
  const defs = loadDefinitions();
  const seen = new Set<string>();
  const stack = [...roots];
  const visit = (s: OpenAPIv2Schema | boolean | undefined): void => {
    if (!s || typeof s !== 'object') return;
    if (s.$ref) stack.push(refName(s.$ref));
    visit(s.items);
    visit(s.additionalProperties);
    for (const p of Object.values(s.properties ?? {})) visit(p);
  };
  while (stack.length) {
    const n = stack.pop()!;
    if (seen.has(n) || !defs[n]) continue;
    seen.add(n);
    visit(defs[n]);
  }
  return seen;
}
