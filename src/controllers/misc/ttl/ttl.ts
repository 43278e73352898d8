// The TTL controller (upstream's pkg/controller/ttl, "ttl"): every Node carries the annotation
// node.alpha.kubernetes.io/ttl — how many seconds kubelets may cache Secrets and ConfigMaps — chosen
// from the cluster size, with overlapping boundaries so a size near a limit does not flap.
import type { RESTClient } from '../../../client/rest.js';
import type { Obj, SharedInformer, SharedInformerFactory } from '../../../client/informer.js';
import { RateLimitingQueue } from '../../../client/workqueue.js';
import { runWorkers } from '../../common/worker.js';
import type { Controller } from '../../manager/context.js';

export const TTL_ANNOTATION = 'node.alpha.kubernetes.io/ttl';

/** cluster size ranges and their TTL; a step is left only when the size goes past its own range */
export const TTL_BOUNDARIES = [
  { sizeMin: 0, sizeMax: 100, ttlSeconds: 0 },
  { sizeMin: 90, sizeMax: 500, ttlSeconds: 15 },
  { sizeMin: 450, sizeMax: 1000, ttlSeconds: 30 },
  { sizeMin: 900, sizeMax: 2000, ttlSeconds: 60 },
  { sizeMin: 1800, sizeMax: 10000, ttlSeconds: 300 },
  { sizeMin: 9000, sizeMax: 2 ** 31 - 1, ttlSeconds: 600 },
];

interface Node { metadata: { name: string; annotations?: Record<string, string> } }

export class TTLController implements Controller {
  readonly name = 'ttl';
  readonly queue = new RateLimitingQueue('ttlcontroller');
  readonly queues = [this.queue];
  private readonly nodes: SharedInformer<Node & Obj>;
  private nodeCount = 0;
  private step = 0;
  desiredTTLSeconds = 0;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly log: (m: string) => void = () => {}) {
    this.nodes = factory.forPath<Node & Obj>('/api/v1/nodes');
    this.nodes.addEventHandler({
      add: (n) => { this.resize(+1); this.queue.add(n.metadata.name); },
      update: (_o, n) => this.queue.add(n.metadata.name),
      delete: () => this.resize(-1),
    });
  }

  private resize(delta: number): void {
    this.nodeCount += delta;
    const before = this.desiredTTLSeconds;
    if (delta > 0 && this.nodeCount > TTL_BOUNDARIES[this.step].sizeMax) this.step++;
    if (delta < 0 && this.nodeCount < TTL_BOUNDARIES[this.step].sizeMin) this.step--;
    this.desiredTTLSeconds = TTL_BOUNDARIES[this.step].ttlSeconds;
    // upstream relies on the informer resync to revisit every node; without one, revisit them now
    if (before !== this.desiredTTLSeconds) for (const k of this.nodes.store.keys()) this.queue.add(k);
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (k) => this.sync(k), (k, e) => this.log(`ttl: ${k}: ${e.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  async sync(name: string): Promise<void> {
    const node = this.nodes.store.get(name);
    if (!node) return;
    const want = String(this.desiredTTLSeconds);
    const have = node.metadata.annotations?.[TTL_ANNOTATION];
    if (have !== undefined && /^-?\d+$/.test(have) && Number(have) === this.desiredTTLSeconds) return;
    await this.client.request('PATCH', `/api/v1/nodes/${encodeURIComponent(name)}`,
      { metadata: { annotations: { [TTL_ANNOTATION]: want } } }, 'application/strategic-merge-patch+json');
  }
}
