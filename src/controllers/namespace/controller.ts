// The namespace controller (upstream's namespace-controller, the part that finishes deletion): for a
// namespace with a deletionTimestamp and the `kubernetes` finalizer, delete every namespaced object
// in it (all resources that support deletecollection, found through discovery), wait until none
// remain, then remove the finalizer through /finalize so the API server deletes the namespace.
import type { RESTClient } from '../../client/rest.js';
import { APIError } from '../../client/rest.js';
import { reflect } from '../../client/reflector.js';
import { RateLimitingQueue } from '../../client/workqueue.js';

interface Namespace { metadata: { name: string; deletionTimestamp?: string; resourceVersion?: string }; spec?: { finalizers?: string[] } }
interface APIResource { name: string; namespaced: boolean; verbs: string[] }

const FINALIZER = 'kubernetes';

export class NamespaceController {
  private readonly queue = new RateLimitingQueue('namespace');
  private stopWatch?: () => void;

  constructor(private readonly client: RESTClient, private readonly log: (msg: string) => void = () => {}) {}

  async start(): Promise<void> {
    const r = await reflect(this.client, '/api/v1/namespaces', (type, obj) => {
      if (type !== 'DELETED') this.observe(obj as unknown as Namespace);
    }, { log: this.log });
    this.stopWatch = () => r.stop();
    void this.worker();
  }

  private observe(ns: Namespace): void {
    if (ns.metadata.deletionTimestamp && (ns.spec?.finalizers ?? []).includes(FINALIZER)) this.queue.add(ns.metadata.name);
  }

  private async worker(): Promise<void> {
    for (;;) {
      const name = await this.queue.get();
      if (name === undefined) return;
      try {
        const remaining = await this.sync(name);
        // objects with finalizers (or pods waiting for their kubelet) take time: look again shortly
        if (remaining > 0) this.queue.addAfter(name, 1000); else this.queue.forget(name);
      } catch (err) {
        this.log(`namespace controller: ${name}: ${(err as Error).message}`);
        this.queue.addRateLimited(name);
      } finally {
        this.queue.done(name);
      }
    }
  }

  /** One reconcile step; returns how many objects are still left in the namespace. */
  async sync(name: string): Promise<number> {
    let ns: Namespace;
    try {
      ns = await this.client.request<Namespace>('GET', `/api/v1/namespaces/${name}`);
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return 0;
      throw err;
    }
    if (!ns.metadata.deletionTimestamp || !(ns.spec?.finalizers ?? []).includes(FINALIZER)) return 0;
    let remaining = 0;
    for (const path of await this.namespacedCollections()) {
      const base = `${path.prefix}/namespaces/${name}/${path.resource}`;
      try {
        await this.client.request('DELETE', base);
      } catch (err) {
        if (!(err instanceof APIError && (err.code === 404 || err.code === 405))) throw err;
      }
      try {
        const left = await this.client.request<{ items: unknown[] }>('GET', base);
        remaining += left.items.length;
      } catch (err) {
        if (!(err instanceof APIError && err.code === 404)) throw err;
      }
    }
    if (remaining > 0) return remaining;
    const finalizers = (ns.spec?.finalizers ?? []).filter((f) => f !== FINALIZER);
    await this.client.request('PUT', `/api/v1/namespaces/${name}/finalize`, {
      apiVersion: 'v1', kind: 'Namespace', metadata: { name, resourceVersion: ns.metadata.resourceVersion }, spec: { finalizers },
    });
    this.log(`namespace controller: ${name} emptied and finalized`);
    return 0;
  }

  /** Every namespaced resource (preferred version per group) that can be listed and deleted as a collection. */
  private async namespacedCollections(): Promise<{ prefix: string; resource: string }[]> {
    const out: { prefix: string; resource: string }[] = [];
    const add = (prefix: string, resources: APIResource[]) => {
      for (const r of resources) {
        if (!r.namespaced || r.name.includes('/')) continue;
        if (r.verbs.includes('deletecollection') && r.verbs.includes('list')) out.push({ prefix, resource: r.name });
      }
    };
    const core = await this.client.request<{ resources: APIResource[] }>('GET', '/api/v1');
    add('/api/v1', core.resources);
    const groups = await this.client.request<{ groups: { preferredVersion: { groupVersion: string } }[] }>('GET', '/apis');
    for (const g of groups.groups) {
      const gv = g.preferredVersion.groupVersion;
      const list = await this.client.request<{ resources: APIResource[] }>('GET', `/apis/${gv}`);
      add(`/apis/${gv}`, list.resources);
    }
    return out;
  }

  stop(): void {
    this.stopWatch?.();
    this.queue.shutDown();
  }
}
