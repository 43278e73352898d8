// The scheduling framework's vocabulary (upstream pkg/scheduler/framework): pods and nodes as the
// scheduler sees them, Status codes, CycleState and the plugin interfaces per extension point.
import type { NodeInfo } from './nodeinfo.js';

export interface Toleration { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }
export interface Taint { key: string; value?: string; effect: string }
export interface NodeSelectorRequirement { key: string; operator: string; values?: string[] }
export interface NodeSelectorTerm { matchExpressions?: NodeSelectorRequirement[]; matchFields?: NodeSelectorRequirement[] }
export interface ContainerPort { containerPort: number; hostPort?: number; hostIP?: string; protocol?: string }
export interface Container {
  name: string;
  image?: string;
  ports?: ContainerPort[];
  resources?: { requests?: Record<string, string | number>; limits?: Record<string, string | number> };
  restartPolicy?: string;
}
export interface Meta {
  name: string; namespace?: string; uid?: string; resourceVersion?: string;
  creationTimestamp?: string; labels?: Record<string, string>; deletionTimestamp?: string;
  ownerReferences?: { apiVersion: string; kind: string; name: string; uid?: string; controller?: boolean }[];
}
export interface LabelSelectorSpec {
  matchLabels?: Record<string, string> | null;
  matchExpressions?: { key: string; operator: string; values?: string[] | null }[] | null;
}
export interface PodAffinityTerm {
  labelSelector?: LabelSelectorSpec | null; namespaces?: string[]; topologyKey: string;
  namespaceSelector?: LabelSelectorSpec | null; matchLabelKeys?: string[]; mismatchLabelKeys?: string[];
}
export interface WeightedPodAffinityTerm { weight: number; podAffinityTerm: PodAffinityTerm }
export interface PodAffinity {
  requiredDuringSchedulingIgnoredDuringExecution?: PodAffinityTerm[];
  preferredDuringSchedulingIgnoredDuringExecution?: WeightedPodAffinityTerm[];
}
export interface TopologySpreadConstraint {
  maxSkew: number; topologyKey: string; whenUnsatisfiable: string; labelSelector?: LabelSelectorSpec | null;
  minDomains?: number; nodeAffinityPolicy?: string; nodeTaintsPolicy?: string; matchLabelKeys?: string[];
}
export interface Pod {
  apiVersion?: string; kind?: string;
  metadata: Meta;
  spec: {
    nodeName?: string; schedulerName?: string; priority?: number; preemptionPolicy?: string;
    nodeSelector?: Record<string, string>; tolerations?: Toleration[];
    affinity?: { nodeAffinity?: {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
      preferredDuringSchedulingIgnoredDuringExecution?: { weight: number; preference: NodeSelectorTerm }[];
    }; podAffinity?: PodAffinity; podAntiAffinity?: PodAffinity };
    topologySpreadConstraints?: TopologySpreadConstraint[];
    containers: Container[]; initContainers?: Container[]; overhead?: Record<string, string | number>;
    schedulingGates?: { name: string }[];
    volumes?: Volume[];
  };
  status?: { phase?: string; conditions?: { type: string; status: string }[]; nominatedNodeName?: string; startTime?: string };
}
export interface Node {
  apiVersion?: string; kind?: string;
  metadata: Meta;
  spec?: { unschedulable?: boolean; taints?: Taint[] };
  status?: {
    allocatable?: Record<string, string | number>; capacity?: Record<string, string | number>;
    images?: { names?: string[]; sizeBytes?: number }[];
  };
}

/** The volume sources the scheduler's volume plugins look at (the rest pass through untyped). */
export interface Volume {
  name: string;
  persistentVolumeClaim?: { claimName: string; readOnly?: boolean };
  ephemeral?: unknown;
  gcePersistentDisk?: { pdName: string; readOnly?: boolean };
  awsElasticBlockStore?: { volumeID: string; readOnly?: boolean };
  iscsi?: { iqn: string; readOnly?: boolean };
  rbd?: { monitors?: string[]; pool?: string; image: string; readOnly?: boolean };
  csi?: { driver: string };
}

/** Status codes as upstream (framework.Code). */
export enum Code { Success, Error, Unschedulable, UnschedulableAndUnresolvable, Wait, Skip, Pending }

export class Status {
  /** the plugin that failed (set by the framework) */
  plugin = '';
  constructor(readonly code: Code, readonly reasons: string[] = []) {}
  isSuccess(): boolean { return this.code === Code.Success; }
  isRejected(): boolean { return this.code === Code.Unschedulable || this.code === Code.UnschedulableAndUnresolvable; }
  message(): string { return this.reasons.join(', '); }
  static success(): Status { return SUCCESS; }
  static unschedulable(...reasons: string[]): Status { return new Status(Code.Unschedulable, reasons); }
  static unresolvable(...reasons: string[]): Status { return new Status(Code.UnschedulableAndUnresolvable, reasons); }
  static error(msg: string): Status { return new Status(Code.Error, [msg]); }
  static skip(): Status { return new Status(Code.Skip); }
}
const SUCCESS = new Status(Code.Success);

/** Per-cycle data plugins share between their extension points (upstream CycleState). */
export class CycleState extends Map<string, unknown> {}

export const MAX_NODE_SCORE = 100;
export const MIN_NODE_SCORE = 0;

/** PreFilter may narrow the candidate nodes (e.g. NodeAffinity with matchFields on metadata.name). */
export interface PreFilterResult { nodeNames?: Set<string> }

