// A profile's framework (upstream frameworkImpl): the plugins per extension point built from the
// configuration, and the scheduling algorithm — PreFilter, Filter over a rotating window of nodes
// (percentageOfNodesToScore), PostFilter on failure, PreScore, Score, NormalizeScore, weights, and
// a random pick among the best.
import type { RESTClient } from '../client/rest.js';
import { ConfigError, DEFAULT_PLUGINS, EXTENSION_POINTS, type ExtensionPoint, type PluginRef, type Profile } from './config.js';
import { fitErrorMessage, NO_NODES_AVAILABLE } from './fiterror.js';
import { Listers, type Handle } from './listers.js';
import { Cache, type NodeInfo } from './nodeinfo.js';
import { InterPodAffinity, type InterPodAffinityArgs } from './plugins/interpodaffinity.js';
import { PodTopologySpread, type PodTopologySpreadArgs } from './plugins/podtopologyspread.js';
import { DefaultBinder } from './plugins/binder.js';
import { NodeAffinity, type NodeAffinityArgs } from './plugins/nodeaffinity.js';
import { NodeResourcesBalancedAllocation, NodeResourcesFit } from './plugins/noderesources.js';
import { DefaultPreemption } from './plugins/preemption.js';
import { NodeName, NodePorts, NodeUnschedulable, PrioritySort, SchedulingGates } from './plugins/simple.js';
import { TaintToleration } from './plugins/tainttoleration.js';
import { ImageLocality } from './plugins/imagelocality.js';
import { NodeVolumeLimits } from './plugins/nodevolumelimits.js';
import { VolumeBinding, type VolumeBindingArgs } from './plugins/volumebinding.js';
import { VolumeRestrictions } from './plugins/volumerestrictions.js';
import { VolumeZone } from './plugins/volumezone.js';
import { eventsFor } from './events.js';
import {
  CycleState, MAX_NODE_SCORE, Status, type BindPlugin, type FilterPlugin, type NodeScore, type Plugin, type Pod,
  type PostFilterPlugin, type PostFilterResult, type PreEnqueuePlugin, type PreFilterPlugin, type PreScorePlugin, type QueueSortPlugin,
  type ReservePlugin, type ScorePlugin, type PostFilterContext, type PreBindPlugin, type ClusterEvent, Code,
} from './types.js';
import { PLUGIN_METRICS_SAMPLE_PERCENT, type Metrics } from './metrics.js';

type Factory = (args: Record<string, unknown>, client: RESTClient | undefined, handle: Handle) => Plugin;
export const REGISTRY: Record<string, Factory> = {
  PrioritySort: () => new PrioritySort(),
  SchedulingGates: () => new SchedulingGates(),
  NodeUnschedulable: () => new NodeUnschedulable(),
  NodeName: () => new NodeName(),
  TaintToleration: () => new TaintToleration(),
  NodeAffinity: (a) => new NodeAffinity(a as NodeAffinityArgs),
  NodePorts: () => new NodePorts(),
  NodeResourcesFit: (a) => new NodeResourcesFit(a),
  NodeResourcesBalancedAllocation: (a) => new NodeResourcesBalancedAllocation(a),
  DefaultPreemption: () => new DefaultPreemption(),
  DefaultBinder: (_a, c) => new DefaultBinder(c),
  InterPodAffinity: (a, _c, h) => new InterPodAffinity(a as InterPodAffinityArgs, h),
  PodTopologySpread: (a, _c, h) => new PodTopologySpread(a as PodTopologySpreadArgs, h),
  ImageLocality: (_a, _c, h) => new ImageLocality(h),
  VolumeBinding: (a, c, h) => new VolumeBinding(a as VolumeBindingArgs, h, c),
  VolumeRestrictions: (_a, _c, h) => new VolumeRestrictions(h),
  VolumeZone: (_a, _c, h) => new VolumeZone(h),
  NodeVolumeLimits: (_a, _c, h) => new NodeVolumeLimits(h),
};
/** upstream in-tree plugins Kumo does not have yet: accepted in configuration, skipped in the defaults */
export const NOT_YET_IMPLEMENTED = new Set<string>();

