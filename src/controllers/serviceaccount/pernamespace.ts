// A controller that keeps one object present in every active namespace: it syncs a namespace when
// the namespace appears or changes, and when its object is deleted or changed (so a deleted object
// comes back). Watches resume from the last resourceVersion and re-list when the window is lost.
import type { RESTClient } from '../../client/rest.js';
import { APIError } from '../../client/rest.js';
import { reflect } from '../../client/reflector.js';

interface Meta { name?: string; namespace?: string; resourceVersion?: string; deletionTimestamp?: string }
type Obj = { metadata?: Meta };

export interface PerNamespaceOptions {
  /** for log lines */
  name: string;
  /** collection path of the owned objects across namespaces, e.g. /api/v1/serviceaccounts */
  ownedPath: string;
  /** the owned object's name */
  ownedName: string;
  /** make the namespace's object right; the namespace is known to exist and not be terminating */
  ensure(namespace: string): Promise<void>;
  log?: (msg: string) => void;
}

export class PerNamespaceController {
  private readonly queue = new Set<string>();
  private running = false;
  private stopped = false;
  private readonly stops: (() => void)[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  /** resolves when the queue is empty (for tests and start-up ordering) */
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly client: RESTClient, private readonly opts: PerNamespaceOptions) {}

  async start(): Promise<void> {
    await Promise.all([
      this.informer('/api/v1/namespaces', (type, o) => {
        if (type !== 'DELETED' && !o.metadata?.deletionTimestamp && o.metadata?.name) this.enqueue(o.metadata.name);
      }),
      this.informer(`${this.opts.ownedPath}?fieldSelector=${encodeURIComponent(`metadata.name=${this.opts.ownedName}`)}`, (type, o) => {
        // a changed or deleted object is put right by syncing its namespace
        if ((type === 'DELETED' || type === 'MODIFIED') && o.metadata?.namespace) this.enqueue(o.metadata.namespace);
      }),
    ]);
  }

  /** list then watch `path`, calling onEvent with ADDED for every listed item */
  private async informer(path: string, onEvent: (type: string, o: Obj) => void): Promise<void> {
    const r = await reflect(this.client, path, (type, o) => onEvent(type, o as Obj), { log: (m) => this.log(m) });
    this.stops.push(() => r.stop());
  }

  private later(ms: number, fn: () => void): void {
    if (this.stopped) return;
    const t = setTimeout(() => { this.timers.delete(t); if (!this.stopped) fn(); }, ms);
    this.timers.add(t);
  }

  private log(msg: string): void { this.opts.log?.(`${this.opts.name}: ${msg}`); }

  enqueue(ns: string): void {
    if (this.stopped) return;
    this.queue.add(ns);
    void this.drain();
  }

  /** waits until every queued namespace was synced */
  idle(): Promise<void> {
    if (!this.running && this.queue.size === 0) return Promise.resolve();
    return new Promise((r) => this.idleWaiters.push(r));
  }

  private async drain(): Promise<void> {
    if (this.running) return;
    this.running = true;
    try {
      while (this.queue.size && !this.stopped) {
        const ns = this.queue.values().next().value as string;
        this.queue.delete(ns);
        try {
          await this.sync(ns);
        } catch (err) {
          this.log(`${ns}: ${(err as Error).message}`);
          this.later(2000, () => this.enqueue(ns));
        }
      }
    } finally {
      this.running = false;
      const waiters = this.idleWaiters;
      this.idleWaiters = [];
      for (const w of waiters) w();
    }
  }

  private async sync(ns: string): Promise<void> {
    let namespace: Obj & { status?: { phase?: string } };
    try {
      namespace = await this.client.request('GET', `/api/v1/namespaces/${encodeURIComponent(ns)}`);
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return;
      throw err;
    }
    if (namespace.metadata?.deletionTimestamp || namespace.status?.phase === 'Terminating') return;
    try {
      await this.opts.ensure(ns);
    } catch (err) {
      // the namespace started terminating meanwhile (NamespaceLifecycle forbids creates) or went away
      if (err instanceof APIError && (err.code === 404 || (err.code === 403 && /terminat/i.test(err.message)))) return;
      throw err;
    }
  }

  stop(): void {
    this.stopped = true;
    for (const s of this.stops) s();
    for (const t of this.timers) clearTimeout(t);
    for (const w of this.idleWaiters) w();
    this.idleWaiters = [];
  }
}
