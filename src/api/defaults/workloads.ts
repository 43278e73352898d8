// Defaults for the controllers that carry a pod template: apps/v1, batch/v1, ReplicationController
// and PodTemplate (pkg/apis/apps/v1/defaults.go, pkg/apis/batch/v1/defaults.go, core/v1).

import { child, isObj, items, maybe, setDefault, type Obj } from './util.js';
import { defaultPersistentVolumeClaimSpec, defaultPodTemplate } from './pod.js';

const unset = (v: unknown): boolean => v === undefined || v === null;

export function defaultDeployment(obj: Obj): void {
  const spec = child(obj, 'spec');
  if (unset(spec.replicas)) spec.replicas = 1;
  const strategy = child(spec, 'strategy');
  setDefault(strategy, 'type', 'RollingUpdate');
  if (strategy.type === 'RollingUpdate') {
    const ru = child(strategy, 'rollingUpdate');
    if (unset(ru.maxUnavailable)) ru.maxUnavailable = '25%';
    if (unset(ru.maxSurge)) ru.maxSurge = '25%';
  }
  if (unset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  if (unset(spec.progressDeadlineSeconds)) spec.progressDeadlineSeconds = 600;
  defaultPodTemplate(spec.template);
}

export function defaultReplicaSet(obj: Obj): void {
  const spec = child(obj, 'spec');
  if (unset(spec.replicas)) spec.replicas = 1;
  defaultPodTemplate(spec.template);
}

export function defaultDaemonSet(obj: Obj): void {
  const spec = child(obj, 'spec');
  const us = child(spec, 'updateStrategy');
  setDefault(us, 'type', 'RollingUpdate');
  if (us.type === 'RollingUpdate') {
    const ru = child(us, 'rollingUpdate');
    if (unset(ru.maxUnavailable)) ru.maxUnavailable = 1;
    if (unset(ru.maxSurge)) ru.maxSurge = 0;
  }
  if (unset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  defaultPodTemplate(spec.template);
}

export function defaultStatefulSet(obj: Obj): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'podManagementPolicy', 'OrderedReady');
  const us = child(spec, 'updateStrategy');
  if (unset(us.type) || us.type === '') {
    us.type = 'RollingUpdate';
    child(us, 'rollingUpdate');
  }
  const ru = maybe(us, 'rollingUpdate');
  if (us.type === 'RollingUpdate' && ru && unset(ru.partition)) ru.partition = 0;
  const retention = child(spec, 'persistentVolumeClaimRetentionPolicy');
  setDefault(retention, 'whenDeleted', 'Retain');
  setDefault(retention, 'whenScaled', 'Retain');
  if (unset(spec.replicas)) spec.replicas = 1;
  if (unset(spec.revisionHistoryLimit)) spec.revisionHistoryLimit = 10;
  defaultPodTemplate(spec.template);
  // claim templates are whole PersistentVolumeClaims and get their defaults
  for (const pvc of items(spec, 'volumeClaimTemplates')) {
    setDefault(pvc, 'apiVersion', 'v1');
    setDefault(pvc, 'kind', 'PersistentVolumeClaim');
    defaultPersistentVolumeClaimSpec(child(pvc, 'spec'));
    setDefault(child(pvc, 'status'), 'phase', 'Pending');
  }
}

export function defaultReplicationController(obj: Obj): void {
  const spec = child(obj, 'spec');
  const template = maybe(spec, 'template');
  const labels = maybe(maybe(template, 'metadata'), 'labels');
  if (labels) {
    if (!isObj(spec.selector) || Object.keys(spec.selector).length === 0) spec.selector = { ...labels };
    const meta = child(obj, 'metadata');
    if (!isObj(meta.labels) || Object.keys(meta.labels).length === 0) meta.labels = { ...labels };
  }
  if (unset(spec.replicas)) spec.replicas = 1;
  defaultPodTemplate(template);
}

export function defaultPodTemplateObject(obj: Obj): void {
  defaultPodTemplate(obj.template);
}

export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';
export const JOB_NAME_LABEL = 'batch.kubernetes.io/job-name';
export const LEGACY_JOB_CONTROLLER_UID_LABEL = 'controller-uid';
export const LEGACY_JOB_NAME_LABEL = 'job-name';
const MAX_INT32 = 2147483647;

export function defaultJob(obj: Obj): void {
  const spec = child(obj, 'spec');
  if (unset(spec.completions) && unset(spec.parallelism)) {
    spec.completions = 1;
    spec.parallelism = 1;
  }
  if (unset(spec.parallelism)) spec.parallelism = 1;
  if (unset(spec.backoffLimit)) spec.backoffLimit = unset(spec.backoffLimitPerIndex) ? 6 : MAX_INT32;
  const meta = child(obj, 'metadata');
  const template = maybe(spec, 'template');
  const tmplMeta = template ? child(template, 'metadata') : undefined;
  // Upstream aliases the template's label map into the Job's labels (same Go map), so the
  // selector labels generated below show up on the Job too; sharing the object reproduces that.
  if (tmplMeta && isObj(tmplMeta.labels) && (!isObj(meta.labels) || Object.keys(meta.labels).length === 0)) {
    meta.labels = tmplMeta.labels;
  }
  setDefault(spec, 'completionMode', 'NonIndexed');
  if (unset(spec.suspend)) spec.suspend = false;
  if (unset(spec.podReplacementPolicy)) spec.podReplacementPolicy = isObj(spec.podFailurePolicy) ? 'Failed' : 'TerminatingOrFailed';
  if (spec.manualSelector !== true && typeof meta.uid === 'string' && meta.uid && template) {
    generateJobSelector(meta, spec, child(template, 'metadata'));
  }
  defaultPodTemplate(template);
}

/**
 * The job registry's PrepareForCreate: label the template with the job's name and uid (new and legacy
 * keys) and select on the uid, unless the user chose manualSelector. Needs metadata.uid assigned.
 */
function generateJobSelector(meta: Obj, spec: Obj, tmplMeta: Obj): void {
  const labels = child(tmplMeta, 'labels') as Record<string, string>;
  for (const k of [LEGACY_JOB_NAME_LABEL, JOB_NAME_LABEL]) if (!(k in labels)) labels[k] = String(meta.name ?? '');
  for (const k of [LEGACY_JOB_CONTROLLER_UID_LABEL, JOB_CONTROLLER_UID_LABEL]) if (!(k in labels)) labels[k] = String(meta.uid);
  const selector = child(spec, 'selector');
  const matchLabels = child(selector, 'matchLabels');
  if (!(JOB_CONTROLLER_UID_LABEL in matchLabels)) matchLabels[JOB_CONTROLLER_UID_LABEL] = String(meta.uid);
}

export function defaultCronJob(obj: Obj): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'concurrencyPolicy', 'Allow');
  if (unset(spec.suspend)) spec.suspend = false;
  if (unset(spec.successfulJobsHistoryLimit)) spec.successfulJobsHistoryLimit = 3;
  if (unset(spec.failedJobsHistoryLimit)) spec.failedJobsHistoryLimit = 1;
  defaultPodTemplate(maybe(maybe(spec, 'jobTemplate'), 'spec')?.template);
}