const has = (p: Plugin, m: string) => typeof (p as unknown as Record<string, unknown>)[m] === 'function';
const POINT_METHOD: Record<ExtensionPoint, string> = {
  queueSort: 'less', preEnqueue: 'preEnqueue', preFilter: 'preFilter', filter: 'filter', postFilter: 'postFilter',
  preScore: 'preScore', score: 'score', reserve: 'reserve', permit: 'permit', preBind: 'preBind', bind: 'bind', postBind: 'postBind',
};

export interface ScheduleResult { node: string; evaluatedNodes: number; feasibleNodes: number }
export class FitError extends Error {
  constructor(message: string, readonly unschedulablePlugins: Set<string>, readonly postFilter?: PostFilterResult) { super(message); }
}

/** Pods nominated to nodes by preemption (upstream PodNominator), as the framework consults them. */
export interface NominatedPods { nominatedPodsForNode(node: string): Pod[]; has?(node: string): boolean }
const priorityOf = (p: Pod) => p.spec.priority ?? 0;

/** phase names of `schedule`'s timings → upstream's extension_point label */
const EXTENSION_POINT_LABEL: Record<string, string> = {
  preFilter: 'PreFilter', filter: 'Filter', postFilter: 'PostFilter', preScore: 'PreScore', score: 'Score',
};

const MIN_FEASIBLE_NODES_TO_FIND = 100;
const MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND = 5;

/** upstream numFeasibleNodesToFind: all below 100 nodes, else an adaptive (or configured) percentage, at least 100 */
export function numFeasibleNodesToFind(percentage: number | undefined, numAllNodes: number): number {
  let pct = percentage ?? 0;
  if (numAllNodes < MIN_FEASIBLE_NODES_TO_FIND || pct >= 100) return numAllNodes;
  if (pct === 0) {
    pct = 50 - Math.trunc(numAllNodes / 125);
    if (pct < MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND) pct = MIN_FEASIBLE_NODES_PERCENTAGE_TO_FIND;
  }
  const n = Math.trunc((numAllNodes * pct) / 100);
  return n < MIN_FEASIBLE_NODES_TO_FIND ? MIN_FEASIBLE_NODES_TO_FIND : n;
}

export class Framework {
  readonly queueSort: QueueSortPlugin;
  readonly preEnqueue: PreEnqueuePlugin[] = [];
  readonly preFilter: PreFilterPlugin[] = [];
  readonly filter: FilterPlugin[] = [];
  readonly postFilter: PostFilterPlugin[] = [];
  readonly preScore: PreScorePlugin[] = [];
  readonly score: { plugin: ScorePlugin; weight: number }[] = [];
  readonly reserve: ReservePlugin[] = [];
  readonly preBind: PreBindPlugin[] = [];
  readonly bind: BindPlugin[] = [];
  /** plugin → the cluster events after which a pod it rejected may fit (upstream EventsToRegister) */
  readonly events = new Map<string, ClusterEvent[]>();
  /** set by the scheduler: extension point and (sampled) plugin durations */
  metrics: Metrics | undefined;
  private nextStartNodeIndex = 0;
  /** random source for ties (replaceable in tests) */
  random: () => number = Math.random;
  /** nominated pods (set by the scheduler); their requests count as taken for pods of lower or equal priority */
  nominator: NominatedPods | undefined;
  /** PodDisruptionBudgets for preemption (set by the scheduler) */
  pdbs: PostFilterContext['pdbs'];

