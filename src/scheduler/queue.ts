// The scheduling queue (upstream internal/queue.PriorityQueue): activeQ ordered by the QueueSort
// plugin, backoffQ for pods that failed recently (1 s doubling up to 10 s), and the unschedulable
// pool for pods no cluster change has helped yet. Cluster events move pods out of the pool; pods
// left there for 5 minutes are flushed back anyway.
import { Action, podKey, type ClusterEvent, type Pod, type QueuedPodInfo } from './types.js';

export interface QueueOptions {
  less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean;
  /** PreEnqueue checks (SchedulingGates); a pod failing one waits in the unschedulable pool */
  preEnqueue?: (pod: Pod) => boolean;
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  maxInUnschedulableMs?: number;
  now?: () => number;
  /**
   * Would `e` possibly make this pod (rejected by `info.unschedulablePlugins`) schedulable?
   * (upstream: the rejecting plugins' EventsToRegister). Without it every event moves every pod.
   */
  worthRequeuing?: (info: QueuedPodInfo, e: ClusterEvent) => boolean;
}

/** an event given by name only (older callers and tests): treated as matching every plugin */
const WILDCARD = (label: string): ClusterEvent => ({ resource: '*', action: Action.All, label });

/** A binary heap keyed by pod key so entries can be updated or removed. */
class Heap {
  private items: QueuedPodInfo[] = [];
  private readonly index = new Map<string, number>();
  constructor(private readonly less: (a: QueuedPodInfo, b: QueuedPodInfo) => boolean) {}
  get size(): number { return this.items.length; }
  has(key: string): boolean { return this.index.has(key); }
  get(key: string): QueuedPodInfo | undefined { const i = this.index.get(key); return i === undefined ? undefined : this.items[i]; }
  peek(): QueuedPodInfo | undefined { return this.items[0]; }
  push(p: QueuedPodInfo): void {
    const key = podKey(p.pod);
    const i = this.index.get(key);
    if (i !== undefined) { this.items[i] = p; this.fix(i); return; }
    this.items.push(p);
    this.index.set(key, this.items.length - 1);
    this.up(this.items.length - 1);
  }
  pop(): QueuedPodInfo | undefined {
    if (this.items.length === 0) return undefined;
    const top = this.items[0];
    this.removeAt(0);
    return top;
  }
  delete(key: string): QueuedPodInfo | undefined {
    const i = this.index.get(key);
    if (i === undefined) return undefined;
    const p = this.items[i];
    this.removeAt(i);
    return p;
  }
  values(): QueuedPodInfo[] { return [...this.items]; }
  private removeAt(i: number): void {
    const last = this.items.length - 1;
    this.swap(i, last);
    const gone = this.items.pop()!;
    this.index.delete(podKey(gone.pod));
    if (i < this.items.length) this.fix(i);
  }
  private fix(i: number): void { if (!this.up(i)) this.down(i); }
  private swap(i: number, j: number): void {
    const a = this.items[i], b = this.items[j];
    this.items[i] = b; this.items[j] = a;
    this.index.set(podKey(b.pod), i); this.index.set(podKey(a.pod), j);
  }
  private up(i: number): boolean {
    const start = i;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.less(this.items[i], this.items[parent])) break;
      this.swap(i, parent);
      i = parent;
    }
    return i !== start;
  }
  private down(i: number): void {
    const n = this.items.length;
    for (;;) {
      const l = 2 * i + 1, r = l + 1;
      let m = i;
      if (l < n && this.less(this.items[l], this.items[m])) m = l;
      if (r < n && this.less(this.items[r], this.items[m])) m = r;
      if (m === i) return;
      this.swap(i, m);
      i = m;
    }
  }
}

/** upstream isPodUpdated: anything but status, resourceVersion, generation and managedFields */
export function schedulingRelevantChange(a: Pod, b: Pod): boolean {
  const strip = (p: Pod) => JSON.stringify({ spec: p.spec, labels: p.metadata.labels, annotations: (p.metadata as { annotations?: unknown }).annotations });
  return strip(a) !== strip(b);
}

export class SchedulingQueue {
  private readonly activeQ: Heap;
  private readonly backoffQ: Heap;
  private readonly unschedulable = new Map<string, { info: QueuedPodInfo; since: number }>();
  /** pods popped and being scheduled right now */
  private readonly inFlight = new Map<string, number>();
  private schedulingCycle = 0;
  /** cluster events seen while pods were in flight, with the cycle they happened in (upstream inFlightEvents) */
  private inFlightEvents: { cycle: number; e: ClusterEvent }[] = [];
  private waiters: ((p: QueuedPodInfo | undefined) => void)[] = [];
  private closed = false;
  private readonly now: () => number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
  readonly maxInUnschedulableMs: number;

