// Field ownership on every write (upstream's FieldManager): Update operations (create, update,
// non-apply patch) give the writer the fields it changed and take them from everyone else; Apply
// operations merge a configuration, drop what the applier stopped applying, and answer conflicts
// with other owners unless forced.

import { StatusError } from '../../machinery/errors.js';
import type { KObject } from '../../api/types.js';
import { nowTimestamp } from '../registry/store.js';
import { FieldSet, pathString, setOf } from './fieldset.js';
import { compare } from './compare.js';
import { merge, prune } from './merge.js';
import { toFieldSet, TypeError_ } from './typed.js';
import type { TypeInfo } from './typeinfo.js';
import {
  decodeManagedFields, encodeManagedFields, isReset, managerKey, describeManager, type Managed, type Manager,
} from './managed.js';
import { deepCopyJSON } from '../../machinery/deepcopy.js';

export interface FieldManagerContext {
  /** the writer's name (fieldManager, or derived from the user agent) */
  manager: string;
  /** the request's group/version, e.g. apps/v1 */
  apiVersion: string;
  /** '' for the resource itself */
  subresource: string;
  type: TypeInfo;
  /** fields this endpoint resets (status on the main resource of kinds with a status subresource) */
  ignored?: FieldSet;
  /** clock, for tests */
  now?: () => string;
}

/** fields no manager owns (upstream's stripMetaManager) */
const STRIPPED = setOf('apiVersion', 'kind', 'metadata', 'metadata.name', 'metadata.namespace', 'metadata.creationTimestamp',
  'metadata.selfLink', 'metadata.uid', 'metadata.clusterName', 'metadata.generation', 'metadata.managedFields',
  'metadata.resourceVersion');

export const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const BEFORE_FIRST_APPLY = 'before-first-apply';
/** upstream's DefaultMaxUpdateManagers: older Update entries merge into "ancient-changes" */
const MAX_UPDATE_MANAGERS = 10;

function tryDecode(entries: unknown): Managed | undefined {
  try { return decodeManagedFields(entries); } catch { return undefined; }
}

function strip(s: FieldSet, ignored?: FieldSet): FieldSet {
  const out = s.difference(STRIPPED);
  return ignored ? out.recursiveDifference(ignored) : out;
}

/**
 * Records an Update by ctx.manager: `obj` (the object about to be written) gets its managedFields.
 * `live` is undefined on create.
 */
export function updateManagedFields(live: KObject | undefined, obj: KObject, ctx: FieldManagerContext): void {
  const meta = (obj.metadata ??= {});
  const requested = meta.managedFields;
  let managed: Managed | undefined;
  // subresource writes cannot rewrite managedFields; others may (and [] resets them)
  if (ctx.subresource) managed = tryDecode(live?.metadata?.managedFields);
  else if (isReset(requested)) managed = new Map();
  else {
    managed = tryDecode(requested);
    if (!managed || managed.size === 0) managed = tryDecode(live?.metadata?.managedFields);
  }
  managed ??= new Map();
  delete meta.managedFields;
  // objects without managed fields stay untracked until they are applied (skipNonAppliedManager)
  if (managed.size === 0 && live) return;
  recordUpdate(live, obj, managed, ctx.manager, ctx);
  capUpdateManagers(managed);
  setManagedFields(obj, managed);
}

function recordUpdate(live: KObject | undefined, obj: KObject, managed: Managed, manager: string, ctx: FieldManagerContext): void {
  // a created object is compared with the empty object (upstream: a new, zero-valued Go object)
  const c = compare(withoutManaged(live) ?? {}, withoutManaged(obj), ctx.type);
  const changed = strip(c.added.union(c.modified), ctx.ignored);
  const removed = strip(c.removed, ctx.ignored);
  for (const [k, m] of managed) {
    const next = m.set.difference(changed).difference(removed);
    if (next !== m.set && !next.equals(m.set)) { m.set = next; m.encoded = undefined; }
    if (m.set.isEmpty()) managed.delete(k);
  }
  if (changed.isEmpty()) return;
  const id = { manager, operation: 'Update' as const, apiVersion: ctx.apiVersion, subresource: ctx.subresource };
  const key = managerKey(id);
  const prev = managed.get(key);
  managed.delete(key);
  // re-inserted last: the newest entry
  managed.set(key, { ...id, set: prev ? prev.set.union(changed) : changed, time: (ctx.now ?? nowTimestamp)() });
}

