// The simulator: registers the Nodes, renews their Leases and reports node status from one timer
// wheel, and plays kubelet for every pod bound to its nodes from ONE pod watch (spec.nodeName!=,
// filtered locally, since a field selector cannot say "one of these nodes"). All writes go through
// one paced queue. Restarting it re-lists and adopts what is already there.
import { APIError, type RESTClient } from '../client/rest.js';
import { reflect } from '../client/reflector.js';
import { nodeCIDR, nodeInternalIP, PodIPPool } from './ipam.js';
import { leaseObject, LEASE_NAMESPACE, microTime, nodeConditions, nodeObject, nodeStatus, type NodeCondition, type NodeIdentity } from './node-status.js';
import { nodeLabels, nodeName, type SimOptions } from './options.js';
import { exitCode, readyUpdate, reportedBySim, runningStatus, runSeconds, terminatedStatus, type PodLike } from './pod-status.js';
import { TimerWheel } from './timer-wheel.js';
import { WriteQueue } from './write-queue.js';

type Obj = Record<string, unknown>;
const MERGE = 'application/merge-patch+json';
const STRATEGIC = 'application/strategic-merge-patch+json';

interface SimNode {
  id: NodeIdentity;
  uid?: string;
  pool: PodIPPool;
  conditions: NodeCondition[];
  failed: boolean;
  ready: boolean;
}

/** What is kept per pod: enough to write its statuses, never the whole object. */
interface SimPod {
  pod: PodLike;
  node: string;
  podIP?: string;
  reported: boolean;
  deleting: boolean;
  done: boolean;
}

const enc = encodeURIComponent;
const is = (err: unknown, ...codes: number[]) => err instanceof APIError && codes.includes(err.code);

/** Only the fields the simulator needs later (memory matters at 150,000 pods). */
function trim(p: PodLike): PodLike {
  const ann = p.metadata?.annotations ?? {};
  const keep = Object.fromEntries(Object.entries(ann).filter(([k]) => k.startsWith('sim.kumo.dev/')));
  return {
    metadata: { name: p.metadata?.name, namespace: p.metadata?.namespace, uid: p.metadata?.uid, annotations: keep },
    spec: {
      nodeName: p.spec?.nodeName,
      containers: (p.spec?.containers ?? []).map((c) => ({ name: c.name, image: c.image })),
      ...(p.spec?.initContainers ? { initContainers: p.spec.initContainers.map((c) => ({ name: c.name, image: c.image, restartPolicy: c.restartPolicy })) } : {}),
      ...(p.spec?.readinessGates ? { readinessGates: p.spec.readinessGates } : {}),
    },
    status: { phase: p.status?.phase, startTime: p.status?.startTime, conditions: p.status?.conditions },
  };
}

export interface SimStats { nodes: number; pods: number; running: number; writes: number; failures: number; queued: number }

export class NodeSimulator {
  readonly nodes = new Map<string, SimNode>();
  private readonly pods = new Map<string, SimPod>();
  private readonly wheel = new TimerWheel(100);
  private readonly queue: WriteQueue;
  private stopReflector?: () => void;
  private kubeletVersion = 'v0.0.0';

  constructor(private readonly client: RESTClient, private readonly o: SimOptions,
    private readonly log: (msg: string) => void = () => {}) {
    this.queue = new WriteQueue(this.wheel, o.concurrency, log, undefined, o.heartbeatConcurrency);
  }

  stats(): SimStats {
    let running = 0;
    for (const p of this.pods.values()) if (p.reported && !p.done) running++;
    return { nodes: this.nodes.size, pods: this.pods.size, running, writes: this.queue.writes, failures: this.queue.failures, queued: this.queue.size };
  }