export interface Plugin { readonly name: string }
export interface QueueSortPlugin extends Plugin { less(a: QueuedPodInfo, b: QueuedPodInfo): boolean }
export interface PreEnqueuePlugin extends Plugin { preEnqueue(pod: Pod): Status }
export interface PreFilterPlugin extends Plugin {
  preFilter(state: CycleState, pod: Pod, nodes: NodeInfo[]): { result?: PreFilterResult; status: Status };
  /**
   * upstream PreFilterExtensions: `podToAdd` / `podToRemove` is (or stops being) on `node` for this
   * cycle's what-if evaluation (nominated pods, preemption victims); update the PreFilter state.
   */
  addPod?(state: CycleState, pod: Pod, podToAdd: Pod, node: NodeInfo): Status;
  removePod?(state: CycleState, pod: Pod, podToRemove: Pod, node: NodeInfo): Status;
}
export interface FilterPlugin extends Plugin { filter(state: CycleState, pod: Pod, node: NodeInfo): Status }
/** What PostFilter decided: the message for FitError and, when preemption found room, where and whom to evict. */
export interface PostFilterResult { message: string; nominatedNodeName?: string; victims?: Pod[] }
export interface PostFilterPlugin extends Plugin {
  postFilter(state: CycleState, pod: Pod, statuses: Map<string, Status>, ctx: PostFilterContext): PostFilterResult;
}
export interface PreScorePlugin extends Plugin { preScore(state: CycleState, pod: Pod, nodes: NodeInfo[]): Status }
export interface ScorePlugin extends Plugin {
  score(state: CycleState, pod: Pod, node: NodeInfo): number;
  /** rescales raw scores to [0, 100] in place (optional, as upstream's ScoreExtensions) */
  normalizeScore?(state: CycleState, pod: Pod, scores: NodeScore[]): void;
}
export interface ReservePlugin extends Plugin { reserve(state: CycleState, pod: Pod, node: string): Status; unreserve(state: CycleState, pod: Pod, node: string): void }
export interface PreBindPlugin extends Plugin { preBind(state: CycleState, pod: Pod, node: string): Promise<Status> }
export interface BindPlugin extends Plugin { bind(state: CycleState, pod: Pod, node: string): Promise<Status> }

/** Kinds of objects whose changes may make a rejected pod schedulable (upstream framework.GVK). */
export type EventResource = 'Pod' | 'Node' | 'PersistentVolume' | 'PersistentVolumeClaim' | 'StorageClass' | 'CSINode' | 'CSIDriver' | 'Namespace' | '*';
/** upstream framework.ActionType bits */
export enum Action {
  Add = 1, Delete = 2, UpdateNodeAllocatable = 4, UpdateNodeLabel = 8, UpdateNodeTaint = 16, UpdateNodeCondition = 32,
  UpdateNodeAnnotation = 64, UpdatePodLabel = 128, UpdatePodScaleDown = 256, UpdatePodOther = 512, UpdateOther = 1024,
  Update = 4 | 8 | 16 | 32 | 64 | 128 | 256 | 512 | 1024, All = 2047,
}
/** A cluster change (upstream framework.ClusterEvent); `label` names it in logs and metrics. */
export interface ClusterEvent { resource: EventResource; action: number; label?: string }
/** upstream EnqueueExtensions: the events after which a pod this plugin rejected is worth retrying. */
export interface EnqueueExtensions { eventsToRegister(): ClusterEvent[] }
export const eventMatches = (registered: ClusterEvent, e: ClusterEvent): boolean =>
  (registered.resource === '*' || e.resource === '*' || registered.resource === e.resource) && (registered.action & e.action) !== 0;

/** What a PostFilter plugin (preemption) may look at: all nodes and a way to re-run filters. */
export interface PostFilterContext {
  nodes: NodeInfo[];
  /** filters as the Filter phase runs them (nominated pods of equal or higher priority count as present) */
  runFilters(state: CycleState, pod: Pod, node: NodeInfo): Status;
  /** PodDisruptionBudgets in the cluster (policy/v1), for preemption's "minimal disruption" */
  pdbs?: () => PodDisruptionBudget[];
  /** pods nominated to a node (they are not in NodeInfo.pods until bound) */
  nominatedPods?: (node: string) => Pod[];
  /** PreFilter extensions: keep plugins' per-cycle state in step when a what-if removes or re-adds a pod */
  removePod?(state: CycleState, pod: Pod, victim: Pod, node: NodeInfo): void;
  addPod?(state: CycleState, pod: Pod, victim: Pod, node: NodeInfo): void;
}

export interface PodDisruptionBudget {
  metadata: Meta;
  spec?: { selector?: { matchLabels?: Record<string, string> | null; matchExpressions?: { key: string; operator: string; values?: string[] }[] | null } | null };
  status?: { disruptionsAllowed?: number; disruptedPods?: Record<string, string> };
}

export interface NodeScore { name: string; score: number }

export interface QueuedPodInfo {
  pod: Pod;
  /** when the pod first entered the queue (upstream InitialAttemptTimestamp / Timestamp) */
  timestamp: number;
  attempts: number;
  /** plugins that rejected the pod in its last attempt */
  unschedulablePlugins: Set<string>;
  /** when the last attempt failed (backoff is counted from here) */
  lastFailure?: number;
  /** held back by a PreEnqueue plugin (scheduling gates) */
  gated?: boolean;
}

export const podKey = (p: { metadata: Meta }): string => `${p.metadata.namespace ?? ''}/${p.metadata.name}`;
