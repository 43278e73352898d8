// Table output of custom resources from additionalPrinterColumns (upstream's tableconvertor): Name
// first, then each column's first JSONPath result typed by the column; Age when none are declared.

import type { KObject, Printer, TableColumn } from '../api/types.js';
import { nameColumn, AGE_DESCRIPTION } from '../api/printers/util.js';
import { translateTimestampSince } from '../api/printers/duration.js';
import type { PrinterColumn } from './crd.js';
import { evalJSONPath } from './jsonpath.js';

export function customPrinter(columns: PrinterColumn[] | undefined): Printer {
  const cols: PrinterColumn[] = columns?.length ? columns
    : [{ name: 'Age', type: 'date', jsonPath: '.metadata.creationTimestamp', description: AGE_DESCRIPTION }];
  const defs: TableColumn[] = [nameColumn(), ...cols.map((c) => ({
    name: c.name, type: c.type as TableColumn['type'], format: c.format ?? '', description: c.description ?? '', priority: c.priority ?? 0,
  }))];
  return {
    columns: defs,
    cells(obj: KObject, now: number) {
      return [obj.metadata?.name ?? '', ...cols.map((c) => cell(c, evalJSONPath(obj, c.jsonPath), now))];
    },
  };
}

function cell(c: PrinterColumn, results: unknown[], now: number): unknown {
  if (!results.length) return null;
  const v = results[0];
  switch (c.type) {
    case 'string':
      return typeof v === 'string' ? v : JSON.stringify(v);
    case 'date':
      return typeof v === 'string' ? translateTimestampSince(v, now) : null;
    case 'integer':
      return typeof v === 'number' && Number.isInteger(v) ? v : null;
    case 'number':
      return typeof v === 'number' ? v : null;
    case 'boolean':
      return typeof v === 'boolean' ? v : null;
    default:
      return null;
  }
}