function capUpdateManagers(managed: Managed): void {
  const updates = [...managed.values()].filter((m) => m.operation === 'Update' && !m.manager.startsWith('ancient-changes'));
  if (updates.length <= MAX_UPDATE_MANAGERS) return;
  updates.sort((a, b) => (a.time ?? '').localeCompare(b.time ?? ''));
  for (const m of updates.slice(0, updates.length - MAX_UPDATE_MANAGERS)) {
    managed.delete(managerKey(m));
    const bucket = { manager: 'ancient-changes', operation: 'Update' as const, apiVersion: m.apiVersion, subresource: m.subresource };
    const bk = managerKey(bucket);
    const b = managed.get(bk);
    managed.set(bk, { ...bucket, set: b ? b.set.union(m.set) : m.set, time: m.time });
  }
}

function setManagedFields(obj: KObject, managed: Managed): void {
  const entries = encodeManagedFields(managed);
  if (entries.length) obj.metadata!.managedFields = entries;
  else delete obj.metadata!.managedFields;
}

function withoutManaged(o: KObject | undefined): KObject | undefined {
  if (!o?.metadata?.managedFields) return o;
  const { managedFields: _, ...meta } = o.metadata;
  return { ...o, metadata: meta };
}

export interface ApplyOptions extends FieldManagerContext {
  force: boolean;
  /** for upstream's error text: namespace/name; group/version, Kind=kind */
  describe: string;
}

/** upstream's 409 for apply conflicts, with FieldManagerConflict causes */
export function conflictError(conflicts: Map<Manager, FieldSet>): StatusError {
  const list: { manager: Manager; path: string }[] = [];
  for (const [m, s] of conflicts) for (const p of s.paths()) list.push({ manager: m, path: pathString(p) });
  const causes = list.map((c) => ({ reason: 'FieldManagerConflict', message: `conflict with ${describeManager(c.manager)}`, field: c.path }));
  let message: string;
  if (list.length === 1) {
    message = `Apply failed with 1 conflict: conflict with ${describeManager(list[0].manager)}: ${list[0].path}`;
  } else {
    const byManager = new Map<string, string[]>();
    for (const c of list) {
      const d = describeManager(c.manager);
      byManager.set(d, [...(byManager.get(d) ?? []), c.path]);
    }
    const lines: string[] = [];
    for (const d of [...byManager.keys()].sort()) {
      lines.push(`conflicts with ${d}:`);
      for (const p of byManager.get(d)!) lines.push(`- ${p}`);
    }
    message = `Apply failed with ${list.length} conflicts: ${lines.join('\n')}`;
  }
  return new StatusError(409, 'Conflict', message, { causes });
}

/**
 * Applies `config` by ctx.manager to `live` (undefined when the apply creates the object). Returns
 * the object to write, managedFields included; throws 409 on conflicts, 500 (as upstream) when the
 * configuration does not fit the schema.
 */
export function applyConfig(live: KObject | undefined, config: KObject, opts: ApplyOptions): KObject {
  const base: KObject = live ? withoutManaged(live)! : {};
  let managed = (live && tryDecode(live.metadata?.managedFields)) || new Map();
  // objects never tracked before: their existing fields go to "before-first-apply"
  if (managed.size === 0 && live) {
    recordUpdate(undefined, base, managed, BEFORE_FIRST_APPLY, { ...opts, apiVersion: opts.apiVersion, subresource: opts.subresource });
  }
  let configSet: FieldSet;
  try {
    configSet = toFieldSet(config, opts.type);
  } catch (err) {
    if (err instanceof TypeError_) {
      throw new StatusError(500, 'InternalError', `failed to create typed patch object (${opts.describe}): ${err.message}`);
    }
    throw err;
  }
  const run = (force: boolean): KObject => {
    const ms: Managed = new Map([...managed].map(([k, m]) => [k, { ...m }]));
    return applyOnce(base, config, configSet, ms, opts, force, live !== undefined);
  };
  try {
    return run(opts.force);
  } catch (err) {
    // kubectl's first server-side apply after client-side apply: conflicts over fields the
    // last-applied annotation lists are the user's own (upstream's lastAppliedManager)
    if (!(err instanceof ApplyConflict) || opts.manager !== 'kubectl' || !live) throw err instanceof ApplyConflict ? err.status : err;
    const allowed = lastAppliedFields(base, opts.type);
    if (!allowed) throw err.status;
    const rest = new Map<Manager, FieldSet>();
    for (const [m, s] of err.conflicts) { const d = s.difference(allowed); if (!d.isEmpty()) rest.set(m, d); }
    if (rest.size) throw conflictError(rest);
    return run(true);
  }
}

