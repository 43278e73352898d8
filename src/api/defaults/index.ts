// Per-resource defaulters, keyed by resourceKey(group, resource). The server runs the defaulter on
// every object it decodes for create and update (as upstream's scheme defaulting does), after it has
// assigned metadata.uid on create (the Job defaulter needs it for its generated selector).

import { resourceKey, type Defaulter, type KObject } from '../types.js';
import { defaultPod } from './pod.js';
import {
  defaultCronJob, defaultDaemonSet, defaultDeployment, defaultJob, defaultPodTemplateObject, defaultReplicaSet,
  defaultReplicationController, defaultStatefulSet,
} from './workloads.js';
import {
  defaultEndpoints, defaultLimitRange, defaultNamespace, defaultNode, defaultPersistentVolume,
  defaultPersistentVolumeClaim, defaultResourceQuota, defaultSecret, defaultService,
} from './core.js';
import {
  defaultClusterRoleBinding, defaultCSIDriver, defaultEndpointSlice, defaultHorizontalPodAutoscaler, defaultIngressClass,
  defaultNetworkPolicy, defaultPriorityClass, defaultRoleBinding, defaultStorageClass,
} from './other.js';
import type { Obj } from './util.js';
import {
  defaultMutatingWebhookConfiguration, defaultValidatingAdmissionPolicy, defaultValidatingAdmissionPolicyBinding,
  defaultValidatingWebhookConfiguration,
} from './admissionregistration.js';
import { defaultFlowSchema, defaultPriorityLevelConfiguration } from './flowcontrol.js';

const d = (fn: (o: Obj) => void): Defaulter => (obj: KObject) => fn(obj as Obj);

export const defaulters: Record<string, Defaulter> = {
  [resourceKey('', 'pods')]: d(defaultPod),
  [resourceKey('', 'podtemplates')]: d(defaultPodTemplateObject),
  [resourceKey('', 'replicationcontrollers')]: d(defaultReplicationController),
  [resourceKey('', 'services')]: d(defaultService),
  [resourceKey('', 'secrets')]: d(defaultSecret),
  [resourceKey('', 'namespaces')]: d(defaultNamespace),
  [resourceKey('', 'nodes')]: d(defaultNode),
  [resourceKey('', 'persistentvolumes')]: d(defaultPersistentVolume),
  [resourceKey('', 'persistentvolumeclaims')]: d(defaultPersistentVolumeClaim),
  [resourceKey('', 'endpoints')]: d(defaultEndpoints),
  [resourceKey('', 'limitranges')]: d(defaultLimitRange),
  [resourceKey('', 'resourcequotas')]: d(defaultResourceQuota),
  [resourceKey('apps', 'deployments')]: d(defaultDeployment),
  [resourceKey('apps', 'replicasets')]: d(defaultReplicaSet),
  [resourceKey('apps', 'statefulsets')]: d(defaultStatefulSet),
  [resourceKey('apps', 'daemonsets')]: d(defaultDaemonSet),
  [resourceKey('batch', 'jobs')]: d(defaultJob),
  [resourceKey('batch', 'cronjobs')]: d(defaultCronJob),
  [resourceKey('discovery.k8s.io', 'endpointslices')]: d(defaultEndpointSlice),
  [resourceKey('networking.k8s.io', 'networkpolicies')]: d(defaultNetworkPolicy),
  [resourceKey('networking.k8s.io', 'ingressclasses')]: d(defaultIngressClass),
  [resourceKey('storage.k8s.io', 'storageclasses')]: d(defaultStorageClass),
  [resourceKey('storage.k8s.io', 'csidrivers')]: d(defaultCSIDriver),
  [resourceKey('scheduling.k8s.io', 'priorityclasses')]: d(defaultPriorityClass),
  [resourceKey('flowcontrol.apiserver.k8s.io', 'flowschemas')]: d(defaultFlowSchema),
  [resourceKey('flowcontrol.apiserver.k8s.io', 'prioritylevelconfigurations')]: d(defaultPriorityLevelConfiguration),
  [resourceKey('rbac.authorization.k8s.io', 'rolebindings')]: d(defaultRoleBinding),
  [resourceKey('rbac.authorization.k8s.io', 'clusterrolebindings')]: d(defaultClusterRoleBinding),
  [resourceKey('autoscaling', 'horizontalpodautoscalers')]: d(defaultHorizontalPodAutoscaler),
  [resourceKey('admissionregistration.k8s.io', 'mutatingwebhookconfigurations')]: d(defaultMutatingWebhookConfiguration),
  [resourceKey('admissionregistration.k8s.io', 'validatingwebhookconfigurations')]: d(defaultValidatingWebhookConfiguration),
  [resourceKey('admissionregistration.k8s.io', 'validatingadmissionpolicies')]: d(defaultValidatingAdmissionPolicy),
  [resourceKey('admissionregistration.k8s.io', 'validatingadmissionpolicybindings')]: d(defaultValidatingAdmissionPolicyBinding),
};

/** run the defaulter for group/resource, if any */
export function applyDefaults(group: string, resource: string, obj: KObject): void {
  defaulters[resourceKey(group, resource)]?.(obj);
}

export { defaultPodSpec, defaultContainer, defaultImagePullPolicy, podQOSClass } from './pod.js';
export { JOB_CONTROLLER_UID_LABEL, JOB_NAME_LABEL, LEGACY_JOB_CONTROLLER_UID_LABEL, LEGACY_JOB_NAME_LABEL } from './workloads.js';
