// The node lifecycle controller (upstream pkg/controller/nodelifecycle): watches Node status and the
// kubelets' Leases in kube-node-lease. A node heard from neither within the grace period gets its
// Ready (and pressure) conditions set to Unknown; nodes that are not Ready get the not-ready or
// unreachable NoSchedule taint at once and the NoExecute one through a per-zone rate-limited queue
// (rates follow the zone's disruption state; all evictions stop when every zone is down). Pods on a
// node that stops being Ready are marked Ready=False. The unschedulable taint mirrors
// spec.unschedulable. Evicting the pods is the taint-eviction controller's job.
import type { RESTClient } from '../../client/rest.js';
import type { Obj, SharedInformer, SharedInformerFactory } from '../../client/informer.js';
import { metaKey } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import type { Pod } from '../replicaset/pods.js';
import {
  byNodeName, getNodeCondition, NODE_NAME_INDEX, NOT_READY_NO_EXECUTE, recordNodeEvent, recordNodeStatusChange, rfc3339,
  swapNodeTaints, taintExists, taintSetDiff, TAINT_DISK_PRESSURE, TAINT_MEMORY_PRESSURE, TAINT_NETWORK_UNAVAILABLE,
  TAINT_NOT_READY, TAINT_PID_PRESSURE, TAINT_UNREACHABLE, TAINT_UNSCHEDULABLE, UNREACHABLE_NO_EXECUTE, zoneKey,
  type Node, type NodeCondition, type Taint,
} from './node.js';
import { NODE_EVICTION_PERIOD_MS, RateLimitedTimedQueue } from './ratelimitedqueue.js';
import { computeZoneState, zoneQPS, type ZoneState } from './zonestate.js';

type Lease = Obj & { spec?: { holderIdentity?: string; renewTime?: string } };

export const NODE_LEASE_NAMESPACE = 'kube-node-lease';
/** nodes with this label are left out of the zone disruption maths */
export const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';

/** node condition → (status → taint key) for the NoSchedule taints */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NOT_READY, Unknown: TAINT_UNREACHABLE },
  MemoryPressure: { True: TAINT_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_PID_PRESSURE },
};
const CONDITION_TAINT_KEYS = new Set([TAINT_NOT_READY, TAINT_UNREACHABLE, TAINT_MEMORY_PRESSURE, TAINT_DISK_PRESSURE,
  TAINT_NETWORK_UNAVAILABLE, TAINT_PID_PRESSURE]);
/** conditions the controller sets to Unknown (NetworkUnavailable belongs to the network provider) */
const KUBELET_CONDITIONS = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];
/** the beta labels kept in step with the stable ones (upstream labelReconcileInfo) */
const LABEL_RECONCILE: [string, string][] = [['kubernetes.io/os', 'beta.kubernetes.io/os'], ['kubernetes.io/arch', 'beta.kubernetes.io/arch']];

const NODE_UPDATE_WORKERS = 8;
const POD_UPDATE_WORKERS = 4;
const NODE_HEALTH_UPDATE_RETRY = 5;

interface NodeHealth {
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  status: Node['status'];
  leaseRenewTime?: string;
}

export interface NodeLifecycleOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  nodeMonitorPeriodMs: number;
  nodeMonitorGracePeriodMs: number;
  nodeStartupGracePeriodMs: number;
  evictionQPS: number;
  secondaryEvictionQPS: number;
  largeClusterThreshold: number;
  unhealthyZoneThreshold: number;
  now?: () => number;
}

/** MicroTime to microseconds since the epoch, so that sub-millisecond renewals still count. */
function micros(s: string | undefined): number {
  if (!s) return -Infinity;
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return -Infinity;
  const frac = /\.(\d+)/.exec(s)?.[1] ?? '';
  return Math.floor(ms / 1000) * 1e6 + Number(frac.padEnd(6, '0').slice(0, 6));
}

const parseTime = (s: string | undefined, fallback: number): number => {
  const t = s ? Date.parse(s) : NaN;
  return Number.isNaN(t) ? fallback : t;
};

