// The garbage collector (upstream pkg/controller/garbagecollector): watches every resource that
// supports list/watch/delete, keeps the owner→dependents graph (graph.ts), and
// - deletes dependents whose owners are all gone (background propagation), verifying each absent
//   owner with a live GET by name first (a uid the graph does not know is only a "virtual" owner);
// - for owners deleted in the foreground (foregroundDeletion finalizer) deletes their dependents,
//   waits for those with blockOwnerDeletion, then removes the finalizer;
// - for owners deleted with orphan propagation (orphan finalizer) removes their owner references
//   from the dependents, then the finalizer.
// Resources are re-discovered periodically so that kinds added later (custom resources) are watched.
import type { RESTClient } from '../../client/rest.js';
import { APIError } from '../../client/rest.js';
import { reflect } from '../../client/reflector.js';
import type { Obj, SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import { decide, unblocked, withoutOwners, type Classified } from './decide.js';
import { collectionPath, discover, objectPath, type DiscoveredResource, type DiscoveryResult } from './discovery.js';
import { FINALIZER_DELETE_DEPENDENTS, FINALIZER_ORPHAN, Graph, type GraphNode, type ObjectMetadata, type OwnerReference } from './graph.js';
import { ACCEPT_METADATA, ACCEPT_METADATA_LIST } from './metadata.js';

/** Resources never watched (upstream DefaultIgnoredResources): events are many and never own anything. */
const IGNORED = new Set(['/events', 'events.k8s.io/events']);

interface Live {
  apiVersion?: string;
  kind?: string;
  metadata: { name: string; namespace?: string; uid: string; resourceVersion?: string; ownerReferences?: OwnerReference[];
    finalizers?: string[]; deletionTimestamp?: string };
}

/** The item was requeued on purpose (not an error worth logging): e.g. a virtual node not yet observed. */
class Requeue extends Error {}

export interface GarbageCollectorOptions {
  recorder?: EventRecorder;
  log?: (m: string) => void;
  debug?: (m: string) => void;
  /** how often to re-read discovery for new resources (upstream: 30 s) */
  rediscoveryMs?: number;
  /** discovery, replaceable in tests */
  discover?: (client: RESTClient) => Promise<DiscoveryResult>;
}

interface Monitor { resource: DiscoveredResource; stop(): void; synced: Promise<void> }

export class GarbageCollector {
  readonly name = 'garbagecollector';
  readonly attemptToDelete = new RateLimitingQueue('garbage_collector_attempt_to_delete');
  readonly attemptToOrphan = new RateLimitingQueue('garbage_collector_attempt_to_orphan');
  readonly queues = [this.attemptToDelete, this.attemptToOrphan];
  readonly graph: Graph;
  private discovery: DiscoveryResult | undefined;
  private readonly monitors = new Map<string, Monitor>();
  /** LIST/WATCH as PartialObjectMetadata: the collector needs nothing but metadata */
  private readonly metadata: RESTClient;
  private readonly log: (m: string) => void;
  private readonly debug: (m: string) => void;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly client: RESTClient, private readonly factory: SharedInformerFactory | undefined,
    private readonly opts: GarbageCollectorOptions = {}) {
    this.log = opts.log ?? (() => {});
    this.debug = opts.debug ?? (() => {});
    this.metadata = client.withAccept(ACCEPT_METADATA_LIST, ACCEPT_METADATA);
    this.graph = new Graph({
      attemptToDelete: (n) => this.attemptToDelete.add(n.uid),
      attemptToOrphan: (n) => this.attemptToOrphan.add(n.uid),
    });
  }

  /** Discovers, starts the monitors, waits for their first lists, then runs the workers until stop(). */
  async run(workers: number): Promise<void> {
    await this.resync();
    await Promise.all([...this.monitors.values()].map((m) => m.synced));
    if (this.stopped) return;
    this.debug(`garbage collector: graph synced, ${this.graph.size} nodes from ${this.monitors.size} resources`);
    const period = this.opts.rediscoveryMs ?? 30_000;
    const tick = () => {
      this.timer = setTimeout(() => {
        this.resync().catch((err: Error) => this.log(`garbage collector: re-discovery failed: ${err.message}`)).finally(() => { if (!this.stopped) tick(); });
      }, period);
      this.timer.unref?.();
    };
    tick();
    const onError = (what: string) => (key: string, err: Error) => {
      if (!(err instanceof Requeue)) this.log(`garbage collector: ${what} ${key}: ${err.message}`);
    };
    await Promise.all([
      runWorkers(this.attemptToDelete, workers, (uid) => this.attemptToDeleteItem(uid), onError('attemptToDelete')),
      runWorkers(this.attemptToOrphan, workers, (uid) => this.attemptToOrphanItem(uid), onError('attemptToOrphan')),
    ]);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    for (const m of this.monitors.values()) m.stop();
    this.monitors.clear();
    this.attemptToDelete.shutDown();
    this.attemptToOrphan.shutDown();
  }

  /** Reads discovery and starts/stops monitors so that exactly the deletable resources are watched. */
  async resync(): Promise<void> {
    const d = await (this.opts.discover ?? discover)(this.client);
    const failed = d.failureMessage();
    if (failed) this.log(`garbage collector: ${failed}`);
    this.discovery = d;
    const want = new Map<string, DiscoveredResource>();
    for (const r of d.supporting('delete', 'list', 'watch')) {
      const gr = `${r.group}/${r.resource}`;
      if (!IGNORED.has(gr)) want.set(gr, r);
    }
    for (const [gr, m] of this.monitors) {
      // a group whose discovery failed keeps its monitors (upstream keeps the old ones on partial failure)
      if (want.has(gr) || d.failures.some((f) => f.groupVersion.startsWith(`${m.resource.group}/`))) continue;
      m.stop();
      this.monitors.delete(gr);
      this.debug(`garbage collector: stopped monitoring ${gr}`);
    }
    for (const [gr, r] of want) {
      if (this.stopped || this.monitors.has(gr)) continue;
      this.monitors.set(gr, this.startMonitor(r));
    }
  }

  /** Resources being watched, as "group/resource". */
  monitored(): string[] { return [...this.monitors.keys()].sort(); }

  private toMeta(r: DiscoveredResource, o: { metadata?: unknown }): ObjectMetadata {
    return { apiVersion: r.groupVersion, kind: r.kind, metadata: (o.metadata ?? {}) as ObjectMetadata['metadata'] };
  }

  private startMonitor(r: DiscoveredResource): Monitor {
    let active = true;
    const path = collectionPath(r);
    const shared = this.factory?.has(path) ? this.factory.forPath<Obj>(path) : undefined;
    if (shared) {
      // another controller already holds these objects: reuse its informer rather than a second watch
      shared.addEventHandler({
        add: (o) => { if (active) this.graph.observe(this.toMeta(r, o)); },
        update: (old, o) => { if (active) this.graph.observe(this.toMeta(r, o), this.toMeta(r, old)); },
        delete: (o) => { if (active) this.graph.remove(this.toMeta(r, o)); },
      });
      return { resource: r, stop: () => { active = false; }, synced: shared.run() };
    }
    let stopper: { stop(): void } | undefined;
    let relisted = false;
    const synced = reflect(this.metadata, path, (type, o) => {
      if (!active) return;
      if (type === 'DELETED') this.graph.remove(this.toMeta(r, o));
      else this.graph.observe(this.toMeta(r, o));
    }, {
      log: this.debug,
      // objects deleted while the watch was down are not in a new LIST: forget them (client-go Replace)
      onList: (items) => {
        // the first LIST has nothing to compare with; later ones (after a watch outage) do
        if (!active || !relisted) { relisted = true; return; }
        const present = new Set(items.map((i) => (i.metadata as { uid?: string } | undefined)?.uid));
        for (const n of this.graph.nodesList()) {
          if (!n.virtual && n.apiVersion === r.groupVersion && n.kind === r.kind && !present.has(n.uid)) {
            this.graph.remove({ apiVersion: n.apiVersion, kind: n.kind, metadata: { uid: n.uid, name: n.name, namespace: n.namespace || undefined } });
          }
        }
      },
    }).then((s) => { stopper = s; if (!active) s.stop(); }, (err: Error) => {
      // a resource that cannot be listed (yet) does not hold up the others; the next resync retries it
      this.log(`garbage collector: cannot monitor ${r.group}/${r.resource}: ${err.message}`);
      this.monitors.delete(`${r.group}/${r.resource}`);
    });
    return { resource: r, stop: () => { active = false; stopper?.stop(); }, synced };
  }

  private resourceFor(apiVersion: string, kind: string): DiscoveredResource {
    const r = this.discovery?.forKind(apiVersion, kind);
    // upstream restMappingError: the kind may be served later (a CRD being added); retried with backoff
    if (!r) throw new Error(`unable to get REST mapping for ${apiVersion}/${kind}.`);
    return r;
  }

  private async getLive(r: DiscoveredResource, namespace: string, name: string): Promise<Live | undefined> {
    try {
      return await this.client.request<Live>('GET', objectPath(r, namespace, name));
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return undefined;
      throw err;
    }
  }

  /** upstream attemptToDeleteItem */
  async attemptToDeleteItem(uid: string): Promise<void> {
    const node = this.graph.get(uid);
    if (!node) return;
    // "being deleted" is a one-way trip: wait for the deletion, then the dependents are processed
    if (node.beingDeleted && !node.deletingDependents) return;
    const r = this.resourceFor(node.apiVersion, node.kind);
    const ns = r.namespaced ? node.namespace : '';
    const latest = await this.getLive(r, ns, node.name);
    if (!latest || latest.metadata.uid !== node.uid) {
      this.debug(`garbage collector: item ${node} not found, generating a virtual delete event`);
      this.graph.virtualDelete(node, ns);
      return;
    }
    if (node.virtual) {
      // exists, but no monitor has reported it yet: wait for the graph to learn it for real
      throw new Requeue(`item ${node} hasn't been observed via informer yet`);
    }
    const f = latest.metadata.finalizers ?? [];
    if (latest.metadata.deletionTimestamp && f.includes(FINALIZER_DELETE_DEPENDENTS)) {
      node.deletingDependents = true;
      return this.processDeletingDependents(node, r);
    }
    const refs = latest.metadata.ownerReferences ?? [];
    if (refs.length === 0) return;
    const classified: Classified[] = [];
    for (const ref of refs) {
      const state = await this.classify(ref, node, latest, r);
      if (state === 'invalid') return;
      classified.push({ ref, state });
    }
    const d = decide(classified, {
      finalizers: f, hasDependents: (node.dependents?.size ?? 0) > 0,
      dependentDeletingDependents: node.dependentList().some((x) => x.deletingDependents),
    });
    switch (d.action) {
      case 'none': return;
      case 'removeOwnerReferences':
        this.debug(`garbage collector: object ${node} has at least one existing owner, will not garbage collect; removing references to ${d.uids.join(', ')}`);
        await this.patchOwnerReferences(r, latest, withoutOwners(refs, d.uids));
        return;
      case 'unblockAndDeleteForeground':
        await this.patchOwnerReferences(r, latest, unblocked(refs, d.uids));
        await this.deleteObject(r, latest, 'Foreground');
        return;
      case 'delete':
        this.debug(`garbage collector: deleting ${node} with propagation policy ${d.policy}`);
        await this.deleteObject(r, latest, d.policy);
        return;
    }
  }

  /** upstream isDangling plus the waiting check of classifyReferences */
  private async classify(ref: OwnerReference, node: GraphNode, latest: Live, itemResource: DiscoveredResource)
    : Promise<Classified['state'] | 'invalid'> {
    const itemNs = itemResource.namespaced ? node.namespace : '';
    if (this.graph.isAbsent('', ref.uid) || (itemNs && this.graph.isAbsent(itemNs, ref.uid))) return 'dangling';
    const or = this.resourceFor(ref.apiVersion, ref.kind);
    if (!itemNs && or.namespaced) {
      // a cluster-scoped object cannot be owned by a namespaced one; retrying would not help
      this.opts.recorder?.event({ ...latest, apiVersion: node.apiVersion, kind: node.kind } as Parameters<EventRecorder['event']>[0], 'Warning',
        'OwnerRefInvalidNamespace', `ownerRef [${ref.apiVersion}/${ref.kind}, namespace: , name: ${ref.name}, uid: ${ref.uid}] does not exist in namespace ""`);
      return 'invalid';
    }
    const ownerNs = or.namespaced ? itemNs : '';
    const owner = await this.getLive(or, ownerNs, ref.name);
    if (!owner || owner.metadata.uid !== ref.uid) {
      this.graph.markAbsent(ownerNs, ref.uid);
      return 'dangling';
    }
    if (owner.metadata.deletionTimestamp && (owner.metadata.finalizers ?? []).includes(FINALIZER_DELETE_DEPENDENTS)) return 'waitingForDependentsDeletion';
    return 'solid';
  }

  /** An owner deleted in the foreground: done once no dependent blocks it, else push the blockers along. */
  private async processDeletingDependents(node: GraphNode, r: DiscoveredResource): Promise<void> {
    const blocking = node.blockingDependents();
    if (blocking.length === 0) {
      this.debug(`garbage collector: remove DeleteDependents finalizer for item ${node}`);
      await this.removeFinalizer(r, node, FINALIZER_DELETE_DEPENDENTS);
      return;
    }
    for (const d of blocking) if (!d.deletingDependents) this.attemptToDelete.add(d.uid);
  }

  /** upstream attemptToOrphanWorker: drop this owner from every dependent, then the orphan finalizer. */
  async attemptToOrphanItem(uid: string): Promise<void> {
    const owner = this.graph.get(uid);
    if (!owner) return;
    const errors: string[] = [];
    await Promise.all(owner.dependentList().map(async (dep) => {
      try {
        const r = this.resourceFor(dep.apiVersion, dep.kind);
        for (let attempt = 0; ; attempt++) {
          const latest = await this.getLive(r, r.namespaced ? dep.namespace : '', dep.name);
          if (!latest || latest.metadata.uid !== dep.uid) return;
          const refs = latest.metadata.ownerReferences ?? [];
          if (!refs.some((x) => x.uid === uid)) return;
          try {
            await this.patchOwnerReferences(r, latest, withoutOwners(refs, [uid]));
            return;
          } catch (err) {
            if (err instanceof APIError && err.code === 409 && attempt < 5) continue;
            throw err;
          }
        }
      } catch (err) {
        errors.push(`orphaning ${dep}: ${(err as Error).message}`);
      }
    }));
    if (errors.length > 0) throw new Error(errors.join('; '));
    const r = this.resourceFor(owner.apiVersion, owner.kind);
    await this.removeFinalizer(r, owner, FINALIZER_ORPHAN);
  }

  /** Merge patch of metadata.ownerReferences, guarded by uid and resourceVersion (upstream deleteOwnerRefJSONMergePatch). */
  private async patchOwnerReferences(r: DiscoveredResource, latest: Live, refs: OwnerReference[]): Promise<void> {
    try {
      await this.client.request('PATCH', objectPath(r, latest.metadata.namespace ?? '', latest.metadata.name), {
        metadata: { uid: latest.metadata.uid, resourceVersion: latest.metadata.resourceVersion, ownerReferences: refs.length ? refs : null },
      }, 'application/merge-patch+json');
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return;
      throw err;
    }
  }

  private async deleteObject(r: DiscoveredResource, latest: Live, policy: string): Promise<void> {
    try {
      await this.client.request('DELETE', objectPath(r, latest.metadata.namespace ?? '', latest.metadata.name), {
        kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: policy, preconditions: { uid: latest.metadata.uid },
      });
    } catch (err) {
      if (err instanceof APIError && err.code === 404) return;
      throw err;
    }
  }

  private async removeFinalizer(r: DiscoveredResource, node: GraphNode, finalizer: string): Promise<void> {
    for (let attempt = 0; ; attempt++) {
      const latest = await this.getLive(r, r.namespaced ? node.namespace : '', node.name);
      if (!latest || latest.metadata.uid !== node.uid) return;
      const f = latest.metadata.finalizers ?? [];
      if (!f.includes(finalizer)) return;
      try {
        await this.client.request('PATCH', objectPath(r, latest.metadata.namespace ?? '', latest.metadata.name), {
          metadata: { uid: latest.metadata.uid, resourceVersion: latest.metadata.resourceVersion, finalizers: f.filter((x) => x !== finalizer) },
        }, 'application/merge-patch+json');
        return;
      } catch (err) {
        if (err instanceof APIError && err.code === 404) return;
        if (err instanceof APIError && err.code === 409 && attempt < 5) continue;
        throw err;
      }
    }
  }
}

