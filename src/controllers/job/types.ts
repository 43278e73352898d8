// The Job object as the job controller reads it, its well-known labels/annotations/finalizer, and
// the condition helpers upstream's job utils provide (IsJobFinished, ensureJobConditionStatus).
import type { Obj } from '../../client/informer.js';
import type { Pod } from '../replicaset/pods.js';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const COMPLETION_INDEX_LABEL = 'batch.kubernetes.io/job-completion-index';
export const INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
export const INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const COMPLETION_INDEX_ENV = 'JOB_COMPLETION_INDEX';

export interface JobCondition {
  type: string; status: string; reason?: string; message?: string; lastProbeTime?: string; lastTransitionTime?: string;
}

export interface OnExitCodes { containerName?: string; operator: 'In' | 'NotIn'; values: number[] }
export interface OnPodCondition { type: string; status?: string }
export interface PodFailurePolicyRule {
  action: 'FailJob' | 'Ignore' | 'Count' | 'FailIndex';
  onExitCodes?: OnExitCodes;
  onPodConditions?: OnPodCondition[];
}
export interface SuccessPolicyRule { succeededIndexes?: string; succeededCount?: number }

export interface JobSpec {
  parallelism?: number;
  completions?: number | null;
  activeDeadlineSeconds?: number;
  backoffLimit?: number;
  backoffLimitPerIndex?: number;
  maxFailedIndexes?: number;
  completionMode?: 'NonIndexed' | 'Indexed';
  suspend?: boolean;
  podReplacementPolicy?: 'TerminatingOrFailed' | 'Failed';
  podFailurePolicy?: { rules: PodFailurePolicyRule[] };
  successPolicy?: { rules: SuccessPolicyRule[] };
  ttlSecondsAfterFinished?: number;
  managedBy?: string;
  selector?: { matchLabels?: Record<string, string>; matchExpressions?: { key: string; operator: string; values?: string[] }[] };
  template?: { metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown }; spec?: Record<string, any> };
}

export interface JobStatus {
  conditions?: JobCondition[];
  startTime?: string;
  completionTime?: string;
  active?: number;
  succeeded?: number;
  failed?: number;
  terminating?: number;
  ready?: number;
  completedIndexes?: string;
  failedIndexes?: string;
  uncountedTerminatedPods?: { succeeded?: string[]; failed?: string[] };
}

export type Job = Obj & {
  apiVersion?: string;
  kind?: string;
  metadata: Obj['metadata'] & { generation?: number; creationTimestamp?: string; annotations?: Record<string, string> };
  spec: JobSpec;
  status?: JobStatus;
};

export type JobPod = Pod & {
  metadata: Pod['metadata'] & { finalizers?: string[] };
  status?: Pod['status'] & {
    containerStatuses?: ContainerStatus[];
    initContainerStatuses?: ContainerStatus[];
    conditions?: { type: string; status: string; lastTransitionTime?: string }[];
  };
};

export interface ContainerStatus {
  name: string;
  restartCount?: number;
  state?: { terminated?: { exitCode: number; finishedAt?: string }; running?: unknown; waiting?: unknown };
}

/** metav1.Time as the API writes it: RFC 3339 without fractions */
export const rfc3339 = (t: number) => new Date(t).toISOString().replace(/\.\d+Z$/, 'Z');

export function findCondition(job: Job, type: string): JobCondition | undefined {
  return job.status?.conditions?.find((c) => c.type === type);
}

const isTrue = (job: Job, type: string) => findCondition(job, type)?.status === 'True';

/** Complete or Failed is True (jobutil.IsJobFinished). */
export function isJobFinished(job: Job): boolean { return isTrue(job, 'Complete') || isTrue(job, 'Failed'); }

/** The terminal condition type, when finished. */
export function finishedCondition(job: Job): JobCondition | undefined {
  return job.status?.conditions?.find((c) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

/**
 * ensureJobConditionStatus: updates an existing condition whose status differs, appends a missing
 * one only when it is True. Returns the new list and whether it changed.
 */
export function ensureCondition(conds: JobCondition[], type: string, status: 'True' | 'False', reason: string, message: string,
  now: number): { conditions: JobCondition[]; changed: boolean } {
  const i = conds.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = conds[i];
    if (c.status === status && c.reason === reason && c.message === message) return { conditions: conds, changed: false };
    if (c.status === status) {
      const next = [...conds];
      next[i] = { ...c, reason, message };
      return { conditions: next, changed: true };
    }
    const next = [...conds];
    next[i] = { type, status, lastProbeTime: rfc3339(now), lastTransitionTime: rfc3339(now), reason, message };
    return { conditions: next, changed: true };
  }
  if (status === 'False') return { conditions: conds, changed: false };
  return { conditions: [...conds, { type, status, lastProbeTime: rfc3339(now), lastTransitionTime: rfc3339(now), reason, message }], changed: true };
}

export const isIndexed = (job: Job) => job.spec.completionMode === 'Indexed';
export const hasBackoffLimitPerIndex = (job: Job) => isIndexed(job) && job.spec.backoffLimitPerIndex !== undefined && job.spec.backoffLimitPerIndex !== null;
/** podReplacementPolicy Failed (defaulted so when a podFailurePolicy is set): replace only pods that reached Failed */
export const onlyReplaceFailedPods = (job: Job) => job.spec.podReplacementPolicy === 'Failed' || Boolean(job.spec.podFailurePolicy);
export const hasFinalizer = (p: JobPod) => p.metadata.finalizers?.includes(JOB_TRACKING_FINALIZER) ?? false;