  /** Register (or adopt) every node and its Lease, then start heartbeats and the pod watch. */
  async start(): Promise<{ registeredMs: number; adopted: number }> {
    const t0 = Date.now();
    this.wheel.start();
    const version = await this.retrying(() => this.client.request<{ gitVersion: string }>('GET', '/version'));
    this.kubeletVersion = version.gitVersion;
    const existing = await this.retrying(() => this.client.request<{ items: Obj[] }>('GET', '/api/v1/nodes'));
    const byName = new Map(existing.items.map((n) => [(n.metadata as Obj).name as string, n]));
    let adopted = 0;
    for (let i = 0; i < this.o.count; i++) {
      const name = nodeName(this.o, i);
      const found = byName.get(name);
      const spec = (found?.spec ?? {}) as { podCIDR?: string };
      const id: NodeIdentity = { name, index: i, podCIDR: spec.podCIDR || nodeCIDR(this.o.podCIDRBase, i), internalIP: nodeInternalIP(i) };
      const prev = ((found?.status as Obj | undefined)?.conditions ?? []) as NodeCondition[];
      const node: SimNode = { id, pool: new PodIPPool(id.podCIDR), conditions: prev, failed: this.o.failNodes.has(name), ready: !this.o.notReadyNodes.has(name) };
      this.nodes.set(name, node);
      if (found) {
        adopted++;
        node.uid = (found.metadata as Obj).uid as string;
        if (!node.failed) {
          // a kubelet starting up posts its status at once
          if (!spec.podCIDR) this.queue.add(`node/${name}/spec`, () => this.patchPodCIDR(node));
          this.queue.add(`node/${name}/status`, () => this.reportStatus(node, true));
          this.queue.add(`lease/${name}`, () => this.renewLease(node));
        }
      } else {
        // a failed node still registers (then falls silent), so drills have something to watch
        this.queue.add(`node/${name}`, () => this.register(node));
      }
    }
    await this.queue.idle();
    const registeredMs = Date.now() - t0;
    await this.watchPods();
    this.scheduleHeartbeats();
    return { registeredMs, adopted };
  }

  stop(): void {
    this.stopReflector?.();
    this.wheel.stop();
    this.queue.stop();
  }

  /** A first call the simulator cannot do without: retried until the server answers. */
  private async retrying<T>(fn: () => Promise<T>): Promise<T> {
    for (let n = 1; ; n++) {
      try { return await fn(); } catch (err) {
        if (is(err, 401, 403, 404)) throw err;
        if (n === 1 || n % 10 === 0) this.log(`waiting for the API server: ${(err as Error).message}`);
        await new Promise((r) => setTimeout(r, Math.min(5000, 200 * n)));
      }
    }
  }

  private async register(node: SimNode): Promise<void> {
    const now = Date.now();
    const body = nodeObject(this.o, node.id, nodeLabels(this.o, node.id.name, node.id.index), this.kubeletVersion, node.ready, now);
    try {
      const created = await this.client.request<Obj>('POST', '/api/v1/nodes', body);
      node.uid = (created.metadata as Obj).uid as string;
      node.conditions = (body.status as Obj).conditions as NodeCondition[];
    } catch (err) {
      if (!is(err, 409)) throw err;
      const got = await this.client.request<Obj>('GET', `/api/v1/nodes/${enc(node.id.name)}`);
      node.uid = (got.metadata as Obj).uid as string;
      await this.reportStatus(node, true);
    }
    await this.renewLease(node);
  }

  private async patchPodCIDR(node: SimNode): Promise<void> {
    await this.client.request('PATCH', `/api/v1/nodes/${enc(node.id.name)}`, { spec: { podCIDR: node.id.podCIDR, podCIDRs: [node.id.podCIDR] } }, MERGE);
  }

  /** NodeStatus: the full status on start, afterwards the conditions with fresh heartbeats. */
  private async reportStatus(node: SimNode, full = false): Promise<void> {
    const now = Date.now();
    const status = full
      ? nodeStatus(this.o, node.id, this.kubeletVersion, node.ready, now, node.conditions)
      : { conditions: nodeConditions(node.ready, now, node.conditions) };
    await this.client.request('PATCH', `/api/v1/nodes/${enc(node.id.name)}/status`, { status }, MERGE);
    node.conditions = status.conditions as NodeCondition[];
  }

  private async renewLease(node: SimNode): Promise<void> {
    const path = `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases/${enc(node.id.name)}`;
    try {
      await this.client.request('PATCH', path, { spec: { holderIdentity: node.id.name, renewTime: microTime(Date.now()) } }, MERGE);
    } catch (err) {
      if (!is(err, 404)) throw err;
      try {
        await this.client.request('POST', `/apis/coordination.k8s.io/v1/namespaces/${LEASE_NAMESPACE}/leases`, leaseObject(node.id.name, node.uid, Date.now()));
      } catch (e) {
        if (!is(e, 409)) throw e;
      }
    }
  }

  /** Spread renewals evenly over the interval so writes come at a steady rate, not in bursts. */
  private scheduleHeartbeats(): void {
    const n = Math.max(1, this.nodes.size);
    let i = 0;
    for (const node of this.nodes.values()) {
      const offset = i++ / n;
      if (!node.failed) this.scheduleNode(node, Date.now() + offset * this.o.heartbeatMs, Date.now() + this.o.statusReportMs * (1 + offset));
    }
  }

