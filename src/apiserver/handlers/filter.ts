// List/watch filtering: label and field selectors applied as upstream does, with the fields each
// kind supports for selection (metadata.name and metadata.namespace always).

import { StatusError } from '../../machinery/errors.js';
import { parseLabelSelector } from '../../machinery/labels/selector.js';
import { parseFieldSelector } from '../../machinery/fields/selector.js';
import type { KObject, ResourceType } from '../../api/types.js';

export interface ObjectFilter {
  /** true when no selector restricts the result (remainingItemCount is only reported then) */
  empty: boolean;
  matches(obj: KObject): boolean;
  /**
   * The same decision for a cached object, reading its parsed form only when the selector needs
   * more than the name and namespace (which the storage key carries).
   */
  test(c: { key: string; readonly obj: KObject; attrs<T>(by: object, compute: (obj: KObject) => T): T }): boolean;
}

/** labels and selectable fields of an object, as upstream's watch cache keeps them per object */
interface SelectionAttrs { labels: Record<string, string>; fields: Record<string, string | undefined> }

export function buildFilter(type: ResourceType, query: URLSearchParams): ObjectFilter {
  const ls = query.get('labelSelector') ?? '';
  const fs = query.get('fieldSelector') ?? '';
  const labelSel = ls ? parseLabelSelector(ls) : undefined;
  let fieldSel: ReturnType<typeof parseFieldSelector> | undefined;
  if (fs) {
    fieldSel = parseFieldSelector(fs);
    for (const r of fieldSel.requirements()) {
      const f = r.field;
      if (f !== 'metadata.name' && !(f === 'metadata.namespace' && type.namespaced) && !Object.hasOwn(type.fieldSelectors, f)) {
        // kinds with their own selectable fields say "field label not supported"; the others list the two generic ones
        if (Object.keys(type.fieldSelectors).length) throw new StatusError(400, 'BadRequest', `field label not supported: ${f}`);
        throw new StatusError(400, 'BadRequest', `${JSON.stringify(f)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
      }
    }
  }
  if (!labelSel && !fieldSel) return { empty: true, matches: () => true, test: () => true };
  const getField = (obj: KObject) => (f: string): string | undefined => {
    if (f === 'metadata.name') return obj.metadata?.name ?? '';
    if (f === 'metadata.namespace') return obj.metadata?.namespace ?? '';
    const fn = Object.hasOwn(type.fieldSelectors, f) ? type.fieldSelectors[f] : undefined;
    return fn ? fn(obj) : undefined;
  };
  const matches = (obj: KObject): boolean => {
    if (labelSel && !labelSel.matches(obj.metadata?.labels ?? {})) return false;
    if (fieldSel && !fieldSel.matches(getField(obj))) return false;
    return true;
  };
  // every selectable field at once: the attributes serve any selector on this kind
  const selectors = type.fieldSelectors;
  const attrsOf = (obj: KObject): SelectionAttrs => {
    const fields: Record<string, string | undefined> = { 'metadata.name': obj.metadata?.name ?? '', 'metadata.namespace': obj.metadata?.namespace ?? '' };
    for (const f of Object.keys(selectors)) fields[f] = selectors[f](obj);
    return { labels: obj.metadata?.labels ?? {}, fields };
  };
  const matchesAttrs = (a: SelectionAttrs): boolean => {
    if (labelSel && !labelSel.matches(a.labels)) return false;
    if (fieldSel && !fieldSel.matches((f) => (Object.hasOwn(a.fields, f) ? a.fields[f] : undefined))) return false;
    return true;
  };
  // /registry/<resource>/[<namespace>/]<name>: name and namespace come from the key
  const keyOnly = !labelSel && !!fieldSel && fieldSel.requirements().every((r) => r.field === 'metadata.name' || r.field === 'metadata.namespace');
  const fromKey = (key: string) => (f: string): string | undefined => {
    const parts = key.split('/');
    if (f === 'metadata.name') return parts[parts.length - 1];
    if (f === 'metadata.namespace') return type.namespaced ? parts[parts.length - 2] : '';
    return undefined;
  };
  return {
    empty: false,
    matches,
    test: (c) => (keyOnly ? fieldSel!.matches(fromKey(c.key)) : matchesAttrs(c.attrs(selectors, attrsOf))),
  };
}

