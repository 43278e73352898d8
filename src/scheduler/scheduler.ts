// The scheduler: informers for nodes and pods feed the node-info cache and the queue; one loop pops
// a pod, runs its profile's framework, assumes the pod on the chosen node and binds asynchronously.
// Failures set PodScheduled=False (Unschedulable) and record a FailedScheduling event, as upstream.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RESTClient } from '../client/rest.js';
import { cacheTransform } from '../client/intern.js';
import { reflect, type ReflectorOptions } from '../client/reflector.js';
import type { SchedulerConfig } from './config.js';
import { FitError, Framework } from './framework.js';
import { Listers } from './listers.js';
import { Cache } from './nodeinfo.js';
import { Metrics } from './metrics.js';
import { Nominator } from './nominator.js';
import { EventSink } from './eventsink.js';
import { lowerPriorityNominatedPods } from './plugins/preemption.js';
import { SchedulingQueue } from './queue.js';
import { Action, Status, podKey, type ClusterEvent, type Node, type Pod, type PodDisruptionBudget, type QueuedPodInfo } from './types.js';
import { nodeUpdateAction, podUpdateAction, worthRequeuing } from './events.js';

export interface SchedulerOptions { log?: (msg: string) => void }

const isTerminal = (p: Pod) => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

export class Scheduler {
  readonly cache = new Cache();
  readonly listers = new Listers();
  readonly queue: SchedulingQueue;
  readonly profiles = new Map<string, Framework>();
  readonly metrics = new Metrics();
  readonly nominator = new Nominator();
  /** Events are sent a few at a time, after bindings (see eventsink.ts) */
  private readonly events = new EventSink();
  /** PodDisruptionBudgets by namespace/name, for preemption */
  readonly pdbs = new Map<string, PodDisruptionBudget>();
  private stops: (() => void)[] = [];
  private running = false;
  private looping = false;
  private readonly log: (m: string) => void;
  private readonly instance = `${hostname()}`;

  constructor(private readonly client: RESTClient, config: SchedulerConfig, opts: SchedulerOptions = {}) {
    this.log = opts.log ?? (() => {});
    for (const p of config.profiles) this.profiles.set(p.schedulerName, new Framework(p, config.percentageOfNodesToScore, client, { cache: this.cache, listers: this.listers }));
    // every profile must share the queue sort (upstream requires the same QueueSort in all profiles)
    const first = [...this.profiles.values()][0];
    this.queue = new SchedulingQueue({
      less: (a, b) => first.queueSort.less(a, b),
      preEnqueue: (pod) => this.frameworkFor(pod)?.admits(pod) ?? true,
      worthRequeuing: (info, e) => {
        const f = this.frameworkFor(info.pod);
        return f ? worthRequeuing(info.unschedulablePlugins, f.events, e) : true;
      },
    });
    this.listers.volumes.onEvent = (e) => this.queue.moveAllToActiveOrBackoff(e);
    this.metrics.pending = () => this.queue.pending();
    for (const f of this.profiles.values()) {
      f.nominator = this.nominator;
      f.pdbs = () => [...this.pdbs.values()];
      f.metrics = this.metrics;
    }
  }

  private frameworkFor(pod: Pod): Framework | undefined { return this.profiles.get(pod.spec.schedulerName ?? 'default-scheduler'); }
  private responsible(pod: Pod): boolean { return !!this.frameworkFor(pod); }

