// Walking JSON values with their type: path elements of list items, and the field set an applied
// configuration claims (structured-merge-diff's ToFieldSet), which also checks the configuration
// against the schema the way upstream's typed conversion does.

import { FieldSet, fieldPE, keyPE, valuePE, pathString, type Path, type PathElement } from './fieldset.js';
import { UNTYPED, type ListType, type MapType, type TypeInfo } from './typeinfo.js';

/** A configuration that does not fit the schema (upstream: "failed to create typed patch object"). */
export class TypeError_ extends Error {}

/** list-map key fields with a schema default (upstream's OpenAPI carries them; ours does not) */
const KEY_DEFAULTS: Record<string, unknown> = { protocol: 'TCP' };

export function isObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

/** The element a list item is known by, or an error message when it has none. */
export function listItemPE(t: ListType, item: unknown): PathElement | string {
  if (t.listType === 'set') {
    if (item !== null && typeof item === 'object') return 'expected only scalar elements in a set';
    return valuePE(item);
  }
  if (!isObject(item)) return 'associative list with keys has an element that is not a map';
  let keyed = item;
  for (const k of t.keys) {
    if (item[k] === undefined || item[k] === null) {
      if (!(k in KEY_DEFAULTS)) return `associative list with keys has an element that omits key field ${JSON.stringify(k)} (and doesn't have default value)`;
      if (keyed === item) keyed = { ...item };
      keyed[k] = KEY_DEFAULTS[k];
    }
  }
  return keyPE(keyed, t.keys);
}

/** type of one key of a map value (undefined: not declared) */
export function fieldType(t: MapType, key: string): TypeInfo | undefined {
  return t.field(key) ?? t.elem;
}

/** the effective type of a value: untyped values are maps when they are objects, atomic otherwise */
export function resolve(t: TypeInfo, v: unknown): TypeInfo {
  if (t.kind !== 'untyped') return t;
  return isObject(v) ? UNTYPED_MAP : ATOMIC_LEAF;
}

const UNTYPED_MAP: MapType = { kind: 'map', atomic: false, field: () => undefined, elem: UNTYPED };
const ATOMIC_LEAF: TypeInfo = { kind: 'atomic' };

function typeName(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'list';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'number') return 'numeric';
  return typeof v;
}

/**
 * The set of fields a configuration specifies: every scalar and atomic value, list items of
 * associative lists, null and empty-map values, and map entries that are not named fields.
 * Throws TypeError_ with upstream's path-prefixed message on schema mismatches.
 */
export function toFieldSet(value: Record<string, unknown>, t: TypeInfo): FieldSet {
  const set = new FieldSet();
  const path: Path = [];
  const fail = (why: string): never => { throw new TypeError_(`${pathString(path)}: ${why}`); };

  const walk = (v: unknown, tt: TypeInfo): void => {
    const r = resolve(tt, v);
    if (v === null) return;
    if (r.kind === 'map') {
      if (!isObject(v)) fail(`expected map, got ${typeName(v)}`);
      if (r.atomic) return;
      for (const key of Object.keys(v as Record<string, unknown>)) {
        const child = (v as Record<string, unknown>)[key];
        const named = r.field(key);
        const ft = named ?? r.elem;
        path.push(fieldPE(key));
        if (!ft) fail('field not declared in schema');
        walk(child, ft!);
        if (child === null || (isObject(child) && Object.keys(child).length === 0) || !named || leafType(ft!, child)) set.insert(path);
        path.pop();
      }
      return;
    }
    if (r.kind === 'list') {
      if (!Array.isArray(v)) fail(`expected list, got ${typeName(v)}`);
      if (r.listType === 'atomic') return;
      const seen = new Set<string>();
      const arr = v as unknown[];
      for (let i = 0; i < arr.length; i++) {
        const pe = listItemPE(r, arr[i]);
        if (!pe.startsWith('k:') && !pe.startsWith('v:')) fail(`element ${i}: ${pe}`);
        if (seen.has(pe)) { path.push(pe); const p = pathString(path); path.pop(); fail(`duplicate entries for key ${p.slice(pathString(path).length)}`); }
        seen.add(pe);
        path.push(pe);
        walk(arr[i], r.elem);
        set.insert(path);
        path.pop();
      }
      return;
    }
    if (r.kind === 'scalar' && typeof v === 'object') fail(`expected scalar, got ${typeName(v)}`);
  };
  walk(value, t);
  return set;
}

/** values that are leaves of the set: scalars, atomic maps/lists, and empty lists */
function leafType(t: TypeInfo, v: unknown): boolean {
  const r = resolve(t, v);
  if (r.kind === 'map') return r.atomic;
  if (r.kind === 'list') return r.listType === 'atomic' || (Array.isArray(v) && v.length === 0);
  return true;
}
