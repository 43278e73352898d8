// metadata.managedFields: decoding the entries into field sets per manager, and encoding them back
// in upstream's order. A manager is identified as upstream's BuildManagerIdentifier does: name,
// operation and subresource, plus the apiVersion for Update entries (an applier keeps one entry
// whatever version it applies with).

import { FieldSet } from './fieldset.js';

export type Operation = 'Apply' | 'Update';

export interface ManagedFieldsEntry {
  manager?: string;
  operation?: Operation;
  apiVersion?: string;
  time?: string;
  fieldsType?: string;
  fieldsV1?: Record<string, unknown>;
  subresource?: string;
}

export interface Manager {
  manager: string;
  operation: Operation;
  apiVersion: string;
  subresource: string;
  time?: string;
  set: FieldSet;
  /** the entry as stored, reused while the set is unchanged (keeps no-op writes byte-identical) */
  encoded?: ManagedFieldsEntry;
}

export function managerKey(m: { manager: string; operation: Operation; apiVersion: string; subresource: string }): string {
  return JSON.stringify([m.manager, m.operation, m.operation === 'Apply' ? '' : m.apiVersion, m.subresource]);
}

/** Managers by identity, in stored order. */
export type Managed = Map<string, Manager>;

/** Decodes managedFields; throws on malformed entries (upstream then falls back to the live object's). */
export function decodeManagedFields(entries: unknown): Managed {
  const out: Managed = new Map();
  if (entries === undefined || entries === null) return out;
  if (!Array.isArray(entries)) throw new Error('managedFields must be a list');
  for (const e of entries as ManagedFieldsEntry[]) {
    if (e === null || typeof e !== 'object') throw new Error('managedFields entry must be an object');
    if (e.fieldsType !== 'FieldsV1') throw new Error(`invalid fieldsType "${e.fieldsType ?? ''}": only FieldsV1 is supported`);
    if (e.operation !== 'Apply' && e.operation !== 'Update') throw new Error(`invalid operation "${String(e.operation ?? '')}"`);
    const m: Manager = {
      manager: String(e.manager ?? ''), operation: e.operation, apiVersion: String(e.apiVersion ?? ''),
      subresource: String(e.subresource ?? ''), time: e.time, set: FieldSet.fromFieldsV1(e.fieldsV1 ?? {}), encoded: e,
    };
    const key = managerKey(m);
    if (out.has(key)) throw new Error(`duplicate entries for manager ${key}`);
    out.set(key, m);
  }
  return out;
}

/** upstream's isResetManagedFields: [] or [{}] in a request clears the managed fields */
export function isReset(entries: unknown): boolean {
  if (!Array.isArray(entries)) return false;
  if (entries.length === 0) return true;
  return entries.length === 1 && entries[0] !== null && typeof entries[0] === 'object' && Object.keys(entries[0] as object).length === 0;
}

/** The entries in upstream's order: operation (Apply first), time, manager, apiVersion, subresource. */
export function encodeManagedFields(managed: Managed): ManagedFieldsEntry[] {
  const ms = [...managed.values()].filter((m) => !m.set.isEmpty());
  ms.sort((a, b) => cmp(a.operation, b.operation) || cmp(a.time ?? '', b.time ?? '') || cmp(a.manager, b.manager)
    || cmp(a.apiVersion, b.apiVersion) || cmp(a.subresource, b.subresource));
  return ms.map((m) => {
    if (m.encoded) return m.encoded;
    const e: ManagedFieldsEntry = { manager: m.manager, operation: m.operation, apiVersion: m.apiVersion };
    if (m.time) e.time = m.time;
    e.fieldsType = 'FieldsV1';
    e.fieldsV1 = m.set.toFieldsV1();
    if (m.subresource) e.subresource = m.subresource;
    return e;
  });
}

function cmp(a: string, b: string): number { return a < b ? -1 : a > b ? 1 : 0; }

/** upstream's printManager, used in conflict messages */
export function describeManager(m: Manager): string {
  let s = JSON.stringify(m.manager);
  if (m.subresource) s += ` with subresource ${JSON.stringify(m.subresource)}`;
  if (m.operation === 'Update') s += ` using ${m.apiVersion}`;
  return s;
}
