// Applying a mutating webhook's JSONPatch to the object it was shown. A patch that cannot be decoded
// is a failed call; one that cannot be applied is a 500 (upstream: NewInternalError of evanphx/json-patch's
// error, whose wording is approximated here).

import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';

/** decode response.patch (base64 of a JSON array of operations); throws the reason text */
export function decodePatch(b64: string): Operation[] {
  let text: string;
  try { text = Buffer.from(b64, 'base64').toString('utf8'); } catch (e) { throw new Error(`illegal base64 data: ${(e as Error).message}`); }
  let v: unknown;
  try { v = JSON.parse(text); } catch (e) { throw new Error((e as Error).message); }
  if (!Array.isArray(v)) throw new Error(`json: cannot unmarshal ${v === null ? 'null' : typeof v} into Go value of type jsonpatch.Patch`);
  for (const op of v) {
    if (op === null || typeof op !== 'object' || Array.isArray(op)) throw new Error('json: cannot unmarshal non-object into Go value of type jsonpatch.Operation');
  }
  return v as Operation[];
}

function reason(e: unknown, op: Operation | undefined): string {
  const name = (e as { name?: string }).name ?? '';
  const path = op?.path ?? '';
  switch (name) {
    case 'OPERATION_PATH_UNRESOLVABLE':
      if (op?.op === 'remove') return `Unable to remove nonexistent key: ${path.split('/').pop()}: missing value`;
      if (op?.op === 'replace') return `replace operation does not apply: doc is missing key: ${path}: missing value`;
      return `${op?.op} operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`;
    case 'OPERATION_PATH_CANNOT_ADD':
      return `add operation does not apply: doc is missing path: ${JSON.stringify(path)}: missing value`;
    case 'TEST_OPERATION_FAILED': return `testing value ${path} failed: test failed`;
    case 'OPERATION_OP_INVALID': return `Unexpected kind: ${String(op?.op ?? '')}`;
    case 'OPERATION_FROM_UNRESOLVABLE': return `${op?.op} operation does not apply: doc is missing from path: ${JSON.stringify((op as { from?: string }).from ?? '')}: missing value`;
    default: return (e as Error).message?.split('\n')[0] ?? String(e);
  }
}

/** the patched copy of doc; throws an Error with the reason when an operation does not apply */
export function applyPatch<T>(doc: T, ops: Operation[]): T {
  const copy = structuredClone(doc);
  try {
    return jsonpatch.applyPatch(copy, ops, true, true).newDocument as T;
  } catch (e) {
    const op = (e as { operation?: Operation }).operation;
    throw new Error(reason(e, op));
  }
}
