// Strategic merge patch (application/strategic-merge-patch+json), the apply half of upstream's
// k8s.io/apimachinery/pkg/util/strategicpatch, driven by SchemaNode patch metadata
// (patchStrategy / patchMergeKey on the node of each field) instead of Go struct tags.
//
// Semantics, as upstream:
//  - maps merge per key; `null` deletes; values of different kinds replace;
//  - lists replace, unless the field's strategy is `merge`: lists of maps merge items by the
//    merge key, lists of scalars take the union; items named in the patch come first, in patch
//    order, interleaved with the server-only items kept in their order (so a new item lands
//    before the existing ones);
//  - directives: `$patch: replace|delete` (maps and list items), `$retainKeys`,
//    `$deleteFromPrimitiveList/<field>`, `$setElementOrder/<field>` (what kubectl apply sends);
//  - no schema below a node: no strategies, i.e. JSON-merge-patch-like behaviour.
// Errors carry upstream's text and status: malformed directive lists are 400, lists of lists
// and retainKeys mismatches 422, anything else 500 with an empty reason (upstream returns those
// as plain errors, e.g. "map: map[image:x] does not contain declared merge key: name").

import type { SchemaNode } from '../schema.js';
import { StatusError, badRequest } from '../errors.js';
import { goJSONKind, goType, goValue } from './gofmt.js';

type JSONMap = Record<string, unknown>;
type Kind = 'map' | 'slice' | 'string' | 'number' | 'bool' | 'null';

const DIRECTIVE = '$patch';
const DELETE = 'delete';
const REPLACE = 'replace';
const MERGE = 'merge';
const RETAIN_KEYS_STRATEGY = 'retainKeys';
const RETAIN_KEYS = '$retainKeys';
const DELETE_FROM_PRIMITIVE_LIST = '$deleteFromPrimitiveList';
const SET_ELEMENT_ORDER = '$setElementOrder';

type Status = 400 | 422 | 500;

/** A strategic-merge failure; `status` is what the apiserver answers for it. */
export class StrategicMergeError extends Error {
  constructor(message: string, readonly status: Status = 500) { super(message); }

  toStatusError(): StatusError {
    if (this.status === 400) return badRequest(this.message);
    if (this.status === 422) {
      return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
    }
    return new StatusError(500, '', this.message);
  }
}

// upstream mergepatch sentinel errors
const errBadPatchFormatForPrimitiveList = () => new StrategicMergeError('invalid patch format of primitive list', 400);
const errBadPatchFormatForRetainKeys = () => new StrategicMergeError('invalid patch format of retainKeys', 400);
const errBadPatchFormatForSetElementOrderList = () => new StrategicMergeError('invalid patch format of setElementOrder list', 400);
const errNoListOfLists = () => new StrategicMergeError('lists of lists are not supported', 422);
const errNoMergeKey = (m: unknown, k: string) => new StrategicMergeError(`map: ${goValue(m)} does not contain declared merge key: ${k}`);
const errBadArgType = (expected: string, actual: unknown) => new StrategicMergeError(`expected a ${expected}, but received a ${goType(actual)}`);
const errBadPatchType = (t: unknown, m: unknown) => new StrategicMergeError(`unknown patch type: ${goValue(t)} in map: ${goValue(m)}`);

const MAP_TYPE = 'map[string]interface {}';
const SLICE_TYPE = '[]interface {}';

const isMap = (v: unknown): v is JSONMap => typeof v === 'object' && v !== null && !Array.isArray(v);

function kindOf(v: unknown): Kind {
  if (v === null || v === undefined) return 'null';
  if (Array.isArray(v)) return 'slice';
  if (typeof v === 'object') return 'map';
  if (typeof v === 'string') return 'string';
  if (typeof v === 'boolean') return 'bool';
  return 'number';
}

// ---- schema lookups ------------------------------------------------------------------------

interface FieldMeta { node: SchemaNode | undefined; strategy: string; mergeKey: string }

function fieldNode(schema: SchemaNode | undefined, key: string): SchemaNode | undefined {
  if (!schema || schema.preserveUnknownFields) return undefined;
  if (schema.properties && Object.prototype.hasOwnProperty.call(schema.properties, key)) return schema.properties[key];
  return schema.additionalProperties;
}

