// Table printers for every built-in resource, keyed by resourceKey(group, resource). The server
// always fills every column (as upstream, which prints "wide"); clients hide priority-1 columns
// unless asked for -o wide.

import type { Printer } from '../types.js';
import { resourceKey } from '../types.js';
import { certificateSigningRequestPrinter, clusterRoleBindingPrinter, leasePrinter, priorityClassPrinter, roleBindingPrinter, runtimeClassPrinter } from './cluster.js';
import {
  configMapPrinter, endpointsPrinter, eventPrinter, namespacePrinter, nodePrinter, persistentVolumeClaimPrinter,
  persistentVolumePrinter, resourceQuotaPrinter, secretPrinter, serviceAccountPrinter, servicePrinter,
} from './core.js';
import { defaultPrinter } from './default.js';
import { apiServicePrinter } from './apiservice.js';
import { validatingAdmissionPolicyBindingPrinter, validatingAdmissionPolicyPrinter, webhookConfigurationPrinter } from './admissionregistration.js';
import { endpointSlicePrinter, ingressClassPrinter, ingressPrinter, networkPolicyPrinter } from './networking.js';
import { podPrinter } from './pod.js';
import { csiDriverPrinter, csiNodePrinter, storageClassPrinter, volumeAttachmentPrinter } from './storage.js';
import { flowSchemaPrinter, priorityLevelConfigurationPrinter } from './flowcontrol.js';
import {
  controllerRevisionPrinter, cronJobPrinter, daemonSetPrinter, deploymentPrinter, horizontalPodAutoscalerPrinter, jobPrinter,
  podDisruptionBudgetPrinter, podTemplatePrinter, replicaSetPrinter, replicationControllerPrinter, statefulSetPrinter,
} from './workloads.js';

export { defaultPrinter } from './default.js';
export { humanDuration, shortHumanDuration, translateTimestampSince } from './duration.js';

const byGroup: Record<string, Record<string, Printer>> = {
  '': {
    configmaps: configMapPrinter,
    endpoints: endpointsPrinter,
    events: eventPrinter,
    limitranges: defaultPrinter, // upstream has no LimitRange printer
    namespaces: namespacePrinter,
    nodes: nodePrinter,
    persistentvolumeclaims: persistentVolumeClaimPrinter,
    persistentvolumes: persistentVolumePrinter,
    pods: podPrinter,
    podtemplates: podTemplatePrinter,
    replicationcontrollers: replicationControllerPrinter,
    resourcequotas: resourceQuotaPrinter,
    secrets: secretPrinter,
    serviceaccounts: serviceAccountPrinter,
    services: servicePrinter,
  },
  apps: {
    controllerrevisions: controllerRevisionPrinter,
    daemonsets: daemonSetPrinter,
    deployments: deploymentPrinter,
    replicasets: replicaSetPrinter,
    statefulsets: statefulSetPrinter,
  },
  batch: { cronjobs: cronJobPrinter, jobs: jobPrinter },
  'coordination.k8s.io': { leases: leasePrinter },
  'events.k8s.io': { events: eventPrinter },
  'discovery.k8s.io': { endpointslices: endpointSlicePrinter },
  'rbac.authorization.k8s.io': {
    clusterrolebindings: clusterRoleBindingPrinter,
    clusterroles: defaultPrinter, // upstream has no Role/ClusterRole printer
    rolebindings: roleBindingPrinter,
    roles: defaultPrinter,
  },
  policy: { poddisruptionbudgets: podDisruptionBudgetPrinter },
  autoscaling: { horizontalpodautoscalers: horizontalPodAutoscalerPrinter },
  'networking.k8s.io': { ingressclasses: ingressClassPrinter, ingresses: ingressPrinter, networkpolicies: networkPolicyPrinter },
  'storage.k8s.io': {
    csidrivers: csiDriverPrinter, csinodes: csiNodePrinter, storageclasses: storageClassPrinter,
    volumeattachments: volumeAttachmentPrinter,
  },
  'scheduling.k8s.io': { priorityclasses: priorityClassPrinter },
  'flowcontrol.apiserver.k8s.io': { flowschemas: flowSchemaPrinter, prioritylevelconfigurations: priorityLevelConfigurationPrinter },
  'node.k8s.io': { runtimeclasses: runtimeClassPrinter },
  'certificates.k8s.io': { certificatesigningrequests: certificateSigningRequestPrinter },
  'admissionregistration.k8s.io': {
    mutatingwebhookconfigurations: webhookConfigurationPrinter,
    validatingwebhookconfigurations: webhookConfigurationPrinter,
    validatingadmissionpolicies: validatingAdmissionPolicyPrinter,
    validatingadmissionpolicybindings: validatingAdmissionPolicyBindingPrinter,
  },
  'apiextensions.k8s.io': { customresourcedefinitions: defaultPrinter }, // upstream: NAME, CREATED AT
  'apiregistration.k8s.io': { apiservices: apiServicePrinter },
};

export const printers: Record<string, Printer> = Object.fromEntries(
  Object.entries(byGroup).flatMap(([group, m]) => Object.entries(m).map(([resource, p]) => [resourceKey(group, resource), p])),
);

/** the printer for a resource, or the NAME / CREATED AT default */
export function printerFor(group: string, resource: string): Printer {
  return printers[resourceKey(group, resource)] ?? defaultPrinter;
}
