// NodeResourcesFit (Filter: requests against allocatable minus requested; Score: LeastAllocated,
// MostAllocated or RequestedToCapacityRatio) and NodeResourcesBalancedAllocation (1 − std-dev of
// per-resource utilization fractions), with upstream's integer arithmetic.
import type { NodeInfo } from '../nodeinfo.js';
import { CPU, EPHEMERAL_STORAGE, MEMORY, isScalarResource, podRequests, type ResourceList } from '../resources.js';
import { MAX_NODE_SCORE, Status, type CycleState, type FilterPlugin, type Pod, type PreFilterPlugin, type PreScorePlugin, type ScorePlugin } from '../types.js';

export interface ResourceSpec { name: string; weight: number }
export interface UtilizationShapePoint { utilization: number; score: number }
export type ScoringStrategyType = 'LeastAllocated' | 'MostAllocated' | 'RequestedToCapacityRatio';
export interface NodeResourcesFitArgs {
  ignoredResources?: string[];
  ignoredResourceGroups?: string[];
  scoringStrategy?: { type?: ScoringStrategyType; resources?: ResourceSpec[]; requestedToCapacityRatio?: { shape?: UtilizationShapePoint[] } };
}
export interface NodeResourcesBalancedAllocationArgs { resources?: ResourceSpec[] }

export const DEFAULT_RESOURCES: ResourceSpec[] = [{ name: CPU, weight: 1 }, { name: MEMORY, weight: 1 }];
const MAX_UTILIZATION = 100;
/** shape scores are 0–10 in configuration, scaled to 0–100 */
const MAX_CUSTOM_PRIORITY_SCORE = 10;

export function leastRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}
export function mostRequestedScore(requested: number, capacity: number): number {
  if (capacity === 0) return 0;
  if (requested > capacity) requested = capacity;
  return Math.trunc((requested * MAX_NODE_SCORE) / capacity);
}
/** upstream buildBrokenLinearFunction over a shape already scaled to 0–100 scores */
export function brokenLinear(shape: UtilizationShapePoint[]): (p: number) => number {
  return (p) => {
    for (let i = 0; i < shape.length; i++) {
      if (p <= shape[i].utilization) {
        if (i === 0) return shape[0].score;
        const a = shape[i - 1], b = shape[i];
        return a.score + Math.trunc(((b.score - a.score) * (p - a.utilization)) / (b.utilization - a.utilization));
      }
    }
    return shape[shape.length - 1].score;
  };
}

type Scorer = (requested: number[], allocatable: number[], resources: ResourceSpec[]) => number;

function weightedScorer(per: (r: number, c: number) => number, round: boolean): Scorer {
  return (requested, allocatable, resources) => {
    let score = 0, weights = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      score += per(requested[i], allocatable[i]) * resources[i].weight;
      weights += resources[i].weight;
    }
    if (weights === 0) return 0;
    return round ? Math.round(score / weights) : Math.trunc(score / weights);
  };
}

