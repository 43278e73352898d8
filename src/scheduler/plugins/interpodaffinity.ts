// InterPodAffinity (upstream plugins/interpodaffinity): required pod affinity and anti-affinity,
// existing pods' required anti-affinity against the incoming pod (Filter), and preferred terms of
// both sides plus existing pods' required affinity × hardPodAffinityWeight (Score, min–max
// normalized). PreFilter/PreScore count matches per topology pair once per cycle from the cache's
// label index (the incoming pod's terms) and its grouped index of existing pods' terms (only the
// groups that can match the incoming pod), so no cycle scans every pod, nor every pod with affinity.
import type { Handle } from '../listers.js';
import type { NodeInfo } from '../nodeinfo.js';
import {
  MAX_NODE_SCORE, Status, type CycleState, type FilterPlugin, type NodeScore, type Pod, type PreFilterPlugin,
  type PreScorePlugin, type ScorePlugin,
} from '../types.js';
import type { TermIndex } from '../termindex.js';
import { podAffinityTerms, podAffinityTermsOrEmpty, termMatches, type AffinityTerm, type PodAffinityTerms } from './affinityterm.js';

export const ERR_REASON_AFFINITY = "node(s) didn't match pod affinity rules";
export const ERR_REASON_ANTI_AFFINITY = "node(s) didn't match pod anti-affinity rules";
export const ERR_REASON_EXISTING_ANTI_AFFINITY = "node(s) didn't satisfy existing pods anti-affinity rules";

export interface InterPodAffinityArgs { hardPodAffinityWeight?: number; ignorePreferredTermsOfExistingPods?: boolean }

const PRE_FILTER_KEY = 'PreFilterInterPodAffinity';
const PRE_SCORE_KEY = 'PreScoreInterPodAffinity';
/** Matching pods per topology pair (key → value → count); pairs whose count drops to 0 are dropped. */
export class TopologyCounts {
  private readonly m = new Map<string, Map<string, number>>();
  /** pairs with a non-zero count */
  size = 0;

  /** counts `by` for the node's value of `key` (nothing when the node lacks the label) */
  bump(labels: Record<string, string> | undefined, key: string, by: number): void {
    if (!labels || !Object.hasOwn(labels, key)) return;
    let vals = this.m.get(key);
    if (!vals) this.m.set(key, (vals = new Map()));
    const value = labels[key];
    const old = vals.get(value) ?? 0;
    const v = old + by;
    if (v !== 0) {
      if (old === 0) this.size++;
      vals.set(value, v);
      return;
    }
    if (old !== 0) { vals.delete(value); this.size--; }
    if (vals.size === 0) this.m.delete(key);
  }

  get(key: string, value: string): number { return this.m.get(key)?.get(value) ?? 0; }

  /** does any pair the node carries have a positive count? */
  anyPositive(labels: Record<string, string>): boolean {
    for (const [k, vals] of this.m) if (Object.hasOwn(labels, k) && (vals.get(labels[k]) ?? 0) > 0) return true;
    return false;
  }
}

interface PreFilterState {
  terms: PodAffinityTerms;
  affinityCounts: TopologyCounts;
  antiAffinityCounts: TopologyCounts;
  existingAntiAffinityCounts: TopologyCounts;
}

