// Per-resource validators, keyed by resourceKey(group, resource). Each validator checks the whole
// object — metadata (name rules per kind, namespace scope) and the kind's own fields — with
// upstream's field paths and messages. `old` is the stored object on update.

import { builtinResources } from '../resources.js';
import { resourceKey, type KObject, type Validator } from '../types.js';
import type { FieldError } from '../../machinery/errors.js';
import {
  nameIsDNS1035Label, nameIsDNSLabel, nameIsDNSSubdomain, nameIsPathSegment, validateObjectMeta, validateObjectMetaUpdate,
  type NameFn,
} from '../../machinery/validation.js';
import { validatePodSpec, validatePodSpecUpdate } from './pod.js';
import {
  validateCronJob, validateDaemonSet, validateDeployment, validateJob, validatePodTemplate, validateReplicaSet,
  validateReplicationController, validateStatefulSet,
} from './workloads.js';
import { validateService } from './service.js';
import { validateConfigMap, validateSecret } from './config.js';
import { validateClusterRole, validateClusterRoleBinding, validateRole, validateRoleBinding } from './rbac.js';
import {
  validateBinding, validateCertificateSigningRequest, validateControllerRevision, validateCoreEvent, validateEndpointSlice,
  validateEndpoints, validateHorizontalPodAutoscaler, validateIngress, validateIngressClass, validateLease,
  validateLimitRange, validateNamespace, validateNetworkPolicy, validateNode, validatePersistentVolume,
  validatePersistentVolumeClaim, validatePodDisruptionBudget, validatePriorityClass, validateResourceQuota,
  validateRuntimeClass, validateStorageClass, validateVolumeAttachment,
} from './other.js';
import type { Obj } from './util.js';
import {
  validateMutatingWebhookConfiguration, validateValidatingAdmissionPolicy, validateValidatingAdmissionPolicyBinding,
  validateValidatingWebhookConfiguration,
} from './admissionregistration.js';
import { validateFlowSchema, validatePriorityLevelConfiguration } from './flowcontrol.js';

type KindCheck = (obj: Obj, old?: Obj) => FieldError[];
interface Entry { nameFn?: NameFn; check?: KindCheck }

function validatePod(o: Obj, old?: Obj): FieldError[] {
  const errs = validatePodSpec(o.spec, 'spec');
  if (old) errs.push(...validatePodSpecUpdate(o.spec, old.spec));
  return errs;
}

const RBAC = 'rbac.authorization.k8s.io';
const ADMISSION = 'admissionregistration.k8s.io';

