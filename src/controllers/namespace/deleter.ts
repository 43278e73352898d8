// Emptying a terminating namespace (upstream namespacedResourcesDeleter): mark it Terminating, delete
// every namespaced resource found by discovery (deletecollection where served, else list and delete
// one by one, always with background propagation), count what is left and why (finalizers, pods
// still terminating), record the NamespaceDeletion* conditions, and once nothing is left remove the
// `kubernetes` finalizer through /finalize so the API server can delete the namespace.
import type { RESTClient } from '../../client/rest.js';
import { APIError } from '../../client/rest.js';
import { collectionPath, discover, type DiscoveredResource, type DiscoveryResult } from '../garbagecollector/discovery.js';
import { NamespaceConditionUpdater, type NamespaceCondition } from './conditions.js';

export const FINALIZER_KUBERNETES = 'kubernetes';
/** upstream finalizerEstimateSeconds: the wait assumed for objects held by finalizers */
export const FINALIZER_ESTIMATE_SECONDS = 5;

export interface Namespace {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; uid?: string; deletionTimestamp?: string; resourceVersion?: string; [k: string]: unknown };
  spec?: { finalizers?: string[] };
  status?: { phase?: string; conditions?: NamespaceCondition[] };
}

interface Item { metadata: { name: string; finalizers?: string[] }; spec?: { terminationGracePeriodSeconds?: number }; status?: { phase?: string } }

/** Content is left and should be looked at again after `estimate` seconds (upstream ResourcesRemainingError). */
export class ResourcesRemainingError extends Error {
  constructor(readonly estimate: number) { super(`some content remains in the namespace, estimate ${estimate} seconds before it is removed`); }
}

