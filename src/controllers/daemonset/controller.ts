// The daemonset controller (upstream pkg/controller/daemon): one pod per eligible node. Each sync
// claims the DaemonSet's pods and ControllerRevisions, snapshots the current template as a revision
// (its hash labels new pods), creates pods for eligible nodes without one (pinned there by node
// affinity, bound by the scheduler), deletes pods on nodes that may no longer run them, failed pods
// (with per-node backoff) and extras, then rolls old pods over (RollingUpdate: maxUnavailable or
// maxSurge; OnDelete: never), trims old revisions and writes status. Node, pod and revision events
// requeue the DaemonSets they concern; expectations stop a lagging watch from causing duplicates.
import { APIError, type RESTClient } from '../../client/rest.js';
import { metaKey, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { selectorFromLabelSelectorOrThrow, type LabelSelector } from '../../machinery/labels/selector.js';
import { ControllerRefManager, controllerRef, getControllerOf, recheckOwner, type OwnerReference } from '../common/controllerref.js';
import { runWorkers } from '../common/worker.js';
import { CONTROLLER_REVISIONS_PATH, History, type ControllerRevision } from '../history/index.js';
import type { EventRecorder } from '../manager/events.js';
import { isPodReady } from '../replicaset/pods.js';
import { slowStartBatch } from '../replicaset/slowstart.js';
import { Backoff } from './backoff.js';
import { daemonPodTolerations, nodeShouldRunDaemonPod, targetNodeName, withNodeNameAffinity } from './eligibility.js';
import { DaemonSetExpectations } from './expectations.js';
import { calculateStatus, podsShouldBeOnNode, unscheduledPodsWithoutNode, type CountedStatus } from './nodepods.js';
import { DS_API_VERSION, DS_KIND, matchRevision, newRevision } from './revisions.js';
import {
  DAEMONSET_UNIQUE_LABEL, TEMPLATE_GENERATION_LABEL, type DaemonSet, type Node, type Pod,
} from './types.js';
import { desiredCounts, planRollingUpdate, templateGeneration } from './update.js';

/** upstream BurstReplicas: at most this many creations or deletions per sync */
export const BURST_REPLICAS = 250;
const BACKOFF_GC_INTERVAL_MS = 60_000;
const DAEMONSETS_PATH = '/apis/apps/v1/daemonsets';
const PODS_PATH = '/api/v1/pods';
const NODES_PATH = '/api/v1/nodes';
const MERGE = 'application/merge-patch+json';

export interface DaemonSetControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  burstReplicas?: number;
  /** failed-pod backoff (tests pass one with a fake clock) */
  backoff?: Backoff;
  now?: () => number;
}

const dsPath = (ns: string, name: string) => `/apis/apps/v1/namespaces/${ns}/daemonsets/${name}`;
const podPath = (p: Pod) => `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}`;