/** name rules and object checks per resource; anything not listed gets DNS-1123 subdomain names and metadata checks */
const table: Record<string, Entry> = {
  [resourceKey('', 'pods')]: { check: validatePod },
  [resourceKey('', 'podtemplates')]: { check: validatePodTemplate },
  [resourceKey('', 'replicationcontrollers')]: { check: validateReplicationController },
  [resourceKey('', 'services')]: { nameFn: nameIsDNS1035Label, check: validateService },
  [resourceKey('', 'configmaps')]: { check: validateConfigMap },
  [resourceKey('', 'secrets')]: { check: validateSecret },
  [resourceKey('', 'namespaces')]: { nameFn: nameIsDNSLabel, check: validateNamespace },
  [resourceKey('', 'nodes')]: { check: validateNode },
  [resourceKey('', 'endpoints')]: { check: validateEndpoints },
  [resourceKey('', 'persistentvolumes')]: { nameFn: nameIsPathSegment, check: validatePersistentVolume },
  [resourceKey('', 'persistentvolumeclaims')]: { check: validatePersistentVolumeClaim },
  [resourceKey('', 'limitranges')]: { check: validateLimitRange },
  [resourceKey('', 'resourcequotas')]: { check: validateResourceQuota },
  [resourceKey('', 'bindings')]: { check: validateBinding },
  [resourceKey('', 'events')]: { check: validateCoreEvent },
  [resourceKey('apps', 'deployments')]: { check: validateDeployment },
  [resourceKey('apps', 'replicasets')]: { check: validateReplicaSet },
  [resourceKey('apps', 'statefulsets')]: { check: validateStatefulSet },
  [resourceKey('apps', 'daemonsets')]: { check: validateDaemonSet },
  [resourceKey('apps', 'controllerrevisions')]: { check: validateControllerRevision },
  [resourceKey('batch', 'jobs')]: { check: validateJob },
  [resourceKey('batch', 'cronjobs')]: { check: validateCronJob },
  [resourceKey('coordination.k8s.io', 'leases')]: { check: validateLease },
  [resourceKey('discovery.k8s.io', 'endpointslices')]: { check: validateEndpointSlice },
  [resourceKey(RBAC, 'roles')]: { nameFn: nameIsPathSegment, check: validateRole },
  [resourceKey(RBAC, 'clusterroles')]: { nameFn: nameIsPathSegment, check: validateClusterRole },
  [resourceKey(RBAC, 'rolebindings')]: { nameFn: nameIsPathSegment, check: validateRoleBinding },
  [resourceKey(RBAC, 'clusterrolebindings')]: { nameFn: nameIsPathSegment, check: validateClusterRoleBinding },
  [resourceKey('policy', 'poddisruptionbudgets')]: { check: validatePodDisruptionBudget },
  [resourceKey('autoscaling', 'horizontalpodautoscalers')]: { check: validateHorizontalPodAutoscaler },
  [resourceKey('networking.k8s.io', 'ingresses')]: { check: validateIngress },
  [resourceKey('networking.k8s.io', 'ingressclasses')]: { check: validateIngressClass },
  [resourceKey('networking.k8s.io', 'networkpolicies')]: { check: validateNetworkPolicy },
  [resourceKey('storage.k8s.io', 'storageclasses')]: { check: validateStorageClass },
  [resourceKey('storage.k8s.io', 'volumeattachments')]: { check: validateVolumeAttachment },
  [resourceKey('scheduling.k8s.io', 'priorityclasses')]: { check: validatePriorityClass },
  [resourceKey('flowcontrol.apiserver.k8s.io', 'flowschemas')]: { check: validateFlowSchema },
  [resourceKey('flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations')]: { check: validatePriorityLevelConfiguration },
  [resourceKey('node.k8s.io', 'runtimeclasses')]: { check: validateRuntimeClass },
  [resourceKey('certificates.k8s.io', 'certificatesigningrequests')]: { nameFn: nameIsPathSegment, check: validateCertificateSigningRequest },
  [resourceKey(ADMISSION, 'mutatingwebhookconfigurations')]: { check: validateMutatingWebhookConfiguration },
  [resourceKey(ADMISSION, 'validatingwebhookconfigurations')]: { check: validateValidatingWebhookConfiguration },
  [resourceKey(ADMISSION, 'validatingadmissionpolicies')]: { check: validateValidatingAdmissionPolicy },
  [resourceKey(ADMISSION, 'validatingadmissionpolicybindings')]: { check: validateValidatingAdmissionPolicyBinding },
};

function makeValidator(namespaced: boolean, entry: Entry): Validator {
  return (obj: KObject, old?: KObject) => {
    const errs = old
      ? validateObjectMetaUpdate(obj.metadata, old.metadata)
      : validateObjectMeta(obj.metadata, { namespaced, nameFn: entry.nameFn ?? nameIsDNSSubdomain });
    if (entry.check) errs.push(...entry.check(obj as Obj, old as Obj | undefined));
    return errs;
  };
}

export const validators: Record<string, Validator> = {};
for (const rt of builtinResources) {
  const key = resourceKey(rt.group, rt.resource);
  if (!validators[key]) validators[key] = makeValidator(rt.namespaced, table[key] ?? {});
}

/** validate obj (and old, on update) for group/resource; unknown resources get metadata checks only */
export function validate(group: string, resource: string, obj: KObject, old?: KObject, namespaced = true): FieldError[] {
  const v = validators[resourceKey(group, resource)] ?? makeValidator(namespaced, {});
  return v(obj, old);
}

export { secretDataError, normalizeSecret, base64Error } from './config.js';
export { cronScheduleError } from './cron.js';
export { validatePodSpec } from './pod.js';
export { selectorMatches, validateLabelSelector } from './util.js';
