// Small readers over plain-JSON objects and the column definitions every printer shares.

import type { KObject, TableColumn } from '../types.js';
import { canonicalQuantity } from '../../machinery/quantity.js';
import { translateTimestampSince } from './duration.js';

export type Obj = Record<string, unknown>;

/** Value at a dotted path, or undefined when any step is missing. */
export function get(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Obj)[p];
  }
  return cur;
}

export function str(o: unknown, path: string): string {
  const v = get(o, path);
  return typeof v === 'string' ? v : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/** an integer field; missing means 0 (Go's zero value) */
export function int(o: unknown, path: string): number {
  const v = get(o, path);
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : 0;
}

/** an optional integer field: undefined when absent */
export function optInt(o: unknown, path: string): number | undefined {
  const v = get(o, path);
  return typeof v === 'number' && Number.isFinite(v) ? Math.trunc(v) : undefined;
}

/** a JSON object (map) field, or {} */
export const asMap = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});

export function bool(o: unknown, path: string): boolean | undefined {
  const v = get(o, path);
  return typeof v === 'boolean' ? v : undefined;
}

export function arr(o: unknown, path: string): Obj[] {
  const v = get(o, path);
  return Array.isArray(v) ? (v.filter((x) => x !== null && typeof x === 'object') as Obj[]) : [];
}

/** a list of strings (non-string entries dropped) */
export function strs(o: unknown, path: string): string[] {
  const v = get(o, path);
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

export function count(o: unknown, path: string): number {
  const v = get(o, path);
  if (Array.isArray(v)) return v.length;
  if (v && typeof v === 'object') return Object.keys(v).length;
  return 0;
}

export const nameOf = (obj: KObject) => obj.metadata?.name ?? '';
export const ageOf = (obj: KObject, now: number) => translateTimestampSince(obj.metadata?.creationTimestamp, now);

export function col(name: string, type: TableColumn['type'], description: string, priority = 0, format = ''): TableColumn {
  return { name, type, format, description, priority };
}

export const NAME_DESCRIPTION = 'Name must be unique within a namespace (or the cluster, for cluster-scoped kinds). ' +
  'It identifies the object and cannot be updated.';
export const AGE_DESCRIPTION = 'CreationTimestamp is the time this object was created on the server, in UTC. ' +
  'Read-only; set by the system.';

export const nameColumn = (): TableColumn => col('Name', 'string', NAME_DESCRIPTION, 0, 'name');
export const ageColumn = (): TableColumn => col('Age', 'string', AGE_DESCRIPTION);
export const containersColumn = (priority = 1) => col('Containers', 'string', 'Names of each container in the template.', priority);
export const imagesColumn = (priority = 1) => col('Images', 'string', 'Images referenced by each container in the template.', priority);

/** container names and images, comma-joined, as the CONTAINERS and IMAGES cells */
export function layoutContainerCells(containers: Obj[]): [string, string] {
  return [containers.map((c) => str(c, 'name')).join(','), containers.map((c) => str(c, 'image')).join(',')];
}

/** "True"/"False"/"<unset>" for an optional bool (CronJob SUSPEND) */
export function printBoolPtr(v: boolean | undefined): string {
  return v === undefined ? '<unset>' : v ? 'True' : 'False';
}

/** the condition of a type in status.conditions, if any (first match, as upstream's loops) */
export function condition(obj: unknown, type: string, path = 'status.conditions'): Obj | undefined {
  return arr(obj, path).find((c) => c.type === type);
}

/** first list entries, then " + N more..." as upstream's list cells do */
export function listWithMore(list: string[], more: boolean, total: number, max: number, empty = '<unset>'): string {
  const ret = list.join(',');
  if (more) return `${ret} + ${total - max} more...`;
  return ret === '' ? empty : ret;
}

/** a quantity's canonical form ("1024Mi" → "1Gi"), as upstream prints Quantity; garbage is shown as given */
export function formatQuantity(v: string | number): string {
  try {
    return canonicalQuantity(v);
  } catch {
    return String(v);
  }
}
