// The shapes of apps/v1 Deployment and ReplicaSet the deployment controller reads and writes.
// Informer objects carry no apiVersion/kind; the controller adds them when it writes or records events.
import type { Obj } from '../../client/informer.js';
import type { LabelSelectorSpec } from '../../machinery/labels/selector.js';

export type IntOrString = number | string;

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; [k: string]: unknown };
  spec?: Record<string, unknown>;
}

type Meta = Obj['metadata'] & {
  generation?: number;
  annotations?: Record<string, string>;
  creationTimestamp?: string;
};

export interface DeploymentCondition {
  type: string;
  status: string;
  lastUpdateTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export type Deployment = Obj & {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec: {
    replicas?: number;
    selector?: LabelSelectorSpec | null;
    template?: PodTemplate;
    strategy?: { type?: string; rollingUpdate?: { maxSurge?: IntOrString | null; maxUnavailable?: IntOrString | null } | null };
    minReadySeconds?: number;
    revisionHistoryLimit?: number | null;
    paused?: boolean;
    progressDeadlineSeconds?: number | null;
  };
  status?: DeploymentStatus;
};

export interface ReplicaSetCondition { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }

export type ReplicaSet = Obj & {
  apiVersion?: string;
  kind?: string;
  metadata: Meta;
  spec: {
    replicas?: number;
    minReadySeconds?: number;
    selector?: LabelSelectorSpec | null;
    template?: PodTemplate;
  };
  status?: {
    replicas?: number; fullyLabeledReplicas?: number; readyReplicas?: number; availableReplicas?: number;
    observedGeneration?: number; conditions?: ReplicaSetCondition[];
  };
};
