// RFC 6902 JSON Patch (application/json-patch+json), applied with fast-json-patch and answered
// as the upstream apiserver does (handlers/patch.go, evanphx/json-patch):
//  - a body that is not a list of operation objects: 400 BadRequest with encoding/json's text;
//  - more than 10000 operations: 413;
//  - any failing operation (test mismatch, missing path, bad op): 422 Invalid with the generic
//    "the server rejected our request due to an error in our request" and empty details —
//    upstream drops the underlying reason, so clients see exactly that.

import jsonpatch from 'fast-json-patch';
import type { Operation } from 'fast-json-patch';
import { StatusError, badRequest } from '../errors.js';
import { goJSONKind } from './gofmt.js';
import { parsePatchBody } from './decode.js';

export type JSONPatchOperation = Operation;

export const MAX_JSON_PATCH_OPERATIONS = 10000;

export function jsonPatchApplyFailed(): StatusError {
  return new StatusError(422, 'Invalid', 'the server rejected our request due to an error in our request', {});
}

/** Checks the shape upstream's decoder checks (a list of objects); null is an empty patch. */
export function decodeJSONPatch(body: unknown): Record<string, unknown>[] {
  let v = body;
  if (typeof v === 'string' || v instanceof Uint8Array) v = parsePatchBody(v);
  if (v === null) return [];
  if (!Array.isArray(v)) throw badRequest(`json: cannot unmarshal ${goJSONKind(v)} into Go value of type jsonpatch.Patch`);
  for (const op of v) {
    if (op !== null && (typeof op !== 'object' || Array.isArray(op))) {
      throw badRequest(`json: cannot unmarshal ${goJSONKind(op)} into Go value of type jsonpatch.Operation`);
    }
  }
  if (v.length > MAX_JSON_PATCH_OPERATIONS) {
    throw new StatusError(413, 'RequestEntityTooLarge',
      `Request entity too large: The allowed maximum operations in a JSON patch is ${MAX_JSON_PATCH_OPERATIONS}, got ${v.length}`);
  }
  return v as Record<string, unknown>[];
}

/**
 * Applies a JSON patch (parsed, or the raw body) to `original` and returns the new document.
 * Neither argument is modified.
 */
export function applyJSONPatch(original: unknown, patch: unknown): unknown {
  const ops = decodeJSONPatch(patch).map((op) => {
    if (op === null) return op;
    const c = structuredClone(op);
    // evanphx/json-patch treats a missing value as null rather than rejecting the operation.
    if ((c.op === 'add' || c.op === 'replace' || c.op === 'test') && !('value' in c)) c.value = null;
    return c;
  });
  if (ops.length === 0) return structuredClone(original);
  try {
    return jsonpatch.applyPatch(structuredClone(original), ops as unknown as Operation[], true, true).newDocument;
  } catch {
    throw jsonPatchApplyFailed();
  }
}
