// The taint eviction controller (upstream pkg/controller/tainteviction): pods bound to a node with
// NoExecute taints they do not tolerate are deleted at once; pods tolerating them for a limited
// tolerationSeconds are deleted when the shortest of those runs out, counted from when the taint was
// seen; the deletion is cancelled if the taints go away first. Before deleting it marks the pod with
// a DisruptionTarget condition, and it records TaintManagerEviction events as upstream.
import type { RESTClient } from '../../client/rest.js';
import type { SharedInformer, SharedInformerFactory } from '../../client/informer.js';
import { metaKey } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { toleratesTaint } from '../../scheduler/plugins/helpers.js';
import type { Toleration } from '../../scheduler/types.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import type { Pod } from '../replicaset/pods.js';
import { byNodeName, NODE_NAME_INDEX, rfc3339, type Node, type Taint } from './node.js';
import { TimedWorkerQueue } from './timedworkers.js';

type TolPod = Pod & { spec?: Pod['spec'] & { tolerations?: Toleration[] } };

const UPDATE_WORKERS = 8;
const DELETE_RETRIES = 5;

export function noExecuteTaints(taints: Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/** GetMatchingTolerations: whether every taint is tolerated, and the first toleration used for each. */
export function matchingTolerations(taints: Taint[], tolerations: Toleration[] | undefined): { all: boolean; used: Toleration[] } {
  if (taints.length === 0) return { all: true, used: [] };
  const ts = tolerations ?? [];
  if (ts.length === 0) return { all: false, used: [] };
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = ts.find((x) => toleratesTaint(x, taint));
    if (!t) return { all: false, used: [] };
    used.push(t);
  }
  return { all: true, used };
}

/** getMinTolerationTime in ms: 0 without tolerations or with a non-positive one, -1 when all are forever. */
export function minTolerationMs(used: Toleration[]): number {
  if (used.length === 0) return 0;
  let min = Infinity;
  for (const t of used) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}

const sameJSON = (a: unknown, b: unknown) => JSON.stringify(a ?? []) === JSON.stringify(b ?? []);

export interface TaintEvictionOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  now?: () => number;
  /** pause between delete retries (upstream: 10 ms) */
  retryDelayMs?: number;
}