  private scheduleNode(node: SimNode, leaseAt: number, statusAt: number): void {
    const lease = (at: number) => this.wheel.schedule(`lease/${node.id.name}`, at, () => {
      this.queue.add(`lease/${node.id.name}`, () => this.renewLease(node));
      lease(at + this.o.heartbeatMs);
    });
    const status = (at: number) => this.wheel.schedule(`status/${node.id.name}`, at, () => {
      this.queue.add(`node/${node.id.name}/status`, () => this.reportStatus(node));
      status(at + this.o.statusReportMs);
    });
    lease(leaseAt);
    status(statusAt);
  }

  /**
   * Drill: the node's kubelet dies. No more Lease renewals or status reports, and its pods are left
   * as they are (the node lifecycle controller should mark it Unknown and taint it).
   */
  failNode(name: string): boolean {
    const node = this.nodes.get(name);
    if (!node) return false;
    if (node.failed) return true;
    node.failed = true;
    this.wheel.cancel(`lease/${name}`);
    this.wheel.cancel(`status/${name}`);
    this.queue.cancel(`lease/${name}`);
    this.queue.cancel(`node/${name}/status`);
    for (const [uid, p] of this.pods) {
      if (p.node !== name) continue;
      this.wheel.cancel(`done/${uid}`);
      this.wheel.cancel(`delete/${uid}`);
      this.queue.cancel(`pod/${uid}`);
      this.pods.delete(uid);
    }
    return true;
  }

  /**
   * Drill: the kubelet comes back (also clears --not-ready). As a starting kubelet it posts its
   * status and Lease at once, then lists the pods bound to it and carries on from what they say.
   */
  async recoverNode(name: string): Promise<boolean> {
    const node = this.nodes.get(name);
    if (!node) return false;
    const wasFailed = node.failed;
    node.ready = true;
    if (!wasFailed) { this.queue.add(`node/${name}/status`, () => this.reportStatus(node)); return true; }
    node.failed = false;
    node.pool = new PodIPPool(node.id.podCIDR);
    this.queue.add(`node/${name}/status`, () => this.reportStatus(node, true));
    this.queue.add(`lease/${name}`, () => this.renewLease(node));
    this.scheduleNode(node, Date.now() + this.o.heartbeatMs, Date.now() + this.o.statusReportMs);
    const list = await this.retrying(() => this.client.request<{ items: PodLike[] }>('GET',
      `/api/v1/pods?fieldSelector=${enc(`spec.nodeName=${name}`)}`));
    if (node.failed) return true; // failed again meanwhile
    for (const p of list.items) if (!this.pods.has(p.metadata?.uid ?? '')) this.reserve(p);
    for (const p of list.items) if (!this.pods.has(p.metadata?.uid ?? '')) this.onPod('ADDED', p);
    return true;
  }

  /** Drill: the node keeps heartbeating but reports Ready=False (KubeletNotReady), or Ready again. */
  setReady(name: string, ready: boolean): boolean {
    const node = this.nodes.get(name);
    if (!node) return false;
    if (node.ready === ready) return true;
    node.ready = ready;
    if (!node.failed) this.queue.add(`node/${name}/status`, () => this.reportStatus(node));
    return true;
  }

  /** Names of the nodes currently failed and currently NotReady (drill state). */
  drills(): { failed: string[]; notReady: string[] } {
    const failed: string[] = [];
    const notReady: string[] = [];
    for (const n of this.nodes.values()) {
      if (n.failed) failed.push(n.id.name);
      else if (!n.ready) notReady.push(n.id.name);
    }
    return { failed, notReady };
  }

  /** One watch for every pod bound anywhere; the initial list is held until adopted IPs are known. */
  private async watchPods(): Promise<void> {
    let buffered: [string, PodLike][] | undefined = [];
    const r = await reflect(this.client, `/api/v1/pods?fieldSelector=${enc('spec.nodeName!=')}`, (type, obj) => {
      if (buffered) buffered.push([type, obj as PodLike]);
      else this.onPod(type, obj as PodLike);
    }, { log: this.log, onList: (items) => this.forgetVanished(items as PodLike[]) });
    this.stopReflector = () => r.stop();
    const initial = buffered;
    buffered = undefined;
    for (const [, p] of initial) this.reserve(p);
    for (const [type, p] of initial) this.onPod(type, p);
  }

