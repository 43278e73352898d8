// The type information server-side apply walks (structured-merge-diff's schema): scalars, maps
// (structs with named fields and/or maps with an element type), lists (atomic, set, or map keyed by
// x-kubernetes-list-map-keys), and untyped values whose shape is deduced from the value. Compiled
// lazily from SchemaNode graphs (built-in kinds) or from a CRD's structural schema, and cached, so
// an apply only touches the part of the schema its object uses.

import type { SchemaNode } from '../../machinery/schema.js';
import type { ResourceType } from '../../api/types.js';
import type { JSONSchemaProps } from '../../apiextensions/schema/types.js';
import { schemaFor, loadDefinitions } from '../../api/schema/index.js';

export interface ScalarType { kind: 'scalar' }
/** any value, replaced as a whole (RawExtension, FieldsV1, …) */
export interface AtomicAnyType { kind: 'atomic' }
/** any value; objects merge granularly, lists are atomic (structured-merge-diff's deduced type) */
export interface UntypedType { kind: 'untyped' }
export interface MapType {
  kind: 'map';
  atomic: boolean;
  /** type of a named field (structs), undefined when the field is not declared */
  field(name: string): TypeInfo | undefined;
  /** type of the values of keys that are not named fields (maps); undefined for closed structs */
  elem?: TypeInfo;
  /** fields that are never absent in upstream's Go objects (non-pointer structs): compare treats a missing one as {} */
  zeroFields?: readonly string[];
  /** required fields: present as null in upstream's Go objects even when unset (no omitempty) */
  nullFields?: readonly string[];
}
export interface ListType {
  kind: 'list';
  listType: 'atomic' | 'set' | 'map';
  keys: readonly string[];
  elem: TypeInfo;
}
export type TypeInfo = ScalarType | AtomicAnyType | UntypedType | MapType | ListType;

export const SCALAR: ScalarType = { kind: 'scalar' };
export const ATOMIC: AtomicAnyType = { kind: 'atomic' };
export const UNTYPED: UntypedType = { kind: 'untyped' };