export class InterPodAffinity implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'InterPodAffinity';
  private readonly hardWeight: number;
  private readonly ignoreExisting: boolean;

  constructor(args: InterPodAffinityArgs, private readonly h: Handle) {
    this.hardWeight = args.hardPodAffinityWeight ?? 1;
    this.ignoreExisting = args.ignorePreferredTermsOfExistingPods ?? false;
  }

  private nsLabels(ns: string | undefined): Record<string, string> | undefined { return this.h.listers.namespaces.get(ns ?? ''); }
  private nodeLabels(name: string): Record<string, string> | undefined { return this.h.cache.get(name)?.node?.metadata.labels; }

  /** Existing pods matching every term (same namespace rules and selector), via the label index. */
  private matchingAll(terms: AffinityTerm[], fn: (pod: Pod, node: string) => void): void {
    if (terms.length === 0) return;
    for (const e of this.h.cache.candidates(terms[0].selector)) {
      const ns = this.nsLabels(e.pod.metadata.namespace);
      if (terms.every((t) => termMatches(t, e.pod, ns))) fn(e.pod, e.node);
    }
  }

  preFilter(state: CycleState, pod: Pod): { status: Status } {
    let terms: PodAffinityTerms;
    try { terms = podAffinityTerms(pod); } catch (err) { return { status: Status.error((err as Error).message) }; }
    const s: PreFilterState = { terms, affinityCounts: new TopologyCounts(), antiAffinityCounts: new TopologyCounts(), existingAntiAffinityCounts: new TopologyCounts() };
    const myNs = this.nsLabels(pod.metadata.namespace);
    // existing pods whose required anti-affinity the incoming pod matches: only the term groups
    // whose selector can match its labels, each counted once for all the pods sharing it
    for (const g of this.h.cache.affinityTerms.requiredAntiAffinity.candidates(pod.metadata.labels)) {
      if (!termMatches(g.term, pod, myNs)) continue;
      for (const [node, n] of g.nodes) s.existingAntiAffinityCounts.bump(this.nodeLabels(node), g.term.topologyKey, n);
    }
    // affinity: an existing pod counts when it matches all terms, for every term's topology
    this.matchingAll(terms.requiredAffinity, (_p, node) => {
      const labels = this.nodeLabels(node);
      for (const t of terms.requiredAffinity) s.affinityCounts.bump(labels, t.topologyKey, 1);
    });
    // anti-affinity: each term on its own
    for (const t of terms.requiredAntiAffinity) this.matchingAll([t], (_p, node) => s.antiAffinityCounts.bump(this.nodeLabels(node), t.topologyKey, 1));
    if (s.existingAntiAffinityCounts.size === 0 && terms.requiredAffinity.length === 0 && terms.requiredAntiAffinity.length === 0) {
      return { status: Status.skip() };
    }
    state.set(PRE_FILTER_KEY, s);
    return { status: Status.success() };
  }

  /** upstream preFilterState.updateWithPod: `other` joins (+1) or leaves (−1) `node` */
  private updateWithPod(state: CycleState, pod: Pod, other: Pod, node: NodeInfo, by: 1 | -1): Status {
    const s = state.get(PRE_FILTER_KEY) as PreFilterState | undefined;
    const labels = node.node?.metadata.labels;
    if (!s || !labels) return Status.success();
    const myNs = this.nsLabels(pod.metadata.namespace);
    const otherNs = this.nsLabels(other.metadata.namespace);
    for (const t of podAffinityTermsOrEmpty(other).requiredAntiAffinity) {
      if (termMatches(t, pod, myNs)) s.existingAntiAffinityCounts.bump(labels, t.topologyKey, by);
    }
    const aff = s.terms.requiredAffinity;
    if (aff.length && aff.every((t) => termMatches(t, other, otherNs))) for (const t of aff) s.affinityCounts.bump(labels, t.topologyKey, by);
    for (const t of s.terms.requiredAntiAffinity) if (termMatches(t, other, otherNs)) s.antiAffinityCounts.bump(labels, t.topologyKey, by);
    return Status.success();
  }
  addPod(state: CycleState, pod: Pod, other: Pod, node: NodeInfo): Status { return this.updateWithPod(state, pod, other, node, 1); }
  removePod(state: CycleState, pod: Pod, other: Pod, node: NodeInfo): Status { return this.updateWithPod(state, pod, other, node, -1); }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const s = state.get(PRE_FILTER_KEY) as PreFilterState | undefined;
    if (!s) return Status.success();
    const labels = node.node?.metadata.labels ?? {};
    if (!satisfyPodAffinity(s, pod, labels, this.nsLabels(pod.metadata.namespace))) return Status.unresolvable(ERR_REASON_AFFINITY);
    if (s.antiAffinityCounts.size > 0) {
      for (const t of s.terms.requiredAntiAffinity) {
        if (Object.hasOwn(labels, t.topologyKey) && s.antiAffinityCounts.get(t.topologyKey, labels[t.topologyKey]) > 0) {
          return Status.unschedulable(ERR_REASON_ANTI_AFFINITY);
        }
      }
    }
    if (s.existingAntiAffinityCounts.size > 0 && s.existingAntiAffinityCounts.anyPositive(labels)) {
      return Status.unschedulable(ERR_REASON_EXISTING_ANTI_AFFINITY);
    }
    return Status.success();
  }

  preScore(state: CycleState, pod: Pod): Status {
    let terms: PodAffinityTerms;
    try { terms = podAffinityTerms(pod); } catch (err) { return Status.error((err as Error).message); }
    const hasConstraints = terms.preferredAffinity.length > 0 || terms.preferredAntiAffinity.length > 0;
    if (this.ignoreExisting && !hasConstraints) return Status.skip();
    const scores = new Map<string, Map<string, number>>();
    const add = (node: string, key: string, by: number) => {
      const labels = this.nodeLabels(node);
      if (!labels || !Object.hasOwn(labels, key)) return;
      let m = scores.get(key);
      if (!m) scores.set(key, (m = new Map()));
      m.set(labels[key], (m.get(labels[key]) ?? 0) + by);
    };
    // the incoming pod's preferred terms against existing pods
    for (const [list, sign] of [[terms.preferredAffinity, 1], [terms.preferredAntiAffinity, -1]] as const) {
      for (const t of list) this.matchingAll([t], (_p, node) => add(node, t.topologyKey, sign * t.weight));
    }
    // existing pods' terms against the incoming pod (the term groups whose selector can match it)
    if (!this.ignoreExisting) {
      const myNs = this.nsLabels(pod.metadata.namespace);
      const idx = this.h.cache.affinityTerms;
      const each = (index: TermIndex, weight: (t: AffinityTerm) => number) => {
        for (const g of index.candidates(pod.metadata.labels)) {
          if (!termMatches(g.term, pod, myNs)) continue;
          const w = weight(g.term);
          for (const [node, n] of g.nodes) add(node, g.term.topologyKey, w * n);
        }
      };
      if (this.hardWeight > 0) each(idx.requiredAffinity, () => this.hardWeight);
      each(idx.preferredAffinity, (t) => t.weight);
      each(idx.preferredAntiAffinity, (t) => -t.weight);
    }
    if (scores.size === 0) return Status.skip();
    state.set(PRE_SCORE_KEY, scores);
    return Status.success();
  }

  score(state: CycleState, _pod: Pod, node: NodeInfo): number {
    const scores = state.get(PRE_SCORE_KEY) as Map<string, Map<string, number>> | undefined;
    if (!scores) return 0;
    const labels = node.node?.metadata.labels ?? {};
    let total = 0;
    for (const [k, vals] of scores) if (Object.hasOwn(labels, k)) total += vals.get(labels[k]) ?? 0;
    return total;
  }

  /** min–max scaling to [0, 100] (raw scores may be negative) */
  normalizeScore(state: CycleState, _pod: Pod, scores: NodeScore[]): void {
    if (!state.get(PRE_SCORE_KEY)) return;
    normalizeMinMax(scores);
  }
}

export function normalizeMinMax(scores: NodeScore[]): void {
  let min = Infinity, max = -Infinity;
  for (const s of scores) { if (s.score > max) max = s.score; if (s.score < min) min = s.score; }
  const diff = max - min;
  for (const s of scores) s.score = diff > 0 ? Math.trunc(MAX_NODE_SCORE * ((s.score - min) / diff)) : 0;
}

function satisfyPodAffinity(s: PreFilterState, pod: Pod, labels: Record<string, string>, myNs: Record<string, string> | undefined): boolean {
  let podsExist = true;
  for (const t of s.terms.requiredAffinity) {
    if (!Object.hasOwn(labels, t.topologyKey)) return false; // every topology label must exist on the node
    if (s.affinityCounts.get(t.topologyKey, labels[t.topologyKey]) <= 0) podsExist = false;
  }
  if (podsExist) return true;
  // the first pod of a group with affinity to itself: allowed when no pod matches anywhere and it matches its own terms
  return s.affinityCounts.size === 0 && s.terms.requiredAffinity.length > 0 && s.terms.requiredAffinity.every((t) => termMatches(t, pod, myNs));
}