  /** After a restart: IPs already handed out stay taken before any new pod gets one. */
  private reserve(p: PodLike): void {
    const node = this.nodes.get(p.spec?.nodeName ?? '');
    const ip = p.status?.podIP;
    if (node && ip && reportedBySim(p) && p.status?.phase === 'Running') node.pool.reserve(ip);
  }

  /** After a re-list (e.g. the server restarted): pods deleted meanwhile are forgotten, their IPs freed. */
  private forgetVanished(items: PodLike[]): void {
    if (this.pods.size === 0) return;
    const present = new Set(items.map((p) => p.metadata?.uid));
    for (const uid of [...this.pods.keys()]) if (!present.has(uid)) this.forget(uid);
  }

  private forget(uid: string): void {
    const s = this.pods.get(uid);
    if (!s) return;
    if (s.podIP) this.nodes.get(s.node)?.pool.release(s.podIP);
    this.wheel.cancel(`done/${uid}`);
    this.wheel.cancel(`delete/${uid}`);
    this.pods.delete(uid);
  }

  private onPod(type: string, p: PodLike): void {
    const uid = p.metadata?.uid;
    if (!uid) return;
    const node = this.nodes.get(p.spec?.nodeName ?? '');
    if (type === 'DELETED' || !node) { this.forget(uid); return; }
    if (node.failed) return; // its kubelet is gone: nothing happens to its pods
    let s = this.pods.get(uid);
    if (!s) {
      s = { pod: trim(p), node: node.id.name, reported: false, deleting: false, done: false };
      this.pods.set(uid, s);
    } else s.pod = trim(p);
    const st = s;
    const key = `pod/${uid}`;
    const path = `/api/v1/namespaces/${enc(p.metadata!.namespace ?? '')}/pods/${enc(p.metadata!.name ?? '')}`;

    if (p.metadata?.deletionTimestamp) {
      if (st.deleting) return;
      st.deleting = true;
      this.wheel.cancel(`done/${uid}`);
      const graceMs = Math.min(((p.metadata as { deletionGracePeriodSeconds?: number }).deletionGracePeriodSeconds ?? 30) * 1000, this.o.maxGraceMs);
      // as a kubelet: containers stopped, now remove the pod for good (this very pod: uid precondition)
      this.wheel.schedule(`delete/${uid}`, Date.now() + graceMs, () => this.queue.add(key, async () => {
        try {
          await this.client.request('DELETE', path, { kind: 'DeleteOptions', apiVersion: 'v1', gracePeriodSeconds: 0, preconditions: { uid } });
        } catch (err) { if (!is(err, 404, 409)) throw err; }
      }));
      return;
    }
    const phase = p.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      st.done = true;
      if (st.podIP) { node.pool.release(st.podIP); st.podIP = undefined; }
      return;
    }

    const write = (status: Obj) => this.queue.add(key, async () => {
      try { await this.client.request('PATCH', `${path}/status`, { status }, STRATEGIC); } catch (err) { if (!is(err, 404)) throw err; }
    });
    if (!st.reported && !reportedBySim(p)) {
      st.reported = true;
      st.podIP = node.pool.allocate();
      write(runningStatus(st.pod, node.id.internalIP, st.podIP, Date.now()));
      this.scheduleCompletion(st, Date.now(), write);
      return;
    }
    if (!st.reported) {
      // adopted after a restart: carry on from what the pod says
      st.reported = true;
      const ip = p.status?.podIP;
      if (ip && node.pool.contains(ip)) { node.pool.reserve(ip); st.podIP = ip; }
      const started = Date.parse(p.status?.startTime ?? '') || Date.now();
      this.scheduleCompletion(st, started, write);
    }
    const ready = readyUpdate(p, Date.now());
    if (ready) write({ conditions: [ready] });
  }

  /** Pods annotated with a run time finish then (exit code from sim.kumo.dev/exit-code, default 0). */
  private scheduleCompletion(st: SimPod, startedMs: number, write: (s: Obj) => void): void {
    const secs = runSeconds(st.pod);
    if (secs === undefined) return;
    const uid = st.pod.metadata!.uid!;
    this.wheel.schedule(`done/${uid}`, startedMs + secs * 1000, () => {
      const cur = this.pods.get(uid);
      if (!cur || cur.deleting || cur.done) return;
      const node = this.nodes.get(cur.node)!;
      write(terminatedStatus(cur.pod, node.id.internalIP, cur.podIP ?? '', Date.now(), exitCode(cur.pod)));
    });
  }
}
