// LIST with upstream's resourceVersion semantics (unset = consistent, "0" = any, N = not older
// than, Exact), limit/continue pagination over one consistent revision, and selectors. Lists are
// served from the watch cache; continuation pages read the datastore at the first page's revision.

import { StatusError, badRequest } from '../../machinery/errors.js';
import { CompactedError, type Backend } from '../../storage/interface.js';
import type { KObject } from '../../api/types.js';
import { apiVersionOf } from '../../api/types.js';
import type { ServedResource } from '../apis.js';
import { decodeFromStorage, type ValueTransformer } from '../storage/codec.js';
import type { WatchCache } from '../storage/watchcache.js';
import { buildFilter } from './filter.js';
import { viewOf, toServed } from '../storage/view.js';

export interface ListResult {
  /** each item's serialized JSON, in key order; `obj` parses on first use */
  items: { bytes: Buffer; readonly obj: KObject }[];
  resourceVersion: string;
  continueToken?: string;
  remainingItemCount?: number;
}

interface ContinueToken { v: string; rv: number; start: string }

export function encodeContinue(rv: number, start: string): string {
  return Buffer.from(JSON.stringify({ v: 'meta.k8s.io/v1', rv, start })).toString('base64');
}

function decodeContinue(token: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as ContinueToken;
    if (t.v !== 'meta.k8s.io/v1' || typeof t.rv !== 'number' || typeof t.start !== 'string' || t.rv <= 0) throw new Error();
    return t;
  } catch {
    throw badRequest('invalid continue token: continue key is not valid: incorrect encoded start resourceVersion (version meta.k8s.io/v1)');
  }
}

export function parseRV(s: string | null): number | undefined {
  if (s === null || s === '') return undefined;
  if (!/^[0-9]+$/.test(s)) {
    throw new StatusError(400, 'BadRequest', `invalid resource version: ${JSON.stringify(s)}`);
  }
  return Number(s);
}

export function tooLargeRV(rv: number, current: number): StatusError {
  return new StatusError(504, 'Timeout', `Too large resource version: ${rv}, current: ${current}`,
    { causes: [{ reason: 'ResourceVersionTooLarge', message: 'Too large resource version' }], retryAfterSeconds: 1 });
}

export const CONTINUE_TOO_OLD = 'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.';

export async function list(sr: ServedResource, namespace: string, query: URLSearchParams,
  cache: WatchCache, backend: Backend, transformer: ValueTransformer): Promise<ListResult> {
  const { store, type } = sr;
  const filter = buildFilter(type, query);
  const limitRaw = query.get('limit');
  const limit = limitRaw ? Math.max(0, parseInt(limitRaw, 10) || 0) : 0;
  const cont = query.get('continue') ?? '';
  const rvStr = query.get('resourceVersion');
  const rv = parseRV(rvStr);
  const match = query.get('resourceVersionMatch') ?? '';
  if (match && rvStr === null) throw badRequest('resourceVersionMatch is forbidden unless resourceVersion is provided');
  if (match && match !== 'Exact' && match !== 'NotOlderThan') {
    throw badRequest(`resourceVersionMatch: Unsupported value: "${match}": supported values: "Exact", "NotOlderThan"`);
  }
  if (cont && rvStr !== null && rvStr !== '' && rvStr !== '0') {
    throw badRequest('specifying resource version is not allowed when using continue');
  }
  if (match === 'Exact' && rv === 0) throw badRequest('resourceVersionMatch "exact" is forbidden for resourceVersion "0"');

  const prefix = store.listPrefix(namespace);
  if (cont) {
    const tok = decodeContinue(cont);
    return listFromStore(sr, prefix, tok.rv, prefix + tok.start, limit, filter, backend, transformer, true);
  }
  // legacy semantics: a non-zero resourceVersion with a limit and no match means Exact
  const exact = match === 'Exact' || (!match && limit > 0 && rv !== undefined && rv > 0);
  if (exact && rv !== undefined && rv > 0) {
    if (rv > cache.revision && !(await cache.waitFor(rv, 3000))) throw tooLargeRV(rv, cache.revision);
    if (rv !== cache.revision) return listFromStore(sr, prefix, rv, prefix, limit, filter, backend, transformer, false);
  } else if (rv === undefined) {
    await cache.sync();
  } else if (rv > 0 && !(await cache.waitFor(rv, 3000))) {
    throw tooLargeRV(rv, cache.revision);
  }

  // served from the cache at its current revision
  const at = cache.revision;
  const rc = store.cache;
  const items: ListResult['items'] = [];
  const keys = rc.keys();
  let i = lowerBound(keys, prefix);
  let nextKey: string | undefined;
  let remaining = 0;
  for (; i < keys.length; i++) {
    const k = keys[i];
    if (!k.startsWith(prefix)) break;
    const c = viewOf(sr.convert, rc.objects.get(k)!);
    if (!filter.test(c)) continue;
    if (limit > 0 && items.length >= limit) {
      nextKey = k;
      if (filter.empty) {
        for (; i < keys.length && keys[i].startsWith(prefix); i++) remaining++;
      }
      break;
    }
    items.push({ bytes: c.bytes(), get obj() { return c.obj; } });
  }
  const out: ListResult = { items, resourceVersion: String(at) };
  if (nextKey !== undefined) {
    out.continueToken = encodeContinue(at, nextKey.slice(prefix.length));
    if (filter.empty) out.remainingItemCount = remaining;
  }
  return out;
}