  /** `handle` gives plugins the scheduler's cache and listers (a private empty one when absent, e.g. in tests) */
  constructor(readonly profile: Profile, readonly globalPercentage: number | undefined, client?: RESTClient,
    handle: Handle = { cache: new Cache(), listers: new Listers() }) {
    const where = `profile "${profile.schedulerName}"`;
    const args = new Map(profile.pluginConfig.map((c) => [c.name, c.args ?? {}]));
    for (const name of args.keys()) {
      if (!REGISTRY[name] && !NOT_YET_IMPLEMENTED.has(name)) throw new ConfigError(`${where}: pluginConfig: plugin "${name}" does not exist`);
    }
    const instances = new Map<string, Plugin>();
    const instance = (name: string): Plugin => {
      let p = instances.get(name);
      if (!p) {
        const f = REGISTRY[name];
        if (!f) {
          if (NOT_YET_IMPLEMENTED.has(name)) throw new ConfigError(`${where}: plugin "${name}" is not implemented in Kumo yet`);
          throw new ConfigError(`${where}: plugin "${name}" does not exist`);
        }
        instances.set(name, (p = f(args.get(name) ?? {}, client, handle)));
      }
      return p;
    };
    const known = (r: PluginRef, path: string) => {
      if (r.name !== '*' && !REGISTRY[r.name] && !NOT_YET_IMPLEMENTED.has(r.name)) throw new ConfigError(`${where}: ${path}: plugin "${r.name}" does not exist`);
    };
    // multiPoint: the defaults (minus disabled, '*' = none) plus the enabled ones
    const mp = profile.plugins.multiPoint ?? {};
    (mp.disabled ?? []).forEach((r) => known(r, 'plugins.multiPoint.disabled'));
    (mp.enabled ?? []).forEach((r) => known(r, 'plugins.multiPoint.enabled'));
    const mpDisabled = new Set((mp.disabled ?? []).map((r) => r.name));
    let multi: PluginRef[] = mpDisabled.has('*') ? [] : DEFAULT_PLUGINS.filter((r) => !mpDisabled.has(r.name) && REGISTRY[r.name]);
    for (const r of mp.enabled ?? []) {
      multi = multi.filter((m) => m.name !== r.name);
      multi.push({ name: r.name, weight: r.weight || DEFAULT_PLUGINS.find((d) => d.name === r.name)?.weight });
    }
    const lists = {} as Record<ExtensionPoint, { p: Plugin; weight: number }[]>;
    for (const point of EXTENSION_POINTS) {
      const set = profile.plugins[point] ?? {};
      (set.disabled ?? []).forEach((r) => known(r, `plugins.${point}.disabled`));
      (set.enabled ?? []).forEach((r) => known(r, `plugins.${point}.enabled`));
      const disabled = new Set((set.disabled ?? []).map((r) => r.name));
      const out: { p: Plugin; weight: number }[] = [];
      const add = (r: PluginRef, explicit: boolean) => {
        const p = instance(r.name);
        if (!has(p, POINT_METHOD[point])) {
          if (explicit) throw new ConfigError(`${where}: plugin "${r.name}" does not extend ${point} plugin`);
          return;
        }
        const i = out.findIndex((x) => x.p.name === r.name);
        if (i >= 0) out.splice(i, 1);
        out.push({ p, weight: r.weight || 1 });
      };
      for (const r of multi) if (!disabled.has('*') && !disabled.has(r.name)) add(r, false);
      for (const r of set.enabled ?? []) add({ name: r.name, weight: r.weight || multi.find((m) => m.name === r.name)?.weight }, true);
      lists[point] = out;
    }
    const sorts = lists.queueSort;
    if (sorts.length !== 1) throw new ConfigError(`${where}: one queue sort plugin required (got ${sorts.length})`);
    if (lists.bind.length === 0) throw new ConfigError(`${where}: at least one bind plugin is needed`);
    this.queueSort = sorts[0].p as QueueSortPlugin;
    this.preEnqueue.push(...lists.preEnqueue.map((x) => x.p as PreEnqueuePlugin));
    this.preFilter.push(...lists.preFilter.map((x) => x.p as PreFilterPlugin));
    this.filter.push(...lists.filter.map((x) => x.p as FilterPlugin));
    this.postFilter.push(...lists.postFilter.map((x) => x.p as PostFilterPlugin));
    this.preScore.push(...lists.preScore.map((x) => x.p as PreScorePlugin));
    this.score.push(...lists.score.map((x) => ({ plugin: x.p as ScorePlugin, weight: x.weight })));
    this.reserve.push(...lists.reserve.map((x) => x.p as ReservePlugin));
    this.preBind.push(...lists.preBind.map((x) => x.p as PreBindPlugin));
    for (const p of instances.values()) this.events.set(p.name, eventsFor(p));
    this.bind.push(...lists.bind.map((x) => x.p as BindPlugin));
  }