/** upstream extractRetainKeysPatchStrategy: "merge,retainKeys" → merge (retainKeys is a diff-side hint). */
function patchStrategy(node: SchemaNode | undefined): string {
  const strategies = node?.patchStrategy ? node.patchStrategy.split(',') : [];
  switch (strategies.length) {
    case 0: return '';
    case 1: return strategies[0] === RETAIN_KEYS_STRATEGY ? '' : strategies[0];
    case 2:
      if (strategies[0] === RETAIN_KEYS_STRATEGY) return strategies[1];
      if (strategies[1] === RETAIN_KEYS_STRATEGY) return strategies[0];
  }
  throw new StrategicMergeError(`unexpected patch strategy: [${strategies.join(' ')}]`);
}

function lookup(schema: SchemaNode | undefined, key: string): FieldMeta {
  const node = fieldNode(schema, key);
  return { node, strategy: patchStrategy(node), mergeKey: node?.patchMergeKey ?? '' };
}

// ---- helpers -------------------------------------------------------------------------------

/**
 * Readies patch content that is stored as is: drops maps carrying `$patch` (upstream
 * removeDirectives), null-valued keys (discardNullValuesFromPatch) and leftover directive keys
 * (upstream leaves those to typed decoding to drop; Kumo stores JSON, so they go here).
 * Returns undefined when the value itself should not be kept.
 */
function fromPatch(v: unknown): unknown {
  if (Array.isArray(v)) {
    const out: unknown[] = [];
    for (const x of v) {
      const y = fromPatch(x);
      if (y !== undefined) out.push(y);
    }
    return out;
  }
  if (isMap(v)) {
    if (DIRECTIVE in v) return undefined;
    const out: JSONMap = {};
    for (const [k, x] of Object.entries(v)) {
      if (x === null || k === RETAIN_KEYS || k.startsWith(SET_ELEMENT_ORDER) || k.startsWith(DELETE_FROM_PRIMITIVE_LIST)) continue;
      const y = fromPatch(x);
      if (y !== undefined) out[k] = y;
    }
    return out;
  }
  return v;
}

/** `$deleteFromPrimitiveList/x` → `x`; a malformed directive key is a 400. */
function extractKey(s: string, prefix: string): string {
  const i = s.indexOf('/');
  if (i < 0 || s.slice(0, i) !== prefix) {
    throw prefix === DELETE_FROM_PRIMITIVE_LIST ? errBadPatchFormatForPrimitiveList() : errBadPatchFormatForSetElementOrderList();
  }
  return s.slice(i + 1);
}

/** upstream sliceElementType: all elements of one kind, never lists. */
function sliceElementKind(...slices: unknown[][]): Kind {
  let prev: Kind | undefined;
  for (const s of slices) {
    for (const v of s) {
      const k = kindOf(v);
      if (prev === undefined) {
        prev = k;
        if (k === 'slice') throw errNoListOfLists();
      } else if (prev !== k) {
        throw new StrategicMergeError(`list element types are not identical: ${goValue(slices)}`);
      }
    }
  }
  if (prev === undefined) throw new StrategicMergeError('no elements in any of the given slices');
  return prev;
}

function mergeKeyValue(item: unknown, mergeKey: string): unknown {
  return isMap(item) ? item[mergeKey] : undefined;
}

/** Position of `v` in `l`, matching maps by merge key value and scalars by value; -1 if absent. */
function indexIn(l: unknown[], v: unknown, mergeKey: string, kind: Kind): number {
  if (kind === 'map') {
    const want = mergeKeyValue(v, mergeKey);
    return l.findIndex((x) => mergeKeyValue(x, mergeKey) === want);
  }
  return l.indexOf(v);
}

function findByKey(list: unknown[], key: string, value: unknown): number {
  for (let i = 0; i < list.length; i++) {
    const m = list[i];
    if (!isMap(m)) throw new StrategicMergeError(`value for key ${i} is not a map.`);
    if (Object.prototype.hasOwnProperty.call(m, key) && m[key] === value) return i;
  }
  return -1;
}

function validateMergeKeyInLists(mergeKey: string, ...lists: unknown[][]): void {
  for (const l of lists) {
    for (const item of l) {
      if (!isMap(item)) throw errBadArgType(MAP_TYPE, item);
      if (!(mergeKey in item)) throw errNoMergeKey(item, mergeKey);
    }
  }
}