/** built-in definitions whose value is free-form JSON: structured-merge-diff's __untyped_atomic_ */
const ATOMIC_DEFINITIONS = new Set([
  'io.k8s.apimachinery.pkg.runtime.RawExtension',
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

/**
 * Non-pointer struct fields of common built-in types. Upstream compares typed Go objects, where these
 * are {} rather than absent, so creating an object does not mark them as owned themselves (no "."
 * in their FieldsV1). The top-level metadata/spec/status are added for every built-in kind.
 */
const VALUE_STRUCT_FIELDS: Record<string, readonly string[]> = {
  'io.k8s.api.core.v1.PodTemplateSpec': ['metadata', 'spec'],
  'io.k8s.api.apps.v1.DeploymentSpec': ['template', 'strategy'],
  'io.k8s.api.apps.v1.StatefulSetSpec': ['template', 'updateStrategy'],
  'io.k8s.api.apps.v1.DaemonSetSpec': ['template', 'updateStrategy'],
  'io.k8s.api.apps.v1.ReplicaSetSpec': ['template'],
  'io.k8s.api.batch.v1.JobSpec': ['template'],
  'io.k8s.api.batch.v1.CronJobSpec': ['jobTemplate'],
  'io.k8s.api.batch.v1.JobTemplateSpec': ['metadata', 'spec'],
  'io.k8s.api.core.v1.Container': ['resources'],
  'io.k8s.api.core.v1.PersistentVolumeClaimSpec': ['resources'],
  'io.k8s.api.core.v1.ServiceStatus': ['loadBalancer'],
};

const fromNodes = new WeakMap<SchemaNode, TypeInfo>();

/** Compiles a SchemaNode (a field's node: it carries the field's list/map metadata). */
export function typeFromSchemaNode(node: SchemaNode): TypeInfo {
  let t = fromNodes.get(node);
  if (!t) { t = compileNode(node); fromNodes.set(node, t); }
  return t;
}

function compileNode(n: SchemaNode): TypeInfo {
  if (n.ref && ATOMIC_DEFINITIONS.has(n.ref)) return ATOMIC;
  if (n.intOrString || n.format === 'quantity') return SCALAR;
  if (n.type === 'array') {
    const items = n.items;
    const elem = items ? typeFromSchemaNode(items) : UNTYPED;
    let listType = n.listType;
    let keys = n.listMapKeys ?? [];
    if (!listType) {
      // upstream's OpenAPI → SMD conversion: a merge patch strategy means an associative list
      const merge = n.patchStrategy?.split(',').includes('merge');
      if (merge && n.patchMergeKey) { listType = 'map'; keys = [n.patchMergeKey]; } else if (merge) listType = 'set';
      else listType = 'atomic';
    }
    if (listType === 'map' && keys.length === 0) listType = 'atomic';
    return { kind: 'list', listType, keys, elem };
  }
  if (n.type && n.type !== 'object') return SCALAR;
  if (n.preserveUnknownFields && !n.properties) return n.embeddedResource ? ATOMIC : UNTYPED;
  if (!n.type && !n.properties && !n.additionalProperties) return UNTYPED;
  const fieldCache = new Map<string, TypeInfo | undefined>();
  const m: MapType = {
    kind: 'map',
    atomic: n.mapType === 'atomic',
    field(name) {
      if (fieldCache.has(name)) return fieldCache.get(name);
      const p = n.properties?.[name];
      const t = p ? typeFromSchemaNode(p) : undefined;
      fieldCache.set(name, t);
      return t;
    },
  };
  if (n.additionalProperties) {
    const ap = n.additionalProperties;
    Object.defineProperty(m, 'elem', { enumerable: true, get: () => typeFromSchemaNode(ap) });
  } else if (!n.properties) m.elem = UNTYPED;
  if (n.preserveUnknownFields) m.elem = UNTYPED;
  if (n.ref && VALUE_STRUCT_FIELDS[n.ref]) m.zeroFields = VALUE_STRUCT_FIELDS[n.ref];
  if (n.required?.length) m.nullFields = n.required;
  return m;
}

/**
 * A CRD's structural schema (apiextensions v1 JSONSchemaProps, as src/apiextensions types it): apply
 * reads type, properties, items, additionalProperties, $ref and the x-kubernetes-* markers.
 */
export type StructuralSchema = JSONSchemaProps;

const fromStructural = new WeakMap<object, TypeInfo>();

/**
 * The CRD hook: compiles a structural schema into apply's type information. Top-level metadata is
 * ObjectMeta and apiVersion/kind are strings, as upstream adds to every custom resource schema.
 */
export function typeFromStructuralSchema(schema: StructuralSchema, root = true): TypeInfo {
  let t = fromStructural.get(schema);
  if (!t) {
    t = compileStructural(schema, root);
    fromStructural.set(schema, t);
  }
  return t;
}

function compileStructural(s: StructuralSchema, root: boolean): TypeInfo {
  if (s.$ref) {
    const name = s.$ref.replace(/^#\/definitions\//, '').replace(/^#\/components\/schemas\//, '');
    try { return typeFromSchemaNode(schemaFor(name)); } catch { return UNTYPED; }
  }
  if (s['x-kubernetes-int-or-string']) return SCALAR;
  const preserve = s['x-kubernetes-preserve-unknown-fields'] === true;
  const embedded = s['x-kubernetes-embedded-resource'] === true;
  if (s.type === 'array') {
    const items = Array.isArray(s.items) ? s.items[0] : s.items;
    const elem = items ? typeFromStructuralSchema(items, false) : UNTYPED;
    let listType = s['x-kubernetes-list-type'] ?? 'atomic';
    const keys = s['x-kubernetes-list-map-keys'] ?? [];
    if (listType === 'map' && keys.length === 0) listType = 'atomic';
    return { kind: 'list', listType, keys, elem };
  }
  if (s.type && s.type !== 'object') return SCALAR;
  if (!s.type && !s.properties && !s.additionalProperties && !embedded && !root) return UNTYPED;
  const props = s.properties ?? {};
  const fieldCache = new Map<string, TypeInfo | undefined>();
  const m: MapType = {
    kind: 'map',
    atomic: s['x-kubernetes-map-type'] === 'atomic',
    field(name) {
      if (fieldCache.has(name)) return fieldCache.get(name);
      let t: TypeInfo | undefined;
      const p = props[name];
      if ((root || embedded) && name === 'metadata') t = typeFromSchemaNode(schemaFor('io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta'));
      else if ((root || embedded) && (name === 'apiVersion' || name === 'kind')) t = SCALAR;
      else if (p) t = typeFromStructuralSchema(p, false);
      fieldCache.set(name, t);
      return t;
    },
  };
  const ap = s.additionalProperties;
  if (ap && typeof ap === 'object') m.elem = typeFromStructuralSchema(ap, false);
  else if (ap === true || preserve || (!s.properties && !root)) m.elem = UNTYPED;
  return m;
}

const registered = new WeakMap<ResourceType, TypeInfo>();

/** Lets a resource's owner (e.g. the CRD handler) state the type apply uses for it. */
export function setApplyType(type: ResourceType, info: TypeInfo | undefined): void {
  if (info) registered.set(type, info); else registered.delete(type);
}

const rootCache = new WeakMap<TypeInfo, TypeInfo>();

/** The type information of a served resource's objects. */
export function typeInfoFor(type: ResourceType): TypeInfo {
  const r = registered.get(type);
  if (r) return r;
  if (type.custom) {
    // the CRD's published definition (src/apiextensions lays it beside the built-ins); replaced
    // definition objects compile afresh, so a changed CRD schema is picked up
    const def = loadDefinitions()[type.definition] as StructuralSchema | undefined;
    return def ? typeFromStructuralSchema(def) : UNTYPED;
  }
  let node: SchemaNode;
  try { node = schemaFor(type.definition); } catch { return UNTYPED; }
  const t = typeFromSchemaNode(node);
  if (t.kind !== 'map') return t;
  // built-in kinds: metadata, spec and status are value structs in the Go types
  let root = rootCache.get(t);
  if (!root) {
    const zero = ['metadata', 'spec', 'status'].filter((f) => t.field(f));
    root = { ...t, field: (n: string) => t.field(n), zeroFields: zero };
    rootCache.set(t, root);
  }
  return root;
}