  constructor(private readonly opts: QueueOptions) {
    this.now = opts.now ?? Date.now;
    this.initialBackoffMs = opts.initialBackoffMs ?? 1000;
    this.maxBackoffMs = opts.maxBackoffMs ?? 10_000;
    this.maxInUnschedulableMs = opts.maxInUnschedulableMs ?? 5 * 60_000;
    this.activeQ = new Heap(opts.less);
    // backoffQ is ordered by when each pod's backoff ends
    this.backoffQ = new Heap((a, b) => this.backoffExpiry(a) < this.backoffExpiry(b));
  }

  /** upstream calculateBackoffDuration: initial × 2^(attempts-1), capped */
  backoffDuration(p: QueuedPodInfo): number {
    let d = this.initialBackoffMs;
    for (let i = 1; i < p.attempts; i++) {
      d *= 2;
      if (d >= this.maxBackoffMs) return this.maxBackoffMs;
    }
    return d;
  }
  private backoffExpiry(p: QueuedPodInfo): number { return (p.lastFailure ?? 0) + this.backoffDuration(p); }
  private isBackingOff(p: QueuedPodInfo): boolean { return p.lastFailure !== undefined && this.backoffExpiry(p) > this.now(); }

  /** A new pending pod. */
  add(pod: Pod): void {
    const key = podKey(pod);
    if (this.inFlight.has(key)) return;
    const existing = this.activeQ.get(key) ?? this.backoffQ.get(key) ?? this.unschedulable.get(key)?.info;
    if (existing) { this.update(pod); return; }
    this.toActiveOrGated({ pod, timestamp: this.now(), attempts: 0, unschedulablePlugins: new Set() });
  }

  private toActiveOrGated(p: QueuedPodInfo): void {
    const key = podKey(p.pod);
    if (this.opts.preEnqueue && !this.opts.preEnqueue(p.pod)) {
      p.gated = true;
      this.unschedulable.set(key, { info: p, since: this.now() });
      return;
    }
    p.gated = false;
    this.unschedulable.delete(key);
    this.backoffQ.delete(key);
    this.activeQ.push(p);
    this.wake();
  }

  /** The queued copy of a pod, wherever it waits. */
  get(pod: Pod): Pod | undefined {
    const key = podKey(pod);
    return (this.activeQ.get(key) ?? this.backoffQ.get(key) ?? this.unschedulable.get(key)?.info)?.pod;
  }

  /**
   * A pending pod changed. Changes that cannot affect scheduling (status, resourceVersion) only
   * refresh the stored copy; others requeue it, as upstream's pod-update event.
   */
  update(pod: Pod): void {
    const key = podKey(pod);
    const old = this.get(pod);
    if (old && !schedulingRelevantChange(old, pod)) {
      const u = this.unschedulable.get(key);
      if (u) u.info.pod = pod;
      else { const q = this.activeQ.get(key) ?? this.backoffQ.get(key); if (q) q.pod = pod; }
      return;
    }
    const inActive = this.activeQ.get(key);
    if (inActive) { inActive.pod = pod; this.activeQ.push(inActive); return; }
    const inBackoff = this.backoffQ.get(key);
    if (inBackoff) { inBackoff.pod = pod; this.backoffQ.push(inBackoff); return; }
    const u = this.unschedulable.get(key);
    if (u) {
      u.info.pod = pod;
      if (u.info.gated) { this.toActiveOrGated(u.info); return; }
      this.unschedulable.delete(key);
      this.requeue(u.info);
      return;
    }
    if (!this.inFlight.has(key)) this.add(pod);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    this.activeQ.delete(key);
    this.backoffQ.delete(key);
    this.unschedulable.delete(key);
  }

