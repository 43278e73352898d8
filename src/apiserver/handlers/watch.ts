// WATCH from the watch cache: resume from a resourceVersion, synthetic ADDED events for the
// current state (rv unset/"0" or sendInitialEvents=true), bookmarks, selectors with upstream's
// transitions (an object leaving the selection is DELETED for that watcher), timeoutSeconds, and
// 410 Gone past the retained window. Each event line is serialized once for all JSON watchers.

import { StatusError, badRequest } from '../../machinery/errors.js';
import type { KObject } from '../../api/types.js';
import { apiVersionOf } from '../../api/types.js';
import type { ServedResource } from '../apis.js';
import { cachedObject, type CacheEvent, type CachedObject } from '../storage/cached.js';
import type { WatchCache } from '../storage/watchcache.js';
import type { Output } from '../http/negotiate.js';
import type { Req, Res } from '../http/types.js';
import { buildFilter } from './filter.js';
import { viewOf } from '../storage/view.js';
import { parseRV, tooLargeRV } from './list.js';
import { includeObjectParam, partialMetadata, tableOf } from './table.js';

const BOOKMARK_INTERVAL_MS = 60_000;
/** a watcher this far behind is closed (the client re-lists), as upstream's cacheWatcher does */
const MAX_PENDING_BYTES = 64 * 1024 * 1024;

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

/**
 * The serialized line of an event, shared by every watcher it fans out to. Events fan out
 * synchronously, so the memo only needs to live for the current turn of the event loop.
 */
let lineCache = new Map<CachedObject, Map<EventType, Buffer>>();
let lineCacheClear: NodeJS.Immediate | undefined;
const LINE_END = Buffer.from('}\n');
function jsonLine(type: EventType, c: CachedObject): Buffer {
  let m = lineCache.get(c);
  if (!m) {
    m = new Map();
    lineCache.set(c, m);
    lineCacheClear ??= setImmediate(() => { lineCache = new Map(); lineCacheClear = undefined; });
  }
  let b = m.get(type);
  if (b === undefined) { b = Buffer.concat([Buffer.from(`{"type":"${type}","object":`), c.bytes(), LINE_END]); m.set(type, b); }
  return b;
}

