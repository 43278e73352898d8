// Resolves OpenAPI definitions into SchemaNode graphs (src/machinery/schema.ts). Sub-nodes are built
// lazily on first access: the graph is cyclic (JSONSchemaProps) and most requests only walk a
// small part of it.

import type { SchemaNode } from '../../machinery/schema.js';
import {
  INT_OR_STRING, QUANTITY, RAW_EXTENSION, loadDefinitions, refName, type OpenAPIv2Schema,
} from './definitions.js';

const byName = new Map<string, SchemaNode>();

/** Definitions whose value is free-form JSON: nothing below them is checked. */
const FREE_FORM = new Set([
  RAW_EXTENSION,
  'io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSON',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrBool',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrArray',
  'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaPropsOrStringArray',
]);

/** Defines `key` on `node` as a getter that computes once, then becomes a plain data property. */
function lazy<K extends keyof SchemaNode>(node: SchemaNode, key: K, compute: () => SchemaNode[K]): void {
  Object.defineProperty(node, key, {
    enumerable: true, configurable: true,
    get() {
      const value = compute();
      Object.defineProperty(node, key, { value, enumerable: true, configurable: true, writable: true });
      return value;
    },
  });
}

/** The resolved node of a definition, e.g. schemaFor('io.k8s.api.apps.v1.Deployment'). */
export function schemaFor(definitionName: string): SchemaNode {
  let node = byName.get(definitionName);
  if (!node) {
    const def = loadDefinitions()[definitionName];
    if (!def) throw new Error(`schema: no definition ${definitionName}`);
    node = fromSchema(def, definitionName);
    byName.set(definitionName, node);
  }
  return node;
}

/** A node for a definition's body (its own fields, lazily resolved). */
function fromSchema(s: OpenAPIv2Schema, name?: string): SchemaNode {
  const node: SchemaNode = {};
  if (name) node.ref = name;
  if (name === INT_OR_STRING || s.format === 'int-or-string') {
    node.intOrString = true;
    node.format = 'int-or-string';
  } else {
    if (s.type) node.type = s.type as SchemaNode['type'];
    if (s.format) node.format = s.format;
  }
  // Quantity accepts a JSON string or number; the marker lets checkers tell it from a plain string
  if (name === QUANTITY) node.format = 'quantity';
  if (s.description !== undefined) node.description = s.description;
  if (name && FREE_FORM.has(name)) {
    node.preserveUnknownFields = true;
    if (name === RAW_EXTENSION) node.embeddedResource = true;
  }
  if (s.required) node.required = s.required;
  const mapType = s['x-kubernetes-map-type'];
  if (mapType) node.mapType = mapType as SchemaNode['mapType'];
  if (s.properties) {
    const props = s.properties;
    lazy(node, 'properties', () => {
      const out: Record<string, SchemaNode> = {};
      for (const [k, p] of Object.entries(props)) out[k] = fieldNode(p);
      return out;
    });
  }
  if (s.items) { const it = s.items; lazy(node, 'items', () => fieldNode(it)); }
  if (s.additionalProperties && typeof s.additionalProperties === 'object') {
    const ap = s.additionalProperties;
    lazy(node, 'additionalProperties', () => fieldNode(ap));
  }
  return node;
}

/**
 * The node of one field. A $ref field gets its own node (the field's description and patch
 * metadata differ per use) whose sub-nodes are shared with the referenced definition's node.
 */
function fieldNode(p: OpenAPIv2Schema): SchemaNode {
  let node: SchemaNode;
  if (p.$ref) {
    const name = refName(p.$ref);
    const target = schemaFor(name);
    node = { ref: name };
    for (const k of ['type', 'format', 'description', 'required', 'intOrString', 'preserveUnknownFields',
      'embeddedResource', 'mapType'] as const) {
      if (target[k] !== undefined) (node as Record<string, unknown>)[k] = target[k];
    }
    for (const k of ['properties', 'items', 'additionalProperties'] as const) {
      const desc = Object.getOwnPropertyDescriptor(target, k);
      if (desc) lazy(node, k, () => target[k] as never);
    }
    if (p.description !== undefined) node.description = p.description;
  } else {
    node = fromSchema(p);
  }
  const x = p as Record<string, unknown>;
  if (x['x-kubernetes-patch-strategy']) node.patchStrategy = x['x-kubernetes-patch-strategy'] as string;
  if (x['x-kubernetes-patch-merge-key']) node.patchMergeKey = x['x-kubernetes-patch-merge-key'] as string;
  if (x['x-kubernetes-list-type']) node.listType = x['x-kubernetes-list-type'] as SchemaNode['listType'];
  if (x['x-kubernetes-list-map-keys']) node.listMapKeys = x['x-kubernetes-list-map-keys'] as string[];
  if (x['x-kubernetes-map-type']) node.mapType = x['x-kubernetes-map-type'] as SchemaNode['mapType'];
  return node;
}