export class DaemonSetsController {
  readonly name = 'daemonset';
  readonly queue = new RateLimitingQueue('daemonset');
  readonly queues = [this.queue];
  readonly expectations: DaemonSetExpectations;
  readonly backoff: Backoff;
  private readonly dsInformer: SharedInformer<DaemonSet>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly nodeInformer: SharedInformer<Node>;
  private readonly revInformer: SharedInformer<ControllerRevision>;
  private readonly history: History;
  private readonly log: (m: string) => void;
  private readonly burst: number;
  private readonly now: () => number;
  private gcTimer: NodeJS.Timeout | undefined;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: DaemonSetControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.burst = opts.burstReplicas ?? BURST_REPLICAS;
    this.now = opts.now ?? Date.now;
    this.expectations = new DaemonSetExpectations(this.now);
    this.backoff = opts.backoff ?? new Backoff(1000, 15 * 60_000, this.now);
    this.dsInformer = factory.forPath<DaemonSet>(DAEMONSETS_PATH);
    this.podInformer = factory.forPath<Pod>(PODS_PATH);
    this.nodeInformer = factory.forPath<Node>(NODES_PATH);
    this.revInformer = factory.forPath<ControllerRevision>(CONTROLLER_REVISIONS_PATH);
    this.history = new History(client, this.revInformer.store);
    this.dsInformer.addEventHandler({
      add: (ds) => this.enqueue(ds),
      update: (old, cur) => {
        if (old.metadata.uid !== cur.metadata.uid) this.expectations.delete(metaKey(old));
        this.enqueue(cur);
      },
      delete: (ds) => { this.expectations.delete(metaKey(ds)); this.enqueue(ds); },
    });
    this.podInformer.addEventHandler({ add: (p) => this.addPod(p), update: (o, p) => this.updatePod(o, p), delete: (p) => this.deletePod(p) });
    this.nodeInformer.addEventHandler({ add: (n) => this.addNode(n), update: (o, n) => this.updateNode(o, n), delete: (n) => this.deleteNode(n) });
    this.revInformer.addEventHandler({
      add: (r) => this.addHistory(r),
      update: (o, r) => this.updateHistory(o, r),
      delete: (r) => { const ds = this.resolveControllerRef(r.metadata.namespace, getControllerOf(r)); if (ds) this.enqueue(ds); },
    });
  }

  private enqueue(ds: DaemonSet): void { this.queue.add(metaKey(ds)); }

  private record(ds: DaemonSet, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.opts.recorder.event({ ...ds, apiVersion: DS_API_VERSION, kind: DS_KIND }, type, reason, message);
  }

  private resolveControllerRef(ns: string | undefined, ref: OwnerReference | undefined): DaemonSet | undefined {
    if (!ref || ref.kind !== DS_KIND) return undefined;
    const ds = this.dsInformer.store.get(`${ns}/${ref.name}`);
    return ds && ds.metadata.uid === ref.uid ? ds : undefined;
  }

  /** GetPodDaemonSets / GetHistoryDaemonSets: DaemonSets of the namespace whose non-empty selector matches. */
  private matchingDaemonSets(o: { metadata: { namespace?: string; labels?: Record<string, string> } }): DaemonSet[] {
    return this.dsInformer.store.byIndex('namespace', o.metadata.namespace ?? '').filter((ds) => {
      try {
        const sel = selectorFromLabelSelectorOrThrow(ds.spec.selector);
        return !sel.isEmpty() && sel.matches(o.metadata.labels);
      } catch { return false; }
    });
  }

  private addPod(p: Pod): void {
    if (p.metadata.deletionTimestamp) { this.deletePod(p); return; }
    const ref = getControllerOf(p);
    if (ref) {
      const ds = this.resolveControllerRef(p.metadata.namespace, ref);
      if (!ds) return;
      this.expectations.creationObserved(metaKey(ds));
      this.enqueue(ds);
      return;
    }
    for (const ds of this.matchingDaemonSets(p)) this.enqueue(ds);
  }

  private updatePod(old: Pod, cur: Pod): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) { this.deletePod(cur); return; }
    const curRef = getControllerOf(cur), oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(old.metadata.namespace, oldRef);
      if (ds) this.enqueue(ds);
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace, curRef);
      if (!ds) return;
      this.enqueue(ds);
      const minReady = ds.spec.minReadySeconds ?? 0;
      // a pod that just became ready turns available after minReadySeconds: look again then
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.queue.addAfter(metaKey(ds), minReady * 1000 + 1000);
      return;
    }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const ds of this.matchingDaemonSets(cur)) this.enqueue(ds);
  }

  private deletePod(p: Pod): void {
    const ds = this.resolveControllerRef(p.metadata.namespace, getControllerOf(p));
    if (!ds) return;
    this.expectations.deletionObserved(metaKey(ds));
    this.enqueue(ds);
  }

  private addNode(n: Node): void {
    for (const ds of this.dsInformer.store.list()) if (nodeShouldRunDaemonPod(n, ds).shouldRun) this.enqueue(ds);
  }

  private updateNode(old: Node, cur: Node): void {
    if (shouldIgnoreNodeUpdate(old, cur)) return;
    for (const ds of this.dsInformer.store.list()) {
      const a = nodeShouldRunDaemonPod(old, ds), b = nodeShouldRunDaemonPod(cur, ds);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(ds);
    }
  }

  /** Not in upstream (pod GC's deletions resync it there): keeps desiredNumberScheduled current at once. */
  private deleteNode(n: Node): void {
    for (const ds of this.dsInformer.store.list()) if (nodeShouldRunDaemonPod(n, ds).shouldContinueRunning) this.enqueue(ds);
  }

  private addHistory(r: ControllerRevision): void {
    if (r.metadata.deletionTimestamp) return;
    const ref = getControllerOf(r);
    if (ref) { const ds = this.resolveControllerRef(r.metadata.namespace, ref); if (ds) this.enqueue(ds); return; }
    for (const ds of this.matchingDaemonSets(r)) this.enqueue(ds);
  }

  private updateHistory(old: ControllerRevision, cur: ControllerRevision): void {
    if (old.metadata.resourceVersion === cur.metadata.resourceVersion) return;
    const curRef = getControllerOf(cur), oldRef = getControllerOf(old);
    const refChanged = JSON.stringify(curRef) !== JSON.stringify(oldRef);
    if (refChanged && oldRef) { const ds = this.resolveControllerRef(old.metadata.namespace, oldRef); if (ds) this.enqueue(ds); }
    if (curRef) { const ds = this.resolveControllerRef(cur.metadata.namespace, curRef); if (ds) this.enqueue(ds); return; }
    const labelsChanged = JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(cur.metadata.labels ?? {});
    if (labelsChanged || refChanged) for (const ds of this.matchingDaemonSets(cur)) this.enqueue(ds);
  }

  run(workers: number): Promise<void> {
    this.gcTimer = setInterval(() => this.backoff.gc(), BACKOFF_GC_INTERVAL_MS);
    this.gcTimer.unref();
    return runWorkers(this.queue, workers, (key) => this.sync(key),
      (key, err) => this.log(`${key} failed with : ${err.message}`));
  }

  stop(): void {
    if (this.gcTimer) clearInterval(this.gcTimer);
    this.queue.shutDown();
  }

  /** syncDaemonSet */
  async sync(key: string): Promise<void> {
    const ds = this.dsInformer.store.get(key);
    if (!ds) { this.expectations.delete(key); return; }
    const nodes = this.nodeInformer.store.list();
    const sel = ds.spec.selector;
    if (sel && !(sel.matchLabels && Object.keys(sel.matchLabels).length) && !(sel.matchExpressions && sel.matchExpressions.length)) {
      this.record(ds, 'Warning', 'SelectingAll', 'This daemon set is selecting all pods. A non-empty selector is required.');
      return;
    }
    let selector: LabelSelector;
    try {
      selector = selectorFromLabelSelectorOrThrow(sel);
    } catch (err) {
      // a user error that retrying cannot fix
      this.log(`DaemonSet ${key} has an invalid selector: ${(err as Error).message}`);
      return;
    }
    // being deleted: its revisions may already be gone, so status cannot be trusted; leave it
    if (ds.metadata.deletionTimestamp) return;
    let cur: ControllerRevision, old: ControllerRevision[];
    try {
      ({ cur, old } = await this.constructHistory(ds, selector));
    } catch (err) {
      throw new Error(`failed to construct revisions of DaemonSet: ${(err as Error).message}`);
    }
    const hash = cur.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] ?? '';
    const nodeToPods = await this.nodesToDaemonPods(ds, selector);
    if (!this.expectations.satisfied(key)) {
      // only status: observedGeneration stays, this generation was not acted on
      await this.updateStatus(ds, nodes, nodeToPods, hash, false);
      return;
    }
    let err: Error | undefined;
    try { await this.updateDaemonSet(ds, nodes, nodeToPods, hash, key, old); } catch (e) { err = e as Error; }
    try {
      await this.updateStatus(ds, nodes, nodeToPods, hash, true);
    } catch (statusErr) {
      if (err) this.log(`failed to update status of DaemonSet ${key}: ${(statusErr as Error).message}`);
      else throw statusErr;
    }
    if (err) throw err;
  }

  /** getNodesToDaemonPods: the claimed pods (adopting and releasing as needed) by target node. */
  private async nodesToDaemonPods(ds: DaemonSet, selector: LabelSelector): Promise<Map<string, Pod[]>> {
    const ns = ds.metadata.namespace ?? '';
    const owner = { apiVersion: DS_API_VERSION, kind: DS_KIND, metadata: ds.metadata };
    const claimed = await new ControllerRefManager<Pod>(this.client, owner, selector, podPath,
      recheckOwner(this.client, dsPath(ns, String(ds.metadata.name)), ds.metadata.uid)).claim(this.podInformer.store.byIndex('namespace', ns));
    const out = new Map<string, Pod[]>();
    for (const p of claimed) {
      const n = targetNodeName(p);
      if (n === undefined) continue;
      let list = out.get(n);
      if (!list) out.set(n, (list = []));
      list.push(p);
    }
    return out;
  }

  /** updateDaemonSet: manage, then (expectations met) the rolling update, then history cleanup. */
  private async updateDaemonSet(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string, key: string,
    old: ControllerRevision[]): Promise<void> {
    await this.manage(ds, nodes, nodeToPods, hash);
    if (this.expectations.satisfied(key) && ds.spec.updateStrategy?.type === 'RollingUpdate') {
      await this.rollingUpdate(ds, nodes, nodeToPods, hash);
    }
    try {
      await this.cleanupHistory(ds, old, nodeToPods);
    } catch (err) {
      throw new Error(`failed to clean up revisions of DaemonSet: ${(err as Error).message}`);
    }
  }

  /** manage: per node, what podsShouldBeOnNode decides, plus unscheduled pods of vanished nodes. */
  private async manage(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string): Promise<void> {
    const create: string[] = [], del: string[] = [];
    const key = `${ds.metadata.uid}/${ds.status?.observedGeneration ?? 0}/`;
    const backoff = {
      inBackoff: (node: string) => (this.backoff.isInBackOffSinceUpdate(key + node) ? this.backoff.get(key + node) : undefined),
      next: (node: string) => this.backoff.next(key + node),
    };
    const now = this.now();
    let retryAfter: number | undefined;
    for (const node of nodes) {
      const d = podsShouldBeOnNode(node, nodeToPods.get(String(node.metadata.name)), ds, hash, backoff, now);
      if (d.create) create.push(String(node.metadata.name));
      del.push(...d.podsToDelete);
      for (const p of d.failed) {
        this.record(ds, 'Warning', 'FailedDaemonPod',
          `Found failed daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${node.metadata.name}, will try to kill it`);
      }
      for (const p of d.succeeded) {
        this.record(ds, 'Normal', 'SucceededDaemonPod',
          `Found succeeded daemon pod ${p.metadata.namespace}/${p.metadata.name} on node ${node.metadata.name}, will try to delete it`);
      }
      if (d.retryAfterMs !== undefined) retryAfter = Math.min(retryAfter ?? Infinity, d.retryAfterMs);
    }
    if (retryAfter !== undefined) this.queue.addAfter(metaKey(ds), retryAfter);
    del.push(...unscheduledPodsWithoutNode(nodes, nodeToPods));
    await this.syncNodes(ds, del, create, hash);
  }

  /** rollingUpdate: replace old pods within maxUnavailable / maxSurge. */
  private async rollingUpdate(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string): Promise<void> {
    const withEmpty = new Map(nodeToPods);
    let desired = 0;
    for (const n of nodes) {
      if (!nodeShouldRunDaemonPod(n, ds).shouldRun) continue;
      desired++;
      if (!withEmpty.has(String(n.metadata.name))) withEmpty.set(String(n.metadata.name), []);
    }
    let counts: { maxSurge: number; maxUnavailable: number };
    try { counts = desiredCounts(ds, desired); } catch (err) { throw new Error(`couldn't get unavailable numbers: ${(err as Error).message}`); }
    const plan = planRollingUpdate(ds, withEmpty, hash, counts.maxSurge, counts.maxUnavailable, this.now());
    await this.syncNodes(ds, plan.podsToDelete, plan.nodesToCreate, hash);
  }

  /** syncNodes: deletes `podsToDelete` and creates a pod on each node of `nodesNeeding`, burst-limited. */
  private async syncNodes(ds: DaemonSet, podsToDelete: string[], nodesNeeding: string[], hash: string): Promise<void> {
    const key = metaKey(ds);
    const createDiff = Math.min(nodesNeeding.length, this.burst);
    const deleteDiff = Math.min(podsToDelete.length, this.burst);
    if (createDiff === 0 && deleteDiff === 0) return;
    this.expectations.set(key, createDiff, deleteDiff);
    const errors: Error[] = [];
    const template = this.podTemplate(ds, hash);
    let attempted = 0;
    const { error } = await slowStartBatch(createDiff, 1, async (i) => {
      attempted++;
      try {
        await this.createPod(ds, template, nodesNeeding[i]);
      } catch (err) {
        this.expectations.creationObserved(key);
        // a terminating namespace refuses every pod: nothing to retry or report
        if (!namespaceTerminating(err)) throw err;
      }
    });
    if (error) {
      errors.push(error);
      // creations never attempted will never be observed
      if (createDiff > attempted) this.expectations.lower(key, createDiff - attempted, 0);
    }
    await Promise.all(podsToDelete.slice(0, deleteDiff).map(async (name) => {
      const ns = ds.metadata.namespace ?? '';
      try {
        await this.client.request('DELETE', `/api/v1/namespaces/${ns}/pods/${name}`);
        this.record(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
      } catch (err) {
        this.expectations.deletionObserved(key);
        if (err instanceof APIError && err.code === 404) return;
        this.record(ds, 'Warning', 'FailedDelete', `Error deleting: ${(err as Error).message}`);
        errors.push(new Error(`unable to delete pods: ${(err as Error).message}`));
      }
    }));
    if (errors.length === 1) throw errors[0];
    if (errors.length > 1) throw new Error(`[${errors.map((e) => e.message).join(', ')}]`);
  }

  /** CreatePodTemplate: the template with daemon tolerations, the hash and (when known) generation labels. */
  private podTemplate(ds: DaemonSet, hash: string): { metadata: Record<string, any>; spec: Record<string, any> } {
    const tmpl = structuredClone(ds.spec.template ?? {});
    const spec = (tmpl.spec ?? {}) as Record<string, any>;
    spec.tolerations = daemonPodTolerations(spec);
    const labels: Record<string, string> = { ...(tmpl.metadata?.labels ?? {}) };
    const gen = templateGeneration(ds);
    if (gen !== undefined) labels[TEMPLATE_GENERATION_LABEL] = String(gen);
    if (hash) labels[DAEMONSET_UNIQUE_LABEL] = hash;
    return { metadata: { ...(tmpl.metadata ?? {}), labels }, spec };
  }

  private async createPod(ds: DaemonSet, template: { metadata: Record<string, any>; spec: Record<string, any> }, nodeName: string): Promise<void> {
    const ns = ds.metadata.namespace ?? 'default';
    if (Object.keys(template.metadata.labels ?? {}).length === 0) throw new Error('unable to create pods, no labels');
    const spec = structuredClone(template.spec);
    spec.affinity = withNodeNameAffinity(spec.affinity, nodeName);
    const body = {
      apiVersion: 'v1', kind: 'Pod',
      metadata: {
        generateName: `${ds.metadata.name}-`, namespace: ns,
        labels: { ...template.metadata.labels },
        ...(template.metadata.annotations ? { annotations: { ...template.metadata.annotations } } : {}),
        ...(template.metadata.finalizers ? { finalizers: [...template.metadata.finalizers] } : {}),
        ownerReferences: [controllerRef({ apiVersion: DS_API_VERSION, kind: DS_KIND, metadata: ds.metadata })],
      },
      spec,
    };
    try {
      const pod = await this.client.request<Pod>('POST', `/api/v1/namespaces/${ns}/pods`, body);
      this.record(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${pod.metadata.name}`);
    } catch (err) {
      if (!namespaceTerminating(err)) this.record(ds, 'Warning', 'FailedCreate', `Error creating: ${(err as Error).message}`);
      throw err;
    }
  }

  /** constructHistory: the current revision (created, deduplicated or renumbered as needed) and the old ones. */
  private async constructHistory(ds: DaemonSet, selector: LabelSelector): Promise<{ cur: ControllerRevision; old: ControllerRevision[] }> {
    const ns = ds.metadata.namespace ?? '';
    const owner = { apiVersion: DS_API_VERSION, kind: DS_KIND, metadata: ds.metadata };
    const revPath = (r: ControllerRevision) => `/apis/apps/v1/namespaces/${r.metadata.namespace}/controllerrevisions/${r.metadata.name}`;
    const claimed = await new ControllerRefManager<ControllerRevision>(this.client, owner, selector, revPath,
      recheckOwner(this.client, dsPath(ns, String(ds.metadata.name)), ds.metadata.uid)).claim(this.revInformer.store.byIndex('namespace', ns));
    const current: ControllerRevision[] = [], old: ControllerRevision[] = [];
    for (let rev of claimed) {
      if (rev.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] === undefined) {
        // label revisions made before the hash label existed with their name (no collision to worry about)
        rev = await this.client.request<ControllerRevision>('PATCH', revPath(rev),
          { metadata: { labels: { [DAEMONSET_UNIQUE_LABEL]: String(rev.metadata.name) } } }, MERGE);
      }
      (matchRevision(ds, rev) ? current : old).push(rev);
    }
    const next = old.reduce((m, r) => Math.max(m, r.revision), 0) + 1;
    if (current.length === 0) return { cur: await this.snapshot(ds, next), old };
    const cur = await this.dedupCurHistories(ds, current, selector);
    if (cur.revision < next) return { cur: await this.history.updateRevision(cur, next), old };
    return { cur, old };
  }

  /** snapshot: creates the revision of the current template; a name taken by other data bumps collisionCount. */
  private async snapshot(ds: DaemonSet, revision: number): Promise<ControllerRevision> {
    const ns = ds.metadata.namespace ?? '';
    const body = newRevision(ds, revision);
    try {
      return await this.client.request<ControllerRevision>('POST', `/apis/apps/v1/namespaces/${ns}/controllerrevisions`, body);
    } catch (err) {
      if (!(err instanceof APIError) || err.code !== 409) throw err;
      const existing = await this.client.request<ControllerRevision>('GET', `/apis/apps/v1/namespaces/${ns}/controllerrevisions/${body.metadata.name}`);
      if (matchRevision(ds, existing)) return existing;
      const fresh = await this.client.request<DaemonSet>('GET', dsPath(ns, String(ds.metadata.name)));
      const collisionCount = (fresh.status?.collisionCount ?? 0) + 1;
      await this.client.request('PUT', `${dsPath(ns, String(ds.metadata.name))}/status`,
        { ...fresh, apiVersion: DS_API_VERSION, kind: DS_KIND, status: { ...(fresh.status ?? {}), collisionCount } });
      this.log(`Found a hash collision for DaemonSet ${ns}/${ds.metadata.name} - bumping collisionCount to ${collisionCount} to resolve it`);
      throw err;
    }
  }

  /** dedupCurHistories: keeps the highest-numbered equal revision, relabels pods of the others, deletes them. */
  private async dedupCurHistories(ds: DaemonSet, current: ControllerRevision[], selector: LabelSelector): Promise<ControllerRevision> {
    if (current.length === 1) return current[0];
    let keep = current[0];
    for (const r of current) if (r.revision >= keep.revision) keep = r;
    const keepHash = keep.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] ?? '';
    for (const r of current) {
      if (r.metadata.name === keep.metadata.name) continue;
      const pods = [...(await this.nodesToDaemonPods(ds, selector)).values()].flat();
      for (const p of pods) {
        if (p.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] === keepHash) continue;
        await this.client.request('PATCH', podPath(p), { metadata: { labels: { [DAEMONSET_UNIQUE_LABEL]: keepHash } } }, MERGE);
      }
      await this.history.delete(r);
    }
    return keep;
  }

  /** cleanupHistory: deletes the oldest revisions beyond revisionHistoryLimit that no pod still runs. */
  private async cleanupHistory(ds: DaemonSet, old: ControllerRevision[], nodeToPods: Map<string, Pod[]>): Promise<void> {
    const toKeep = ds.spec.revisionHistoryLimit ?? 10;
    let toKill = old.length - toKeep;
    if (toKill <= 0) return;
    const liveHashes = new Set<string>();
    for (const pods of nodeToPods.values()) for (const p of pods) {
      const h = p.metadata.labels?.[DAEMONSET_UNIQUE_LABEL];
      if (h) liveHashes.add(h);
    }
    const sorted = [...old].sort((a, b) => a.revision - b.revision);
    for (const rev of sorted) {
      if (toKill <= 0) break;
      if (liveHashes.has(rev.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] ?? '')) continue;
      await this.history.delete(rev);
      toKill--;
    }
  }

  /** updateDaemonSetStatus + storeDaemonSetStatus (one retry after re-reading on failure). */
  private async updateStatus(ds: DaemonSet, nodes: Node[], nodeToPods: Map<string, Pod[]>, hash: string, updateObservedGen: boolean): Promise<void> {
    const counted = calculateStatus(ds, nodes, nodeToPods, hash, this.now());
    const cur = ds.status ?? {};
    const gen = ds.metadata.generation ?? 0;
    const same = (Object.keys(counted) as (keyof CountedStatus)[]).every((k) => (cur[k] ?? 0) === counted[k])
      && (cur.observedGeneration ?? 0) >= gen;
    if (!same) {
      const path = `${dsPath(ds.metadata.namespace ?? '', String(ds.metadata.name))}/status`;
      let base: DaemonSet = ds;
      for (let attempt = 0; ; attempt++) {
        const status = { ...(base.status ?? {}), ...counted, ...(updateObservedGen ? { observedGeneration: base.metadata.generation } : {}) };
        try {
          await this.client.request('PUT', path, { ...base, apiVersion: DS_API_VERSION, kind: DS_KIND, status });
          break;
        } catch (err) {
          if (attempt >= 1) throw new Error(`error storing status for daemon set ${metaKey(ds)}: ${(err as Error).message}`);
          base = await this.client.request<DaemonSet>('GET', dsPath(ds.metadata.namespace ?? '', String(ds.metadata.name)));
        }
      }
    }
    // resync after minReadySeconds as a last line of defence against clock skew
    const minReady = ds.spec.minReadySeconds ?? 0;
    if (minReady > 0 && counted.numberReady !== counted.numberAvailable) this.queue.addAfter(metaKey(ds), minReady * 1000);
  }
}

function namespaceTerminating(err: unknown): boolean {
  const status = err instanceof APIError ? (err.status as { details?: { causes?: { type?: string }[] } } | undefined) : undefined;
  return Boolean(status?.details?.causes?.some((c) => c.type === 'NamespaceTerminating'));
}

/** shouldIgnoreNodeUpdate: only condition heartbeats changed (same set of True conditions, nothing else). */
export function shouldIgnoreNodeUpdate(old: Node, cur: Node): boolean {
  const trues = (n: Node) => (n.status?.conditions ?? []).filter((c) => c.status === 'True').map((c) => c.type).sort().join(',');
  if (trues(old) !== trues(cur)) return false;
  const strip = (n: Node) => ({ ...n, metadata: { ...n.metadata, resourceVersion: undefined }, status: { ...(n.status ?? {}), conditions: undefined } });
  return JSON.stringify(strip(old)) === JSON.stringify(strip(cur));
}