/** Sorts `toSort` by position in `order` (stable); `$patch: delete` items go last. */
function normalizeSliceOrder(toSort: unknown[], order: unknown[], mergeKey: string, kind: Kind): unknown[] {
  let keep = toSort;
  let toDelete: unknown[] = [];
  if (kind === 'map') {
    validateMergeKeyInLists(mergeKey, toSort, order);
    keep = toSort.filter((v) => (v as JSONMap)[DIRECTIVE] !== DELETE);
    toDelete = toSort.filter((v) => (v as JSONMap)[DIRECTIVE] === DELETE);
  }
  const keyed = keep.map((v, i) => ({ v, i, at: indexIn(order, v, mergeKey, kind) }));
  keyed.sort((a, b) => (a.at - b.at) || (a.i - b.i));
  return [...keyed.map((x) => x.v), ...toDelete];
}

/**
 * Interleaves server-only items (`left`) with patch items (`right`), both already in order:
 * a server-only item goes first only when both are known to the live list and it precedes there.
 */
function mergeSortedSlice(left: unknown[], right: unknown[], serverOrder: unknown[], mergeKey: string, kind: Kind): unknown[] {
  const out: unknown[] = [];
  let i = 0;
  let j = 0;
  while (i < left.length || j < right.length) {
    if (i >= left.length) { out.push(right[j++]); continue; }
    if (j >= right.length) { out.push(left[i++]); continue; }
    const li = indexIn(serverOrder, left[i], mergeKey, kind);
    const ri = indexIn(serverOrder, right[j], mergeKey, kind);
    if (li >= 0 && ri >= 0 && li < ri) out.push(left[i++]);
    else out.push(right[j++]);
  }
  return out;
}

function normalizeElementOrder(patchItems: unknown[], serverOnly: unknown[], patchOrder: unknown[], serverOrder: unknown[],
  mergeKey: string, kind: Kind): unknown[] {
  const p = normalizeSliceOrder(patchItems, patchOrder, mergeKey, kind);
  const s = normalizeSliceOrder(serverOnly, serverOrder, mergeKey, kind);
  return mergeSortedSlice(s, p, serverOrder, mergeKey, kind);
}

/** Splits `list` into items present in `by` and the rest. */
function partition(list: unknown[], by: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const inPatch: unknown[] = [];
  const serverOnly: unknown[] = [];
  for (const v of list) {
    let found: boolean;
    if (!mergeKey) {
      found = by.includes(v);
    } else {
      if (!isMap(v)) throw errBadArgType(MAP_TYPE, v);
      if (!(mergeKey in v)) throw errNoMergeKey(v, mergeKey);
      found = findByKey(by, mergeKey, v[mergeKey]) >= 0;
    }
    (found ? inPatch : serverOnly).push(v);
  }
  return [inPatch, serverOnly];
}

function dedupe(list: unknown[]): unknown[] {
  const out: unknown[] = [];
  for (const v of list) if (!out.includes(v)) out.push(v);
  return out;
}

// ---- merging -------------------------------------------------------------------------------

function handleDirectiveInMergeMap(directive: unknown, patch: JSONMap): JSONMap {
  if (directive === REPLACE) {
    const rest = { ...patch };
    delete rest[DIRECTIVE];
    return fromPatch(rest) as JSONMap;
  }
  if (directive === DELETE) return {};
  throw errBadPatchType(directive, patch);
}

/** `$retainKeys`: drop live keys not listed; every non-null patch key must be listed. */
function applyRetainKeys(original: JSONMap, patch: JSONMap): void {
  if (!(RETAIN_KEYS in patch)) return;
  const list = patch[RETAIN_KEYS];
  delete patch[RETAIN_KEYS];
  if (!Array.isArray(list)) throw errBadPatchFormatForRetainKeys();
  const keep = new Set(list);
  for (const [k, v] of Object.entries(patch)) {
    if (v === null || k.startsWith(DELETE_FROM_PRIMITIVE_LIST) || k.startsWith(SET_ELEMENT_ORDER)) continue;
    if (!keep.has(k)) throw errBadPatchFormatForRetainKeys();
  }
  for (const k of Object.keys(original)) if (!keep.has(k)) delete original[k];
}

