// A reflector (client-go's name): LIST a collection, then WATCH it from the list's
// resourceVersion with bookmarks; when a watch ends, resume from the last resourceVersion seen;
// when the server says that revision is gone (an ERROR event, e.g. 410), LIST again. Every listed
// item is delivered as ADDED (and the whole list to onList, so caches can drop what vanished).
// Informers and controllers build on this.
import { APIError, type RESTClient } from './rest.js';

type Obj = Record<string, unknown> & { metadata?: { resourceVersion?: string } };
export type ReflectorHandler = (type: 'ADDED' | 'MODIFIED' | 'DELETED', obj: Obj) => void;

export interface ReflectorOptions {
  /** delay before resuming or re-listing after a watch ends or a list fails */
  retryMs?: number;
  /**
   * Called after every LIST with everything listed: the complete state at that revision. A cache
   * uses it to drop objects deleted while no watch was running (client-go's Replace).
   */
  onList?: (items: Obj[]) => void;
  log?: (msg: string) => void;
  /**
   * LIST in pages of this many objects (limit/continue, one consistent revision) instead of one
   * response holding the whole collection, so a large collection is never one huge string and
   * parse in memory at once. 0 (the default): one LIST.
   */
  pageSize?: number;
  /** Applied to every listed and watched object before anyone sees it (client-go's WithTransform). */
  transform?: (obj: Obj) => Obj;
}

/** Starts reflecting `path` (a collection path, may carry a query). Resolves once the first LIST is delivered. */
export async function reflect(client: RESTClient, path: string, onEvent: ReflectorHandler,
  opts: ReflectorOptions = {}): Promise<{ stop(): void }> {
  const retryMs = opts.retryMs ?? 1000;
  const sep = path.includes('?') ? '&' : '?';
  let stopped = false;
  let stopWatch: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;
  const later = (fn: () => void) => {
    if (stopped) return;
    timer = setTimeout(() => { timer = undefined; if (!stopped) fn(); }, retryMs);
  };

  const transform = opts.transform ?? ((o: Obj) => o);
  type ListPage = { items: Obj[]; metadata: { resourceVersion: string; continue?: string } };
  const list = async (): Promise<string> => {
    const items: Obj[] = [];
    let pageSize = opts.pageSize ?? 0;
    let cont = '';
    let rv = '';
    for (;;) {
      let page: ListPage;
      try {
        page = await client.request<ListPage>('GET', pageSize > 0
          ? `${path}${sep}limit=${pageSize}${cont ? `&continue=${encodeURIComponent(cont)}` : ''}` : path);
      } catch (err) {
        // the continue token outlived the revision it pins (410 Expired): start over with one LIST, as client-go's pager
        if (!(cont && err instanceof APIError && err.code === 410)) throw err;
        items.length = 0;
        pageSize = 0;
        cont = '';
        continue;
      }
      // deliver only once the whole list is in: a failed page must not leave half a list delivered
      for (const o of page.items ?? []) items.push(transform(o));
      rv = page.metadata.resourceVersion;
      cont = pageSize > 0 ? page.metadata.continue ?? '' : '';
      if (!cont) break;
    }
    for (const o of items) onEvent('ADDED', o);
    opts.onList?.(items);
    return rv;
  };
  const relist = () => {
    list().then(watch, (err: Error) => { opts.log?.(`re-list ${path}: ${err.message}`); later(relist); });
  };
  const watch = (rv: string) => {
    if (stopped) return;
    let last = rv;
    stopWatch = client.watch(`${path}${sep}watch=true&allowWatchBookmarks=true&resourceVersion=${rv}`, (type, obj) => {
      const o = obj as Obj;
      if (type === 'ERROR') { last = ''; return; }
      if (o.metadata?.resourceVersion) last = o.metadata.resourceVersion;
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') onEvent(type, transform(o));
    }, () => later(() => (last ? watch(last) : relist())));
  };

  watch(await list());
  return {
    stop() {
      stopped = true;
      stopWatch?.();
      if (timer) clearTimeout(timer);
    },
  };
}
