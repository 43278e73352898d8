// apps/v1, batch/v1, ReplicationController and PodTemplate validation.

import { field, type FieldError } from '../../machinery/errors.js';
import { deepEqual, maxLenError } from '../../machinery/validation.js';
import { validatePodTemplateSpec } from './pod.js';
import {
  goIntOrString, goLabelSelector, goStringMap, intOrPercent, intOrPercentValue, invalidRaw, isObj, isSet,
  mapSelectorMatches, nonNegative, obj, oneOf, selectorIsEmpty, selectorMatches, str, validateLabelSelector, type Obj,
} from './util.js';
import { validateLabels } from '../../machinery/validation.js';
import { validateCronSchedule, validateTimeZone } from './cron.js';

const spec = (o: Obj): Obj => obj(o.spec);
const templateLabels = (s: Obj): unknown => obj(obj(s.template).metadata).labels;

/** selector required, valid and non-empty; template labels matched; restartPolicy narrowed */
function validateSelectorAndTemplate(s: Obj, kind: string, restartPolicies: string[] | undefined, opts: { selectorRequired?: boolean } = {}): FieldError[] {
  const errs: FieldError[] = [];
  if (!isSet(s.selector)) {
    if (opts.selectorRequired !== false) errs.push(field.required('spec.selector'));
  } else {
    errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
    if (selectorIsEmpty(s.selector)) errs.push(invalidRaw('spec.selector', goLabelSelector(s.selector, true), `empty selector is invalid for ${kind}`));
  }
  if (!isObj(s.template)) return [...errs, field.required('spec.template')];
  if (isSet(s.selector) && !selectorIsEmpty(s.selector) && !selectorMatches(s.selector, templateLabels(s))) {
    errs.push(invalidRaw('spec.template.metadata.labels', goStringMap(templateLabels(s)), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(s.template, 'spec.template'));
  const rp = obj(obj(s.template).spec).restartPolicy;
  if (restartPolicies && isSet(rp) && !restartPolicies.includes(str(rp))) {
    errs.push(field.notSupported('spec.template.spec.restartPolicy', rp, restartPolicies));
  }
  return errs;
}

function selectorImmutable(n: Obj, o: Obj): FieldError[] {
  const ns = spec(n).selector;
  const os = spec(o).selector;
  return deepEqual(ns, os) ? [] : [invalidRaw('spec.selector', goLabelSelector(ns), 'field is immutable')];
}

function validateRollingUpdate(ru: unknown, p: string): FieldError[] {
  if (!isObj(ru)) return [];
  const errs = [...intOrPercent(ru.maxUnavailable, `${p}.maxUnavailable`), ...intOrPercent(ru.maxSurge, `${p}.maxSurge`)];
  if (isSet(ru.maxUnavailable) && isSet(ru.maxSurge) && intOrPercentValue(ru.maxUnavailable) === 0 && intOrPercentValue(ru.maxSurge) === 0) {
    errs.push(invalidRaw(`${p}.maxUnavailable`, String(ru.maxUnavailable), 'may not be 0 when `maxSurge` is 0'));
  }
  return errs;
}

export function validateDeployment(o: Obj, old?: Obj): FieldError[] {
  const s = spec(o);
  const errs = [
    ...nonNegative(s.replicas, 'spec.replicas'),
    ...validateSelectorAndTemplate(s, 'deployment', ['Always']),
  ];
  const strategy = obj(s.strategy);
  errs.push(...oneOf(strategy.type, ['Recreate', 'RollingUpdate'], 'spec.strategy.type', true));
  if (strategy.type === 'Recreate' && isSet(strategy.rollingUpdate)) {
    errs.push(field.forbidden('spec.strategy.rollingUpdate', "may not be specified when strategy `type` is 'Recreate'"));
  }
  if (strategy.type === 'RollingUpdate') errs.push(...validateRollingUpdate(strategy.rollingUpdate, 'spec.strategy.rollingUpdate'));
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (isSet(s.progressDeadlineSeconds)) {
    errs.push(...nonNegative(s.progressDeadlineSeconds, 'spec.progressDeadlineSeconds'));
    if (Number(s.progressDeadlineSeconds) <= Number(s.minReadySeconds ?? 0)) {
      errs.push(field.invalid('spec.progressDeadlineSeconds', s.progressDeadlineSeconds, 'must be greater than minReadySeconds'));
    }
  }
  if (old) errs.push(...selectorImmutable(o, old));
  return errs;
}

export function validateReplicaSet(o: Obj, old?: Obj): FieldError[] {
  const s = spec(o);
  const errs = [
    ...nonNegative(s.replicas, 'spec.replicas'),
    ...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'),
    ...validateSelectorAndTemplate(s, 'deployment', ['Always']),
  ];
  if (old) errs.push(...selectorImmutable(o, old));
  return errs;
}

export function validateDaemonSet(o: Obj, old?: Obj): FieldError[] {
  const s = spec(o);
  const errs = validateSelectorAndTemplate(s, 'daemonset', ['Always']);
  const us = obj(s.updateStrategy);
  errs.push(...oneOf(us.type, ['OnDelete', 'RollingUpdate'], 'spec.updateStrategy.type', true));
  if (us.type === 'RollingUpdate') errs.push(...validateRollingUpdate(us.rollingUpdate, 'spec.updateStrategy.rollingUpdate'));
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (old) errs.push(...selectorImmutable(o, old));
  return errs;
}

const STS_MUTABLE = ['replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy', 'minReadySeconds'];

export function validateStatefulSet(o: Obj, old?: Obj): FieldError[] {
  const s = spec(o);
  const errs = [...nonNegative(s.replicas, 'spec.replicas'), ...validateSelectorAndTemplate(s, 'statefulset', ['Always'])];
  if (isSet(s.podManagementPolicy) && !['OrderedReady', 'Parallel'].includes(str(s.podManagementPolicy))) {
    errs.push(field.invalid('spec.podManagementPolicy', s.podManagementPolicy, "must be 'OrderedReady' or 'Parallel'"));
  }
  const us = obj(s.updateStrategy);
  if (isSet(us.type) && !['RollingUpdate', 'OnDelete'].includes(str(us.type))) {
    errs.push(field.invalid('spec.updateStrategy', us, "must be 'RollingUpdate' or 'OnDelete'"));
  }
  if (us.type === 'OnDelete' && isSet(us.rollingUpdate)) {
    errs.push(field.invalid('spec.updateStrategy.rollingUpdate', us.rollingUpdate, "only allowed for updateStrategy 'RollingUpdate'"));
  }
  errs.push(...nonNegative(obj(us.rollingUpdate).partition, 'spec.updateStrategy.rollingUpdate.partition'));
  const retention = obj(s.persistentVolumeClaimRetentionPolicy);
  errs.push(...oneOf(retention.whenDeleted, ['Retain', 'Delete'], 'spec.persistentVolumeClaimRetentionPolicy.whenDeleted'));
  errs.push(...oneOf(retention.whenScaled, ['Retain', 'Delete'], 'spec.persistentVolumeClaimRetentionPolicy.whenScaled'));
  errs.push(...nonNegative(s.minReadySeconds, 'spec.minReadySeconds'));
  errs.push(...nonNegative(s.revisionHistoryLimit, 'spec.revisionHistoryLimit'));
  if (old) {
    const strip = (x: Obj) => Object.fromEntries(Object.entries(x).filter(([k]) => !STS_MUTABLE.includes(k)));
    if (!deepEqual(strip(s), strip(spec(old)))) {
      errs.push(field.forbidden('spec', "updates to statefulset spec for fields other than 'replicas', 'ordinals', 'template', 'updateStrategy', 'persistentVolumeClaimRetentionPolicy' and 'minReadySeconds' are forbidden"));
    }
  }
  return errs;
}

export function validateReplicationController(o: Obj): FieldError[] {
  const s = spec(o);
  const errs = [...nonNegative(s.replicas, 'spec.replicas'), ...nonNegative(s.minReadySeconds, 'spec.minReadySeconds')];
  const selector = obj(s.selector);
  if (Object.keys(selector).length === 0) errs.push(field.required('spec.selector'));
  else errs.push(...validateLabels(selector, 'spec.selector'));
  if (!isObj(s.template)) return [...errs, field.required('spec.template')];
  const labels = templateLabels(s);
  if (Object.keys(selector).length > 0 && !mapSelectorMatches(selector, labels)) {
    errs.push(invalidRaw('spec.template.metadata.labels', goStringMap(labels), '`selector` does not match template `labels`'));
  }
  errs.push(...validatePodTemplateSpec(s.template, 'spec.template'));
  const rp = obj(obj(s.template).spec).restartPolicy;
  if (isSet(rp) && rp !== 'Always') errs.push(field.notSupported('spec.template.spec.restartPolicy', rp, ['Always']));
  return errs;
}

export function validatePodTemplate(o: Obj): FieldError[] {
  return validatePodTemplateSpec(o.template, 'template');
}

export const JOB_CONTROLLER_UID_LABEL = 'batch.kubernetes.io/controller-uid';

/** the parts of a job spec checked for Jobs and for CronJob job templates (prefix: 'spec' or 'spec.jobTemplate.spec') */
function validateJobSpecFields(s: Obj, p: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const k of ['parallelism', 'completions', 'activeDeadlineSeconds', 'backoffLimit', 'ttlSecondsAfterFinished']) {
    errs.push(...nonNegative(s[k], `${p}.${k}`));
  }
  errs.push(...oneOf(s.completionMode, ['NonIndexed', 'Indexed'], `${p}.completionMode`));
  if (s.completionMode === 'Indexed' && !isSet(s.completions)) {
    errs.push(field.required(`${p}.completions`, 'when completion mode is Indexed'));
  }
  errs.push(...oneOf(s.podReplacementPolicy, ['TerminatingOrFailed', 'Failed'], `${p}.podReplacementPolicy`));
  if (!isObj(s.template)) return [...errs, field.required(`${p}.template`)];
  const tl = obj(obj(s.template).metadata).labels;
  if (isSet(s.selector)) {
    errs.push(...validateLabelSelector(s.selector, `${p}.selector`));
    if (!selectorIsEmpty(s.selector) && !selectorMatches(s.selector, tl)) {
      errs.push(invalidRaw(`${p}.template.metadata.labels`, goStringMap(tl), '`selector` does not match template `labels`'));
    }
  }
  errs.push(...validatePodTemplateSpec(s.template, `${p}.template`));
  const rp = obj(obj(s.template).spec).restartPolicy;
  if (isSet(rp) && rp !== 'OnFailure' && rp !== 'Never') {
    errs.push(field.notSupported(`${p}.template.spec.restartPolicy`, rp, ['OnFailure', 'Never']));
  }
  if (isSet(s.podFailurePolicy) && rp !== 'Never') {
    errs.push(field.invalid(`${p}.template.spec.restartPolicy`, rp, 'only "Never" is supported when podFailurePolicy is specified'));
  }
  return errs;
}

export function validateJob(o: Obj, old?: Obj): FieldError[] {
  const s = spec(o);
  const meta = obj(o.metadata);
  const errs: FieldError[] = [];
  if (!isSet(s.selector)) errs.push(field.required('spec.selector'));
  errs.push(...validateJobSpecFields(s, 'spec'));
  if (s.manualSelector !== true && isSet(s.selector) && !old) {
    const uid = str(meta.uid);
    if (!uid) errs.push(field.required('metadata.uid'));
    const sel = obj(s.selector);
    if (!deepEqual(sel.matchLabels, { [JOB_CONTROLLER_UID_LABEL]: uid }) || (Array.isArray(sel.matchExpressions) && sel.matchExpressions.length)) {
      errs.push(invalidRaw('spec.selector', goLabelSelector(s.selector, true), '`selector` not auto-generated'));
    }
  }
  if (old) {
    const os = spec(old);
    errs.push(...selectorImmutable(o, old));
    if (!deepEqual(s.template, os.template)) errs.push(field.invalid('spec.template', s.template, 'field is immutable'));
    if (!deepEqual(s.completionMode, os.completionMode)) errs.push(field.invalid('spec.completionMode', s.completionMode, 'field is immutable'));
    if (!deepEqual(s.completions, os.completions) && s.completionMode !== 'Indexed') {
      errs.push(field.invalid('spec.completions', s.completions ?? null, 'field is immutable'));
    }
  }
  return errs;
}

export function validateCronJob(o: Obj, old?: Obj): FieldError[] {
  const s = spec(o);
  const name = str(obj(o.metadata).name);
  const errs: FieldError[] = [];
  // the job name gets an 11-character suffix and must stay a valid label value
  if (name.length > 52) errs.push(field.invalid('metadata.name', name, maxLenError(52)));
  const schedule = str(s.schedule);
  if (!schedule) errs.push(field.required('spec.schedule'));
  else errs.push(...validateCronSchedule(schedule, 'spec.schedule', { allowTZ: old ? str(spec(old).schedule).includes('TZ') : false, timeZone: s.timeZone }));
  if (isSet(s.timeZone)) errs.push(...validateTimeZone(s.timeZone, 'spec.timeZone'));
  errs.push(...oneOf(s.concurrencyPolicy, ['Allow', 'Forbid', 'Replace'], 'spec.concurrencyPolicy', true));
  for (const k of ['startingDeadlineSeconds', 'successfulJobsHistoryLimit', 'failedJobsHistoryLimit']) errs.push(...nonNegative(s[k], `spec.${k}`));
  const jt = obj(s.jobTemplate);
  const jmeta = obj(jt.metadata);
  errs.push(...validateLabels(jmeta.labels, 'spec.jobTemplate.metadata.labels'));
  errs.push(...validateJobSpecFields(obj(jt.spec), 'spec.jobTemplate.spec'));
  return errs;
}

export { goIntOrString };