  get schedulerName(): string { return this.profile.schedulerName; }

  /** PreEnqueue: may the pod enter activeQ at all? */
  admits(pod: Pod): boolean { return this.preEnqueue.every((p) => p.preEnqueue(pod).isSuccess()); }

  /** the Filter plugins whose PreFilter did not skip, worked out once per cycle state (Filter runs per node) */
  private cycle: { state: CycleState; filters: FilterPlugin[]; sampled: boolean } | undefined;
  private cycleFilters(state: CycleState): { filters: FilterPlugin[]; sampled: boolean } {
    if (this.cycle?.state !== state) {
      const skip = state.get('__skipFilter') as Set<string> | undefined;
      this.cycle = { state, filters: this.filter.filter((f) => !skip?.has(f.name)), sampled: !!this.metrics && state.get('__sampled') === true };
    }
    return this.cycle;
  }

  runFilters(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const { filters, sampled } = this.cycleFilters(state);
    for (let i = 0; i < filters.length; i++) {
      const f = filters[i];
      let st: Status;
      if (sampled) {
        const t = performance.now();
        st = f.filter(state, pod, node);
        this.metrics!.pluginDone(f.name, 'Filter', Code[st.code], (performance.now() - t) / 1000);
      } else st = f.filter(state, pod, node);
      if (!st.isSuccess()) { st.plugin = f.name; return st; }
    }
    return Status.success();
  }

  /**
   * upstream RunPreFilterExtensionAddPod / RemovePod: `other` joins or leaves `node` in a what-if
   * (nominated pods, preemption victims); plugins whose PreFilter ran update their cycle state.
   */
  addPodToState(state: CycleState, pod: Pod, other: Pod, node: NodeInfo): void {
    const skip = state.get('__skipFilter') as Set<string> | undefined;
    for (const p of this.preFilter) if (p.addPod && !skip?.has(p.name)) p.addPod(state, pod, other, node);
  }
  removePodFromState(state: CycleState, pod: Pod, other: Pod, node: NodeInfo): void {
    const skip = state.get('__skipFilter') as Set<string> | undefined;
    for (const p of this.preFilter) if (p.removePod && !skip?.has(p.name)) p.removePod(state, pod, other, node);
  }