export class NodeLifecycleController {
  readonly name = 'node-lifecycle-controller';
  readonly nodeQueue = new RateLimitingQueue('node_lifecycle_controller');
  readonly podQueue = new RateLimitingQueue('node_lifecycle_controller_pods');
  readonly queues = [this.nodeQueue, this.podQueue];
  readonly nodeInformer: SharedInformer<Node>;
  readonly podInformer: SharedInformer<Pod>;
  readonly leaseInformer: SharedInformer<Lease>;
  readonly knownNodes = new Map<string, Node>();
  readonly health = new Map<string, NodeHealth>();
  readonly zoneStates = new Map<string, ZoneState>();
  readonly zoneTainters = new Map<string, RateLimitedTimedQueue>();
  private readonly nodesToRetry = new Set<string>();
  private readonly now: () => number;
  private readonly log: (m: string) => void;
  private stopped = false;
  private readonly sleeps = new Set<{ t: NodeJS.Timeout; r: () => void }>();

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: NodeLifecycleOptions) {
    this.now = opts.now ?? Date.now;
    this.log = opts.log ?? (() => {});
    this.nodeInformer = factory.forPath<Node>('/api/v1/nodes');
    this.podInformer = factory.forPath<Pod>('/api/v1/pods');
    this.leaseInformer = factory.forPath<Lease>(`/apis/coordination.k8s.io/v1/namespaces/${NODE_LEASE_NAMESPACE}/leases`);
    this.podInformer.addIndexer(NODE_NAME_INDEX, byNodeName as (p: Pod) => string[]);
    this.podInformer.addEventHandler({
      add: (p) => this.podUpdated(undefined, p),
      update: (o, p) => this.podUpdated(o, p),
    });
    this.nodeInformer.addEventHandler({
      add: (n) => this.nodeQueue.add(String(n.metadata.name)),
      update: (_o, n) => this.nodeQueue.add(String(n.metadata.name)),
      delete: (n) => this.nodesToRetry.delete(String(n.metadata.name)),
    });
  }

  private podUpdated(old: Pod | undefined, pod: Pod): void {
    const node = pod.spec?.nodeName;
    if (node && (!old || old.spec?.nodeName !== node)) this.podQueue.add(metaKey(pod));
  }

  private podsOnNode(name: string): Pod[] { return this.podInformer.store.byIndex(NODE_NAME_INDEX, name); }

  // ---- NoSchedule taints and labels, per node update ----

  /** doNoScheduleTaintingPass: the condition and unschedulable NoSchedule taints follow the node's state. */
  async syncNoScheduleTaints(name: string): Promise<void> {
    const node = this.nodeInformer.store.get(name);
    if (!node) return;
    const want: Taint[] = [];
    for (const c of node.status?.conditions ?? []) {
      const key = CONDITION_TAINTS[c.type]?.[c.status];
      if (key) want.push({ key, effect: 'NoSchedule' });
    }
    if (node.spec?.unschedulable) want.push({ key: TAINT_UNSCHEDULABLE, effect: 'NoSchedule' });
    const have = (node.spec?.taints ?? []).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
    const { add, remove } = taintSetDiff(want, have);
    if (add.length === 0 && remove.length === 0) return;
    await swapNodeTaints(this.client, name, add, remove, node);
  }

  /** reconcileNodeLabels: beta os/arch labels follow the stable ones. */
  async reconcileLabels(name: string): Promise<void> {
    const node = this.nodeInformer.store.get(name);
    const labels = node?.metadata.labels;
    if (!labels) return;
    const patch: Record<string, string> = {};
    for (const [primary, secondary] of LABEL_RECONCILE) {
      if (primary in labels && labels[secondary] !== labels[primary]) patch[secondary] = labels[primary];
    }
    if (Object.keys(patch).length === 0) return;
    await this.client.request('PATCH', `/api/v1/nodes/${encodeURIComponent(name)}`, { metadata: { labels: patch } }, 'application/merge-patch+json');
  }

  // ---- health monitoring ----

  /**
   * tryUpdateNodeHealth: refreshes what we know of the node's heartbeats (status and Lease) and, past
   * the grace period, writes its kubelet conditions as Unknown. Returns the Ready condition as it was
   * observed and as it is now (undefined when the node never had one and nothing was written).
   */
  async tryUpdateNodeHealth(node: Node): Promise<{ observed: NodeCondition; current: NodeCondition | undefined }> {
    const name = String(node.metadata.name);
    const now = this.now();
    const created = parseTime(node.metadata.creationTimestamp, now);
    let health = this.health.get(name);
    let current = getNodeCondition(node, 'Ready');
    let observed: NodeCondition;
    let grace: number;
    if (!current) {
      observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: node.metadata.creationTimestamp };
      grace = this.opts.nodeStartupGracePeriodMs;
      if (health) health.status = node.status;
      else health = { status: node.status, probeTimestamp: created, readyTransitionTimestamp: created };
    } else {
      observed = { ...current };
      grace = this.opts.nodeMonitorGracePeriodMs;
    }
    const saved = getNodeCondition(health, 'Ready');
    const savedLease = health?.leaseRenewTime;
    if (!health) {
      health = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: now };
    } else if ((!saved && current) || (saved && !current)) {
      health = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: now };
    } else if (saved && current && saved.lastHeartbeatTime !== current.lastHeartbeatTime) {
      const transition = saved.lastTransitionTime !== current.lastTransitionTime ? now : health.readyTransitionTimestamp;
      health = { status: node.status, probeTimestamp: now, readyTransitionTimestamp: transition };
    }
    // a renewed Lease always counts as a heartbeat
    const lease = this.leaseInformer.store.get(`${NODE_LEASE_NAMESPACE}/${name}`);
    if (lease?.spec?.renewTime && (savedLease === undefined || micros(savedLease) < micros(lease.spec.renewTime))) {
      health.leaseRenewTime = lease.spec.renewTime;
      health.probeTimestamp = now;
    }
    this.health.set(name, health);

    if (now > health.probeTimestamp + grace) {
      const updated: Node = structuredClone(node);
      const conditions = (updated.status ??= {}).conditions ??= [];
      const stamp = rfc3339(now);
      for (const type of KUBELET_CONDITIONS) {
        const c = conditions.find((x) => x.type === type);
        if (!c) {
          conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
            lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: stamp });
        } else if (c.status !== 'Unknown') {
          c.status = 'Unknown';
          c.reason = 'NodeStatusUnknown';
          c.message = 'Kubelet stopped posting node status.';
          c.lastTransitionTime = stamp;
        }
      }
      current = getNodeCondition(updated, 'Ready');
      if (JSON.stringify(current) !== JSON.stringify(observed)) {
        await this.client.request('PUT', `/api/v1/nodes/${encodeURIComponent(name)}/status`, { apiVersion: 'v1', kind: 'Node', ...updated });
        this.health.set(name, { status: updated.status, probeTimestamp: health.probeTimestamp, readyTransitionTimestamp: now,
          leaseRenewTime: lease?.spec?.renewTime ?? health.leaseRenewTime });
      }
    }
    return { observed, current };
  }

  /** monitorNodeHealth: one pass over every node, then the zone states. */
  async monitorNodeHealth(): Promise<void> {
    const nodes = this.nodeInformer.store.list();
    const present = new Set(nodes.map((n) => String(n.metadata.name)));
    for (const n of nodes) {
      const name = String(n.metadata.name);
      if (this.knownNodes.has(name)) {
        if (!this.zoneStates.has(zoneKey(n))) this.addZone(n);
        continue;
      }
      recordNodeEvent(this.opts.recorder, n, 'Normal', 'RegisteredNode', `Registered Node ${name} in Controller`);
      this.knownNodes.set(name, n);
      this.addZone(n);
      await this.markNodeAsReachable(n).catch((err: Error) => this.log(`node ${name}: removing NoExecute taints: ${err.message}`));
    }
    for (const [name, n] of [...this.knownNodes]) {
      if (present.has(name)) continue;
      recordNodeEvent(this.opts.recorder, n, 'Normal', 'RemovingNode', `Removing Node ${name} from Controller`);
      this.knownNodes.delete(name);
      this.health.delete(name);
    }

    const zoneConditions = new Map<string, (NodeCondition | undefined)[]>();
    const work = nodes.map((n) => async () => {
      const name = String(n.metadata.name);
      let node: Node = n;
      let result: { observed: NodeCondition; current: NodeCondition | undefined } | undefined;
      for (let i = 0; i < NODE_HEALTH_UPDATE_RETRY; i++) {
        try { result = await this.tryUpdateNodeHealth(node); break; } catch (err) {
          this.log(`updating health of node ${name}: ${(err as Error).message}`);
          await new Promise((r) => setTimeout(r, 20));
          try { node = await this.client.request<Node>('GET', `/api/v1/nodes/${encodeURIComponent(name)}`); } catch { return; }
        }
      }
      if (!result) { this.log(`Update health of Node ${name} from Controller error, Skipping - no pods will be evicted`); return; }
      const { observed, current } = result;
      if (!(node.metadata.labels && LABEL_EXCLUDE_DISRUPTION in node.metadata.labels)) {
        const z = zoneKey(node);
        if (!zoneConditions.has(z)) zoneConditions.set(z, []);
        zoneConditions.get(z)!.push(current);
      }
      if (current) {
        await this.processTaintBaseEviction(node, observed).catch((err: Error) => this.log(`node ${name}: taints: ${err.message}`));
        const transitioned = current.status !== 'True' && observed.status === 'True';
        if (transitioned) recordNodeStatusChange(this.opts.recorder, node, 'NodeNotReady');
        if (transitioned || (this.nodesToRetry.has(name) && observed.status !== 'True')) {
          try { await this.markPodsNotReady(this.podsOnNode(name), name); } catch (err) {
            this.log(`unable to mark all pods NotReady on node ${name}: ${(err as Error).message}; queuing for retry`);
            this.nodesToRetry.add(name);
            return;
          }
        }
      }
      this.nodesToRetry.delete(name);
    });
    await parallelize(NODE_UPDATE_WORKERS, work);
    await this.handleDisruption(zoneConditions, nodes);
  }

  private addZone(node: Node): void {
    const z = zoneKey(node);
    if (this.zoneStates.has(z)) return;
    this.zoneStates.set(z, 'Initial');
    this.zoneTainters.set(z, new RateLimitedTimedQueue(this.opts.evictionQPS, this.now));
  }

  private tainter(node: Node): RateLimitedTimedQueue {
    const z = zoneKey(node);
    if (!this.zoneTainters.has(z)) this.addZone(node);
    return this.zoneTainters.get(z)!;
  }

  async processTaintBaseEviction(node: Node, observed: NodeCondition): Promise<void> {
    const name = String(node.metadata.name);
    switch (observed.status) {
      case 'False':
        if (taintExists(node.spec?.taints, UNREACHABLE_NO_EXECUTE)) {
          await swapNodeTaints(this.client, name, [NOT_READY_NO_EXECUTE], [UNREACHABLE_NO_EXECUTE], node);
        } else this.markNodeForTainting(node, 'False');
        break;
      case 'Unknown':
        if (taintExists(node.spec?.taints, NOT_READY_NO_EXECUTE)) {
          await swapNodeTaints(this.client, name, [UNREACHABLE_NO_EXECUTE], [NOT_READY_NO_EXECUTE], node);
        } else this.markNodeForTainting(node, 'Unknown');
        break;
      case 'True':
        await this.markNodeAsReachable(node);
        break;
    }
  }

  private markNodeForTainting(node: Node, status: 'False' | 'Unknown'): boolean {
    const q = this.tainter(node);
    const name = String(node.metadata.name);
    const template = status === 'False' ? NOT_READY_NO_EXECUTE : UNREACHABLE_NO_EXECUTE;
    if (!taintExists(node.spec?.taints, template)) q.remove(name);
    return q.add(name, String(node.metadata.uid ?? ''));
  }

  private async markNodeAsReachable(node: Node): Promise<boolean> {
    const remove = [UNREACHABLE_NO_EXECUTE, NOT_READY_NO_EXECUTE].filter((t) => taintExists(node.spec?.taints, t));
    if (remove.length) await swapNodeTaints(this.client, String(node.metadata.name), [], remove, node);
    return this.tainter(node).remove(String(node.metadata.name));
  }

  /** MarkPodsNotReady: the Ready condition of each pod on the node goes False, with a NodeNotReady event. */
  async markPodsNotReady(pods: Pod[], nodeName: string): Promise<void> {
    const errs: string[] = [];
    for (const pod of pods) {
      if (pod.spec?.nodeName !== nodeName) continue;
      const ready = pod.status?.conditions?.find((c) => c.type === 'Ready');
      if (!ready || ready.status === 'False') continue;
      const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`;
      try {
        await this.client.request('PATCH', path, { status: { conditions: [{ type: 'Ready', status: 'False', lastTransitionTime: rfc3339(this.now()) }] } },
          'application/strategic-merge-patch+json');
      } catch (err) {
        if ((err as { code?: number }).code === 404) continue;
        errs.push(`${metaKey(pod)}: ${(err as Error).message}`);
        continue;
      }
      this.opts.recorder.event({ ...pod, apiVersion: 'v1', kind: 'Pod' }, 'Warning', 'NodeNotReady', 'Node is not ready');
    }
    if (errs.length) throw new Error(errs.join('; '));
  }

  /** handleDisruption: zone states decide each zone's tainting rate; all zones down stops it. */
  async handleDisruption(zoneConditions: Map<string, (NodeCondition | undefined)[]>, nodes: Node[]): Promise<void> {
    const newStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const [z, conds] of zoneConditions) {
      const { state } = computeZoneState(conds, this.opts.unhealthyZoneThreshold);
      if (state !== 'FullDisruption') allAreFullyDisrupted = false;
      newStates.set(z, state);
      if (!this.zoneStates.has(z)) this.zoneStates.set(z, 'Initial');
    }
    let allWasFullyDisrupted = true;
    for (const [z, state] of [...this.zoneStates]) {
      if (!zoneConditions.has(z)) { this.zoneStates.delete(z); continue; }
      if (state !== 'FullDisruption') { allWasFullyDisrupted = false; break; }
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;
    const rates = { evictionQPS: this.opts.evictionQPS, secondaryEvictionQPS: this.opts.secondaryEvictionQPS, largeClusterThreshold: this.opts.largeClusterThreshold };
    if (allAreFullyDisrupted) {
      this.log('Controller detected that all Nodes are not-Ready. Entering master disruption mode');
      for (const n of nodes) await this.markNodeAsReachable(n).catch((err: Error) => this.log(`Failed to remove taints from Node ${n.metadata.name}: ${err.message}`));
      for (const z of this.zoneStates.keys()) this.zoneTainters.get(z)?.swapLimiter(0);
      for (const z of this.zoneStates.keys()) this.zoneStates.set(z, 'FullDisruption');
      return;
    }
    if (allWasFullyDisrupted) {
      this.log('Controller detected that some Nodes are Ready. Exiting master disruption mode');
      const now = this.now();
      for (const n of nodes) {
        const h = this.health.get(String(n.metadata.name));
        if (h) { h.probeTimestamp = now; h.readyTransitionTimestamp = now; }
      }
      for (const z of this.zoneStates.keys()) {
        const s = newStates.get(z)!;
        this.setLimiterInZone(z, zoneConditions.get(z)?.length ?? 0, s, rates);
        this.zoneStates.set(z, s);
      }
      return;
    }
    for (const [z, state] of this.zoneStates) {
      const s = newStates.get(z)!;
      if (s === state) continue;
      this.log(`Controller detected that zone ${JSON.stringify(z)} is now in state ${s}`);
      this.setLimiterInZone(z, zoneConditions.get(z)?.length ?? 0, s, rates);
      this.zoneStates.set(z, s);
    }
  }

  private setLimiterInZone(z: string, size: number, state: ZoneState, rates: Parameters<typeof zoneQPS>[2]): void {
    const qps = zoneQPS(state, size, rates);
    if (qps !== undefined) this.zoneTainters.get(z)?.swapLimiter(qps);
  }

  /** doNoExecuteTaintingPass: drains each zone's queue as its limiter allows. */
  async doNoExecuteTaintingPass(): Promise<void> {
    for (const q of [...this.zoneTainters.values()]) {
      await q.try(async (v) => {
        const node = this.nodeInformer.store.get(v.value);
        if (!node) return { ok: true, waitMs: 0 };
        const ready = getNodeCondition(node, 'Ready');
        if (!ready) return { ok: false, waitMs: 50 };
        let add: Taint, opposite: Taint;
        if (ready.status === 'False') { add = NOT_READY_NO_EXECUTE; opposite = UNREACHABLE_NO_EXECUTE; }
        else if (ready.status === 'Unknown') { add = UNREACHABLE_NO_EXECUTE; opposite = NOT_READY_NO_EXECUTE; }
        else return { ok: true, waitMs: 0 }; // Ready again: nothing to taint
        try {
          await swapNodeTaints(this.client, v.value, [add], [opposite], node);
          return { ok: true, waitMs: 0 };
        } catch (err) {
          this.log(`unable to taint ${add.key}:${add.effect} unresponsive Node ${JSON.stringify(v.value)}: ${(err as Error).message}`);
          return { ok: false, waitMs: 0 };
        }
      });
    }
  }

  /** processPod: a pod newly bound to a node that is not Ready is marked not ready too. */
  async processPod(key: string): Promise<void> {
    const pod = this.podInformer.store.get(key);
    if (!pod) return;
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const health = this.health.get(nodeName);
    if (!health) return;
    if (!this.nodeInformer.store.get(nodeName)) throw new Error(`node ${nodeName} not found`);
    const ready = getNodeCondition(health, 'Ready');
    if (!ready) return;
    if (ready.status !== 'True') await this.markPodsNotReady([pod], nodeName);
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((r) => {
      const e = { t: setTimeout(() => { this.sleeps.delete(e); r(); }, ms), r };
      this.sleeps.add(e);
    });
  }

  private loop(periodMs: number, fn: () => Promise<void>, what: string): Promise<void> {
    return (async () => {
      while (!this.stopped) {
        try { await fn(); } catch (err) { this.log(`${what}: ${(err as Error).stack ?? String(err)}`); }
        if (this.stopped) return;
        await this.sleep(periodMs);
      }
    })();
  }

  async run(_workers: number): Promise<void> {
    const logErr = (what: string) => (key: string, err: Error) => this.log(`${what} ${key}: ${err.message}`);
    await Promise.all([
      runWorkers(this.nodeQueue, NODE_UPDATE_WORKERS, async (name) => {
        await this.syncNoScheduleTaints(name);
        await this.reconcileLabels(name);
      }, logErr('Failed to taint NoSchedule on node')),
      runWorkers(this.podQueue, POD_UPDATE_WORKERS, (key) => this.processPod(key), logErr('Unable to mark pod NotReady')),
      this.loop(NODE_EVICTION_PERIOD_MS, () => this.doNoExecuteTaintingPass(), 'tainting pass'),
      this.loop(this.opts.nodeMonitorPeriodMs, () => this.monitorNodeHealth(), 'Error monitoring node health'),
    ]);
  }

  stop(): void {
    this.stopped = true;
    this.nodeQueue.shutDown();
    this.podQueue.shutDown();
    for (const e of this.sleeps) { clearTimeout(e.t); e.r(); }
    this.sleeps.clear();
  }
}

/** workqueue.ParallelizeUntil: run the pieces with at most `n` in flight. */
export async function parallelize(n: number, pieces: (() => Promise<void>)[]): Promise<void> {
  let next = 0;
  const worker = async () => { while (next < pieces.length) await pieces[next++](); };
  await Promise.all(Array.from({ length: Math.min(n, pieces.length) }, worker));
}