/** Checks that the patch list's items appear in `$setElementOrder` in the same relative order. */
function validatePatchWithSetOrderList(patchList: unknown[], setOrder: unknown[], mergeKey: string): void {
  if (setOrder.length === 0 || patchList.length === 0) return;
  let nonDelete = patchList;
  if (mergeKey) {
    for (const v of patchList) if (!isMap(v)) throw errBadArgType(MAP_TYPE, v);
    nonDelete = patchList.filter((v) => (v as JSONMap)[DIRECTIVE] !== DELETE);
  }
  const sameKey = (a: unknown, b: unknown): boolean => {
    if (!mergeKey) return a === b;
    if (!isMap(a)) throw errBadArgType(MAP_TYPE, a);
    if (!isMap(b)) throw errBadArgType(MAP_TYPE, b);
    if (!(mergeKey in a)) throw errNoMergeKey(a, mergeKey);
    if (!(mergeKey in b)) throw errNoMergeKey(b, mergeKey);
    return a[mergeKey] === b[mergeKey];
  };
  let pi = 0;
  let si = 0;
  while (pi < nonDelete.length && si < setOrder.length) {
    if (isMap(nonDelete[pi]) && DIRECTIVE in (nonDelete[pi] as JSONMap)) { pi++; continue; }
    if (sameKey(nonDelete[pi], setOrder[si])) pi++;
    si++;
  }
  if (pi < nonDelete.length && si >= setOrder.length) {
    throw new StrategicMergeError(`The order in patch list:\n${goValue(patchList)}\n doesn't match ${SET_ELEMENT_ORDER} list:\n${goValue(setOrder)}\n`);
  }
}

/** Handles every `$setElementOrder/<field>` together with its list, then drops both from the patch. */
function mergePatchIntoOriginal(original: JSONMap, patch: JSONMap, schema: SchemaNode | undefined): void {
  for (const key of Object.keys(patch)) {
    if (!key.startsWith(SET_ELEMENT_ORDER)) continue;
    const setOrder = patch[key];
    delete patch[key];
    if (!Array.isArray(setOrder)) throw errBadArgType(SLICE_TYPE, setOrder);
    const field = extractKey(key, SET_ELEMENT_ORDER);
    const foundOriginal = Object.prototype.hasOwnProperty.call(original, field);
    const foundPatch = Object.prototype.hasOwnProperty.call(patch, field);
    const originalList = original[field];
    const patchList = patch[field];
    if (foundOriginal && !Array.isArray(originalList)) throw errBadArgType(SLICE_TYPE, originalList);
    if (foundPatch && !Array.isArray(patchList)) throw errBadArgType(SLICE_TYPE, patchList);
    const origArr = (foundOriginal ? originalList : []) as unknown[];
    const patchArr = (foundPatch ? patchList : []) as unknown[];
    const meta = lookup(schema, field);
    validatePatchWithSetOrderList(patchArr, setOrder, meta.mergeKey);

    let merged: unknown[];
    if (foundOriginal && !foundPatch) merged = origArr;
    else if (!foundOriginal && foundPatch) merged = fromPatch(patchArr) as unknown[];
    else if (foundOriginal && foundPatch) merged = mergeSliceHandler(origArr, patchArr, meta, false);
    else continue;

    const [inOrder, serverOnly] = partition(merged, setOrder, meta.mergeKey);
    const kind = sliceElementKind(origArr, patchArr);
    original[field] = normalizeElementOrder(inOrder, serverOnly, setOrder, origArr, meta.mergeKey, kind);
    delete patch[field];
  }
}

function mergeMap(original: JSONMap | undefined, patch: JSONMap, schema: SchemaNode | undefined): JSONMap {
  if (DIRECTIVE in patch) return handleDirectiveInMergeMap(patch[DIRECTIVE], patch);
  const orig = original ?? {};
  applyRetainKeys(orig, patch);
  mergePatchIntoOriginal(orig, patch, schema);

  for (const [rawKey, patchV] of Object.entries(patch)) {
    let k = rawKey;
    let isDeleteList = false;
    if (rawKey.startsWith(DELETE_FROM_PRIMITIVE_LIST)) {
      k = extractKey(rawKey, DELETE_FROM_PRIMITIVE_LIST);
      isDeleteList = true;
    }
    if (patchV === null) {
      delete orig[k];
      continue;
    }
    const present = Object.prototype.hasOwnProperty.call(orig, k);
    const ok = present ? kindOf(orig[k]) : undefined;
    const pk = kindOf(patchV);
    if (!present || ok !== pk) {
      if (!isDeleteList) {
        const v = fromPatch(patchV);
        if (v === undefined) delete orig[k];
        else orig[k] = v;
      }
      continue;
    }
    const meta = lookup(schema, k);
    if (pk === 'map') {
      orig[k] = meta.strategy === REPLACE ? fromPatch(patchV) : mergeMap(orig[k] as JSONMap, patchV as JSONMap, meta.node);
    } else if (pk === 'slice') {
      orig[k] = mergeSliceHandler(orig[k] as unknown[], patchV as unknown[], meta, isDeleteList);
    } else {
      orig[k] = patchV;
    }
  }
  return orig;
}

