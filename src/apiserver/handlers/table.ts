// Server-side printing (meta.k8s.io Table) and PartialObjectMetadata, the transformations kubectl
// and metadata-only informers ask for.
import type { KObject, Printer, ResourceType } from '../../api/types.js';
import { StatusError } from '../../machinery/errors.js';
import { resourceKey } from '../../api/types.js';
import { printers, defaultPrinter } from '../../api/printers/index.js';

export function printerFor(type: ResourceType): Printer {
  return type.custom?.printer ?? printers[resourceKey(type.group, type.resource)] ?? defaultPrinter;
}

export type IncludeObject = 'None' | 'Metadata' | 'Object';

export function partialMetadata(obj: KObject, version = 'v1'): KObject {
  return { kind: 'PartialObjectMetadata', apiVersion: `meta.k8s.io/${version}`, metadata: obj.metadata };
}

export function tableOf(type: ResourceType, objs: KObject[], listMeta: Record<string, unknown>,
  include: IncludeObject, version = 'v1', withColumns = true): Record<string, unknown> {
  const printer = printerFor(type);
  const now = Date.now();
  const rows = objs.map((o) => {
    const row: Record<string, unknown> = { cells: printer.cells(o, now) };
    if (include === 'Object') row.object = o;
    else if (include === 'Metadata') row.object = partialMetadata(o, version);
    return row;
  });
  const t: Record<string, unknown> = { kind: 'Table', apiVersion: `meta.k8s.io/${version}`, metadata: listMeta };
  t.columnDefinitions = withColumns ? printer.columns : [];
  t.rows = rows;
  return t;
}

export function includeObjectParam(q: URLSearchParams): IncludeObject {
  const v = q.get('includeObject');
  if (v === null || v === '' || v === 'Metadata') return 'Metadata';
  if (v === 'None' || v === 'Object') return v;
  throw new StatusError(400, 'BadRequest', `Unable to convert to Table as requested: includeObject: Invalid value: ${JSON.stringify(v)}: must be 'Metadata', 'Object', 'None', or empty`);
}
