// PodTopologySpread (upstream plugins/podtopologyspread): DoNotSchedule constraints filter nodes by
// skew (matching pods in the node's domain + self − global minimum ≤ maxSkew, minimum 0 while fewer
// than minDomains domains exist); ScheduleAnyway constraints score nodes by matching pods per domain
// weighted by log(domains + 2), reversed on normalization. Pods without constraints get the
// cluster defaults (System: hostname maxSkew 3, zone maxSkew 5, ScheduleAnyway) with a selector
// from their services and controller. Matching pods come from the cache's label index.
import type { LabelSelector } from '../../machinery/labels/selector.js';
import { Requirement, selectorFromLabelSelectorOrThrow } from '../../machinery/labels/selector.js';
import type { Handle } from '../listers.js';
import type { NodeInfo } from '../nodeinfo.js';
import {
  MAX_NODE_SCORE, Status, type CycleState, type FilterPlugin, type Node, type NodeScore, type Pod, type PreFilterPlugin,
  type PreScorePlugin, type ScorePlugin, type TopologySpreadConstraint,
} from '../types.js';
import { tolerationsTolerateTaint } from './helpers.js';
import { podMatchesNode } from './nodeaffinity.js';
import { BY_NODE_NAME } from '../spreadcounts.js';

export const ERR_REASON_CONSTRAINTS_NOT_MATCH = "node(s) didn't match pod topology spread constraints";
export const ERR_REASON_NODE_LABEL_NOT_MATCH = `${ERR_REASON_CONSTRAINTS_NOT_MATCH} (missing required label)`;
export const LABEL_HOSTNAME = 'kubernetes.io/hostname';
export const LABEL_ZONE = 'topology.kubernetes.io/zone';

export const SYSTEM_DEFAULT_CONSTRAINTS: TopologySpreadConstraint[] = [
  { topologyKey: LABEL_HOSTNAME, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 3 },
  { topologyKey: LABEL_ZONE, whenUnsatisfiable: 'ScheduleAnyway', maxSkew: 5 },
];

export interface PodTopologySpreadArgs { defaultConstraints?: TopologySpreadConstraint[]; defaultingType?: 'System' | 'List' }

interface Constraint {
  maxSkew: number; topologyKey: string; selector: LabelSelector; minDomains: number;
  nodeAffinityPolicy: string; nodeTaintsPolicy: string;
}

const PRE_FILTER_KEY = 'PreFilterPodTopologySpread';
const PRE_SCORE_KEY = 'PreScorePodTopologySpread';
const MAX_INT32 = 2147483647;
const EMPTY_COUNTS: ReadonlyMap<string, number> = new Map();

/**
 * counts: matching pods per domain — every eligible domain (zeros included) after a full node walk,
 * only the non-zero ones on the fast path; `domains` says how many there are either way.
 * selfMatch: does the incoming pod match each constraint's selector (it counts itself in Filter).
 */
interface PreFilterState {
  constraints: Constraint[]; counts: Map<string, number>[]; minMatch: number[]; domains: number[]; selfMatch: number[];
  /** counts[i] is the cache's live map: copy before a what-if update changes it */
  shared?: boolean[];
}
interface PreScoreState { constraints: Constraint[]; counts: Map<string, number>[]; weights: number[]; ignored: Set<string>; perNode: ReadonlyMap<string, number>[] }

const minOf = (m: Map<string, number>) => { let min = MAX_INT32; for (const v of m.values()) if (v < min) min = v; return min; };
/** the global minimum: 0 when some domain has no entry (no matching pod) */
const minMatchOf = (m: Map<string, number>, domains: number) => { const min = minOf(m); return m.size < domains && min > 0 ? 0 : min; };
const hasAllKeys = (labels: Record<string, string>, cs: Constraint[]) => cs.every((c) => Object.hasOwn(labels, c.topologyKey));

/** true when nodeIncluded holds for every node: no required node affinity to honour, taints ignored */
function everyNodeIncluded(c: Constraint, pod: Pod): boolean {
  if (c.nodeTaintsPolicy === 'Honor') return false;
  if (c.nodeAffinityPolicy !== 'Honor') return true;
  const ns = pod.spec.nodeSelector;
  return (!ns || Object.keys(ns).length === 0) && !pod.spec.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
}