function mergeSliceHandler(original: unknown[], patch: unknown[], meta: FieldMeta, isDeleteList: boolean): unknown[] {
  if (meta.strategy === MERGE) return mergeSlice(original, patch, meta.node?.items, meta.mergeKey, isDeleteList, meta.node);
  // Without merge strategy the patch list replaces the live one (a deletion list included, as upstream).
  return fromPatch(patch) as unknown[];
}

function mergeSlice(original: unknown[], patch: unknown[], elem: SchemaNode | undefined, mergeKey: string,
  isDeleteList: boolean, listNode: SchemaNode | undefined): unknown[] {
  if (original.length === 0 && patch.length === 0) return original;
  const kind = sliceElementKind(original, patch);
  let orig = original;
  let pat = patch;
  let merged: unknown[];
  if (kind !== 'map') {
    if (isDeleteList) return original.filter((v) => !patch.includes(v));
    merged = dedupe([...original, ...patch]);
  } else {
    if (!mergeKey) {
      throw new StrategicMergeError(`cannot merge lists without merge key for ${listNode?.ref ?? 'type map'}`);
    }
    [orig, pat] = mergeSliceWithSpecialElements(original, patch, mergeKey);
    merged = mergeSliceWithoutSpecialElements(orig, pat, mergeKey, elem);
  }
  const [inPatch, serverOnly] = partition(merged, pat, kind === 'map' ? mergeKey : '');
  return normalizeElementOrder(inPatch, serverOnly, pat, orig, kind === 'map' ? mergeKey : '', kind);
}

/** Applies `$patch: delete|replace` list items; returns the live list and the remaining patch items. */
function mergeSliceWithSpecialElements(original: unknown[], patch: unknown[], mergeKey: string): [unknown[], unknown[]] {
  const plain: unknown[] = [];
  let orig = original;
  let replace = false;
  for (const v of patch) {
    const m = v as JSONMap;
    if (!(DIRECTIVE in m)) { plain.push(v); continue; }
    const directive = m[DIRECTIVE];
    if (directive === DELETE) {
      if (!(mergeKey in m)) throw errNoMergeKey(m, mergeKey);
      const value = m[mergeKey];
      const kept: unknown[] = [];
      for (let i = 0; i < orig.length; i++) {
        const o = orig[i];
        if (!isMap(o)) throw new StrategicMergeError(`value for key ${i} is not a map.`);
        if (!(Object.prototype.hasOwnProperty.call(o, mergeKey) && o[mergeKey] === value)) kept.push(o);
      }
      orig = kept;
    } else if (directive === REPLACE) {
      replace = true; // keep scanning so other directive items are pruned
    } else if (directive === MERGE) {
      throw new StrategicMergeError('merging lists cannot yet be specified in the patch');
    } else {
      throw errBadPatchType(directive, m);
    }
  }
  if (replace) return [fromPatch(plain) as unknown[], []];
  return [orig, plain];
}

function mergeSliceWithoutSpecialElements(original: unknown[], patch: unknown[], mergeKey: string, elem: SchemaNode | undefined): unknown[] {
  const out = [...original];
  for (const v of patch) {
    const m = v as JSONMap;
    if (!(mergeKey in m)) throw errNoMergeKey(m, mergeKey);
    const i = findByKey(out, mergeKey, m[mergeKey]);
    if (i >= 0) out[i] = mergeMap(out[i] as JSONMap, m, elem);
    else out.push(fromPatch(m));
  }
  return out;
}

/**
 * Applies a strategic merge patch to `original` using the schema's patch metadata and returns
 * the result; neither argument is modified. Throws StatusError as the apiserver answers.
 */
export function strategicMergePatch(original: unknown, patch: unknown, schema: SchemaNode | undefined): unknown {
  if (patch === null || patch === undefined) return structuredClone(original ?? {});
  if (!isMap(patch)) {
    throw badRequest(`json: cannot unmarshal ${goJSONKind(patch)} into Go value of type map[string]interface {}`);
  }
  const orig = isMap(original) ? structuredClone(original) : {};
  try {
    return mergeMap(orig, structuredClone(patch), schema);
  } catch (e) {
    if (e instanceof StrategicMergeError) throw e.toStatusError();
    throw e;
  }
}
