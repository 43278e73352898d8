// DefaultPreemption (upstream plugins/defaultpreemption + framework/preemption): when no node fits,
// find nodes where evicting lower-priority pods would make the pod fit, choose the victims on each
// with minimal disruption (PodDisruptionBudget violations avoided first, then as few and as
// unimportant victims as possible), pick one node by upstream's ordering and return it with its
// victims. The scheduler then nominates the pod to that node and deletes the victims; this plugin
// only decides (it works on the live node infos, restoring them before it returns).
import type { NodeInfo } from '../nodeinfo.js';
import { selectorFromLabelSelectorOrThrow } from '../../machinery/labels/selector.js';
import {
  Code, Status, podKey, type CycleState, type Pod, type PodDisruptionBudget, type PostFilterContext,
  type PostFilterPlugin, type PostFilterResult,
} from '../types.js';
import { fitErrorMessage } from '../fiterror.js';

export const PREEMPTION_NOT_HELPFUL = 'Preemption is not helpful for scheduling';
export const NO_VICTIMS = 'No preemption victims found for incoming pod';
export const NOT_ELIGIBLE_POLICY_NEVER = 'not eligible due to preemptionPolicy=Never.';
export const NOT_ELIGIBLE_TERMINATING = 'not eligible due to a terminating pod on the nominated node.';

/** upstream DefaultPreemptionArgs defaults */
const MIN_CANDIDATE_NODES_PERCENTAGE = 10;
const MIN_CANDIDATE_NODES_ABSOLUTE = 100;
const MAX_INT32 = 2147483647;

const priority = (p: Pod): number => p.spec.priority ?? 0;
/** upstream GetPodStartTime: status.startTime, or "now" for pods not started yet */
const startTime = (p: Pod): number => {
  const t = p.status?.startTime ? Date.parse(p.status.startTime) : NaN;
  return Number.isNaN(t) ? Date.now() : t;
};

/** upstream podTerminatingByPreemption: being deleted, and the scheduler's DisruptionTarget says why */
const terminatingByPreemption = (p: Pod): boolean => !!p.metadata.deletionTimestamp &&
  (p.status?.conditions ?? []).some((c) => c.type === 'DisruptionTarget' && (c as { reason?: string }).reason === 'PreemptionByScheduler');

/** upstream util.MoreImportantPod: higher priority first, then the one that started earlier. */
export function moreImportantPod(a: Pod, b: Pod): boolean {
  const pa = priority(a), pb = priority(b);
  if (pa !== pb) return pa > pb;
  return startTime(a) < startTime(b);
}
const byImportance = (a: Pod, b: Pod) => (moreImportantPod(a, b) ? -1 : moreImportantPod(b, a) ? 1 : 0);

/**
 * upstream filterPodsWithPDBViolation: walking pods in order, each matching budget's allowance is
 * used up; a pod whose eviction would take any matching budget below zero is "violating".
 * Pods already listed in a budget's disruptedPods do not count against it.
 */
export function filterPodsWithPDBViolation(pods: Pod[], pdbs: PodDisruptionBudget[]): { violating: Pod[]; nonViolating: Pod[] } {
  const allowed = pdbs.map((b) => b.status?.disruptionsAllowed ?? 0);
  const selectors = pdbs.map((b) => {
    try {
      const s = selectorFromLabelSelectorOrThrow(b.spec?.selector ?? null);
      return s.isEmpty() ? undefined : s; // an empty selector matches nothing here, as upstream
    } catch { return undefined; }
  });
  const violating: Pod[] = [], nonViolating: Pod[] = [];
  for (const pod of pods) {
    let violated = false;
    pdbs.forEach((b, i) => {
      if ((b.metadata.namespace ?? '') !== (pod.metadata.namespace ?? '')) return;
      const sel = selectors[i];
      if (!sel || !sel.matches(pod.metadata.labels ?? {})) return;
      if (b.status?.disruptedPods && pod.metadata.name in b.status.disruptedPods) return;
      allowed[i]--;
      if (allowed[i] < 0) violated = true;
    });
    (violated ? violating : nonViolating).push(pod);
  }
  return { violating, nonViolating };
}

export interface Victims { pods: Pod[]; numPDBViolations: number }
export interface Candidate { node: string; victims: Victims }

/**
 * upstream SelectVictimsOnNode: remove every lower-priority pod; if the pod then fits, add them
 * back one by one (PDB-violating ones first, most important first) keeping each that still lets
 * the pod fit. What could not be added back are the victims. The node info is restored.
 */
