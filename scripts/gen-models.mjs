#!/usr/bin/env node
// Builds Kumo's OpenAPI v2 definitions (named as upstream: io.k8s.api.apps.v1.Deployment, …) from
// the models that @kubernetes/client-node generated from upstream's OpenAPI. Run at build time so no
// derived data is committed:
//
//   node scripts/gen-models.mjs [out.json …]
//
// Default outputs: src/api/schema/generated/models.json (read by tsx/tests) and
// dist/api/schema/generated/models.json (read by the compiled server).
//
// What client-node loses and we put back: package paths (it only keeps the version prefix), refs to
// Quantity / RawExtension / JSON / FieldsV1 (it flattens them to string or any),
// and newlines in descriptions. Patch metadata is added at load time from src/api/schema/patchmeta.ts.

import { readFileSync, readdirSync, writeFileSync, mkdirSync, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

function clientNodeGenDir() {
  const require = createRequire(join(ROOT, 'package.json'));
  let pkgJson;
  try {
    pkgJson = require.resolve('@kubernetes/client-node/package.json');
  } catch {
    // package "exports" may hide package.json; fall back to the conventional location
    pkgJson = join(ROOT, 'node_modules/@kubernetes/client-node/package.json');
  }
  const dir = join(dirname(pkgJson), 'dist/gen');
  if (!existsSync(join(dir, 'models'))) throw new Error(`gen-models: client-node models not found under ${dir}`);
  return dir;
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const QUANTITY = 'io.k8s.apimachinery.pkg.api.resource.Quantity';
const TIME = `${META}.Time`;
const MICROTIME = `${META}.MicroTime`;
const INTORSTRING = 'io.k8s.apimachinery.pkg.util.intstr.IntOrString';
const RAWEXT = 'io.k8s.apimachinery.pkg.runtime.RawExtension';
const FIELDSV1 = `${META}.FieldsV1`;
const APIEXT = 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions';
const AGGREGATOR = 'io.k8s.kube-aggregator.pkg.apis.apiregistration';

/** meta/v1 types (client-node names them V1<Kind> like any other v1 type). */
const META_KINDS = new Set([
  'APIGroup', 'APIGroupList', 'APIResource', 'APIResourceList', 'APIVersions', 'Condition', 'DeleteOptions',
  'FieldSelectorRequirement', 'GroupResource', 'GroupVersionForDiscovery', 'LabelSelector',
  'LabelSelectorRequirement', 'ListMeta', 'ManagedFieldsEntry', 'ObjectMeta', 'OwnerReference', 'Preconditions',
  'ServerAddressByClientCIDR', 'ShardInfo', 'Status', 'StatusCause', 'StatusDetails', 'WatchEvent',
]);

/** Types that only groups other than their own reach first; their home package, by upstream. */
const HOME_OVERRIDES = {
  V1TopologySelectorTerm: 'core', V1TopologySelectorLabelRequirement: 'core',
  V1ScopedResourceSelectorRequirement: 'core',
  // core/v1 serves these as subresources, but they live in other groups
  V1Scale: 'autoscaling', V1ScaleSpec: 'autoscaling', V1ScaleStatus: 'autoscaling', V1Eviction: 'policy',
  V1TokenRequestSpec: 'authentication', V1TokenRequestStatus: 'authentication', V1BoundObjectReference: 'authentication',
};

/** Go package (as in definition names) of an API group. */
function pkgOfGroup(group) {
  if (group === '') return 'core';
  const special = {
    'rbac.authorization.k8s.io': 'rbac', 'internal.apiserver.k8s.io': 'apiserverinternal',
  };
  return special[group] ?? group.split('.')[0];
}

function defPrefix(pkg, version) {
  if (pkg === 'meta') return META;
  if (pkg === 'apiextensions') return `${APIEXT}.${version}`;
  if (pkg === 'apiregistration') return `${AGGREGATOR}.${version}`;
  return `io.k8s.api.${pkg}.${version}`;
}

// Fields whose client-node type lost a named upstream type. Keys are "<pkg>.<version>.<Kind>"
// (definition name without the io.k8s.* prefix), values the JSON field names.
/** string or map-of-string fields that are resource.Quantity upstream */
const QUANTITY_FIELDS = {
  'core.v1.ContainerStatus': ['allocatedResources'],
  'core.v1.EmptyDirVolumeSource': ['sizeLimit'],
  'core.v1.LimitRangeItem': ['default', 'defaultRequest', 'max', 'maxLimitRequestRatio', 'min'],
  'core.v1.NodeAllocatableResourceClaimStatus': ['resources'],
  'core.v1.NodeStatus': ['allocatable', 'capacity'],
  'core.v1.PersistentVolumeClaimStatus': ['allocatedResources', 'capacity'],
  'core.v1.PersistentVolumeSpec': ['capacity'],
  'core.v1.PodSpec': ['overhead'],
  'core.v1.PodStatus': ['allocatedResources'],
  'core.v1.ResourceFieldSelector': ['divisor'],
  'core.v1.ResourceQuotaSpec': ['hard'],
  'core.v1.ResourceQuotaStatus': ['hard', 'used'],
  'core.v1.ResourceRequirements': ['limits', 'requests'],
  'core.v1.VolumeResourceRequirements': ['limits', 'requests'],
  'autoscaling.v2.HPAScalingRules': ['tolerance'],
  'autoscaling.v2.MetricTarget': ['averageValue', 'value'],
  'autoscaling.v2.MetricValueStatus': ['averageValue', 'value'],
  'node.v1.Overhead': ['podFixed'],
  'storage.v1.CSIStorageCapacity': ['capacity', 'maximumVolumeSize'],
  'storage.v1beta1.CSIStorageCapacity': ['capacity', 'maximumVolumeSize'],
};
// resource.k8s.io (DRA) carries the same Quantity fields in every version
for (const v of ['v1', 'v1beta1', 'v1beta2']) {
  Object.assign(QUANTITY_FIELDS, {
    [`resource.${v}.CapacityRequestPolicy`]: ['default', 'validValues'],
    [`resource.${v}.CapacityRequestPolicyRange`]: ['max', 'min', 'step'],
    [`resource.${v}.CapacityRequirements`]: ['requests'],
    [`resource.${v}.Counter`]: ['value'],
    [`resource.${v}.DeviceCapacity`]: ['value'],
    [`resource.${v}.DeviceRequestAllocationResult`]: ['consumedCapacity'],
    [`resource.${v}.NodeAllocatableResourceMapping`]: ['allocationMultiplier'],
  });
}

/** `any` fields: RawExtension unless listed here */
const ANY_FIELDS = {
  'meta.v1.ManagedFieldsEntry': { fieldsV1: FIELDSV1 },
  'apiserverinternal.v1alpha1.StorageVersion': { spec: 'io.k8s.api.apiserverinternal.v1alpha1.StorageVersionSpec' },
  'scheduling.v1alpha2.PodGroupSchedulingPolicy': { basic: 'io.k8s.api.scheduling.v1alpha2.BasicSchedulingPolicy' },
  'apiextensions.v1.CustomResourceSubresources': { status: `${APIEXT}.v1.CustomResourceSubresourceStatus` },
  'apiextensions.v1.JSONSchemaProps': {
    additionalItems: `${APIEXT}.v1.JSONSchemaPropsOrBool`, additionalProperties: `${APIEXT}.v1.JSONSchemaPropsOrBool`,
    dependencies: `${APIEXT}.v1.JSONSchemaPropsOrStringArray`, items: `${APIEXT}.v1.JSONSchemaPropsOrArray`,
  },
};
const JSON_ANY_PKG = 'apiextensions'; // every `any` in apiextensions is apiextensions/v1 JSON

// ---------------------------------------------------------------------------------------------

function parseModel(dir, file) {
  const name = file.replace(/\.js$/, '');
  const js = readFileSync(join(dir, file), 'utf8');
  const m = js.match(/\.attributeTypeMap = (\[[\s\S]*?\]);/);
  if (!m) return undefined;
  const attrs = JSON.parse(m[1]);
  const dts = existsSync(join(dir, `${name}.d.ts`)) ? readFileSync(join(dir, `${name}.d.ts`), 'utf8') : '';
  const docs = {};
  const required = new Set();
  let classDoc;
  const cls = dts.match(/\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*export declare class/);
  if (cls) classDoc = cleanDoc(cls[1]);
  // property blocks: optional JSDoc then 'name'?: type
  const re = /(?:\/\*\*((?:(?!\*\/)[\s\S])*)\*\/\s*)?'([^']+)'(\??):/g;
  let p;
  while ((p = re.exec(dts))) {
    if (p[1] !== undefined) docs[p[2]] = cleanDoc(p[1]);
    if (p[3] !== '?') required.add(p[2]);
  }
  return { name, attrs, docs, required, classDoc };
}