function lowerBound(keys: string[], k: string): number {
  let lo = 0, hi = keys.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (keys[mid] < k) lo = mid + 1; else hi = mid;
  }
  return lo;
}

async function listFromStore(sr: ServedResource, prefix: string, rv: number, startKey: string, limit: number,
  filter: ReturnType<typeof buildFilter>, backend: Backend, transformer: ValueTransformer,
  isContinue: boolean): Promise<ListResult> {
  const items: ListResult['items'] = [];
  let start = startKey;
  let nextKey: string | undefined;
  let remaining: number | undefined;
  try {
    for (;;) {
      const batch = limit > 0 ? Math.max(limit - items.length, 1) + 1 : 0;
      const res = await backend.range(prefix, { revision: rv, startKey: start, limit: batch });
      let stopped = false;
      for (let i = 0; i < res.kvs.length; i++) {
        const kv = res.kvs[i];
        const obj = toServed(sr.convert, decodeFromStorage(kv, transformer));
        if (!filter.matches(obj)) continue;
        if (limit > 0 && items.length >= limit) {
          nextKey = kv.key;
          if (filter.empty) remaining = res.count - i;
          stopped = true;
          break;
        }
        items.push({ bytes: Buffer.from(JSON.stringify(obj)), obj });
      }
      if (stopped || !res.more || res.kvs.length === 0) break;
      start = res.kvs[res.kvs.length - 1].key + '\x00';
    }
  } catch (err) {
    if (err instanceof CompactedError) {
      if (isContinue) throw new StatusError(410, 'Expired', CONTINUE_TOO_OLD);
      throw new StatusError(410, 'Expired', `The resourceVersion for the provided list is too old.`);
    }
    throw err;
  }
  const out: ListResult = { items, resourceVersion: String(rv) };
  if (nextKey !== undefined) {
    out.continueToken = encodeContinue(rv, nextKey.slice(prefix.length));
    if (remaining !== undefined) out.remainingItemCount = remaining;
  }
  return out;
}

const COMMA = Buffer.from(',');
const TAIL = Buffer.from(']}');

/** The JSON of a list as parts (head, each item's cached bytes, tail): nothing re-serialized or copied. */
export function listJSON(sr: ServedResource, r: ListResult): Buffer[] {
  const meta: Record<string, unknown> = { resourceVersion: r.resourceVersion };
  if (r.continueToken) meta.continue = r.continueToken;
  if (r.remainingItemCount !== undefined) meta.remainingItemCount = r.remainingItemCount;
  const head = Buffer.from(`{"kind":${JSON.stringify(sr.type.listKind)},"apiVersion":${JSON.stringify(apiVersionOf(sr.type))},"metadata":${JSON.stringify(meta)},"items":[`);
  const parts: Buffer[] = [head];
  r.items.forEach((it, i) => { if (i) parts.push(COMMA); parts.push(it.bytes); });
  parts.push(TAIL);
  return parts;
}
