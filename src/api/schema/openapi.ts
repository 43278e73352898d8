// /openapi/v2 (Swagger 2.0, one document) and /openapi/v3 (OpenAPI 3.0, one document per group
// version plus an index) built from the definitions and the served resources. Serialized bytes and
// their hash are cached per resource table, so the server can answer with ETag / Cache-Control as
// upstream does (the v3 index links each document as ...?hash=<HASH>).

import { createHash } from 'node:crypto';
import type { ResourceType } from '../types.js';
import { loadDefinitions, reachableDefinitions, refName, type OpenAPIv2Schema } from './definitions.js';
import {
  byGroupVersion, discoveryPath, gvKey, operationRefs, operationsFor, type Operation, type Param, type PathItem,
} from './operations.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
/** Reported as info.version; upstream puts its git version there. */
export const OPENAPI_INFO = { title: 'Kubernetes', version: 'v1.36.0' };
const ALWAYS = [`${META}.Status`, `${META}.DeleteOptions`, `${META}.WatchEvent`, `${META}.APIResourceList`, `${META}.Patch`];
const BEARER = {
  type: 'apiKey', name: 'authorization', in: 'header',
  description: 'Bearer Token authentication',
};

export interface SerializedDoc { json: string; hash: string; etag: string }

function serialize(doc: object): SerializedDoc {
  const json = JSON.stringify(doc);
  // upstream: uppercase hex SHA-512 of the served bytes
  const hash = createHash('sha512').update(json).digest('hex').toUpperCase();
  return { json, hash, etag: `"${hash}"` };
}

function clone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

/** Definitions needed by these resources and operations, with GVK extensions completed. */
function definitionsFor(resources: ResourceType[], items: PathItem[]): Record<string, OpenAPIv2Schema> {
  const defs = loadDefinitions();
  const roots = new Set<string>([...ALWAYS, ...operationRefs(items)]);
  for (const r of resources) { roots.add(r.definition); roots.add(`${r.definition}List`); }
  const names = [...reachableDefinitions(roots)].sort();
  const out: Record<string, OpenAPIv2Schema> = {};
  for (const n of names) out[n] = defs[n];
  // DeleteOptions and WatchEvent are registered in every served group version
  const gvs = [{ group: '', version: 'v1' }];
  for (const r of resources) if (!gvs.some((g) => g.group === r.group && g.version === r.version)) gvs.push({ group: r.group, version: r.version });
  for (const kind of ['DeleteOptions', 'WatchEvent']) {
    const n = `${META}.${kind}`;
    if (out[n]) out[n] = { ...out[n], 'x-kubernetes-group-version-kind': gvs.map((g) => ({ ...g, kind })) };
  }
  for (const r of resources) {
    const d = out[r.definition];
    if (d && !d['x-kubernetes-group-version-kind']) {
      out[r.definition] = { ...d, 'x-kubernetes-group-version-kind': [{ group: r.group, kind: r.kind, version: r.version }] };
    }
  }
  return out;
}

function allPathItems(resources: ResourceType[]): PathItem[] {
  const items: PathItem[] = [];
  for (const [, rs] of byGroupVersion(resources)) {
    items.push(discoveryPath(rs[0].group, rs[0].version));
    for (const r of rs) items.push(...operationsFor(r));
  }
  return items;
}

// ---- v2 ----------------------------------------------------------------------------------------

function v2Param(p: Param): object {
  if (p.in === 'body') return { in: 'body', name: p.name, required: true, schema: { $ref: `#/definitions/${p.schemaRef}` } };
  const o: Record<string, unknown> = { description: p.description, in: p.in, name: p.name, type: p.type };
  if (p.required) o.required = true;
  if (p.uniqueItems) o.uniqueItems = true;
  return o;
}

function v2Operation(o: Operation): object {
  const responses: Record<string, object> = {};
  for (const [code, r] of Object.entries(o.responses)) {
    responses[code] = r.ref ? { description: r.description, schema: { $ref: `#/definitions/${r.ref}` } } : { description: r.description };
  }
  const out: Record<string, unknown> = {
    consumes: o.consumes, description: o.description, operationId: o.operationId,
    produces: o.produces, responses, schemes: ['https'], tags: [o.tag],
  };
  if (o.params.length) out.parameters = o.params.map(v2Param);
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk) out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

function v2Paths(items: PathItem[]): Record<string, object> {
  const paths: Record<string, object> = {};
  for (const it of [...items].sort((a, b) => a.path.localeCompare(b.path))) {
    const p: Record<string, unknown> = {};
    for (const o of it.ops) p[o.method] = v2Operation(o);
    if (it.params.length) p.parameters = it.params.map(v2Param);
    paths[it.path] = p;
  }
  return paths;
}

/** The /openapi/v2 document for these resources. */
export function buildOpenAPIv2(resources: ResourceType[]): object {
  const items = allPathItems(resources);
  return {
    swagger: '2.0',
    info: OPENAPI_INFO,
    paths: v2Paths(items),
    definitions: definitionsFor(resources, items),
    securityDefinitions: { BearerToken: BEARER },
    security: [{ BearerToken: [] }],
  };
}