/** JSDoc body → upstream description text (client-node escapes quotes and folds "\n\n" to "  "). */
function cleanDoc(body) {
  const text = body.split('\n').map((l) => l.replace(/^\s*\* ?/, '')).join('\n').trim();
  return text
    .replace(/\\(['"\\`])/g, '$1')
    // the generator defuses comment markers inside JSDoc: "*/" became "*_/" and "/*" "/_*"
    .replace(/\*_\//g, '*/').replace(/\/_\*/g, '/*')
    .replace(/([.:)]) {2}(?=\S)/g, '$1\n\n');
}

/** V1alpha2Foo → {version:'v1alpha2', kind:'Foo'}; CoreV1Event → {pkg:'core', version:'v1', kind:'Event'} */
function splitName(name) {
  const v = name.match(/^(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/);
  if (v) return { version: v[1].toLowerCase(), kind: v[2] };
  const g = name.match(/^([A-Z][a-z]+)(V\d+(?:alpha\d+|beta\d+)?)([A-Z].*)$/);
  if (g) return { pkg: g[1].toLowerCase(), version: g[2].toLowerCase(), kind: g[3] };
  return undefined;
}

/** client-node type string → referenced model names */
function modelRefs(type) {
  return (type.match(/\b(?:[A-Z][a-z]+)?V\d+(?:alpha\d+|beta\d+)?[A-Z]\w*/g) ?? []);
}

/** API classes in order: core first, then upstream's discovery group order, then the rest. */
function readApis(genDir) {
  const dir = join(genDir, 'apis');
  const apis = [];
  for (const f of readdirSync(dir)) {
    const m = f.match(/^([A-Z]\w*?)(V\d+(?:alpha\d+|beta\d+)?)Api\.js$/);
    if (!m) continue;
    const js = readFileSync(join(dir, f), 'utf8');
    const path = js.match(/localVarPath = '\/(api\/v1|apis\/([^/']+)\/([^/']+))/);
    if (!path) continue;
    const group = path[2] ?? '';
    const version = path[3] ?? 'v1';
    const dts = readFileSync(join(dir, f.replace(/\.js$/, '.d.ts')), 'utf8');
    const models = [...dts.matchAll(/from '\.\.\/models\/(\w+)\.js'/g)].map((x) => x[1]);
    apis.push({ group, version, pkg: pkgOfGroup(group), models });
  }
  const order = ['', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch',
    'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io',
    'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io',
    'node.k8s.io', 'discovery.k8s.io', 'flowcontrol.apiserver.k8s.io'];
  const rank = (g) => (order.includes(g) ? order.indexOf(g) : order.length);
  const vrank = (v) => (/alpha/.test(v) ? 2 : /beta/.test(v) ? 1 : 0);
  apis.sort((a, b) => rank(a.group) - rank(b.group) || a.group.localeCompare(b.group)
    || vrank(a.version) - vrank(b.version) || b.version.localeCompare(a.version));
  return apis;
}

export function generate() {
  const genDir = clientNodeGenDir();
  const modelsDir = join(genDir, 'models');
  const models = new Map();
  for (const f of readdirSync(modelsDir)) {
    if (!f.endsWith('.js') || f === 'ObjectSerializer.js' || f === 'all.js') continue;
    const m = parseModel(modelsDir, f);
    if (m) models.set(m.name, m);
  }

  // 1. home package of every model reachable from an API group
  const home = new Map(); // model name → {pkg, version, kind}
  const gvkOf = new Map(); // model name → {group, version, kind}
  const assign = (name, pkg) => {
    if (home.has(name) || !models.has(name)) return false;
    const s = splitName(name);
    if (!s) {
      if (name === 'VersionInfo') { home.set(name, { full: 'io.k8s.apimachinery.pkg.version.Info' }); return true; }
      return false;
    }
    if (s.pkg) { home.set(name, { pkg: s.pkg, version: s.version, kind: s.kind }); return true; }
    if (s.version === 'v1' && META_KINDS.has(s.kind)) { home.set(name, { pkg: 'meta', version: 'v1', kind: s.kind }); return true; }
    home.set(name, { pkg: HOME_OVERRIDES[name] ?? pkg, version: s.version, kind: s.kind });
    return true;
  };
  // meta/v1 first: their V1 names would otherwise be claimed by the first group reaching them
  const metaQueue = [];
  for (const k of META_KINDS) if (assign(`V1${k}`, 'meta')) metaQueue.push(`V1${k}`);
  assign('VersionInfo', 'meta');
  const apis = readApis(genDir);
  const groupOfPkg = new Map([['meta', '']]);
  for (const api of apis) if (!groupOfPkg.has(api.pkg)) groupOfPkg.set(api.pkg, api.group);
  const walk = (queue, pkg) => {
    while (queue.length) {
      const m = models.get(queue.shift());
      for (const a of m.attrs) for (const r of modelRefs(a.type)) if (assign(r, pkg)) queue.push(r);
    }
  };
  walk(metaQueue, 'meta');
  for (const api of apis) {
    const queue = [];
    for (const name of api.models) {
      const s = splitName(name);
      if (s && s.version === api.version && assign(name, api.pkg)) queue.push(name);
    }
    walk(queue, api.pkg);
  }
  // x-kubernetes-group-version-kind on every top-level kind (has apiVersion and kind)
  const META_GVK = new Set(['APIGroup', 'APIGroupList', 'APIResourceList', 'APIVersions', 'Status', 'DeleteOptions', 'WatchEvent']);
  for (const [name, h] of home) {
    const attrs = models.get(name).attrs.map((a) => a.baseName);
    if (!h.kind || !attrs.includes('apiVersion') || !attrs.includes('kind')) continue;
    // references (ObjectReference, ParamKind, …) carry apiVersion/kind too, but have no metadata
    if (h.pkg === 'meta' ? !META_GVK.has(h.kind) : !attrs.includes('metadata')) continue;
    const group = groupOfPkg.get(h.pkg);
    if (group !== undefined) gvkOf.set(name, { group, kind: h.kind, version: h.version });
  }

  const defName = (model) => {
    const h = home.get(model);
    if (!h) return undefined;
    return h.full ?? `${defPrefix(h.pkg, h.version)}.${h.kind}`;
  };

  // 2. definitions
  const defs = {};
  for (const [name] of home) {
    const m = models.get(name);
    const dn = defName(name);
    const short = dn.replace(/^io\.k8s\.(api|apimachinery\.pkg\.apis|apiextensions-apiserver\.pkg\.apis|kube-aggregator\.pkg\.apis)\./, '');
    const h = home.get(name);
    const def = {};
    if (m.classDoc) def.description = m.classDoc;
    const props = {};
    for (const a of m.attrs) {
      const ctx = {
        quantity: QUANTITY_FIELDS[short]?.includes(a.baseName),
        any: ANY_FIELDS[short]?.[a.baseName] ?? (h.pkg === JSON_ANY_PKG ? `${APIEXT}.v1.JSON` : RAWEXT),
      };
      const schema = typeSchema(a.type, a.format, ctx, defName);
      if (m.docs[a.name] !== undefined) {
        // v2 puts the description beside $ref (as upstream's swagger.json does)
        schema.description = m.docs[a.name];
      }
      props[a.baseName] = schema;
    }
    const req = m.attrs.filter((a) => m.required.has(a.name)).map((a) => a.baseName);
    if (req.length) def.required = req;
    if (Object.keys(props).length) def.properties = props;
    def.type = 'object';
    const gvk = gvkOf.get(name);
    if (gvk) def['x-kubernetes-group-version-kind'] = [gvk];
    defs[dn] = def;
  }

  // 3. the named scalar types client-node flattens away (descriptions are ours)
  defs[QUANTITY] = {
    description: 'Quantity is a fixed-point number with an optional SI or binary suffix, e.g. "100m", "1.5Gi", "2". Serialized as a string; numbers are accepted on input.',
    type: 'string',
  };
  defs[TIME] = { description: 'Time is an RFC 3339 timestamp with second precision, serialized in UTC.', format: 'date-time', type: 'string' };
  defs[MICROTIME] = { description: 'MicroTime is an RFC 3339 timestamp with microsecond precision.', format: 'date-time', type: 'string' };
  defs[INTORSTRING] = {
    description: 'IntOrString holds either an int32 or a string; JSON carries whichever was set.',
    format: 'int-or-string', type: 'string',
  };
  defs[RAWEXT] = { description: 'RawExtension holds a complete embedded object (with apiVersion and kind) or any JSON.', type: 'object' };
  defs[FIELDSV1] = { description: 'FieldsV1 is a trie of field paths in JSON form, used by managedFields.', type: 'object' };
  defs[`${APIEXT}.v1.JSON`] = { description: 'JSON holds any JSON value: bool, number, string, array, object or null.' };
  defs[`${META}.Patch`] = { description: 'Patch is a patch document; its content type says which kind of patch it is.', type: 'object' };
  // empty structs and JSON-or-X unions that client-node types as `any`
  defs['io.k8s.api.apiserverinternal.v1alpha1.StorageVersionSpec'] = { description: 'StorageVersionSpec is empty.', type: 'object' };
  defs['io.k8s.api.scheduling.v1alpha2.BasicSchedulingPolicy'] = { description: 'BasicSchedulingPolicy selects the default Kubernetes scheduling behaviour.', type: 'object' };
  defs[`${APIEXT}.v1.CustomResourceSubresourceStatus`] = {
    description: 'CustomResourceSubresourceStatus enables the /status subresource; it has no fields.', type: 'object' };
  defs[`${APIEXT}.v1.JSONSchemaPropsOrBool`] = { description: 'JSONSchemaPropsOrBool is a JSONSchemaProps or a boolean (true when unset).' };
  defs[`${APIEXT}.v1.JSONSchemaPropsOrArray`] = { description: 'JSONSchemaPropsOrArray is a JSONSchemaProps or an array of them.' };
  defs[`${APIEXT}.v1.JSONSchemaPropsOrStringArray`] = { description: 'JSONSchemaPropsOrStringArray is a JSONSchemaProps or an array of strings.' };

  // client-node drops the description of fields whose type is another model; for lists and maps
  // of a model the element type's description is the closest thing we have. A field that is the
  // model itself gets none: kubectl explain prints the model's description after the field's, and
  // copying it would print it twice.
  for (const def of Object.values(defs)) {
    for (const prop of Object.values(def.properties ?? {})) {
      if (prop.description !== undefined) continue;
      const ref = prop.items?.$ref ?? prop.additionalProperties?.$ref;
      const target = ref && defs[ref.replace('#/definitions/', '')];
      if (target?.description) prop.description = target.description;
    }
  }

  const sorted = {};
  for (const k of Object.keys(defs).sort()) sorted[k] = orderKeys(defs[k]);
  return { definitions: sorted };
}

/** stable output: object keys sorted at every level except property maps keep client-node's order */
function orderKeys(o) {
  if (Array.isArray(o) || o === null || typeof o !== 'object') return o;
  const out = {};
  for (const k of Object.keys(o).sort()) out[k] = Array.isArray(o[k]) ? o[k] : orderKeys(o[k]);
  return out;
}

function typeSchema(type, format, ctx, defName) {
  const t = type.trim();
  const arr = t.match(/^Array<(.+)>$/);
  if (arr) return { type: 'array', items: typeSchema(arr[1], format, ctx, defName) };
  const map = t.match(/^\{ \[key: string\]: (.+); \}$/);
  if (map) return { type: 'object', additionalProperties: typeSchema(map[1], format, ctx, defName) };
  switch (t) {
    case 'string':
      if (ctx.quantity) return { $ref: `#/definitions/${QUANTITY}` };
      return format ? { type: 'string', format } : { type: 'string' };
    case 'number':
      if (format === 'int32' || format === 'int64') return { type: 'integer', format };
      return format ? { type: 'number', format } : { type: 'number' };
    case 'boolean': return { type: 'boolean' };
    case 'Date': return { $ref: `#/definitions/${TIME}` };
    case 'V1MicroTime': return { $ref: `#/definitions/${MICROTIME}` };
    case 'IntOrString': return { $ref: `#/definitions/${INTORSTRING}` };
    case 'any': return { $ref: `#/definitions/${ctx.any}` };
    default: {
      const dn = defName(t);
      if (!dn) throw new Error(`gen-models: no definition for client-node type ${t}`);
      return { $ref: `#/definitions/${dn}` };
    }
  }
}

// ---------------------------------------------------------------------------------------------

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const outs = process.argv.length > 2 ? process.argv.slice(2).map((p) => resolve(p)) : [
    join(ROOT, 'src/api/schema/generated/models.json'),
    join(ROOT, 'dist/api/schema/generated/models.json'),
  ];
  const doc = generate();
  const text = JSON.stringify(doc);
  for (const out of outs) {
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
  }
  process.stderr.write(`gen-models: ${Object.keys(doc.definitions).length} definitions → ${outs.map((o) => o.replace(`${ROOT}/`, '')).join(', ')}\n`);
}