  /**
   * Start the informers (and, unless `schedule` is false, the scheduling loop). With leader
   * election the caches warm up while standing by and startScheduling() runs once elected.
   */
  async start(opts: { schedule?: boolean } = {}): Promise<void> {
    this.running = true;
    this.stops.push(...await this.listers.start(this.client, this.log));
    // as kube-scheduler's informers: managedFields dropped and repeated strings kept once (most of
    // a cached pod's memory), lists in pages so 150,000 pods never come as one response
    const cache: ReflectorOptions = { log: this.log, transform: cacheTransform() as ReflectorOptions['transform'], pageSize: 500 };
    const nodes = await reflect(this.client, '/api/v1/nodes', (type, o) => this.onNode(type, o as unknown as Node), cache);
    this.stops.push(() => nodes.stop());
    const pods = await reflect(this.client, '/api/v1/pods', (type, o) => this.onPod(type, o as unknown as Pod), cache);
    this.stops.push(() => pods.stop());
    const pdbs = await reflect(this.client, '/apis/policy/v1/poddisruptionbudgets', (type, o) => {
      const b = o as unknown as PodDisruptionBudget;
      const key = podKey(b);
      if (type === 'DELETED') this.pdbs.delete(key); else this.pdbs.set(key, b);
    }, { log: this.log });
    this.stops.push(() => pdbs.stop());
    const t = setInterval(() => this.queue.flush(), 1000);
    this.stops.push(() => clearInterval(t));
    if (opts.schedule !== false) this.startScheduling();
  }

  /** Begin popping and scheduling pods (once elected leader). */
  startScheduling(): void {
    if (this.looping || !this.running) return;
    this.looping = true;
    void this.loop();
  }

  stop(): void {
    this.running = false;
    this.queue.close();
    for (const s of this.stops.splice(0)) s();
  }

  private onNode(type: string, node: Node): void {
    if (type === 'DELETED') {
      this.cache.removeNode(node.metadata.name);
      this.move({ resource: 'Node', action: Action.Delete, label: 'NodeDelete' });
      return;
    }
    const old = this.cache.get(node.metadata.name)?.node;
    this.cache.addNode(node);
    if (!old) this.move({ resource: 'Node', action: Action.Add, label: 'NodeAdd' });
    else {
      const action = nodeUpdateAction(old, node);
      if (action) this.move({ resource: 'Node', action, label: 'NodeUpdate' });
    }
  }

  private move(e: ClusterEvent): void { this.queue.moveAllToActiveOrBackoff(e); }

  private onPod(type: string, pod: Pod): void {
    const assigned = !!pod.spec.nodeName;
    if (type === 'DELETED' || (assigned && isTerminal(pod))) {
      const wasAssigned = assigned || this.cache.isAssumed(pod);
      this.cache.removePod(pod);
      this.queue.delete(pod);
      this.nominator.delete(pod);
      if (wasAssigned) this.move({ resource: 'Pod', action: Action.Delete, label: 'AssignedPodDelete' });
      return;
    }
    if (assigned) {
      const old = this.cache.recorded(pod);
      this.cache.addPod(pod);
      this.queue.delete(pod);
      this.nominator.delete(pod);
      // an assumed pod's binding showing up is its Add, as for upstream's assigned-pod informer
      if (!old || old.assumed) this.move({ resource: 'Pod', action: Action.Add, label: 'AssignedPodAdd' });
      else this.move({ resource: 'Pod', action: podUpdateAction(old.pod, pod), label: 'AssignedPodUpdate' });
      return;
    }
    if (isTerminal(pod) || pod.metadata.deletionTimestamp || !this.responsible(pod)) { this.nominator.delete(pod); return; }
    this.nominator.update(pod);
    if (type === 'ADDED') this.queue.add(pod); else this.queue.update(pod);
  }

  private async loop(): Promise<void> {
    while (this.running) {
      const info = await this.queue.pop();
      if (!info) return;
      try { this.scheduleOne(info); } catch (err) { this.log(`scheduling ${podKey(info.pod)}: ${(err as Error).message}`); this.queue.addBackoff(info); }
      // let informer events and bindings in between cycles
      await new Promise((r) => setImmediate(r));
    }
  }

