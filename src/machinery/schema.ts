// A resolved, in-memory view of an OpenAPI schema: what strategic merge patch, strict field
// validation, defaulting and (later) server-side apply walk. References are resolved into object
// links, so the graph may contain cycles (e.g. JSONSchemaProps); walk it lazily.

export interface SchemaNode {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  format?: string;                          // int32, int64, date-time, byte, int-or-string, …
  description?: string;
  /** struct fields */
  properties?: Record<string, SchemaNode>;
  required?: string[];
  /** map values (type object with no properties) */
  additionalProperties?: SchemaNode;
  /** list elements */
  items?: SchemaNode;
  /** IntOrString */
  intOrString?: boolean;
  /** any JSON (RawExtension, JSON, unknown) — no checks below this node */
  preserveUnknownFields?: boolean;
  /** a full object with apiVersion/kind/metadata inside (RawExtension-like) */
  embeddedResource?: boolean;

  // Patch metadata, as carried on the field that holds this node (x-kubernetes-patch-*).
  patchStrategy?: string;                   // 'merge' | 'replace' | 'retainKeys' | 'merge,retainKeys'
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';      // x-kubernetes-list-type
  listMapKeys?: string[];                   // x-kubernetes-list-map-keys
  mapType?: 'atomic' | 'granular';
  /** OpenAPI definition name this node came from, when it was a $ref */
  ref?: string;
}
