// The node IPAM controller with upstream's RangeAllocator (pkg/controller/nodeipam/ipam
// range_allocator.go): every Node gets spec.podCIDR(s), the next free --node-cidr-mask-size subnet
// of --cluster-cidr. CIDRs nodes already carry are marked used (at start and whenever seen) and are
// released when the Node is deleted. When the range is exhausted the node gets a CIDRNotAvailable
// event and is retried with backoff.
import type { RESTClient } from '../../client/rest.js';
import type { SharedInformer, SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import { recordNodeStatusChange, type Node } from '../nodelifecycle/node.js';
import { CIDRSet } from './cidrset.js';

const CIDR_UPDATE_RETRIES = 3;
const CIDR_UPDATE_WORKERS = 5;

export interface NodeIpamOptions {
  clusterCIDR: string;
  nodeCIDRMaskSize: number;
  recorder: EventRecorder;
  log?: (m: string) => void;
}

function nodeCIDRs(n: Node): string[] {
  const list = n.spec?.podCIDRs?.length ? n.spec.podCIDRs : n.spec?.podCIDR ? [n.spec.podCIDR] : [];
  return list.filter(Boolean);
}

export class NodeIpamController {
  readonly name = 'node-ipam-controller';
  readonly queue = new RateLimitingQueue('node_ipam_controller');
  readonly queues = [this.queue];
  readonly cidrs: CIDRSet;
  private readonly nodeInformer: SharedInformer<Node>;
  private readonly log: (m: string) => void;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: NodeIpamOptions) {
    this.log = opts.log ?? (() => {});
    this.cidrs = new CIDRSet(opts.clusterCIDR, opts.nodeCIDRMaskSize);
    this.nodeInformer = factory.forPath<Node>('/api/v1/nodes');
    this.nodeInformer.addEventHandler({
      add: (n) => this.queue.add(String(n.metadata.name)),
      update: (o, n) => { if (nodeCIDRs(n).length === 0 || nodeCIDRs(o).join() !== nodeCIDRs(n).join()) this.queue.add(String(n.metadata.name)); },
      delete: (n) => this.releaseCIDRs(n),
    });
  }

  private occupyCIDRs(n: Node): void {
    for (const c of nodeCIDRs(n)) {
      try { this.cidrs.occupy(c); } catch (err) {
        this.log(`failed to mark cidr ${c} as occupied for node ${n.metadata.name}: ${(err as Error).message}`);
      }
    }
  }

  releaseCIDRs(n: Node): void {
    for (const c of nodeCIDRs(n)) {
      try { this.cidrs.release(c); } catch (err) { this.log(`releasing cidr ${c} of node ${n.metadata.name}: ${(err as Error).message}`); }
    }
  }

  /** AllocateOrOccupyCIDR for one node. */
  async sync(name: string): Promise<void> {
    const node = this.nodeInformer.store.get(name);
    if (!node) return;
    if (nodeCIDRs(node).length > 0) { this.occupyCIDRs(node); return; }
    let cidr: string;
    try { cidr = this.cidrs.allocateNext(); } catch (err) {
      recordNodeStatusChange(this.opts.recorder, node, 'CIDRNotAvailable');
      throw new Error(`failed to allocate cidr from cluster cidr at idx:0: ${(err as Error).message}`);
    }
    await this.updateCIDRsAllocation(name, [cidr]);
  }

  private async updateCIDRsAllocation(name: string, allocated: string[]): Promise<void> {
    const node = this.nodeInformer.store.get(name);
    if (!node) { for (const c of allocated) this.cidrs.release(c); return; }
    const have = nodeCIDRs(node);
    if (have.join() === allocated.join()) return;
    if (have.length > 0) {
      this.log(`Node ${name} already has a CIDR allocated ${JSON.stringify(have)}. Releasing the new one.`);
      for (const c of allocated) this.cidrs.release(c);
      return;
    }
    let lastErr: unknown;
    for (let i = 0; i < CIDR_UPDATE_RETRIES; i++) {
      try {
        await this.client.request('PATCH', `/api/v1/nodes/${encodeURIComponent(name)}`, { spec: { podCIDR: allocated[0], podCIDRs: allocated } },
          'application/strategic-merge-patch+json');
        this.log(`Set node ${name} PodCIDR to ${JSON.stringify(allocated)}`);
        return;
      } catch (err) { lastErr = err; }
    }
    recordNodeStatusChange(this.opts.recorder, node, 'CIDRAssignmentFailed');
    for (const c of allocated) this.cidrs.release(c);
    throw new Error(`failed to patch node ${name} CIDR allocation: ${(lastErr as Error).message}`);
  }

  async run(_workers: number): Promise<void> {
    // what nodes already carry is taken before anything new is handed out
    for (const n of this.nodeInformer.store.list()) this.occupyCIDRs(n);
    await runWorkers(this.queue, CIDR_UPDATE_WORKERS, (k) => this.sync(k), (k, e) => this.log(`node ${k}: ${e.message}`));
  }

  stop(): void { this.queue.shutDown(); }
}