class ApplyConflict extends Error {
  constructor(readonly conflicts: Map<Manager, FieldSet>, readonly status: StatusError) { super(status.message); }
}

function applyOnce(live: KObject, config: KObject, configSet: FieldSet, managed: Managed, opts: ApplyOptions,
  force: boolean, exists: boolean): KObject {
  const id = { manager: opts.manager, operation: 'Apply' as const, apiVersion: opts.apiVersion, subresource: opts.subresource };
  const key = managerKey(id);
  const last = managed.get(key);
  const applied = strip(configSet, opts.ignored);
  let merged = merge(live, config, opts.type) as KObject;
  // what the applier stops applying goes, unless another manager owns it
  if (last && !last.set.isEmpty()) {
    let others = new FieldSet();
    for (const [k, m] of managed) if (k !== key) others = others.union(m.set);
    const owned = others.union(applied);
    const remove = last.set.difference(owned);
    if (!remove.isEmpty()) merged = prune(merged, remove, owned, opts.type) as KObject;
  }
  // ownership: fields the apply changes move to the applier; others' claims on them conflict
  const c = compare(live, merged, opts.type);
  const changed = strip(c.added.union(c.modified), opts.ignored);
  const removed = strip(c.removed, opts.ignored);
  const conflicts = new Map<Manager, FieldSet>();
  for (const [k, m] of managed) {
    if (k === key) continue;
    const hit = m.set.intersection(changed);
    if (!hit.isEmpty()) conflicts.set(m, hit);
  }
  if (conflicts.size && !force) throw new ApplyConflict(conflicts, conflictError(conflicts));
  for (const [k, m] of managed) {
    if (k === key) continue;
    const next = m.set.difference(changed).difference(removed);
    if (!next.equals(m.set)) { m.set = next; m.encoded = undefined; }
    if (m.set.isEmpty()) managed.delete(k);
  }
  const unchanged = exists && c.added.isEmpty() && c.modified.isEmpty() && c.removed.isEmpty();
  const setChanged = !last || !last.set.equals(applied);
  if (applied.isEmpty()) managed.delete(key);
  else if (setChanged || !unchanged) {
    managed.delete(key);
    managed.set(key, { ...id, set: applied, time: !unchanged || !last?.time ? (opts.now ?? nowTimestamp)() : last.time });
  }
  const out = unchanged ? deepCopyJSON(live) : deepCopyJSON(merged);
  if (opts.manager === 'kubectl') syncLastApplied(out, config);
  out.metadata ??= {};
  setManagedFields(out, managed);
  return out;
}

/** upstream's lastAppliedUpdater: kubectl's server-side applies keep a client-side annotation current */
function syncLastApplied(obj: KObject, config: KObject): void {
  const ann = obj.metadata?.annotations;
  if (!ann || ann[LAST_APPLIED] === undefined) return;
  const copy = deepCopyJSON(config);
  if (copy.metadata?.annotations) {
    delete copy.metadata.annotations[LAST_APPLIED];
    if (Object.keys(copy.metadata.annotations).length === 0) delete copy.metadata.annotations;
  }
  ann[LAST_APPLIED] = sortedJSON(copy) + '\n';
}

/** Go's encoding of a map[string]interface{}: keys sorted */
function sortedJSON(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(sortedJSON).join(',')}]`;
  if (v !== null && typeof v === 'object') {
    const o = v as Record<string, unknown>;
    return `{${Object.keys(o).sort().filter((k) => o[k] !== undefined).map((k) => `${JSON.stringify(k)}:${sortedJSON(o[k])}`).join(',')}}`;
  }
  return JSON.stringify(v);
}

/** the fields of the last-applied annotation, when it still describes the live object */
function lastAppliedFields(live: KObject, t: TypeInfo): FieldSet | undefined {
  const text = live.metadata?.annotations?.[LAST_APPLIED];
  if (!text) return undefined;
  let last: unknown;
  try { last = JSON.parse(text); } catch { return undefined; }
  if (last === null || typeof last !== 'object' || Array.isArray(last)) return undefined;
  try {
    const set = toFieldSet(last as Record<string, unknown>, t);
    // a value the annotation and the live object disagree on is someone else's change
    const c = compare(merge(live, last, t), live, t);
    if (!c.modified.isEmpty()) return undefined;
    return set;
  } catch { return undefined; }
}