export async function watch(sr: ServedResource, namespace: string, name: string, query: URLSearchParams,
  cache: WatchCache, req: Req, res: Res, out: Output): Promise<void> {
  const { store, type } = sr;
  const served = (ev: CacheEvent): CacheEvent => (sr.convert
    ? { ...ev, object: viewOf(sr.convert, ev.object), prev: ev.prev && viewOf(sr.convert, ev.prev) }
    : ev);
  const q = new URLSearchParams(query);
  if (name) {
    // GET …/{name}?watch=true is a watch on one object
    const fs = q.get('fieldSelector');
    q.set('fieldSelector', fs ? `${fs},metadata.name=${name}` : `metadata.name=${name}`);
  }
  const filter = buildFilter(type, q);
  const rvStr = q.get('resourceVersion');
  const rv = parseRV(rvStr);
  const sendInitial = q.get('sendInitialEvents');
  const bookmarks = q.get('allowWatchBookmarks') === 'true';
  const match = q.get('resourceVersionMatch') ?? '';
  if (sendInitial !== null && sendInitial !== '') {
    if (match !== 'NotOlderThan') {
      throw new StatusError(422, 'Invalid',
        'sendInitialEvents is forbidden for watch unless resourceVersionMatch is set to NotOlderThan');
    }
    if (!bookmarks && sendInitial === 'true') {
      throw new StatusError(422, 'Invalid', 'sendInitialEvents requires setting allowWatchBookmarks to true');
    }
  } else if (match) {
    throw badRequest('resourceVersionMatch is forbidden for watch');
  }
  const timeoutRaw = q.get('timeoutSeconds');
  const timeoutMs = timeoutRaw ? Math.max(1, parseInt(timeoutRaw, 10) || 0) * 1000 : (1800 + Math.random() * 1800) * 1000;

  const prefix = store.listPrefix(namespace);
  const rc = store.cache;
  const initial = sendInitial === 'true' || (sendInitial === null && (rv === undefined || rv === 0));
  if (rv === undefined || sendInitial === 'true') {
    if (rv === undefined) await cache.sync();
  }
  if (rv !== undefined && rv > cache.revision && !(await cache.waitFor(rv, 3000))) throw tooLargeRV(rv, cache.revision);

  // Collect the starting events synchronously with registering the listener, so nothing is lost.
  let startEvents: { type: EventType; obj: CachedObject }[] = [];
  const startRv = initial ? cache.revision : rv!;
  if (initial) {
    for (const k of rc.keys()) {
      if (!k.startsWith(prefix)) continue;
      const c = viewOf(sr.convert, rc.objects.get(k)!);
      if (filter.test(c)) startEvents.push({ type: 'ADDED', obj: c });
    }
  } else {
    const evs = rc.eventsSince(rv!);
    if (!evs) {
      // too old: upstream answers with an ERROR event carrying 410 Gone
      startWatchResponse(res, out);
      const status = new StatusError(410, 'Expired', `too old resource version: ${rv} (${rc.startRv})`).toStatus();
      res.end(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      return;
    }
    startEvents = [];
    for (const ev of evs) {
      if (!ev.object.key.startsWith(prefix)) continue;
      const t = transition(served(ev), filter);
      if (t) startEvents.push(t);
    }
  }

  const include = includeObjectParam(q);
  let first = true;
  const encode = (t: EventType, c: CachedObject): string | Buffer => {
    if (!out.as && out.contentType === 'application/json') return jsonLine(t, c);
    let obj: unknown = c.obj;
    if (out.as === 'Table') {
      obj = tableOf(type, [c.obj], { resourceVersion: String(c.rv) }, include, out.version, first);
      first = false;
    } else if (out.as) obj = partialMetadata(c.obj, out.version);
    return `{"type":"${t}","object":${JSON.stringify(obj)}}\n`;
  };

  let lastRv = startRv;
  let closed = false;
  // events of one datastore batch reach the listener in the same tick: cork so they leave as one
  // write (one TLS record and syscall) instead of one per event
  // (HTTP/1.1 responses; HTTP/2 streams have no cork, their session batches frames itself)
  const corkable = res as unknown as { cork?: () => void; uncork?: () => void };
  let corked = false;
  const uncork = () => { corked = false; corkable.uncork!(); };
  const send = (s: string | Buffer) => {
    if (closed) return;
    if (!corked && corkable.cork) { corked = true; corkable.cork(); process.nextTick(uncork); }
    res.write(s);
    if (res.writableLength > MAX_PENDING_BYTES) close();
  };
  const listener = (ev: CacheEvent) => {
    if (!ev.object.key.startsWith(prefix)) return;
    let view: CacheEvent;
    try { view = served(ev); } catch (err) {
      // a failed conversion (CRD conversion webhook down) ends this watch with an ERROR event, as upstream
      const status = err instanceof StatusError ? err.toStatus() : { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: String(err), reason: 'InternalError', code: 500 };
      send(`{"type":"ERROR","object":${JSON.stringify(status)}}\n`);
      close();
      return;
    }
    const t = transition(view, filter);
    lastRv = ev.rv;
    if (t) send(encode(t.type, t.obj));
  };
  rc.listeners.add(listener);

  const bookmark = (extra?: Record<string, string>) => {
    const meta: Record<string, unknown> = { resourceVersion: String(Math.max(lastRv, cache.revision)) };
    if (extra) meta.annotations = extra;
    const obj: KObject = { kind: type.kind, apiVersion: apiVersionOf(type), metadata: meta as KObject['metadata'] };
    send(`{"type":"BOOKMARK","object":${JSON.stringify(obj)}}\n`);
  };

  const timers: NodeJS.Timeout[] = [];
  function close() {
    if (closed) return;
    closed = true;
    rc.listeners.delete(listener);
    for (const t of timers) clearTimeout(t), clearInterval(t);
    if (!res.writableEnded) res.end();
  }
  req.on('close', close);
  res.on('close', close);
  res.on('error', close);

  startWatchResponse(res, out);
  for (const e of startEvents) send(encode(e.type, e.obj));
  if (sendInitial === 'true') bookmark({ 'k8s.io/initial-events-end': 'true' });
  timers.push(setTimeout(close, timeoutMs));
  if (bookmarks) timers.push(setInterval(() => bookmark(), BOOKMARK_INTERVAL_MS));
}

function startWatchResponse(res: Res, out: Output): void {
  res.writeHead(200, {
    // watch streams are JSON lines even when YAML was asked for (as upstream)
    'content-type': 'application/json',
    'cache-control': 'no-cache, private',
  });
  // flush headers so the client sees the watch established before the first event
  (res as unknown as { flushHeaders?: () => void }).flushHeaders?.();
}

/** What one cache event means to a watcher with this selector (upstream's cacheWatcher.convertToWatchEvent). */
function transition(ev: CacheEvent, filter: { test: (c: CachedObject) => boolean }): { type: EventType; obj: CachedObject } | undefined {
  // without selectors (or with name/namespace ones) nothing needs the parsed object
  const matches = (c: CachedObject) => filter.test(c);
  if (ev.type === 'DELETED') {
    return matches(ev.object) ? { type: 'DELETED', obj: ev.object } : undefined;
  }
  const cur = matches(ev.object);
  const prev = ev.prev ? matches(ev.prev) : false;
  if (cur && prev) return { type: 'MODIFIED', obj: ev.object };
  if (cur && !prev) return { type: 'ADDED', obj: ev.object };
  if (!cur && prev) {
    // left the selection: DELETED with the last matching state, stamped with this event's revision
    const p = ev.prev!;
    const obj = { ...p.obj, metadata: { ...p.obj.metadata, resourceVersion: String(ev.rv) } };
    return { type: 'DELETED', obj: cachedObject(p.key, obj, ev.rv) };
  }
  return undefined;
}