  /** Blocks until a pod is available (upstream Pop). Resolves undefined once closed. */
  pop(): Promise<QueuedPodInfo | undefined> {
    const p = this.tryPop();
    if (p || this.closed) return Promise.resolve(p);
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private tryPop(): QueuedPodInfo | undefined {
    const p = this.activeQ.pop();
    if (!p) return undefined;
    p.attempts++;
    this.schedulingCycle++;
    // deleted first so the map's order stays the order of cycles (pruneEvents reads the oldest first)
    const key = podKey(p.pod);
    this.inFlight.delete(key);
    this.inFlight.set(key, this.schedulingCycle);
    return p;
  }

  private wake(): void {
    while (this.waiters.length && this.activeQ.size) this.waiters.shift()!(this.tryPop());
  }

  /** The pod's cycle is over (bound or given up on). */
  done(pod: Pod): void { this.inFlight.delete(podKey(pod)); this.pruneEvents(); }

  private worth(p: QueuedPodInfo, e: ClusterEvent): boolean {
    return e.resource === '*' || !this.opts.worthRequeuing || this.opts.worthRequeuing(p, e);
  }

  /** forget in-flight events no pod still in flight can care about */
  private pruneEvents(): void {
    if (this.inFlight.size === 0) { this.inFlightEvents.length = 0; return; }
    if (this.inFlightEvents.length < 256) return;
    // the oldest pod in flight is the first entry; events are in cycle order too, so drop a prefix
    const min = this.inFlight.values().next().value as number;
    let cut = 0;
    while (cut < this.inFlightEvents.length && this.inFlightEvents[cut].cycle < min) cut++;
    if (cut > 0) this.inFlightEvents.splice(0, cut);
  }

  /**
   * A pod failed to schedule. If a cluster event arrived while it was being scheduled, it goes to
   * backoff (the event may have helped); otherwise it waits in the unschedulable pool.
   */
  addUnschedulable(p: QueuedPodInfo, unschedulablePlugins: Iterable<string> = []): void {
    const key = podKey(p.pod);
    const cycle = this.inFlight.get(key) ?? this.schedulingCycle;
    this.inFlight.delete(key);
    p.lastFailure = this.now();
    p.unschedulablePlugins = new Set(unschedulablePlugins);
    // an event during its attempt that may have helped: retry after backoff rather than wait for another
    let helped = false;
    for (let i = this.inFlightEvents.length - 1; i >= 0 && this.inFlightEvents[i].cycle >= cycle; i--) {
      if (this.worth(p, this.inFlightEvents[i].e)) { helped = true; break; }
    }
    if (helped) this.backoffQ.push(p);
    else this.unschedulable.set(key, { info: p, since: this.now() });
    this.pruneEvents();
  }

  /** A pod hit an error (not a rejection): retry after backoff. */
  addBackoff(p: QueuedPodInfo): void {
    this.inFlight.delete(podKey(p.pod));
    p.lastFailure = this.now();
    this.backoffQ.push(p);
    this.pruneEvents();
  }

  private requeue(p: QueuedPodInfo): void {
    if (this.isBackingOff(p)) this.backoffQ.push(p);
    else { this.activeQ.push(p); this.wake(); }
  }

  /**
   * A cluster event (node added/updated, pod deleted, claim bound, …): the unschedulable pods it
   * may help move to activeQ or backoffQ (upstream MoveAllToActiveOrBackoffQueue). Returns how many moved.
   */
  moveAllToActiveOrBackoff(event: ClusterEvent | string): number {
    const e = typeof event === 'string' ? WILDCARD(event) : event;
    let moved = 0;
    for (const [key, u] of this.unschedulable) {
      if (u.info.gated || !this.worth(u.info, e)) continue;
      this.unschedulable.delete(key);
      this.requeue(u.info);
      moved++;
    }
    if (this.inFlight.size) this.inFlightEvents.push({ cycle: this.schedulingCycle, e });
    return moved;
  }

  /** Periodic work: pods whose backoff ended go active; pods stuck too long in the pool are flushed. */
  flush(): void {
    const now = this.now();
    for (let p = this.backoffQ.peek(); p && this.backoffExpiry(p) <= now; p = this.backoffQ.peek()) {
      this.backoffQ.pop();
      this.activeQ.push(p);
    }
    // upstream flushUnschedulablePodsLeftover: pods waiting longer than 5 minutes retry whatever their rejectors
    for (const [key, u] of this.unschedulable) {
      if (u.info.gated || now - u.since < this.maxInUnschedulableMs) continue;
      this.unschedulable.delete(key);
      this.requeue(u.info);
    }
    this.wake();
  }

  close(): void {
    this.closed = true;
    for (const w of this.waiters.splice(0)) w(undefined);
  }

  /** counts per queue, as scheduler_pending_pods{queue} */
  pending(): { active: number; backoff: number; unschedulable: number; gated: number } {
    let gated = 0;
    for (const u of this.unschedulable.values()) if (u.info.gated) gated++;
    return { active: this.activeQ.size, backoff: this.backoffQ.size, unschedulable: this.unschedulable.size - gated, gated };
  }

  where(pod: Pod): 'active' | 'backoff' | 'unschedulable' | 'gated' | 'inflight' | undefined {
    const key = podKey(pod);
    if (this.activeQ.has(key)) return 'active';
    if (this.backoffQ.has(key)) return 'backoff';
    const u = this.unschedulable.get(key);
    if (u) return u.info.gated ? 'gated' : 'unschedulable';
    if (this.inFlight.has(key)) return 'inflight';
    return undefined;
  }
}
