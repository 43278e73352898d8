// Dropping fields the schema does not know, as decoding into upstream's Go structs does: an
// unknown field is never stored, whatever fieldValidation said about it.
import type { SchemaNode } from '../../machinery/schema.js';

export function pruneUnknownFields(v: unknown, s: SchemaNode | undefined): void {
  if (!s || v === null || typeof v !== 'object' || s.preserveUnknownFields) return;
  if (Array.isArray(v)) {
    if (s.items) for (const item of v) pruneUnknownFields(item, s.items);
    return;
  }
  const o = v as Record<string, unknown>;
  if (s.properties) {
    for (const k of Object.keys(o)) {
      const ps = Object.prototype.hasOwnProperty.call(s.properties, k) ? s.properties[k] : undefined;
      // apiVersion/kind are always known on top-level kinds even where a schema omits them
      if (!ps) { if (k !== 'apiVersion' && k !== 'kind') delete o[k]; continue; }
      pruneUnknownFields(o[k], ps);
    }
  } else if (s.additionalProperties) {
    for (const k of Object.keys(o)) pruneUnknownFields(o[k], s.additionalProperties);
  }
}
