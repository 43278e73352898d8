// Every built-in resource Kumo serves, with upstream's names, short names, categories, scope,
// verbs and subresources. Behaviour per kind (defaults, validation, printers) lives in sibling
// folders keyed by resourceKey(group, resource).

import type { KObject, ResourceType } from './types.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];
const CLUSTER_VERBS = ALL_VERBS;

/** Go package of a group, as used in OpenAPI definition names (io.k8s.api.<pkg>.<version>.<Kind>). */
function pkgOf(group: string): string {
  if (group === '') return 'core';
  if (group === 'rbac.authorization.k8s.io') return 'rbac';
  return group.split('.')[0];
}

type Spec = {
  kind: string; resource: string; singular?: string; shortNames?: string[]; categories?: string[];
  namespaced: boolean; subresources?: string[]; verbs?: string[]; generationOnSpec?: boolean;
  fieldSelectors?: Record<string, (o: KObject) => string>; statusSubresource?: boolean;
  /** OpenAPI definition name when not io.k8s.api.<pkg>.<version>.<Kind> */
  definition?: string;
};

function get(o: unknown, path: string): unknown {
  let cur: unknown = o;
  for (const p of path.split('.')) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string, unknown>)[p];
  }
  return cur;
}
/** a field selector reader: the value as upstream renders it in its fields.Set (strings; bools as "true"/"false") */
const f = (path: string, dflt = '') => (o: KObject) => {
  const v = get(o, path);
  return v === undefined || v === null ? dflt : String(v);
};

function gv(group: string, version: string, specs: Spec[]): ResourceType[] {
  return specs.map((s) => {
    const subresources = s.subresources ?? [];
    return {
      group, version, kind: s.kind, listKind: `${s.kind}List`,
      resource: s.resource, singular: s.singular ?? s.kind.toLowerCase(),
      shortNames: s.shortNames ?? [], categories: s.categories ?? [],
      namespaced: s.namespaced, verbs: s.verbs ?? (s.namespaced ? ALL_VERBS : CLUSTER_VERBS),
      subresources,
      statusSubresource: s.statusSubresource ?? subresources.includes('status'),
      generationOnSpec: s.generationOnSpec ?? subresources.includes('status'),
      fieldSelectors: s.fieldSelectors ?? {},
      definition: s.definition ?? `io.k8s.api.${pkgOf(group)}.${version}.${s.kind}`,
    };
  });
}

const eventFields = {
  'involvedObject.kind': f('involvedObject.kind'),
  'involvedObject.namespace': f('involvedObject.namespace'),
  'involvedObject.name': f('involvedObject.name'),
  'involvedObject.uid': f('involvedObject.uid'),
  'involvedObject.apiVersion': f('involvedObject.apiVersion'),
  'involvedObject.resourceVersion': f('involvedObject.resourceVersion'),
  'involvedObject.fieldPath': f('involvedObject.fieldPath'),
  reason: f('reason'),
  reportingComponent: f('reportingComponent'),
  source: (o: KObject) => String(get(o, 'source.component') ?? get(o, 'reportingComponent') ?? ''),
  type: f('type'),
};