  /**
   * upstream RunFilterPluginsWithNominatedPods: when pods of equal or higher priority are nominated
   * to the node, the pod must fit both with them (their resources are promised) and without them
   * (they may not arrive, and e.g. anti-affinity to them must not be what makes the pod fit).
   */
  runFiltersWithNominatedPods(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const nm = this.nominator;
    if (!nm || (nm.has && !nm.has(node.name))) return this.runFilters(state, pod, node);
    const key = `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
    const nominated = (this.nominator?.nominatedPodsForNode(node.name) ?? [])
      .filter((p) => priorityOf(p) >= priorityOf(pod) && `${p.metadata.namespace ?? ''}/${p.metadata.name}` !== key);
    if (nominated.length) {
      const added = nominated.filter((p) => {
        if (node.pods.has(`${p.metadata.namespace ?? ''}/${p.metadata.name}`)) return false;
        node.addPod(p);
        this.addPodToState(state, pod, p, node);
        return true;
      });
      let st: Status;
      try { st = this.runFilters(state, pod, node); } finally {
        for (const p of added) { node.removePod(p); this.removePodFromState(state, pod, p, node); }
      }
      if (!st.isSuccess()) return st;
    }
    return this.runFilters(state, pod, node);
  }

  /**
   * One scheduling attempt (upstream schedulePod). Returns the chosen node or throws FitError with
   * upstream's message. `timings` collects per-phase milliseconds for metrics.
   */
  schedule(state: CycleState, pod: Pod, nodes: NodeInfo[], timings?: Record<string, number>): ScheduleResult {
    if (nodes.length === 0) throw new FitError(NO_NODES_AVAILABLE, new Set());
    let t = performance.now();
    const m = this.metrics;
    if (m) state.set('__sampled', this.random() * 100 < PLUGIN_METRICS_SAMPLE_PERCENT);
    const lap = (phase: string, status = 'Success') => {
      const n = performance.now();
      if (timings) timings[phase] = (timings[phase] ?? 0) + n - t;
      m?.extensionPointDone(EXTENSION_POINT_LABEL[phase] ?? phase, status, this.profile.schedulerName, (n - t) / 1000);
      t = n;
    };
    const unschedulablePlugins = new Set<string>();
    const statuses = new Map<string, Status>();
    // PreFilter
    let allowed: Set<string> | undefined;
    const skip = new Set<string>();
    state.set('__skipFilter', skip);
    this.cycle = undefined;
    for (const p of this.preFilter) {
      const { result, status } = p.preFilter(state, pod, nodes);
      if (status.code === 5 /* Skip */) { skip.add(p.name); continue; }
      if (!status.isSuccess()) {
        status.plugin = p.name;
        unschedulablePlugins.add(p.name);
        for (const n of nodes) statuses.set(n.name, status);
        lap('preFilter', Code[status.code]);
        const post = this.runPostFilter(state, pod, statuses, nodes);
        lap('postFilter');
        throw new FitError(fitErrorMessage(nodes.length, statuses, status.message(), post.message), unschedulablePlugins, post);
      }
      if (result?.nodeNames) allowed = allowed ? new Set([...allowed].filter((n) => result.nodeNames!.has(n))) : new Set(result.nodeNames);
    }
    lap('preFilter');
    // Filter over a rotating window, stopping once enough feasible nodes are found
    const candidates = allowed ? nodes.filter((n) => allowed!.has(n.name)) : nodes;
    if (allowed) {
      for (const n of nodes) if (!allowed.has(n.name)) statuses.set(n.name, Status.unresolvable(`node(s) didn't satisfy plugin(s) [${this.preFilter.map((p) => p.name).filter((x) => x === 'NodeAffinity').join(',') || 'PreFilter'}]`));
    }
    // a pod nominated by an earlier preemption tries its nominated node first (upstream evaluateNominatedNode)
    const nominatedName = pod.status?.nominatedNodeName;
    if (nominatedName) {
      const n = candidates.find((c) => c.name === nominatedName);
      if (n && this.runFiltersWithNominatedPods(state, pod, n).isSuccess()) return { node: n.name, evaluatedNodes: 1, feasibleNodes: 1 };
    }
    const want = numFeasibleNodesToFind(this.profile.percentageOfNodesToScore ?? this.globalPercentage, candidates.length);
    const feasible: NodeInfo[] = [];
    let processed = 0;
    const start = candidates.length ? this.nextStartNodeIndex % candidates.length : 0;
    for (let i = 0; i < candidates.length && feasible.length < want; i++) {
      const n = candidates[(start + i) % candidates.length];
      processed++;
      const st = this.runFiltersWithNominatedPods(state, pod, n);
      if (st.isSuccess()) feasible.push(n);
      else if (st.isRejected()) { statuses.set(n.name, st); unschedulablePlugins.add(st.plugin); }
      else throw new Error(`running filter plugin "${st.plugin}": ${st.message()}`);
    }
    if (candidates.length) this.nextStartNodeIndex = (this.nextStartNodeIndex + processed) % candidates.length;
    lap('filter', feasible.length ? 'Success' : 'Unschedulable');
    if (feasible.length === 0) {
      const post = this.runPostFilter(state, pod, statuses, nodes);
      lap('postFilter');
      throw new FitError(fitErrorMessage(nodes.length, statuses, '', post.message), unschedulablePlugins, post);
    }
    if (feasible.length === 1) return { node: feasible[0].name, evaluatedNodes: processed, feasibleNodes: 1 };
    const total = this.prioritize(state, pod, feasible, lap);
    return { node: this.selectHost(total), evaluatedNodes: processed, feasibleNodes: feasible.length };
  }

  /** PostFilter plugins in order; the first that nominates a node ends the phase (as upstream). */
  private runPostFilter(state: CycleState, pod: Pod, statuses: Map<string, Status>, nodes: NodeInfo[]): PostFilterResult {
    const msgs: string[] = [];
    const ctx: PostFilterContext = {
      nodes, runFilters: (s, pd, n) => this.runFiltersWithNominatedPods(s, pd, n), pdbs: this.pdbs,
      nominatedPods: (n) => this.nominator?.nominatedPodsForNode(n) ?? [],
      removePod: (s, pd, v, n) => this.removePodFromState(s, pd, v, n),
      addPod: (s, pd, v, n) => this.addPodToState(s, pd, v, n),
    };
    for (const p of this.postFilter) {
      const r = p.postFilter(state, pod, statuses, ctx);
      if (r.nominatedNodeName) return r;
      if (r.message) msgs.push(r.message);
    }
    return { message: msgs.join(' ') };
  }

  /** PreScore, Score, NormalizeScore and weights: the total per feasible node. */
  prioritize(state: CycleState, pod: Pod, feasible: NodeInfo[], lap?: (phase: string) => void): NodeScore[] {
    const skip = new Set<string>();
    const sampled = this.metrics && state.get('__sampled') === true;
    const timed = <T>(plugin: string, point: string, fn: () => T): T => {
      if (!sampled) return fn();
      const t = performance.now();
      const r = fn();
      this.metrics!.pluginDone(plugin, point, 'Success', (performance.now() - t) / 1000);
      return r;
    };
    for (const p of this.preScore) if (timed(p.name, 'PreScore', () => p.preScore(state, pod, feasible)).code === Code.Skip) skip.add(p.name);
    lap?.('preScore');
    const totals: NodeScore[] = feasible.map((n) => ({ name: n.name, score: 0 }));
    if (this.score.length === 0) return totals;
    for (const { plugin, weight } of this.score) {
      if (skip.has(plugin.name)) continue;
      const scores: NodeScore[] = timed(plugin.name, 'Score', () => feasible.map((n) => ({ name: n.name, score: plugin.score(state, pod, n) })));
      if (plugin.normalizeScore) timed(plugin.name, 'NormalizeScore', () => plugin.normalizeScore!(state, pod, scores));
      for (let i = 0; i < scores.length; i++) {
        const s = scores[i].score;
        if (s < 0 || s > MAX_NODE_SCORE) throw new Error(`plugin "${plugin.name}" returns an invalid score ${s}, it should in the range of [0, ${MAX_NODE_SCORE}] after normalizing`);
        totals[i].score += s * weight;
      }
    }
    lap?.('score');
    return totals;
  }

  /** The highest total; ties broken uniformly at random (reservoir sampling, as upstream). */
  selectHost(scores: NodeScore[]): string {
    let best = scores[0], ties = 1;
    for (let i = 1; i < scores.length; i++) {
      const s = scores[i];
      if (s.score > best.score) { best = s; ties = 1; }
      else if (s.score === best.score) { ties++; if (this.random() * ties < 1) best = s; }
    }
    return best.name;
  }

  newCycleState(): CycleState { return new CycleState(); }
}