export function balancedScore(requested: number[], allocatable: number[]): number {
  // two passes instead of a list of fractions: this runs for every scored node
  let total = 0, n = 0, f0 = 0, f1 = 0;
  for (let i = 0; i < requested.length; i++) {
    if (allocatable[i] === 0) continue;
    const f = Math.min(requested[i] / allocatable[i], 1);
    total += f;
    if (n === 0) f0 = f; else if (n === 1) f1 = f;
    n++;
  }
  let std = 0;
  if (n === 2) std = Math.abs((f0 - f1) / 2);
  else if (n > 2) {
    const mean = total / n;
    let sq = 0;
    for (let i = 0; i < requested.length; i++) {
      if (allocatable[i] === 0) continue;
      sq += (Math.min(requested[i] / allocatable[i], 1) - mean) ** 2;
    }
    std = Math.sqrt(sq / n);
  }
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

/**
 * upstream resourceAllocationScorer: per resource, (allocatable, requested-after-placing-the-pod);
 * extended resources the pod does not request are left out. `useRequested` picks declared sums
 * over the non-zero-defaulted ones.
 */
function allocation(node: NodeInfo, resources: ResourceSpec[], podReq: number[], useRequested: boolean, out: Allocation): Allocation {
  const { requested, allocatable } = out; // as long as `resources`: every slot is written below
  for (let i = 0; i < resources.length; i++) {
    const name = resources[i].name;
    let alloc = 0, req = 0;
    if (!(podReq[i] === 0 && isScalarResource(name))) {
      const base = (name === CPU || name === MEMORY) && !useRequested ? node.nonZeroRequested : node.requested;
      if (name === CPU || name === MEMORY || name === EPHEMERAL_STORAGE || node.allocatable.has(name)) {
        alloc = node.allocatable.get(name) ?? 0;
        req = (base.get(name) ?? 0) + podReq[i];
      }
    }
    requested[i] = alloc === 0 ? 0 : req;
    allocatable[i] = alloc;
  }
  return { requested, allocatable };
}

/** scratch arrays reused by every Score call (scoring is synchronous), so scoring a node allocates nothing */
interface Allocation { requested: number[]; allocatable: number[] }
const newAllocation = (n: number): Allocation => ({ requested: new Array<number>(n).fill(0), allocatable: new Array<number>(n).fill(0) });

const FIT_STATE = 'PreFilterNodeResourcesFit';
const FITS: readonly string[] = Object.freeze([]);

/** PreFilter's digest of the pod's requests, so Filter allocates nothing per node on success */
interface FitRequest { req: ResourceList; cpu: number; memory: number; ephemeral: number; scalars: [string, number][] }
const FIT_SCORE_STATE = 'PreScoreNodeResourcesFit';
const BALANCED_STATE = 'PreScoreNodeResourcesBalancedAllocation';

export class NodeResourcesFit implements PreFilterPlugin, FilterPlugin, PreScorePlugin, ScorePlugin {
  readonly name = 'NodeResourcesFit';
  private readonly resources: ResourceSpec[];
  private readonly scorer: Scorer;
  private readonly ignored: Set<string>;
  private readonly ignoredGroups: string[];
  private readonly scratch: Allocation;

  constructor(args: NodeResourcesFitArgs = {}) {
    const strategy = args.scoringStrategy ?? {};
    this.resources = strategy.resources?.length ? strategy.resources : DEFAULT_RESOURCES;
    this.scratch = newAllocation(this.resources.length);
    this.ignored = new Set(args.ignoredResources ?? []);
    this.ignoredGroups = args.ignoredResourceGroups ?? [];
    switch (strategy.type ?? 'LeastAllocated') {
      case 'MostAllocated': this.scorer = weightedScorer(mostRequestedScore, false); break;
      case 'RequestedToCapacityRatio': {
        const shape = (strategy.requestedToCapacityRatio?.shape ?? []).map((p) => ({
          utilization: p.utilization, score: p.score * (MAX_NODE_SCORE / MAX_CUSTOM_PRIORITY_SCORE),
        }));
        const f = brokenLinear(shape);
        this.scorer = weightedScorer((r, c) => (c === 0 || r > c ? f(MAX_UTILIZATION) : f(Math.trunc((r * MAX_UTILIZATION) / c))), true);
        break;
      }
      default: this.scorer = weightedScorer(leastRequestedScore, false);
    }
  }

  preFilter(state: CycleState, pod: Pod) {
    state.set(FIT_STATE, this.fitRequest(podRequests(pod)));
    return { status: Status.success() };
  }

  /** The pod's requests in the shape Filter checks per node: the fixed resources and the scalar ones not ignored, sorted. */
  private fitRequest(req: ResourceList): FitRequest {
    const scalars: [string, number][] = [];
    for (const [n, r] of req) {
      if (!isScalarResource(n)) continue;
      if (this.ignored.has(n) || this.ignoredGroups.includes(n.split('/')[0]) && n.includes('/')) continue;
      scalars.push([n, r]);
    }
    scalars.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return { req, cpu: req.get(CPU) ?? 0, memory: req.get(MEMORY) ?? 0, ephemeral: req.get(EPHEMERAL_STORAGE) ?? 0, scalars };
  }

  /** The reasons the pod does not fit, in upstream's order (pods, cpu, memory, ephemeral-storage, extended). */
  insufficient(req: ResourceList | FitRequest, node: NodeInfo): readonly string[] {
    const f = req instanceof Map ? this.fitRequest(req) : req;
    const alloc = node.allocatable, used = node.requested;
    const free = (n: string) => (alloc.get(n) ?? 0) - (used.get(n) ?? 0);
    const tooMany = node.pods.size + 1 > node.allowedPods();
    const fixed = node.freeFixed(); // cpu, memory, ephemeral-storage (indexed: destructuring would iterate)
    const cpu = f.cpu > 0 && f.cpu > fixed[0];
    const memory = f.memory > 0 && f.memory > fixed[1];
    const ephemeral = f.ephemeral > 0 && f.ephemeral > fixed[2];
    if (!tooMany && !cpu && !memory && !ephemeral && f.scalars.length === 0) return FITS; // the common case, checked per node
    const reasons: string[] = [];
    if (tooMany) reasons.push('Too many pods');
    if (cpu) reasons.push(`Insufficient ${CPU}`);
    if (memory) reasons.push(`Insufficient ${MEMORY}`);
    if (ephemeral) reasons.push(`Insufficient ${EPHEMERAL_STORAGE}`);
    for (const [n, r] of f.scalars) if (r > free(n)) reasons.push(`Insufficient ${n}`);
    return reasons;
  }

  filter(state: CycleState, pod: Pod, node: NodeInfo): Status {
    const f = (state.get(FIT_STATE) as FitRequest | undefined) ?? this.fitRequest(podRequests(pod));
    const reasons = this.insufficient(f, node);
    return reasons.length ? Status.unschedulable(...reasons) : Status.success();
  }

  preScore(state: CycleState, pod: Pod): Status {
    const nz = podRequests(pod, true);
    state.set(FIT_SCORE_STATE, this.resources.map((r) => nz.get(r.name) ?? 0));
    return Status.success();
  }

  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    let req = state.get(FIT_SCORE_STATE) as number[] | undefined;
    if (!req) { const nz = podRequests(pod, true); req = this.resources.map((r) => nz.get(r.name) ?? 0); }
    const { requested, allocatable } = allocation(node, this.resources, req, false, this.scratch);
    return this.scorer(requested, allocatable, this.resources);
  }
}

export class NodeResourcesBalancedAllocation implements PreScorePlugin, ScorePlugin {
  readonly name = 'NodeResourcesBalancedAllocation';
  private readonly resources: ResourceSpec[];
  private readonly scratch: Allocation;
  constructor(args: NodeResourcesBalancedAllocationArgs = {}) {
    this.resources = args.resources?.length ? args.resources : DEFAULT_RESOURCES;
    this.scratch = newAllocation(this.resources.length);
  }
  preScore(state: CycleState, pod: Pod): Status {
    const r = podRequests(pod);
    state.set(BALANCED_STATE, this.resources.map((x) => r.get(x.name) ?? 0));
    return Status.success();
  }
  score(state: CycleState, pod: Pod, node: NodeInfo): number {
    let req = state.get(BALANCED_STATE) as number[] | undefined;
    if (!req) { const r = podRequests(pod); req = this.resources.map((x) => r.get(x.name) ?? 0); }
    const { requested, allocatable } = allocation(node, this.resources, req, true, this.scratch);
    return balancedScore(requested, allocatable);
  }
}
