// RFC 7386 JSON Merge Patch (application/merge-patch+json) with the details of the library the
// apiserver uses (evanphx/json-patch MergePatch): null deletes a key, objects merge recursively,
// anything else (arrays included) replaces; nulls inside newly inserted objects are dropped.
// A patch that is null or a scalar is 400 "Invalid JSON Patch"; an array patch replaces the
// whole document (the caller's decode of the result then fails, as upstream).

import { badRequest } from '../errors.js';
import { parsePatchBody } from './decode.js';

type JSONMap = Record<string, unknown>;

const isMap = (v: unknown): v is JSONMap => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Drops null-valued keys from objects, recursively; null array elements are kept. */
function pruneNulls(v: unknown): unknown {
  if (Array.isArray(v)) return v.map((x) => (x === null ? x : pruneNulls(x)));
  if (isMap(v)) {
    const out: JSONMap = {};
    for (const [k, x] of Object.entries(v)) if (x !== null) out[k] = pruneNulls(x);
    return out;
  }
  return v;
}

function mergeDocs(doc: JSONMap, patch: JSONMap): JSONMap {
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) {
      delete doc[k];
      continue;
    }
    const cur = doc[k];
    if (cur === undefined || cur === null || !isMap(cur)) doc[k] = pruneNulls(v);
    else if (!isMap(v)) doc[k] = structuredClone(v);
    else doc[k] = mergeDocs(cur, v);
  }
  return doc;
}

/**
 * Applies a JSON merge patch (parsed, or the raw body) to `original`; neither is modified.
 */
export function jsonMergePatch(original: unknown, patch: unknown): unknown {
  let p = patch;
  if (typeof p === 'string' || p instanceof Uint8Array) {
    try {
      p = parsePatchBody(p);
    } catch {
      throw badRequest('Invalid JSON Patch');
    }
  }
  if (Array.isArray(p)) return pruneNulls(p);
  if (!isMap(p)) throw badRequest('Invalid JSON Patch');
  if (!isMap(original)) return pruneNulls(p);
  return mergeDocs(structuredClone(original), p);
}
