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
}

export function buildFilter(type: ResourceType, query: URLSearchParams): ObjectFilter {
  const ls = query.get('labelSelector') ?? '';
  const fs = query.get('fieldSelector') ?? '';
  const labelSel = ls ? parseLabelSelector(ls) : undefined;
  let fieldSel: ReturnType<typeof parseFieldSelector> | undefined;
  if (fs) {
    fieldSel = parseFieldSelector(fs);
    for (const r of fieldSel.requirements()) {
      const f = r.field;
      if (f !== 'metadata.name' && !(f === 'metadata.namespace' && type.namespaced) && !(f in type.fieldSelectors)) {
        // kinds with their own selectable fields say "field label not supported"; the others list the two generic ones
        if (Object.keys(type.fieldSelectors).length) throw new StatusError(400, 'BadRequest', `field label not supported: ${f}`);
        throw new StatusError(400, 'BadRequest', `${JSON.stringify(f)} is not a known field selector: only "metadata.name", "metadata.namespace"`);
      }
    }
  }
  if (!labelSel && !fieldSel) return { empty: true, matches: () => true };
  const getField = (obj: KObject) => (f: string): string | undefined => {
    if (f === 'metadata.name') return obj.metadata?.name ?? '';
    if (f === 'metadata.namespace') return obj.metadata?.namespace ?? '';
    const fn = type.fieldSelectors[f];
    return fn ? fn(obj) : undefined;
  };
  return {
    empty: false,
    matches(obj: KObject): boolean {
      if (labelSel && !labelSel.matches(obj.metadata?.labels ?? {})) return false;
      if (fieldSel && !fieldSel.matches(getField(obj))) return false;
      return true;
    },
  };
}

