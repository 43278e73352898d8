// What changed between two versions of an object, as field sets (structured-merge-diff's Compare):
// leaves (scalars, atomic values, empty maps/lists) are added, removed or modified; a map or list
// node itself counts as added or removed when it appears or disappears.

import { FieldSet, fieldPE, type Path } from './fieldset.js';
import { deepEqual } from '../registry/store.js';
import type { TypeInfo } from './typeinfo.js';
import { fieldType, isObject, listItemPE, resolve } from './typed.js';

export interface Comparison { added: FieldSet; modified: FieldSet; removed: FieldSet }

const EMPTY_OBJECT = Object.freeze({}) as Record<string, unknown>;

export function compare(lhs: unknown, rhs: unknown, t: TypeInfo): Comparison {
  const c: Comparison = { added: new FieldSet(), modified: new FieldSet(), removed: new FieldSet() };
  const path: Path = [];

  const leaf = (l: unknown, r: unknown): void => {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
    else if (!deepEqual(l, r)) c.modified.insert(path);
  };

  const walk = (l: unknown, r: unknown, tt: TypeInfo): void => {
    if (l === r && path.length > 0) return; // the same JSON node: nothing below changed
    const rt = resolve(tt, r !== undefined ? r : l);
    if (rt.kind === 'map' && !rt.atomic && (l == null || isObject(l)) && (r == null || isObject(r))) {
      const lo = (l ?? undefined) as Record<string, unknown> | undefined, ro = (r ?? undefined) as Record<string, unknown> | undefined;
      const empty = (!lo || isEmpty(lo)) && (!ro || isEmpty(ro));
      if (empty) { if (path.length) leaf(l, r); return; }
      const zeroOf = (k: string): unknown => rt.zeroFields?.includes(k) ? EMPTY_OBJECT : rt.nullFields?.includes(k) ? null : undefined;
      if (lo) {
        for (const k of Object.keys(lo)) {
          const ft = fieldType(rt, k);
          if (!ft || lo[k] === undefined) continue;
          let rv = ro?.[k];
          if (rv === undefined && r != null) rv = zeroOf(k);
          path.push(fieldPE(k)); walk(lo[k], rv, ft); path.pop();
        }
      }
      if (ro) {
        for (const k of Object.keys(ro)) {
          if (lo && lo[k] !== undefined) continue;
          const ft = fieldType(rt, k);
          if (!ft || ro[k] === undefined) continue;
          const lv = l == null ? undefined : zeroOf(k);
          path.push(fieldPE(k)); walk(lv, ro[k], ft); path.pop();
        }
      }
      if (path.length) node(l, r);
      return;
    }
    if (rt.kind === 'list' && rt.listType !== 'atomic' && (l == null || Array.isArray(l)) && (r == null || Array.isArray(r))) {
      const la = (l ?? []) as unknown[], ra = (r ?? []) as unknown[];
      if (la.length === 0 && ra.length === 0) { leaf(l, r); return; }
      const rByPE = new Map<string, unknown>();
      for (const it of ra) { const pe = listItemPE(rt, it); if (isPE(pe) && !rByPE.has(pe)) rByPE.set(pe, it); }
      const seen = new Set<string>();
      for (const it of la) {
        const pe = listItemPE(rt, it);
        if (!isPE(pe) || seen.has(pe)) continue;
        seen.add(pe);
        path.push(pe); walk(it, rByPE.get(pe), rt.elem); path.pop();
      }
      for (const [pe, it] of rByPE) {
        if (seen.has(pe)) continue;
        path.push(pe); walk(undefined, it, rt.elem); path.pop();
      }
      node(l, r);
      return;
    }
    leaf(l, r);
  };

  const node = (l: unknown, r: unknown): void => {
    if (l === undefined) c.added.insert(path);
    else if (r === undefined) c.removed.insert(path);
  };

  walk(lhs, rhs, t);
  return c;
}

function isEmpty(o: Record<string, unknown>): boolean {
  for (const k in o) if (o[k] !== undefined) return false;
  return true;
}

function isPE(pe: string): boolean {
  return pe.startsWith('k:') || pe.startsWith('v:');
}
