// The pod garbage collector (upstream pkg/controller/podgc): every 20 s it deletes terminated pods
// beyond --terminated-pod-gc-threshold (evicted first, then oldest), terminating pods on NotReady
// nodes tainted out-of-service, pods bound to nodes that no longer exist (after a 40 s quarantine
// and a confirming GET, with a DisruptionTarget condition) and terminating pods never scheduled.
// Pods not yet terminal are patched to phase Failed first; deletions are forced (grace period 0).
import type { RESTClient } from '../../client/rest.js';
import type { SharedInformer, SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { isNodeReady, rfc3339, TAINT_OUT_OF_SERVICE, type Node } from '../nodelifecycle/node.js';
import type { Pod } from '../replicaset/pods.js';

export const GC_CHECK_PERIOD_MS = 20_000;
export const QUARANTINE_MS = 40_000;

type GCPod = Pod & { status?: Pod['status'] & { reason?: string } };
interface PodCondition { type: string; status: string; reason?: string; message?: string }

export interface PodGCOptions {
  terminatedPodThreshold: number;
  log?: (m: string) => void;
  gcCheckPeriodMs?: number;
  quarantineMs?: number;
}

export function isPodTerminated(p: GCPod): boolean {
  const phase = p.status?.phase;
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

const isEvicted = (p: GCPod) => p.status?.phase === 'Failed' && p.status.reason === 'Evicted';

/** byEvictionAndCreationTimestamp: evicted pods first, then oldest, then by name. */
export function gcOrder(a: GCPod, b: GCPod): number {
  const ea = isEvicted(a), eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = Date.parse(a.metadata.creationTimestamp ?? '') || 0;
  const tb = Date.parse(b.metadata.creationTimestamp ?? '') || 0;
  if (ta !== tb) return ta - tb;
  return String(a.metadata.name) < String(b.metadata.name) ? -1 : String(a.metadata.name) > String(b.metadata.name) ? 1 : 0;
}

/** The terminated pods to delete: the first len - threshold in gcOrder (none when threshold <= 0). */
export function terminatedToDelete(pods: GCPod[], threshold: number): GCPod[] {
  if (threshold <= 0) return [];
  const terminated = pods.filter(isPodTerminated);
  const n = terminated.length - threshold;
  if (n <= 0) return [];
  return terminated.sort(gcOrder).slice(0, n);
}

export class PodGCController {
  readonly name = 'pod-garbage-collector-controller';
  /** node names waiting out their quarantine (upstream's delaying queue "orphaned_pods_nodes") */
  readonly nodeQueue = new RateLimitingQueue('orphaned_pods_nodes');
  readonly queues = [this.nodeQueue];
  private readonly podInformer: SharedInformer<GCPod>;
  private readonly nodeInformer: SharedInformer<Node>;
  private readonly log: (m: string) => void;
  private stopped = false;
  private timer: NodeJS.Timeout | undefined;
  private wake: (() => void) | undefined;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: PodGCOptions) {
    this.log = opts.log ?? (() => {});
    this.podInformer = factory.forPath<GCPod>('/api/v1/pods');
    this.nodeInformer = factory.forPath<Node>('/api/v1/nodes');
  }

  async gc(): Promise<void> {
    const pods = this.podInformer.store.list();
    const nodes = this.nodeInformer.store.list();
    if (this.opts.terminatedPodThreshold > 0) await this.gcTerminated(pods);
    await this.gcTerminating(pods);
    await this.gcOrphaned(pods, nodes);
    await this.gcUnscheduledTerminating(pods);
  }

  private async gcTerminated(pods: GCPod[]): Promise<void> {
    const victims = terminatedToDelete(pods, this.opts.terminatedPodThreshold);
    if (victims.length === 0) return;
    this.log(`Garbage collecting ${victims.length} pods`);
    await Promise.all(victims.map((p) => this.markFailedAndDeletePod(p).catch((err: Error) => this.logErr(p, err))));
  }

  private async gcTerminating(pods: GCPod[]): Promise<void> {
    const victims = pods.filter((p) => {
      if (!p.metadata.deletionTimestamp) return false;
      const node = this.nodeInformer.store.get(String(p.spec?.nodeName ?? ''));
      return !!node && !isNodeReady(node) && (node.spec?.taints ?? []).some((t) => t.key === TAINT_OUT_OF_SERVICE);
    }).sort(gcOrder);
    await Promise.all(victims.map((p) => this.markFailedAndDeletePod(p).catch((err: Error) => this.logErr(p, err))));
  }

  private async gcOrphaned(pods: GCPod[], nodes: Node[]): Promise<void> {
    const existing = new Set(nodes.map((n) => String(n.metadata.name)));
    const quarantine = this.opts.quarantineMs ?? QUARANTINE_MS;
    for (const p of pods) {
      const n = p.spec?.nodeName;
      if (n && !existing.has(n)) this.nodeQueue.addAfter(n, quarantine);
    }
    const deleted = await this.discoverDeletedNodes(existing);
    for (const p of pods) {
      if (!deleted.has(String(p.spec?.nodeName ?? ''))) continue;
      this.log(`Found orphaned Pod ${p.metadata.namespace}/${p.metadata.name} assigned to the Node ${p.spec?.nodeName}, deleting`);
      await this.markFailedAndDeletePod(p, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' })
        .catch((err: Error) => this.logErr(p, err));
    }
  }

  /** Nodes out of quarantine that are still absent, confirmed with a GET (errors: try again next pass). */
  private async discoverDeletedNodes(existing: Set<string>): Promise<Set<string>> {
    const deleted = new Set<string>();
    while (this.nodeQueue.len() > 0) {
      const name = await this.nodeQueue.get();
      if (name === undefined) break;
      try {
        if (!existing.has(name)) {
          try { await this.client.request('GET', `/api/v1/nodes/${encodeURIComponent(name)}`); } catch (err) {
            if ((err as { code?: number }).code === 404) deleted.add(name);
            else this.log(`Error while getting node ${name}: ${(err as Error).message}`);
          }
        }
      } finally { this.nodeQueue.done(name); }
    }
    return deleted;
  }

  private async gcUnscheduledTerminating(pods: GCPod[]): Promise<void> {
    for (const p of pods) {
      if (!p.metadata.deletionTimestamp || p.spec?.nodeName) continue;
      this.log(`Found unscheduled terminating Pod ${p.metadata.namespace}/${p.metadata.name} not assigned to any Node, deleting`);
      await this.markFailedAndDeletePod(p).catch((err: Error) => this.logErr(p, err));
    }
  }

  private logErr(p: GCPod, err: Error): void {
    if ((err as { code?: number }).code === 404) return;
    this.log(`deleting pod ${p.metadata.namespace}/${p.metadata.name}: ${err.message}`);
  }

  /** Phase Failed (with `condition`) unless already terminal, then a forced delete. */
  async markFailedAndDeletePod(p: GCPod, condition?: PodCondition): Promise<void> {
    const path = `/api/v1/namespaces/${p.metadata.namespace}/pods/${encodeURIComponent(String(p.metadata.name))}`;
    this.log(`PodGC is force deleting Pod ${p.metadata.namespace}/${p.metadata.name}`);
    if (p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed') {
      const status: Record<string, unknown> = { phase: 'Failed' };
      if (condition) status.conditions = [{ ...condition, lastTransitionTime: rfc3339() }];
      await this.client.request('PATCH', `${path}/status`, { status }, 'application/strategic-merge-patch+json');
    }
    await this.client.request('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', gracePeriodSeconds: 0 });
  }

  async run(_workers: number): Promise<void> {
    const period = this.opts.gcCheckPeriodMs ?? GC_CHECK_PERIOD_MS;
    while (!this.stopped) {
      try { await this.gc(); } catch (err) { this.log(`pod gc: ${(err as Error).stack ?? String(err)}`); }
      if (this.stopped) break;
      await new Promise<void>((r) => { this.wake = r; this.timer = setTimeout(r, period); });
    }
  }

  stop(): void {
    this.stopped = true;
    this.nodeQueue.shutDown();
    if (this.timer) clearTimeout(this.timer);
    this.wake?.();
  }
}