const BACKGROUND = { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Background' };

function gvrString(r: DiscoveredResource): string { return `${r.group}/${r.version}, Resource=${r.resource}`; }
const unsupported = (err: unknown) => err instanceof APIError && (err.code === 404 || err.code === 405);

export class NamespacedResourcesDeleter {
  constructor(private readonly client: RESTClient,
    private readonly discoverFn: (c: RESTClient) => Promise<DiscoveryResult> = discover) {}

  /** One pass; resolves when the namespace is finalized or gone, throws ResourcesRemainingError or other errors. */
  async delete(name: string): Promise<void> {
    let ns = await this.get(name);
    if (!ns || !ns.metadata.deletionTimestamp) return;
    if (ns.status?.phase !== 'Terminating') {
      ns = await this.retryOnConflict(ns, (n) => this.client.request<Namespace>('PUT', `/api/v1/namespaces/${name}/status`,
        { ...n, apiVersion: 'v1', kind: 'Namespace', status: { ...n.status, phase: 'Terminating' } }));
      if (!ns) return;
    }
    if (!(ns.spec?.finalizers ?? []).includes(FINALIZER_KUBERNETES)) return;
    const estimate = await this.deleteAllContent(ns);
    if (estimate > 0) throw new ResourcesRemainingError(estimate);
    await this.retryOnConflict(ns, (n) => this.client.request<Namespace>('PUT', `/api/v1/namespaces/${name}/finalize`, {
      apiVersion: 'v1', kind: 'Namespace', metadata: n.metadata,
      spec: { ...n.spec, finalizers: (n.spec?.finalizers ?? []).filter((f) => f !== FINALIZER_KUBERNETES) }, status: n.status,
    }));
  }

  private async get(name: string): Promise<Namespace | undefined> {
    try {
      return await this.client.request<Namespace>('GET', `/api/v1/namespaces/${name}`);
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return undefined;
      throw err;
    }
  }

  /** Runs `fn` on the namespace, re-reading it after a conflict; undefined when it is gone or no longer terminating. */
  private async retryOnConflict(ns: Namespace, fn: (n: Namespace) => Promise<Namespace>): Promise<Namespace | undefined> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await fn(ns);
      } catch (err) {
        if (err instanceof APIError && err.code === 404) return undefined;
        if (!(err instanceof APIError && err.code === 409) || attempt >= 5) throw err;
        const fresh = await this.get(ns.metadata.name);
        if (!fresh || !fresh.metadata.deletionTimestamp) return undefined;
        ns = fresh;
      }
    }
  }

  /** Deletes everything namespaced; returns the estimate in seconds before what is left is gone (0: nothing left). */
  async deleteAllContent(ns: Namespace): Promise<number> {
    const name = ns.metadata.name;
    const errors: string[] = [];
    const conditions = new NamespaceConditionUpdater();
    let resources: DiscoveredResource[] = [];
    try {
      const d = await this.discoverFn(this.client);
      resources = d.resources.filter((r) => r.preferred && r.namespaced && r.verbs.includes('delete'));
      const failed = d.failureMessage();
      if (failed) {
        // discovery errors are not fatal: delete what can be found, report the rest
        errors.push(failed);
        conditions.discoveryFailed(failed, d.failures.length);
      }
    } catch (err) {
      errors.push((err as Error).message);
      conditions.discoveryFailed((err as Error).message);
    }
    let estimate = 0;
    const remaining = new Map<string, number>();
    const finalizers = new Map<string, number>();
    await Promise.all(resources.map(async (r) => {
      try {
        const m = await this.deleteAllContentFor(r, name);
        estimate = Math.max(estimate, m.estimate);
        if (m.remaining > 0) {
          remaining.set(`${r.resource}.${r.group}`, m.remaining);
          for (const [f, n] of m.finalizers) finalizers.set(f, (finalizers.get(f) ?? 0) + n);
        }
      } catch (err) {
        const e = err as Error & { estimate?: number; remaining?: number };
        if (e.estimate) estimate = Math.max(estimate, e.estimate);
        if (e.remaining) remaining.set(`${r.resource}.${r.group}`, e.remaining);
        errors.push(e.message);
        conditions.deleteContentFailed(e.message);
      }
    }));
    conditions.contentTotals({ remaining, finalizers });
    // conditions are always brought up to date: a problem that went away must show as resolved
    const status = structuredClone(ns.status ?? {});
    if (conditions.update(status)) {
      try {
        await this.client.request('PUT', `/api/v1/namespaces/${name}/status`, { ...ns, apiVersion: 'v1', kind: 'Namespace', status });
        ns.status = status;
      } catch { /* best effort, as upstream: the next pass writes them again */ }
    }
    if (errors.length > 0) throw new Error(errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`);
    return estimate;
  }

  /** upstream deleteAllContentForGroupVersionResource */
  async deleteAllContentFor(r: DiscoveredResource, namespace: string): Promise<{ estimate: number; remaining: number; finalizers: Map<string, number> }> {
    const path = collectionPath(r, namespace);
    const estimate = r.group === '' && r.resource === 'pods' ? await this.estimatePods(path) : 0;
    let collectionDeleted = false;
    if (r.verbs.includes('deletecollection')) {
      try {
        await this.client.request('DELETE', path, BACKGROUND);
        collectionDeleted = true;
      } catch (err) {
        if (!unsupported(err)) throw Object.assign(err as Error, { estimate });
      }
    }
    if (!collectionDeleted) {
      if (!r.verbs.includes('list')) return { estimate, remaining: 0, finalizers: new Map() };
      const items = await this.list(path);
      for (const i of items ?? []) {
        try {
          await this.client.request('DELETE', `${path}/${encodeURIComponent(i.metadata.name)}`, BACKGROUND);
        } catch (err) {
          if (!(err instanceof APIError && err.code === 404)) throw Object.assign(err as Error, { estimate });
        }
      }
    }
    if (!r.verbs.includes('list')) return { estimate, remaining: 0, finalizers: new Map() };
    const left = await this.list(path);
    if (!left || left.length === 0) return { estimate: 0, remaining: 0, finalizers: new Map() };
    const finalizers = new Map<string, number>();
    for (const i of left) for (const f of i.metadata.finalizers ?? []) finalizers.set(f, (finalizers.get(f) ?? 0) + 1);
    if (estimate !== 0) return { estimate, remaining: left.length, finalizers };
    // finalizers are a normal reason to wait (e.g. the garbage collector's foregroundDeletion)
    if (finalizers.size > 0) return { estimate: FINALIZER_ESTIMATE_SECONDS, remaining: left.length, finalizers };
    throw Object.assign(new Error(`unexpected items still remain in namespace: ${namespace} for gvr: ${gvrString(r)}`), { remaining: left.length });
  }

  private async list(path: string): Promise<Item[] | undefined> {
    try {
      return (await this.client.request<{ items: Item[] }>('GET', path)).items ?? [];
    } catch (err) {
      if (unsupported(err)) return undefined;
      throw err;
    }
  }

  /** upstream estimateGracefulTerminationForPods: the longest grace period among pods not yet finished */
  private async estimatePods(path: string): Promise<number> {
    let estimate = 0;
    for (const p of (await this.list(path)) ?? []) {
      if (p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed') continue;
      const g = p.spec?.terminationGracePeriodSeconds;
      if (g !== undefined && g > estimate) estimate = g;
    }
    return estimate;
  }
}