const v2Cache = new WeakMap<ResourceType[], SerializedDoc>();
/** Serialized /openapi/v2 with its hash (cached per resource table). */
export function openAPIv2Serialized(resources: ResourceType[]): SerializedDoc {
  let d = v2Cache.get(resources);
  if (!d) v2Cache.set(resources, (d = serialize(buildOpenAPIv2(resources))));
  return d;
}

// ---- v3 ----------------------------------------------------------------------------------------

const V3_REF = '#/components/schemas/';

/** v2 schema → v3: refs move to components, and a $ref with siblings is wrapped in allOf. */
function v3Schema(s: OpenAPIv2Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === '$ref') continue;
    if (k === 'properties') {
      const props: Record<string, unknown> = {};
      for (const [pk, pv] of Object.entries(v as Record<string, OpenAPIv2Schema>)) props[pk] = v3Schema(pv);
      out.properties = props;
    } else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) {
      out[k] = v3Schema(v as OpenAPIv2Schema);
    } else {
      out[k] = v;
    }
  }
  if (s.$ref) {
    const ref = { $ref: V3_REF + refName(s.$ref) };
    if (Object.keys(out).length === 0) return ref;
    return { allOf: [ref], ...out };
  }
  return out;
}

function v3Param(p: Param): object {
  const o: Record<string, unknown> = { name: p.name, in: p.in, description: p.description };
  if (p.required) o.required = true;
  const schema: Record<string, unknown> = { type: p.type };
  if (p.uniqueItems) schema.uniqueItems = true;
  o.schema = schema;
  return o;
}

function v3Operation(o: Operation): object {
  const out: Record<string, unknown> = { tags: [o.tag], description: o.description, operationId: o.operationId };
  const params = o.params.filter((p) => p.in !== 'body');
  if (params.length) out.parameters = params.map(v3Param);
  const body = o.params.find((p) => p.in === 'body');
  if (body) {
    const content: Record<string, object> = {};
    for (const type of o.consumes) content[type] = { schema: { $ref: V3_REF + body.schemaRef } };
    out.requestBody = { content, required: true };
  }
  const responses: Record<string, object> = {};
  for (const [code, r] of Object.entries(o.responses)) {
    if (!r.ref) { responses[code] = { description: r.description }; continue; }
    const content: Record<string, object> = {};
    for (const type of o.produces) content[type] = { schema: { $ref: V3_REF + r.ref } };
    responses[code] = { description: r.description, content };
  }
  out.responses = responses;
  if (o.action) out['x-kubernetes-action'] = o.action;
  if (o.gvk) out['x-kubernetes-group-version-kind'] = o.gvk;
  return out;
}

/** "apps/v1", "apis/apps/v1", "v1", "api/v1" → { group, version } */
function parseGroupVersion(gv: string): { group: string; version: string } {
  const s = gv.replace(/^\/+|\/+$/g, '');
  if (s.startsWith('apis/')) { const [, g, v] = s.split('/'); return { group: g, version: v }; }
  if (s.startsWith('api/')) return { group: '', version: s.slice(4) };
  const i = s.indexOf('/');
  return i < 0 ? { group: '', version: s } : { group: s.slice(0, i), version: s.slice(i + 1) };
}

/** The OpenAPI v3 document of one group version, or undefined when no resource is served there. */
export function buildOpenAPIv3(resources: ResourceType[], groupVersion: string): object | undefined {
  const { group, version } = parseGroupVersion(groupVersion);
  const rs = resources.filter((r) => r.group === group && r.version === version);
  if (!rs.length) return undefined;
  const items = [discoveryPath(group, version), ...rs.flatMap(operationsFor)];
  const paths: Record<string, object> = {};
  for (const it of items.sort((a, b) => a.path.localeCompare(b.path))) {
    const p: Record<string, unknown> = {};
    for (const o of it.ops) p[o.method] = v3Operation(o);
    if (it.params.length) p.parameters = it.params.map(v3Param);
    paths[it.path] = p;
  }
  const schemas: Record<string, unknown> = {};
  for (const [n, d] of Object.entries(definitionsFor(rs, items))) schemas[n] = v3Schema(d);
  return {
    openapi: '3.0.0',
    info: OPENAPI_INFO,
    paths,
    components: { schemas, securitySchemes: { BearerToken: BEARER } },
  };
}

const v3Cache = new WeakMap<ResourceType[], Map<string, SerializedDoc | null>>();
/** Serialized v3 document of a group version with its hash (cached), or undefined if not served. */
export function openAPIv3Serialized(resources: ResourceType[], groupVersion: string): SerializedDoc | undefined {
  let m = v3Cache.get(resources);
  if (!m) v3Cache.set(resources, (m = new Map()));
  const { group, version } = parseGroupVersion(groupVersion);
  const key = gvKey(group, version);
  if (!m.has(key)) {
    const doc = buildOpenAPIv3(resources, key);
    m.set(key, doc ? serialize(doc) : null);
  }
  return m.get(key) ?? undefined;
}

/** The /openapi/v3 index: every served group version with a hash-pinned URL. */
export function buildOpenAPIv3Index(resources: ResourceType[]): { paths: Record<string, { serverRelativeURL: string }> } {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  const keys = [...byGroupVersion(resources).values()].map((rs) => gvKey(rs[0].group, rs[0].version)).sort();
  for (const key of keys) {
    const doc = openAPIv3Serialized(resources, key)!;
    paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
  }
  return { paths };
}
