// The DaemonSet and Node shapes the daemonset controller reads (apps/v1 DaemonSet, core/v1 Node),
// and the label and annotation keys upstream uses for them.
import type { Obj } from '../../client/informer.js';
import type { LabelSelectorSpec } from '../../machinery/labels/selector.js';
import type { Pod } from '../replicaset/pods.js';
import type { Taint, Toleration } from '../../scheduler/types.js';

export type { Pod, Taint, Toleration };

/** an int or a "N%" string, as intstr.IntOrString */
export type IntOrString = number | string;

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[] };
  spec?: Record<string, unknown> & {
    nodeName?: string;
    nodeSelector?: Record<string, string>;
    tolerations?: Toleration[];
    hostNetwork?: boolean;
    affinity?: Record<string, unknown> & { nodeAffinity?: Record<string, unknown> & {
      requiredDuringSchedulingIgnoredDuringExecution?: { nodeSelectorTerms: NodeSelectorTerm[] };
    } };
  };
}

export interface NodeSelectorTerm {
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
  matchFields?: { key: string; operator: string; values?: string[] }[];
}

export type DaemonSet = Obj & {
  apiVersion?: string;
  kind?: string;
  metadata: Obj['metadata'] & { generation?: number; annotations?: Record<string, string>; creationTimestamp?: string };
  spec: {
    selector?: LabelSelectorSpec | null;
    template?: PodTemplate;
    updateStrategy?: { type?: string; rollingUpdate?: { maxUnavailable?: IntOrString; maxSurge?: IntOrString } };
    minReadySeconds?: number;
    revisionHistoryLimit?: number;
  };
  status?: DaemonSetStatus;
};

export interface DaemonSetStatus {
  currentNumberScheduled?: number;
  numberMisscheduled?: number;
  desiredNumberScheduled?: number;
  numberReady?: number;
  observedGeneration?: number;
  updatedNumberScheduled?: number;
  numberAvailable?: number;
  numberUnavailable?: number;
  collisionCount?: number;
  conditions?: unknown[];
}

export type Node = Obj & {
  metadata: Obj['metadata'] & { labels?: Record<string, string> };
  spec?: { unschedulable?: boolean; taints?: Taint[] };
  status?: { conditions?: { type: string; status: string; lastHeartbeatTime?: string; lastTransitionTime?: string }[] };
};

/** apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey) on pods and revisions */
export const DAEMONSET_UNIQUE_LABEL = 'controller-revision-hash';
/** extensions.DaemonSetTemplateGenerationKey: the template generation a pod was created from */
export const TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** apps.DeprecatedTemplateGeneration: the API server's template generation on the DaemonSet */
export const DEPRECATED_TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';