export function selectVictimsOnNode(state: CycleState, pod: Pod, ni: NodeInfo, pdbs: PodDisruptionBudget[],
  runFilters: PostFilterContext['runFilters'], ext: Pick<PostFilterContext, 'addPod' | 'removePod'> = {}): Victims | Status {
  const prio = priority(pod);
  const potential = [...ni.pods.values()].filter((p) => priority(p) < prio).sort(byImportance);
  if (potential.length === 0) return Status.unresolvable(NO_VICTIMS);
  // the node info and the plugins' cycle state change together (upstream uses copies of both)
  const remove = (p: Pod) => { ni.removePod(p); ext.removePod?.(state, pod, p, ni); };
  const add = (p: Pod) => { ni.addPod(p); ext.addPod?.(state, pod, p, ni); };
  const removed = new Set<Pod>();
  for (const p of potential) { remove(p); removed.add(p); }
  try {
    const st = runFilters(state, pod, ni);
    if (!st.isSuccess()) return st;
    const { violating, nonViolating } = filterPodsWithPDBViolation(potential, pdbs);
    const victims: Pod[] = [];
    let numPDBViolations = 0;
    const reprieve = (p: Pod, isViolating: boolean) => {
      add(p);
      removed.delete(p);
      if (!runFilters(state, pod, ni).isSuccess()) {
        remove(p);
        removed.add(p);
        victims.push(p);
        if (isViolating) numPDBViolations++;
      }
    };
    for (const p of violating) reprieve(p, true);
    for (const p of nonViolating) reprieve(p, false);
    victims.sort(byImportance);
    return { pods: victims, numPDBViolations };
  } finally {
    for (const p of removed) add(p);
  }
}

/**
 * upstream pickOneNodeForPreemption: fewest PDB violations, then the lowest highest-priority
 * victim, the smallest sum of victim priorities, the fewest victims, the latest start among the
 * highest-priority victims; then the first candidate.
 */
export function pickOneNodeForPreemption(candidates: Candidate[]): Candidate | undefined {
  if (candidates.length === 0) return undefined;
  const criteria: ((c: Candidate) => number)[] = [
    (c) => -c.victims.numPDBViolations,
    (c) => -priority(c.victims.pods[0]),
    (c) => -c.victims.pods.reduce((s, p) => s + priority(p) + MAX_INT32 + 1, 0),
    (c) => -c.victims.pods.length,
    (c) => {
      const top = priority(c.victims.pods[0]);
      return Math.min(...c.victims.pods.filter((p) => priority(p) === top).map(startTime));
    },
  ];
  let remaining = candidates;
  for (const score of criteria) {
    const scores = remaining.map(score);
    const best = Math.max(...scores);
    remaining = remaining.filter((_, i) => scores[i] === best);
    if (remaining.length === 1) break;
  }
  return remaining[0];
}

/** upstream calculateNumCandidates */
export function numCandidates(numNodes: number): number {
  const n = Math.max(Math.trunc((numNodes * MIN_CANDIDATE_NODES_PERCENTAGE) / 100), MIN_CANDIDATE_NODES_ABSOLUTE);
  return Math.min(n, numNodes);
}

export class DefaultPreemption implements PostFilterPlugin {
  readonly name = 'DefaultPreemption';
  /** random start offset for the dry run (replaceable in tests) */
  random: () => number = Math.random;

  /** upstream PodEligibleToPreemptOthers */
  eligible(pod: Pod, statuses: Map<string, Status>, ctx: PostFilterContext): string | undefined {
    if (pod.spec.preemptionPolicy === 'Never') return NOT_ELIGIBLE_POLICY_NEVER;
    const nominated = pod.status?.nominatedNodeName;
    if (nominated) {
      // a previous preemption is still evicting on the nominated node: wait for it instead of evicting more
      if (statuses.get(nominated)?.code === Code.UnschedulableAndUnresolvable) return undefined;
      const ni = ctx.nodes.find((n) => n.name === nominated);
      if (ni) for (const p of ni.pods.values()) if (priority(p) < priority(pod) && terminatingByPreemption(p)) return NOT_ELIGIBLE_TERMINATING;
    }
    return undefined;
  }

  postFilter(state: CycleState, pod: Pod, statuses: Map<string, Status>, ctx: PostFilterContext): PostFilterResult {
    const notEligible = this.eligible(pod, statuses, ctx);
    if (notEligible) return { message: `preemption: ${notEligible}` };
    const pdbs = ctx.pdbs?.() ?? [];
    const out = new Map<string, Status>();
    const potential: NodeInfo[] = [];
    for (const ni of ctx.nodes) {
      const st = statuses.get(ni.name);
      if (!st || st.code === Code.UnschedulableAndUnresolvable) out.set(ni.name, Status.unresolvable(PREEMPTION_NOT_HELPFUL));
      else potential.push(ni);
    }
    const candidates: Candidate[] = [];
    if (potential.length) {
      const want = numCandidates(potential.length);
      const offset = Math.floor(this.random() * potential.length);
      let nonViolating = 0;
      for (let i = 0; i < potential.length; i++) {
        const ni = potential[(offset + i) % potential.length];
        const r = selectVictimsOnNode(state, pod, ni, pdbs, ctx.runFilters, ctx);
        if (r instanceof Status) { out.set(ni.name, r); continue; }
        candidates.push({ node: ni.name, victims: r });
        if (r.numPDBViolations === 0) nonViolating++;
        // as upstream's dry run: stop once enough non-violating candidates (or candidates at all) are found
        if (nonViolating >= want || candidates.length >= want) break;
      }
    }
    const best = pickOneNodeForPreemption(candidates);
    if (!best) return { message: `preemption: ${fitErrorMessage(ctx.nodes.length, out)}` };
    return { message: '', nominatedNodeName: best.node, victims: best.victims.pods };
  }
}

/** Lower-priority pods nominated to `node` lose their nomination when a higher-priority pod preempts there. */
export function lowerPriorityNominatedPods(pod: Pod, nominated: Pod[]): Pod[] {
  return nominated.filter((p) => priority(p) < priority(pod) && podKey(p) !== podKey(pod));
}
export type { NodeInfo };
