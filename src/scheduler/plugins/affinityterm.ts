// Pod affinity terms as the scheduler evaluates them (upstream framework.AffinityTerm): the label
// selector (with matchLabelKeys / mismatchLabelKeys folded in from the owning pod's labels), the
// namespaces it names (its own namespace when none and no namespaceSelector) and the namespace
// selector (nil selects nothing, {} every namespace). Parsed once per pod object and memoized.
import { LabelSelector, Requirement, selectorFromLabelSelectorOrThrow } from '../../machinery/labels/selector.js';
import type { Pod, PodAffinityTerm, WeightedPodAffinityTerm } from '../types.js';

export interface AffinityTerm {
  namespaces: Set<string>;
  namespaceSelector: LabelSelector;
  selector: LabelSelector;
  topologyKey: string;
  /** preferred terms only */
  weight: number;
  /** termSignature, computed once when the term is indexed */
  signature?: string;
}

export function newAffinityTerm(pod: Pod, t: PodAffinityTerm, weight = 0): AffinityTerm {
  let selector = selectorFromLabelSelectorOrThrow(t.labelSelector);
  const labels = pod.metadata.labels ?? {};
  const extra: Requirement[] = [];
  for (const k of t.matchLabelKeys ?? []) if (Object.hasOwn(labels, k)) extra.push(Requirement.unchecked(k, 'in', [labels[k]]));
  for (const k of t.mismatchLabelKeys ?? []) if (Object.hasOwn(labels, k)) extra.push(Requirement.unchecked(k, 'notin', [labels[k]]));
  if (extra.length) selector = selector.add(...extra);
  const namespaces = new Set(t.namespaces ?? []);
  if (namespaces.size === 0 && t.namespaceSelector == null) namespaces.add(pod.metadata.namespace ?? '');
  return { namespaces, namespaceSelector: selectorFromLabelSelectorOrThrow(t.namespaceSelector), selector, topologyKey: t.topologyKey, weight };
}

/** upstream AffinityTerm.Matches: the pod is in one of the term's namespaces and its labels match. */
export function termMatches(term: AffinityTerm, pod: Pod, nsLabels: Record<string, string> | undefined): boolean {
  if (!term.namespaces.has(pod.metadata.namespace ?? '') && !term.namespaceSelector.matches(nsLabels ?? {})) return false;
  return term.selector.matches(pod.metadata.labels ?? {});
}

export interface PodAffinityTerms {
  requiredAffinity: AffinityTerm[];
  requiredAntiAffinity: AffinityTerm[];
  preferredAffinity: AffinityTerm[];
  preferredAntiAffinity: AffinityTerm[];
}

const EMPTY: PodAffinityTerms = { requiredAffinity: [], requiredAntiAffinity: [], preferredAffinity: [], preferredAntiAffinity: [] };
/**
 * Keyed by the pod's affinity object, valid while the metadata object is the same too: the copy the
 * cache makes when it assumes a pod shares both, so selectors are parsed once per pod object from
 * the API (upstream keeps them on the PodInfo).
 */
const memo = new WeakMap<object, { metadata: Pod['metadata']; terms: PodAffinityTerms }>();

/** All of a pod's terms (upstream NewPodInfo); throws SelectorError on an invalid selector. */
export function podAffinityTerms(pod: Pod): PodAffinityTerms {
  const a = pod.spec.affinity;
  if (!a?.podAffinity && !a?.podAntiAffinity) return EMPTY;
  const hit = memo.get(a);
  if (hit && hit.metadata === pod.metadata) return hit.terms;
  const req = (ts: PodAffinityTerm[] | undefined) => (ts ?? []).map((x) => newAffinityTerm(pod, x));
  const pref = (ts: WeightedPodAffinityTerm[] | undefined) => (ts ?? []).map((x) => newAffinityTerm(pod, x.podAffinityTerm, x.weight));
  const t: PodAffinityTerms = {
    requiredAffinity: req(a.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: req(a.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: pref(a.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: pref(a.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
  };
  memo.set(a, { metadata: pod.metadata, terms: t });
  return t;
}

/** Existing pods with a bad selector are ignored rather than failing every cycle. */
export function podAffinityTermsOrEmpty(pod: Pod): PodAffinityTerms {
  try { return podAffinityTerms(pod); } catch { return EMPTY; }
}