export class TaintEvictionController {
  readonly name = 'taint-eviction-controller';
  readonly nodeQueue = new RateLimitingQueue('noexec_taint_node');
  readonly podQueue = new RateLimitingQueue('noexec_taint_pod');
  readonly queues = [this.nodeQueue, this.podQueue];
  readonly evictions: TimedWorkerQueue;
  /** node name → its NoExecute taints, for nodes that have some */
  readonly taintedNodes = new Map<string, Taint[]>();
  private readonly nodeInformer: SharedInformer<Node>;
  private readonly podInformer: SharedInformer<TolPod>;
  private readonly now: () => number;
  private readonly log: (m: string) => void;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: TaintEvictionOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
    this.evictions = new TimedWorkerQueue((key, fireAt) => this.deletePod(key, fireAt), this.log, this.now);
    this.nodeInformer = factory.forPath<Node>('/api/v1/nodes');
    this.podInformer = factory.forPath<TolPod>('/api/v1/pods');
    this.podInformer.addIndexer(NODE_NAME_INDEX, byNodeName as (p: TolPod) => string[]);
    this.podInformer.addEventHandler({
      add: (p) => this.podUpdated(undefined, p),
      update: (o, p) => this.podUpdated(o, p),
      delete: (p) => this.podUpdated(p, undefined),
    });
    this.nodeInformer.addEventHandler({
      add: (n) => this.nodeUpdated(undefined, n),
      update: (o, n) => this.nodeUpdated(o, n),
      delete: (n) => this.nodeUpdated(n, undefined),
    });
  }

  private podUpdated(old: TolPod | undefined, cur: TolPod | undefined): void {
    if (old && cur && sameJSON(old.spec?.tolerations, cur.spec?.tolerations) && old.spec?.nodeName === cur.spec?.nodeName) return;
    // a pod on no node has nothing to be evicted from (and 150k pending pods would be 150k queue adds)
    if (!(cur ?? old)!.spec?.nodeName) return;
    this.podQueue.add(metaKey((cur ?? old)!));
  }

  private nodeUpdated(old: Node | undefined, cur: Node | undefined): void {
    if (old && cur && sameJSON(noExecuteTaints(old.spec?.taints), noExecuteTaints(cur.spec?.taints))) return;
    this.nodeQueue.add(String((cur ?? old)!.metadata.name));
  }

  private cancelWorkWithEvent(key: string): void {
    if (this.evictions.cancelWork(key)) this.podEvent(key, 'Cancelling deletion of Pod');
  }

  private podEvent(key: string, what: string): void {
    const [namespace, name] = key.split('/');
    this.opts.recorder.event({ apiVersion: 'v1', kind: 'Pod', metadata: { namespace, name } }, 'Normal', 'TaintManagerEviction', `${what} ${key}`);
  }

  /** processPodOnNode: schedule, reschedule or cancel the pod's deletion for the node's taints. */
  processPodOnNode(key: string, tolerations: Toleration[] | undefined, taints: Taint[], now: number): void {
    if (taints.length === 0) this.cancelWorkWithEvent(key);
    const { all, used } = matchingTolerations(taints, tolerations);
    if (!all) {
      // not all taints tolerated: delete right away
      this.cancelWorkWithEvent(key);
      this.evictions.addWork(key, now, now);
      return;
    }
    const min = minTolerationMs(used);
    if (min < 0) { this.cancelWorkWithEvent(key); return; }
    let start = now;
    const trigger = start + min;
    const scheduled = this.evictions.getWorker(key);
    if (scheduled) {
      start = scheduled.createdAt;
      if (start + min < trigger) return;
      this.cancelWorkWithEvent(key);
    }
    this.evictions.addWork(key, start, trigger);
  }

  async handlePodUpdate(key: string): Promise<void> {
    const pod = this.podInformer.store.get(key);
    if (!pod) { this.cancelWorkWithEvent(key); return; }
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const taints = this.taintedNodes.get(nodeName);
    if (!taints) return;
    this.processPodOnNode(key, pod.spec?.tolerations, taints, this.now());
  }

  async handleNodeUpdate(name: string): Promise<void> {
    const node = this.nodeInformer.store.get(name);
    if (!node) { this.taintedNodes.delete(name); return; }
    const taints = noExecuteTaints(node.spec?.taints);
    if (taints.length === 0) this.taintedNodes.delete(name);
    else this.taintedNodes.set(name, taints);
    const pods = this.podInformer.store.byIndex(NODE_NAME_INDEX, name);
    if (pods.length === 0) return;
    if (taints.length === 0) {
      for (const p of pods) this.cancelWorkWithEvent(metaKey(p));
      return;
    }
    const now = this.now();
    for (const p of pods) this.processPodOnNode(metaKey(p), p.spec?.tolerations, taints, now);
  }

  /** deletePodHandler: event, DisruptionTarget condition, then a graceful delete; retried a few times. */
  private async deletePod(key: string, _fireAt: number): Promise<void> {
    this.log(`Deleting pod ${key}`);
    this.podEvent(key, 'Marking for deletion Pod');
    let last: unknown;
    for (let i = 0; i < DELETE_RETRIES; i++) {
      try { await this.addConditionAndDeletePod(key); return; } catch (err) {
        if ((err as { code?: number }).code === 404) return;
        last = err;
        await new Promise((r) => setTimeout(r, this.opts.retryDelayMs ?? 10));
      }
    }
    throw last;
  }

  private async addConditionAndDeletePod(key: string): Promise<void> {
    const [ns, name] = key.split('/');
    const path = `/api/v1/namespaces/${ns}/pods/${name}`;
    const pod = await this.client.request<TolPod>('GET', path);
    const has = pod.status?.conditions?.find((c) => c.type === 'DisruptionTarget') as { status?: string; reason?: string; message?: string } | undefined;
    const reason = 'DeletionByTaintManager';
    const message = 'Taint manager: deleting due to NoExecute taint';
    if (!(has && has.status === 'True' && has.reason === reason && has.message === message)) {
      await this.client.request('PATCH', `${path}/status`, {
        status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason, message, lastTransitionTime: rfc3339(this.now()) }] },
      }, 'application/strategic-merge-patch+json');
    }
    await this.client.request('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: pod.metadata.uid } });
  }

  async run(_workers: number): Promise<void> {
    await Promise.all([
      runWorkers(this.nodeQueue, UPDATE_WORKERS, (k) => this.handleNodeUpdate(k), (k, e) => this.log(`node ${k}: ${e.message}`)),
      runWorkers(this.podQueue, UPDATE_WORKERS, (k) => this.handlePodUpdate(k), (k, e) => this.log(`pod ${k}: ${e.message}`)),
    ]);
  }

  stop(): void {
    this.nodeQueue.shutDown();
    this.podQueue.shutDown();
    this.evictions.stop();
  }
}