export const builtinResources: ResourceType[] = [
  ...gv('', 'v1', [
    { kind: 'Binding', resource: 'bindings', namespaced: true, verbs: ['create'] },
    { kind: 'ConfigMap', resource: 'configmaps', shortNames: ['cm'], namespaced: true },
    { kind: 'Endpoints', resource: 'endpoints', singular: 'endpoints', shortNames: ['ep'], namespaced: true },
    { kind: 'Event', resource: 'events', shortNames: ['ev'], namespaced: true, fieldSelectors: eventFields },
    { kind: 'LimitRange', resource: 'limitranges', shortNames: ['limits'], namespaced: true },
    { kind: 'Namespace', resource: 'namespaces', shortNames: ['ns'], namespaced: false,
      subresources: ['finalize', 'status'], generationOnSpec: false, fieldSelectors: { 'status.phase': f('status.phase') } },
    { kind: 'Node', resource: 'nodes', shortNames: ['no'], namespaced: false, subresources: ['proxy', 'status'],
      generationOnSpec: false, fieldSelectors: { 'spec.unschedulable': f('spec.unschedulable', 'false') } },
    { kind: 'PersistentVolumeClaim', resource: 'persistentvolumeclaims', shortNames: ['pvc'], namespaced: true,
      subresources: ['status'], generationOnSpec: false },
    { kind: 'PersistentVolume', resource: 'persistentvolumes', shortNames: ['pv'], namespaced: false,
      subresources: ['status'], generationOnSpec: false },
    { kind: 'Pod', resource: 'pods', shortNames: ['po'], categories: ['all'], namespaced: true,
      subresources: ['binding', 'eviction', 'status'], generationOnSpec: true,
      fieldSelectors: {
        'spec.nodeName': f('spec.nodeName'), 'spec.restartPolicy': f('spec.restartPolicy'),
        'spec.schedulerName': f('spec.schedulerName'), 'spec.serviceAccountName': f('spec.serviceAccountName'),
        'spec.hostNetwork': f('spec.hostNetwork', 'false'), 'status.phase': f('status.phase'),
        'status.podIP': f('status.podIP'), 'status.nominatedNodeName': f('status.nominatedNodeName'),
      } },
    { kind: 'PodTemplate', resource: 'podtemplates', namespaced: true },
    { kind: 'ReplicationController', resource: 'replicationcontrollers', shortNames: ['rc'], categories: ['all'],
      namespaced: true, subresources: ['scale', 'status'], fieldSelectors: { 'status.replicas': f('status.replicas', '0') } },
    { kind: 'ResourceQuota', resource: 'resourcequotas', shortNames: ['quota'], namespaced: true,
      subresources: ['status'], generationOnSpec: false },
    { kind: 'Secret', resource: 'secrets', namespaced: true, fieldSelectors: { type: f('type') } },
    { kind: 'ServiceAccount', resource: 'serviceaccounts', shortNames: ['sa'], namespaced: true },
    { kind: 'Service', resource: 'services', shortNames: ['svc'], categories: ['all'], namespaced: true,
      subresources: ['proxy', 'status'], generationOnSpec: false,
      fieldSelectors: { 'spec.clusterIP': f('spec.clusterIP'), 'spec.type': f('spec.type') } },
  ]),
  ...gv('apps', 'v1', [
    { kind: 'ControllerRevision', resource: 'controllerrevisions', namespaced: true },
    { kind: 'DaemonSet', resource: 'daemonsets', shortNames: ['ds'], categories: ['all'], namespaced: true, subresources: ['status'] },
    { kind: 'Deployment', resource: 'deployments', shortNames: ['deploy'], categories: ['all'], namespaced: true, subresources: ['scale', 'status'] },
    { kind: 'ReplicaSet', resource: 'replicasets', shortNames: ['rs'], categories: ['all'], namespaced: true,
      subresources: ['scale', 'status'], fieldSelectors: { 'status.replicas': f('status.replicas', '0') } },
    { kind: 'StatefulSet', resource: 'statefulsets', shortNames: ['sts'], categories: ['all'], namespaced: true, subresources: ['scale', 'status'] },
  ]),
  ...gv('batch', 'v1', [
    { kind: 'CronJob', resource: 'cronjobs', shortNames: ['cj'], categories: ['all'], namespaced: true, subresources: ['status'] },
    { kind: 'Job', resource: 'jobs', categories: ['all'], namespaced: true, subresources: ['status'],
      fieldSelectors: { 'status.successful': f('status.succeeded', '0') } },
  ]),
  ...gv('coordination.k8s.io', 'v1', [
    { kind: 'Lease', resource: 'leases', namespaced: true },
  ]),
  ...gv('events.k8s.io', 'v1', [
    { kind: 'Event', resource: 'events', shortNames: ['ev'], namespaced: true, fieldSelectors: {
      'regarding.kind': f('regarding.kind'), 'regarding.namespace': f('regarding.namespace'),
      'regarding.name': f('regarding.name'), 'regarding.uid': f('regarding.uid'),
      reason: f('reason'), reportingController: f('reportingController'), type: f('type'),
    } },
  ]),
  ...gv('discovery.k8s.io', 'v1', [
    { kind: 'EndpointSlice', resource: 'endpointslices', namespaced: true, fieldSelectors: { addressType: f('addressType') } },
  ]),
  ...gv('rbac.authorization.k8s.io', 'v1', [
    { kind: 'ClusterRoleBinding', resource: 'clusterrolebindings', namespaced: false },
    { kind: 'ClusterRole', resource: 'clusterroles', namespaced: false },
    { kind: 'RoleBinding', resource: 'rolebindings', namespaced: true },
    { kind: 'Role', resource: 'roles', namespaced: true },
  ]),
  ...gv('policy', 'v1', [
    { kind: 'PodDisruptionBudget', resource: 'poddisruptionbudgets', shortNames: ['pdb'], namespaced: true, subresources: ['status'] },
  ]),
  ...gv('autoscaling', 'v2', [
    { kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', shortNames: ['hpa'], categories: ['all'],
      namespaced: true, subresources: ['status'] },
  ]),
  ...gv('autoscaling', 'v1', [
    { kind: 'HorizontalPodAutoscaler', resource: 'horizontalpodautoscalers', shortNames: ['hpa'], categories: ['all'],
      namespaced: true, subresources: ['status'] },
  ]),
  ...gv('networking.k8s.io', 'v1', [
    { kind: 'IngressClass', resource: 'ingressclasses', namespaced: false },
    { kind: 'Ingress', resource: 'ingresses', shortNames: ['ing'], namespaced: true, subresources: ['status'] },
    { kind: 'NetworkPolicy', resource: 'networkpolicies', shortNames: ['netpol'], namespaced: true },
  ]),
  ...gv('storage.k8s.io', 'v1', [
    { kind: 'CSIDriver', resource: 'csidrivers', namespaced: false },
    { kind: 'CSINode', resource: 'csinodes', namespaced: false },
    { kind: 'StorageClass', resource: 'storageclasses', shortNames: ['sc'], namespaced: false },
    { kind: 'VolumeAttachment', resource: 'volumeattachments', namespaced: false, subresources: ['status'] },
  ]),
  ...gv('apiextensions.k8s.io', 'v1', [
    { kind: 'CustomResourceDefinition', resource: 'customresourcedefinitions', shortNames: ['crd', 'crds'],
      categories: ['api-extensions'], namespaced: false, subresources: ['status'],
      definition: 'io.k8s.apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinition' },
  ]),
  ...gv('admissionregistration.k8s.io', 'v1', [
    { kind: 'MutatingWebhookConfiguration', resource: 'mutatingwebhookconfigurations', categories: ['api-extensions'], namespaced: false, generationOnSpec: true },
    { kind: 'ValidatingWebhookConfiguration', resource: 'validatingwebhookconfigurations', categories: ['api-extensions'], namespaced: false, generationOnSpec: true },
    { kind: 'ValidatingAdmissionPolicy', resource: 'validatingadmissionpolicies', categories: ['api-extensions'], namespaced: false,
      subresources: ['status'], generationOnSpec: true },
    { kind: 'ValidatingAdmissionPolicyBinding', resource: 'validatingadmissionpolicybindings', categories: ['api-extensions'], namespaced: false, generationOnSpec: true },
  ]),
  ...gv('apiregistration.k8s.io', 'v1', [
    { kind: 'APIService', resource: 'apiservices', categories: ['api-extensions'], namespaced: false,
      subresources: ['status'], generationOnSpec: false,
      definition: 'io.k8s.kube-aggregator.pkg.apis.apiregistration.v1.APIService' },
  ]),
  ...gv('scheduling.k8s.io', 'v1', [
    { kind: 'PriorityClass', resource: 'priorityclasses', shortNames: ['pc'], namespaced: false },
  ]),
  ...gv('flowcontrol.apiserver.k8s.io', 'v1', [
    { kind: 'FlowSchema', resource: 'flowschemas', namespaced: false, subresources: ['status'], generationOnSpec: true },
    { kind: 'PriorityLevelConfiguration', resource: 'prioritylevelconfigurations', namespaced: false, subresources: ['status'], generationOnSpec: true },
  ]),
  ...gv('node.k8s.io', 'v1', [
    { kind: 'RuntimeClass', resource: 'runtimeclasses', namespaced: false },
  ]),
  ...gv('certificates.k8s.io', 'v1', [
    { kind: 'CertificateSigningRequest', resource: 'certificatesigningrequests', shortNames: ['csr'], namespaced: false,
      subresources: ['approval', 'status'], generationOnSpec: false, fieldSelectors: { 'spec.signerName': f('spec.signerName') } },
  ]),
];

/**
 * Group versions in upstream's discovery order; the first version of a group is its preferred one.
 * (autoscaling prefers v2.)
 */
export const groupOrder = [
  '', 'apiregistration.k8s.io', 'apps', 'events.k8s.io', 'authentication.k8s.io', 'authorization.k8s.io', 'autoscaling', 'batch',
  'certificates.k8s.io', 'networking.k8s.io', 'policy', 'rbac.authorization.k8s.io', 'storage.k8s.io',
  'admissionregistration.k8s.io', 'apiextensions.k8s.io', 'scheduling.k8s.io', 'coordination.k8s.io',
  'node.k8s.io', 'discovery.k8s.io', 'flowcontrol.apiserver.k8s.io',
];