  /** One scheduling cycle; the binding cycle continues asynchronously. */
  scheduleOne(info: QueuedPodInfo): void {
    const pod = info.pod;
    const fwk = this.frameworkFor(pod);
    if (!fwk) { this.queue.done(pod); return; }
    const started = performance.now();
    const state = fwk.newCycleState();
    let node: string;
    try {
      node = fwk.schedule(state, pod, this.cache.nodes()).node;
    } catch (err) {
      const fit = err instanceof FitError;
      this.metrics.attempt(fit ? 'unschedulable' : 'error', fwk.schedulerName, (performance.now() - started) / 1000);
      const nominated = fit ? (err as FitError).postFilter?.nominatedNodeName : undefined;
      if (fit && nominated) {
        // preemption found room: hold the node for the pod, evict the victims, retry when they are gone
        info.pod = { ...pod, status: { ...pod.status, nominatedNodeName: nominated } };
        this.nominator.add(info.pod, nominated);
        void this.preempt(fwk.schedulerName, info.pod, nominated, (err as FitError).postFilter?.victims ?? []);
      }
      if (fit) this.queue.addUnschedulable(info, (err as FitError).unschedulablePlugins);
      else this.queue.addBackoff(info);
      void this.recordFailure(pod, fwk.schedulerName, (err as Error).message, fit ? 'Unschedulable' : 'SchedulerError', nominated);
      return;
    }
    this.cache.assumePod(pod, node);
    this.nominator.delete(pod);
    const t = performance.now();
    let reserved: Status = Status.success();
    for (const r of fwk.reserve) {
      reserved = r.reserve(state, pod, node);
      if (!reserved.isSuccess()) { reserved.plugin = r.name; break; }
    }
    this.metrics.extensionPointDone('Reserve', reserved.isSuccess() ? 'Success' : 'Error', fwk.schedulerName, (performance.now() - t) / 1000);
    if (!reserved.isSuccess()) {
      for (const r of fwk.reserve) r.unreserve(state, pod, node);
      this.cache.forgetPod(pod);
      this.metrics.attempt('error', fwk.schedulerName, (performance.now() - started) / 1000);
      this.queue.addBackoff(info);
      void this.recordFailure(pod, fwk.schedulerName, `running Reserve plugin "${reserved.plugin}": ${reserved.message()}`, 'SchedulerError');
      return;
    }
    void this.bindingCycle(fwk, state, info, node, started);
  }

  private async bindingCycle(fwk: Framework, state: Map<string, unknown>, info: QueuedPodInfo, node: string, started: number): Promise<void> {
    const pod = info.pod;
    let t = performance.now();
    let status: Status | undefined = Status.success();
    for (const p of fwk.preBind) {
      status = await p.preBind(state, pod, node);
      if (!status.isSuccess()) { status = new Status(status.code, [`running PreBind plugin "${p.name}": ${status.message()}`]); break; }
    }
    this.metrics.extensionPointDone('PreBind', status.isSuccess() ? 'Success' : 'Error', fwk.schedulerName, (performance.now() - t) / 1000);
    if (status.isSuccess()) {
      t = performance.now();
      status = fwk.bind.length ? await fwk.bind[0].bind(state, pod, node) : undefined;
      if (status && status.code === 5 && fwk.bind.length > 1) status = await fwk.bind[1].bind(state, pod, node);
      this.metrics.extensionPointDone('Bind', status?.isSuccess() ? 'Success' : 'Error', fwk.schedulerName, (performance.now() - t) / 1000);
    }
    const seconds = (performance.now() - started) / 1000;
    if (!status || !status.isSuccess()) {
      for (const r of fwk.reserve) r.unreserve(state, pod, node);
      this.cache.forgetPod(pod);
      this.metrics.attempt('error', fwk.schedulerName, seconds);
      this.queue.addBackoff(info);
      this.move({ resource: 'Pod', action: Action.Delete, label: 'AssignedPodDelete' });
      void this.recordFailure(pod, fwk.schedulerName, `binding rejected: ${status?.message() ?? 'no bind plugin'}`, 'SchedulerError');
      return;
    }
    this.queue.done(pod);
    this.metrics.attempt('scheduled', fwk.schedulerName, seconds);
    this.metrics.podScheduled(info.attempts, (Date.now() - info.timestamp) / 1000);
    void this.event(pod, fwk.schedulerName, 'Normal', 'Scheduled', 'Binding',
      `Successfully assigned ${pod.metadata.namespace}/${pod.metadata.name} to ${node}`);
  }

