// A reflector (client-go's name): LIST a collection, then WATCH it from the list's
// resourceVersion with bookmarks; when a watch ends, resume from the last resourceVersion seen;
// when the server says that revision is gone (an ERROR event, e.g. 410), LIST again. Every listed
// item is delivered as ADDED (and the whole list to onList, so caches can drop what vanished).
// Informers and controllers build on this.
import type { RESTClient } from './rest.js';

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

  const list = async (): Promise<string> => {
    const l = await client.request<{ items: Obj[]; metadata: { resourceVersion: string } }>('GET', path);
    for (const o of l.items) onEvent('ADDED', o);
    opts.onList?.(l.items);
    return l.metadata.resourceVersion;
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
      if (type === 'ADDED' || type === 'MODIFIED' || type === 'DELETED') onEvent(type, o);
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
