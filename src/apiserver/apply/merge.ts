// Merging an applied configuration into the live object (structured-merge-diff's Merge), and
// removing the fields an applier stopped applying (its prune step).

import { fieldPE, type FieldSet } from './fieldset.js';
import type { TypeInfo } from './typeinfo.js';
import { fieldType, isObject, listItemPE, resolve } from './typed.js';

/**
 * The configuration's values over the live ones: granular maps merge key by key, associative lists
 * item by item (live order, new items appended in the configuration's order), everything else is
 * replaced. Shares unchanged subtrees of `live` (callers must not mutate the result in place).
 */
export function merge(live: unknown, config: unknown, t: TypeInfo): unknown {
  if (config === undefined) return live;
  if (live === undefined || live === null || config === null) return dropNulls(config);
  const rt = resolve(t, config);
  if (rt.kind === 'map' && !rt.atomic && isObject(live) && isObject(config)) {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(live)) {
      const ft = fieldType(rt, k);
      out[k] = k in config && ft ? merge(live[k], config[k], ft) : live[k];
    }
    for (const k of Object.keys(config)) if (!(k in live)) out[k] = dropNulls(config[k]);
    // an applied null owns the field and leaves it unset (upstream decodes null into an unset field)
    for (const k of Object.keys(config)) if (config[k] === null) delete out[k];
    return out;
  }
  if (rt.kind === 'list' && rt.listType !== 'atomic' && Array.isArray(live) && Array.isArray(config)) {
    const byPE = new Map<string, unknown>();
    const order: string[] = [];
    for (const it of config) { const pe = listItemPE(rt, it); byPE.set(pe, it); order.push(pe); }
    const out: unknown[] = [];
    const seen = new Set<string>();
    for (const it of live) {
      const pe = listItemPE(rt, it);
      if (seen.has(pe)) continue;
      seen.add(pe);
      out.push(byPE.has(pe) ? merge(it, byPE.get(pe), rt.elem) : it);
    }
    for (const pe of order) if (!seen.has(pe)) { seen.add(pe); out.push(dropNulls(byPE.get(pe))); }
    return out;
  }
  return config;
}

/**
 * Removes from `obj` what is in `remove` (fields the applier owned before and no longer applies,
 * owned by nobody else) unless something below it is in `keep` (owned by a manager); values not in
 * `remove` stay (defaults, fields nobody owns). Maps emptied by the removal go too. Returns a new
 * value sharing untouched subtrees.
 */
export function prune(obj: unknown, remove: FieldSet, keep: FieldSet | undefined, t: TypeInfo): unknown {
  const rt = resolve(t, obj);
  if (rt.kind === 'map' && isObject(obj)) {
    let out: Record<string, unknown> | undefined;
    for (const k of Object.keys(obj)) {
      const pe = fieldPE(k);
      if (!remove.touches(pe)) continue;
      out ??= { ...obj };
      const next = pruneChild(obj[k], pe, remove, keep, fieldType(rt, k));
      if (next === undefined) delete out[k]; else out[k] = next;
    }
    return out ?? obj;
  }
  if (rt.kind === 'list' && rt.listType !== 'atomic' && Array.isArray(obj)) {
    let changed = false;
    const out: unknown[] = [];
    for (const it of obj) {
      const pe = listItemPE(rt, it);
      if (!remove.touches(pe)) { out.push(it); continue; }
      const next = pruneChild(it, pe, remove, keep, rt.elem);
      if (next !== it) changed = true;
      if (next !== undefined) out.push(next);
    }
    return changed ? out : obj;
  }
  return obj;
}

function pruneChild(v: unknown, pe: string, remove: FieldSet, keep: FieldSet | undefined, t: TypeInfo | undefined): unknown {
  const kept = keep?.touches(pe) ?? false;
  if (remove.members.has(pe) && !kept) return undefined;
  const sub = remove.child(pe);
  if (!sub || !t) return v;
  const next = prune(v, sub, keep?.child(pe), t);
  // a map the removal emptied goes with its last field (unless it is owned itself)
  if (next !== v && isObject(next) && Object.keys(next).length === 0 && !keep?.members.has(pe)) return undefined;
  return next;
}

/** a configured value without its null map entries (they stand for unset fields) */
function dropNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.some((x) => x !== null && typeof x === 'object') ? v.map(dropNulls) : v;
  if (!isObject(v)) return v;
  let out: Record<string, unknown> | undefined;
  for (const k of Object.keys(v)) {
    const x = v[k];
    if (x === null) { out ??= { ...v }; delete out[k]; continue; }
    if (typeof x === 'object') { const y = dropNulls(x); if (y !== x) { out ??= { ...v }; out[k] = y; } }
  }
  return out ?? v;
}