  private async recordFailure(pod: Pod, schedulerName: string, message: string, reason: string, nominatedNodeName?: string): Promise<void> {
    void this.event(pod, schedulerName, 'Warning', 'FailedScheduling', 'Scheduling', message); // queued; the status does not wait for it
    const cond = (pod.status?.conditions ?? []).find((c) => c.type === 'PodScheduled') as Record<string, unknown> | undefined;
    const nominationChanged = !!nominatedNodeName && pod.status?.nominatedNodeName !== nominatedNodeName;
    if (!nominationChanged && cond && cond.status === 'False' && cond.reason === reason && cond.message === message) return;
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    try {
      await this.client.request('PATCH', `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`, {
        status: { conditions: [{ type: 'PodScheduled', status: 'False', reason, message, lastProbeTime: null,
          lastTransitionTime: cond?.status === 'False' ? cond.lastTransitionTime : now }],
        ...(nominationChanged ? { nominatedNodeName } : {}) },
      }, 'application/strategic-merge-patch+json');
    } catch (err) { this.log(`updating status of ${podKey(pod)}: ${(err as Error).message}`); }
  }

  /**
   * upstream prepareCandidate: mark each victim with a DisruptionTarget condition, delete it (its
   * own grace period applies) and record a Preempted event; lower-priority pods nominated to the
   * same node lose their nomination.
   */
  private async preempt(schedulerName: string, preemptor: Pod, node: string, victims: Pod[]): Promise<void> {
    const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
    await Promise.all(victims.map(async (v) => {
      const path = `/api/v1/namespaces/${v.metadata.namespace}/pods/${v.metadata.name}`;
      try {
        await this.client.request('PATCH', `${path}/status`, {
          status: { conditions: [{ type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler',
            message: `${schedulerName}: preempting to accommodate a higher priority pod`, lastTransitionTime: now }] },
        }, 'application/strategic-merge-patch+json');
      } catch (err) { this.log(`marking victim ${podKey(v)}: ${(err as Error).message}`); }
      try {
        await this.client.request('DELETE', path, { apiVersion: 'v1', kind: 'DeleteOptions', preconditions: { uid: v.metadata.uid } });
      } catch (err) {
        if ((err as { code?: number }).code !== 404) { this.log(`preempting ${podKey(v)}: ${(err as Error).message}`); return; }
      }
      void this.event(v, schedulerName, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${preemptor.metadata.uid} on node ${node}`);
    }));
    for (const p of lowerPriorityNominatedPods(preemptor, this.nominator.nominatedPodsForNode(node))) {
      this.nominator.delete(p);
      try {
        await this.client.request('PATCH', `/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/status`,
          { status: { nominatedNodeName: null } }, 'application/merge-patch+json');
      } catch (err) { this.log(`clearing nomination of ${podKey(p)}: ${(err as Error).message}`); }
    }
  }

  /** Builds the event now (its time is when it happened) and queues it; only the pod's identity is kept meanwhile. */
  private event(pod: Pod, component: string, type: string, reason: string, action: string, message: string): Promise<void> {
    const at = Date.now();
    const { name, namespace, uid, resourceVersion } = pod.metadata;
    const ref = { metadata: { name, namespace, uid, resourceVersion } } as Pod;
    return this.events.send(() => this.postEvent(ref, at, component, type, reason, action, message));
  }

  private async postEvent(pod: Pod, at: number, component: string, type: string, reason: string, action: string, message: string): Promise<void> {
    const now = new Date(at).toISOString().replace(/\.\d+Z$/, 'Z');
    const ns = pod.metadata.namespace ?? 'default';
    try {
      await this.client.request('POST', `/api/v1/namespaces/${ns}/events`, {
        apiVersion: 'v1', kind: 'Event',
        metadata: { name: `${pod.metadata.name}.${at.toString(16)}${randomBytes(2).toString('hex')}`, namespace: ns },
        involvedObject: { apiVersion: 'v1', kind: 'Pod', namespace: ns, name: pod.metadata.name, uid: pod.metadata.uid, resourceVersion: pod.metadata.resourceVersion },
        reason, message: message.length > 1024 ? `${message.slice(0, 1021)}...` : message, type, action,
        source: { component }, reportingComponent: component, reportingInstance: `${component}-${this.instance}`,
        firstTimestamp: now, lastTimestamp: now, count: 1,
      });
    } catch (err) { this.log(`recording event for ${podKey(pod)}: ${(err as Error).message}`); }
  }
}