/** upstream MatchNodeInclusionPolicies */
function nodeIncluded(c: Constraint, pod: Pod, node: Node): boolean {
  if (c.nodeAffinityPolicy === 'Honor' && !podMatchesNode(pod, node)) return false;
  if (c.nodeTaintsPolicy === 'Honor') {
    for (const t of node.spec?.taints ?? []) {
      if ((t.effect === 'NoSchedule' || t.effect === 'NoExecute') && !tolerationsTolerateTaint(pod.spec.tolerations, t)) return false;
    }
  }
  return true;
}

export class PodTopologySpread implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'PodTopologySpread';
  private readonly defaults: TopologySpreadConstraint[];
  private readonly systemDefaulted: boolean;

  constructor(args: PodTopologySpreadArgs, private readonly h: Handle) {
    this.systemDefaulted = (args.defaultingType ?? 'System') === 'System';
    this.defaults = this.systemDefaulted ? SYSTEM_DEFAULT_CONSTRAINTS : args.defaultConstraints ?? [];
  }

  /** upstream filterTopologySpreadConstraints (+ matchLabelKeys) or, without any, the defaults */
  constraints(pod: Pod, action: string): Constraint[] {
    const own = pod.spec.topologySpreadConstraints ?? [];
    const list = own.length ? own : this.defaults;
    const out: Constraint[] = [];
    const labels = pod.metadata.labels ?? {};
    for (const c of list) {
      if (c.whenUnsatisfiable !== action) continue;
      let selector = selectorFromLabelSelectorOrThrow(c.labelSelector);
      const extra = (c.matchLabelKeys ?? []).filter((k) => Object.hasOwn(labels, k)).map((k) => Requirement.unchecked(k, 'in', [labels[k]]));
      if (extra.length) selector = selector.add(...extra);
      out.push({ maxSkew: c.maxSkew, topologyKey: c.topologyKey, selector, minDomains: c.minDomains ?? 1,
        nodeAffinityPolicy: c.nodeAffinityPolicy ?? 'Honor', nodeTaintsPolicy: c.nodeTaintsPolicy ?? 'Ignore' });
    }
    if (own.length || out.length === 0) return out;
    const sel = this.h.listers.defaultSelector(pod);
    if (sel.isEmpty()) return [];
    return out.map((c) => ({ ...c, selector: sel }));
  }

  /** Per node, the pods in the pod's namespace matching `sel` that are not terminating (upstream countPodsMatchSelector). */
  private countsByNode(pod: Pod, sel: LabelSelector, memo: Map<string, Map<string, number>>): Map<string, number> {
    const key = sel.toString() + (sel.matchesNothing() ? '\u0000nothing' : '');
    let m = memo.get(key);
    if (m) return m;
    m = new Map();
    const ns = pod.metadata.namespace ?? '';
    for (const e of this.h.cache.candidates(sel)) {
      if ((e.pod.metadata.namespace ?? '') !== ns || e.pod.metadata.deletionTimestamp) continue;
      if (sel.matches(e.pod.metadata.labels ?? {})) m.set(e.node, (m.get(e.node) ?? 0) + 1);
    }
    memo.set(key, m);
    return m;
  }

  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { status: Status } {
    let constraints: Constraint[];
    try { constraints = this.constraints(pod, 'DoNotSchedule'); } catch (err) { return { status: Status.error((err as Error).message) }; }
    if (constraints.length === 0) return { status: Status.skip() };
    const podLabels = pod.metadata.labels ?? {};
    const selfMatch = constraints.map((c) => (c.selector.matches(podLabels) ? 1 : 0));
    if (nodes === this.h.cache.nodes() && constraints.every((c) => everyNodeIncluded(c, pod))) {
      state.set(PRE_FILTER_KEY, this.countFromPods(pod, constraints, selfMatch));
      return { status: Status.success() };
    }
    const memo = new Map<string, Map<string, number>>();
    const perNode = constraints.map((c) => this.countsByNode(pod, c.selector, memo));
    const counts = constraints.map(() => new Map<string, number>());
    for (const n of nodes) {
      const node = n.node;
      if (!node) continue;
      const labels = node.metadata.labels ?? {};
      if (!hasAllKeys(labels, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!nodeIncluded(c, pod, node)) return;
        const v = labels[c.topologyKey];
        counts[i].set(v, (counts[i].get(v) ?? 0) + (perNode[i].get(n.name) ?? 0));
      });
    }
    const minMatch = counts.map(minOf);
    state.set(PRE_FILTER_KEY, { constraints, counts, minMatch, domains: counts.map((m) => m.size), selfMatch } satisfies PreFilterState);
    return { status: Status.success() };
  }

  /**
   * The fast path when every node with the topology keys is eligible (no node-affinity or taint
   * policy narrows them): the domains come from the cache's per-key index and the matching pods
   * per domain from its spread counts (both kept until nodes or their labels change, the counts
   * updated with every pod), so a cycle costs O(constraints), not O(nodes) nor O(matching pods).
   */
  private countFromPods(pod: Pod, constraints: Constraint[], selfMatch: number[]): PreFilterState {
    const keys = constraints.map((c) => c.topologyKey);
    const domainsByKey = this.h.cache.topologyDomains(keys);
    const ns = pod.metadata.namespace ?? '';
    const domains = constraints.map((c) => domainsByKey.get(c.topologyKey)?.size ?? 0);
    const counts: Map<string, number>[] = [];
    const minMatch: number[] = [];
    constraints.forEach((c, i) => {
      const dc = this.h.cache.spreadCounts.get(ns, c.selector, keys, c.topologyKey, () => this.h.cache.countedCandidates(c.selector));
      counts.push(dc.counts);
      const min = dc.minCount();
      minMatch.push(dc.counts.size < domains[i] && min > 0 ? 0 : min);
    });
    return { constraints, counts, domains, minMatch, selfMatch, shared: constraints.map(() => true) };
  }

  /** upstream updateWithPod: `other` joins (+1) or leaves (−1) `node`; the global minimum is recomputed lazily */
  private updateWithPod(state: CycleState, pod: Pod, other: Pod, ni: NodeInfo, by: 1 | -1): Status {
    const s = state.get(PRE_FILTER_KEY) as PreFilterState | undefined;
    const node = ni.node;
    if (!s || !node || (other.metadata.namespace ?? '') !== (pod.metadata.namespace ?? '')) return Status.success();
    const labels = node.metadata.labels ?? {};
    if (!hasAllKeys(labels, s.constraints)) return Status.success();
    const otherLabels = other.metadata.labels ?? {};
    s.constraints.forEach((c, i) => {
      if (!c.selector.matches(otherLabels) || !nodeIncluded(c, pod, node)) return;
      if (s.shared?.[i]) { s.counts[i] = new Map(s.counts[i]); s.shared[i] = false; }
      const v = labels[c.topologyKey];
      s.counts[i].set(v, (s.counts[i].get(v) ?? 0) + by);
      s.minMatch[i] = NaN;
    });
    return Status.success();
  }
  addPod(state: CycleState, pod: Pod, other: Pod, node: NodeInfo): Status { return this.updateWithPod(state, pod, other, node, 1); }
  removePod(state: CycleState, pod: Pod, other: Pod, node: NodeInfo): Status { return this.updateWithPod(state, pod, other, node, -1); }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const s = state.get(PRE_FILTER_KEY) as PreFilterState | undefined;
    if (!s || s.constraints.length === 0) return Status.success();
    for (let i = 0; i < s.minMatch.length; i++) if (Number.isNaN(s.minMatch[i])) s.minMatch[i] = minMatchOf(s.counts[i], s.domains[i]);
    const labels = node.node?.metadata.labels ?? {};
    for (let i = 0; i < s.constraints.length; i++) {
      const c = s.constraints[i];
      if (!Object.hasOwn(labels, c.topologyKey)) return Status.unresolvable(ERR_REASON_NODE_LABEL_NOT_MATCH);
      const min = s.domains[i] < c.minDomains ? 0 : s.minMatch[i];
      const skew = (s.counts[i].get(labels[c.topologyKey]) ?? 0) + s.selfMatch[i] - min;
      if (skew > c.maxSkew) return Status.unschedulable(ERR_REASON_CONSTRAINTS_NOT_MATCH);
    }
    return Status.success();
  }

  preScore(state: CycleState, pod: Pod, filtered: NodeInfo[]): Status {
    const all = this.h.cache.nodes();
    if (filtered.length === 0 || all.length === 0) return Status.skip();
    let constraints: Constraint[];
    try { constraints = this.constraints(pod, 'ScheduleAnyway'); } catch (err) { return Status.error((err as Error).message); }
    if (constraints.length === 0) return Status.skip();
    const requireAll = (pod.spec.topologySpreadConstraints ?? []).length > 0 || !this.systemDefaulted;
    const ignored = new Set<string>();
    const counts = constraints.map(() => new Map<string, number>());
    const domains = constraints.map(() => 0);
    for (const n of filtered) {
      const labels = n.node?.metadata.labels ?? {};
      if (requireAll && !hasAllKeys(labels, constraints)) { ignored.add(n.name); continue; }
      constraints.forEach((c, i) => {
        if (c.topologyKey === LABEL_HOSTNAME) return; // per-node counts are taken in Score
        const v = labels[c.topologyKey]; // may be undefined for system defaults (as upstream's "" value)
        const k = v ?? '';
        if (!counts[i].has(k)) { counts[i].set(k, 0); domains[i]++; }
      });
    }
    const weights = constraints.map((c, i) => Math.log((c.topologyKey === LABEL_HOSTNAME ? filtered.length - ignored.size : domains[i]) + 2));
    if (constraints.every((c) => everyNodeIncluded(c, pod))) {
      // fast path: every node counts, so the cache's per-domain (and per-node) counts answer directly
      const ns = pod.metadata.namespace ?? '';
      const keys = requireAll ? constraints.map((c) => c.topologyKey) : [];
      const cached = (c: Constraint, key: string) =>
        this.h.cache.spreadCounts.get(ns, c.selector, key === BY_NODE_NAME ? [] : keys, key, () => this.h.cache.countedCandidates(c.selector)).counts;
      const perNode = constraints.map((c) => (c.topologyKey === LABEL_HOSTNAME ? cached(c, BY_NODE_NAME) : EMPTY_COUNTS));
      constraints.forEach((c, i) => {
        if (c.topologyKey === LABEL_HOSTNAME) return;
        const byDomain = cached(c, c.topologyKey);
        for (const k of counts[i].keys()) counts[i].set(k, byDomain.get(k) ?? 0);
      });
      state.set(PRE_SCORE_KEY, { constraints, counts, weights, ignored, perNode } satisfies PreScoreState);
      return Status.success();
    }
    const memo = new Map<string, Map<string, number>>();
    const perNode = constraints.map((c) => this.countsByNode(pod, c.selector, memo));
    for (const n of all) {
      const node = n.node;
      if (!node) continue;
      const labels = node.metadata.labels ?? {};
      if (requireAll && !hasAllKeys(labels, constraints)) continue;
      constraints.forEach((c, i) => {
        if (!nodeIncluded(c, pod, node)) return;
        const k = labels[c.topologyKey] ?? '';
        if (!counts[i].has(k)) return;
        counts[i].set(k, counts[i].get(k)! + (perNode[i].get(n.name) ?? 0));
      });
    }
    state.set(PRE_SCORE_KEY, { constraints, counts, weights, ignored, perNode } satisfies PreScoreState);
    return Status.success();
  }

  score(state: CycleState, _pod: Pod, node: NodeInfo): number {
    const s = state.get(PRE_SCORE_KEY) as PreScoreState | undefined;
    if (!s || s.ignored.has(node.name)) return 0;
    const labels = node.node?.metadata.labels ?? {};
    let score = 0;
    s.constraints.forEach((c, i) => {
      if (!Object.hasOwn(labels, c.topologyKey)) return;
      const cnt = c.topologyKey === LABEL_HOSTNAME ? (s.perNode[i].get(node.name) ?? 0) : (s.counts[i].get(labels[c.topologyKey]) ?? 0);
      score += scoreForCount(cnt, c.maxSkew, s.weights[i]);
    });
    return Math.round(score);
  }

  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    const s = state.get(PRE_SCORE_KEY) as PreScoreState | undefined;
    if (!s) return;
    normalizeSpread(scores, s.ignored);
  }
}

/** upstream scoreForCount: matching pods weighted by the topology's size, plus maxSkew − 1 */
export function scoreForCount(cnt: number, maxSkew: number, weight: number): number {
  return cnt * weight + (maxSkew - 1);
}

/** fewer matching pods score higher: 100 × (max + min − score) / max; ignored nodes get 0 */
export function normalizeSpread(scores: NodeScore[], ignored: Set<string>): void {
  let min = Infinity, max = 0;
  for (const s of scores) {
    if (ignored.has(s.name)) continue;
    if (s.score < min) min = s.score;
    if (s.score > max) max = s.score;
  }
  for (const s of scores) {
    if (ignored.has(s.name)) s.score = 0;
    else if (max === 0) s.score = MAX_NODE_SCORE;
    else s.score = Math.trunc((MAX_NODE_SCORE * (max + min - s.score)) / max);
  }
}
