// The StatefulSet and PersistentVolumeClaim shapes the controller reads (apps/v1, core/v1), as the
// informers hand them over (no apiVersion/kind on LIST items).
import type { Obj } from '../../client/informer.js';
import type { LabelSelectorSpec } from '../../machinery/labels/selector.js';
import type { Pod } from '../replicaset/pods.js';

export type { Pod };

export interface PodTemplate {
  metadata?: { labels?: Record<string, string>; annotations?: Record<string, string>; finalizers?: string[]; [k: string]: unknown };
  spec?: { volumes?: Volume[]; hostname?: string; subdomain?: string; [k: string]: unknown };
}

export interface Volume { name: string; persistentVolumeClaim?: { claimName: string; readOnly?: boolean }; [k: string]: unknown }

export type PersistentVolumeClaim = Obj & {
  apiVersion?: string;
  kind?: string;
  metadata: Obj['metadata'] & { annotations?: Record<string, string> };
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
};

export type RetentionPolicyType = 'Retain' | 'Delete';

export type StatefulSet = Obj & {
  apiVersion?: string;
  kind?: string;
  metadata: Obj['metadata'] & { generation?: number; annotations?: Record<string, string> };
  spec: {
    replicas?: number;
    selector?: LabelSelectorSpec;
    template?: PodTemplate;
    volumeClaimTemplates?: PersistentVolumeClaim[];
    serviceName?: string;
    podManagementPolicy?: 'OrderedReady' | 'Parallel';
    updateStrategy?: { type?: 'RollingUpdate' | 'OnDelete'; rollingUpdate?: { partition?: number; maxUnavailable?: number | string } };
    revisionHistoryLimit?: number;
    minReadySeconds?: number;
    persistentVolumeClaimRetentionPolicy?: { whenDeleted?: RetentionPolicyType; whenScaled?: RetentionPolicyType };
    ordinals?: { start?: number };
  };
  status?: StatefulSetStatus;
};

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas?: number;
  currentReplicas?: number;
  updatedReplicas?: number;
  availableReplicas?: number;
  currentRevision?: string;
  updateRevision?: string;
  collisionCount?: number;
  conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[];
}
