// Patch metadata of the built-in types: what upstream's OpenAPI carries as x-kubernetes-patch-strategy,
// x-kubernetes-patch-merge-key, x-kubernetes-list-type, x-kubernetes-list-map-keys and
// x-kubernetes-map-type (from the Go types' patchStrategy/patchMergeKey tags and +listType/+mapType
// markers), checked against upstream's release-1.36 swagger.json. client-node's models lose all of it,
// and strategic merge patch / kubectl apply depend on it: a wrong merge key corrupts lists.
//
// Keys are definition names without the "io.k8s." prefix. Values are space-separated settings:
//   patch=<strategy>  key=<merge key>  list=<atomic|set|map>  keys=<k1,k2>  mapType=<atomic|granular>
// The field '.' describes the definition itself (a struct that is replaced as a whole).

export interface PatchMeta {
  patchStrategy?: string;
  patchMergeKey?: string;
  listType?: 'atomic' | 'set' | 'map';
  listMapKeys?: string[];
  mapType?: 'atomic' | 'granular';
}

const TABLE: Record<string, Record<string, string>> = {
  'api.admissionregistration.v1.MatchResources': {
    '.': 'mapType=atomic', excludeResourceRules: 'list=atomic', resourceRules: 'list=atomic',
  },
  'api.admissionregistration.v1.MutatingAdmissionPolicySpec': {
    matchConditions: 'patch=merge key=name list=map keys=name', mutations: 'list=atomic', variables: 'list=atomic',
  },
  'api.admissionregistration.v1.MutatingWebhook': {
    admissionReviewVersions: 'list=atomic', matchConditions: 'patch=merge key=name list=map keys=name',
    rules: 'list=atomic',
  },
  'api.admissionregistration.v1.MutatingWebhookConfiguration': {
    webhooks: 'patch=merge key=name list=map keys=name',
  },
  'api.admissionregistration.v1.NamedRuleWithOperations': {
    '.': 'mapType=atomic', apiGroups: 'list=atomic', apiVersions: 'list=atomic', operations: 'list=atomic',
    resourceNames: 'list=atomic', resources: 'list=atomic',
  },
  'api.admissionregistration.v1.ParamKind': { '.': 'mapType=atomic' },
  'api.admissionregistration.v1.ParamRef': { '.': 'mapType=atomic' },
  'api.admissionregistration.v1.RuleWithOperations': {
    apiGroups: 'list=atomic', apiVersions: 'list=atomic', operations: 'list=atomic', resources: 'list=atomic',
  },
  'api.admissionregistration.v1.TypeChecking': { expressionWarnings: 'list=atomic' },
  'api.admissionregistration.v1.ValidatingAdmissionPolicyBindingSpec': { validationActions: 'list=set' },
  'api.admissionregistration.v1.ValidatingAdmissionPolicySpec': {
    auditAnnotations: 'list=atomic', matchConditions: 'patch=merge key=name list=map keys=name',
    validations: 'list=atomic', variables: 'patch=merge key=name list=map keys=name',
  },
  'api.admissionregistration.v1.ValidatingAdmissionPolicyStatus': { conditions: 'list=map keys=type' },
  'api.admissionregistration.v1.ValidatingWebhook': {
    admissionReviewVersions: 'list=atomic', matchConditions: 'patch=merge key=name list=map keys=name',
    rules: 'list=atomic',
  },
  'api.admissionregistration.v1.ValidatingWebhookConfiguration': {
    webhooks: 'patch=merge key=name list=map keys=name',
  },
  'api.admissionregistration.v1.Variable': { '.': 'mapType=atomic' },
  'api.admissionregistration.v1alpha1.MatchResources': {
    '.': 'mapType=atomic', excludeResourceRules: 'list=atomic', resourceRules: 'list=atomic',
  },
  'api.admissionregistration.v1alpha1.MutatingAdmissionPolicySpec': {
    matchConditions: 'patch=merge key=name list=map keys=name', mutations: 'list=atomic', variables: 'list=atomic',
  },
  'api.admissionregistration.v1alpha1.NamedRuleWithOperations': {
    '.': 'mapType=atomic', apiGroups: 'list=atomic', apiVersions: 'list=atomic', operations: 'list=atomic',
    resourceNames: 'list=atomic', resources: 'list=atomic',
  },
  'api.admissionregistration.v1alpha1.ParamKind': { '.': 'mapType=atomic' },
  'api.admissionregistration.v1alpha1.ParamRef': { '.': 'mapType=atomic' },
  'api.admissionregistration.v1beta1.MatchResources': {
    '.': 'mapType=atomic', excludeResourceRules: 'list=atomic', resourceRules: 'list=atomic',
  },
  'api.admissionregistration.v1beta1.MutatingAdmissionPolicySpec': {
    matchConditions: 'patch=merge key=name list=map keys=name', mutations: 'list=atomic', variables: 'list=atomic',
  },
  'api.admissionregistration.v1beta1.NamedRuleWithOperations': {
    '.': 'mapType=atomic', apiGroups: 'list=atomic', apiVersions: 'list=atomic', operations: 'list=atomic',
    resourceNames: 'list=atomic', resources: 'list=atomic',
  },
  'api.admissionregistration.v1beta1.ParamKind': { '.': 'mapType=atomic' },
  'api.admissionregistration.v1beta1.ParamRef': { '.': 'mapType=atomic' },
  'api.admissionregistration.v1beta1.Variable': { '.': 'mapType=atomic' },
  'api.apiserverinternal.v1alpha1.ServerStorageVersion': {
    decodableVersions: 'list=set', servedVersions: 'list=set',
  },
  'api.apiserverinternal.v1alpha1.StorageVersionStatus': {
    conditions: 'list=map keys=type', storageVersions: 'list=map keys=apiServerID',
  },
  'api.apps.v1.DaemonSetStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.apps.v1.DeploymentSpec': { strategy: 'patch=retainKeys' },
  'api.apps.v1.DeploymentStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.apps.v1.ReplicaSetStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.apps.v1.StatefulSetSpec': { volumeClaimTemplates: 'list=atomic' },
  'api.apps.v1.StatefulSetStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.authentication.v1.TokenRequestSpec': { audiences: 'list=atomic' },
  'api.authentication.v1.TokenReviewSpec': { audiences: 'list=atomic' },
  'api.authentication.v1.TokenReviewStatus': { audiences: 'list=atomic' },
  'api.authentication.v1.UserInfo': { groups: 'list=atomic' },
  'api.authorization.v1.FieldSelectorAttributes': { requirements: 'list=atomic' },
  'api.authorization.v1.LabelSelectorAttributes': { requirements: 'list=atomic' },
  'api.authorization.v1.NonResourceRule': { nonResourceURLs: 'list=atomic', verbs: 'list=atomic' },
  'api.authorization.v1.ResourceRule': {
    apiGroups: 'list=atomic', resourceNames: 'list=atomic', resources: 'list=atomic', verbs: 'list=atomic',
  },
  'api.authorization.v1.SubjectAccessReviewSpec': { groups: 'list=atomic' },
  'api.authorization.v1.SubjectRulesReviewStatus': { nonResourceRules: 'list=atomic', resourceRules: 'list=atomic' },
  'api.autoscaling.v1.CrossVersionObjectReference': { '.': 'mapType=atomic' },
  'api.autoscaling.v2.HPAScalingRules': { policies: 'list=atomic' },
  'api.autoscaling.v2.HorizontalPodAutoscalerSpec': { metrics: 'list=atomic' },
  'api.autoscaling.v2.HorizontalPodAutoscalerStatus': {
    conditions: 'patch=merge key=type list=map keys=type', currentMetrics: 'list=atomic',
  },
  'api.batch.v1.CronJobStatus': { active: 'list=atomic' },
  'api.batch.v1.JobStatus': { conditions: 'patch=merge key=type list=atomic' },
  'api.batch.v1.PodFailurePolicy': { rules: 'list=atomic' },
  'api.batch.v1.PodFailurePolicyOnExitCodesRequirement': { values: 'list=set' },
  'api.batch.v1.PodFailurePolicyRule': { onPodConditions: 'list=atomic' },
  'api.batch.v1.SuccessPolicy': { rules: 'list=atomic' },
  'api.batch.v1.UncountedTerminatedPods': { failed: 'list=set', succeeded: 'list=set' },
  'api.certificates.v1.CertificateSigningRequestSpec': { groups: 'list=atomic', usages: 'list=atomic' },
  'api.certificates.v1.CertificateSigningRequestStatus': { conditions: 'list=map keys=type' },
  'api.certificates.v1beta1.PodCertificateRequestStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.core.v1.Capabilities': { add: 'list=atomic', drop: 'list=atomic' },
  'api.core.v1.CephFSPersistentVolumeSource': { monitors: 'list=atomic' },
  'api.core.v1.CephFSVolumeSource': { monitors: 'list=atomic' },
  'api.core.v1.ComponentStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.core.v1.ConfigMapKeySelector': { '.': 'mapType=atomic' },
  'api.core.v1.ConfigMapProjection': { items: 'list=atomic' },
  'api.core.v1.ConfigMapVolumeSource': { items: 'list=atomic' },
  'api.core.v1.Container': {
    args: 'list=atomic', command: 'list=atomic', env: 'patch=merge key=name list=map keys=name',
    envFrom: 'list=atomic', ports: 'patch=merge key=containerPort list=map keys=containerPort,protocol',
    resizePolicy: 'list=atomic', restartPolicyRules: 'list=atomic',
    volumeDevices: 'patch=merge key=devicePath list=map keys=devicePath',
    volumeMounts: 'patch=merge key=mountPath list=map keys=mountPath',
  },
  'api.core.v1.ContainerImage': { names: 'list=atomic' },
  'api.core.v1.ContainerRestartRuleOnExitCodes': { values: 'list=set' },
  'api.core.v1.ContainerStatus': {
    allocatedResourcesStatus: 'patch=merge key=name list=map keys=name',
    volumeMounts: 'patch=merge key=mountPath list=map keys=mountPath',
  },
  'api.core.v1.DownwardAPIProjection': { items: 'list=atomic' },
  'api.core.v1.DownwardAPIVolumeSource': { items: 'list=atomic' },
  'api.core.v1.EndpointAddress': { '.': 'mapType=atomic' },
  'api.core.v1.EndpointPort': { '.': 'mapType=atomic' },
  'api.core.v1.EndpointSubset': { addresses: 'list=atomic', notReadyAddresses: 'list=atomic', ports: 'list=atomic' },
  'api.core.v1.Endpoints': { subsets: 'list=atomic' },
  'api.core.v1.EphemeralContainer': {
    args: 'list=atomic', command: 'list=atomic', env: 'patch=merge key=name list=map keys=name',
    envFrom: 'list=atomic', ports: 'patch=merge key=containerPort list=map keys=containerPort,protocol',
    resizePolicy: 'list=atomic', restartPolicyRules: 'list=atomic',
    volumeDevices: 'patch=merge key=devicePath list=map keys=devicePath',
    volumeMounts: 'patch=merge key=mountPath list=map keys=mountPath',
  },
  'api.core.v1.ExecAction': { command: 'list=atomic' },
  'api.core.v1.FCVolumeSource': { targetWWNs: 'list=atomic', wwids: 'list=atomic' },
  'api.core.v1.FileKeySelector': { '.': 'mapType=atomic' },
  'api.core.v1.HTTPGetAction': { httpHeaders: 'list=atomic' },
  'api.core.v1.HostAlias': { hostnames: 'list=atomic' },
  'api.core.v1.ISCSIPersistentVolumeSource': { portals: 'list=atomic' },
  'api.core.v1.ISCSIVolumeSource': { portals: 'list=atomic' },
  'api.core.v1.LimitRangeSpec': { limits: 'list=atomic' },
  'api.core.v1.LinuxContainerUser': { supplementalGroups: 'list=atomic' },
  'api.core.v1.LoadBalancerIngress': { ports: 'list=atomic' },
  'api.core.v1.LoadBalancerStatus': { ingress: 'list=atomic' },
  'api.core.v1.LocalObjectReference': { '.': 'mapType=atomic' },
  'api.core.v1.NamespaceSpec': { finalizers: 'list=atomic' },
  'api.core.v1.NamespaceStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.core.v1.NodeAffinity': { preferredDuringSchedulingIgnoredDuringExecution: 'list=atomic' },
  'api.core.v1.NodeAllocatableResourceClaimStatus': { containers: 'list=set' },
  'api.core.v1.NodeSelector': { '.': 'mapType=atomic', nodeSelectorTerms: 'list=atomic' },
  'api.core.v1.NodeSelectorRequirement': { values: 'list=atomic' },
  'api.core.v1.NodeSelectorTerm': {
    '.': 'mapType=atomic', matchExpressions: 'list=atomic', matchFields: 'list=atomic',
  },
  'api.core.v1.NodeSpec': { podCIDRs: 'patch=merge list=set', taints: 'list=atomic' },
  'api.core.v1.NodeStatus': {
    addresses: 'patch=merge key=type list=map keys=type', conditions: 'patch=merge key=type list=map keys=type',
    declaredFeatures: 'list=atomic', images: 'list=atomic', runtimeHandlers: 'list=atomic',
    volumesAttached: 'list=atomic', volumesInUse: 'list=atomic',
  },
  'api.core.v1.ObjectFieldSelector': { '.': 'mapType=atomic' },
  'api.core.v1.ObjectReference': { '.': 'mapType=atomic' },
  'api.core.v1.PersistentVolumeClaimSpec': { accessModes: 'list=atomic' },
  'api.core.v1.PersistentVolumeClaimStatus': {
    accessModes: 'list=atomic', allocatedResourceStatuses: 'mapType=granular',
    conditions: 'patch=merge key=type list=map keys=type',
  },
  'api.core.v1.PersistentVolumeSpec': {
    accessModes: 'list=atomic', claimRef: 'mapType=granular', mountOptions: 'list=atomic',
  },
  'api.core.v1.PodAffinity': {
    preferredDuringSchedulingIgnoredDuringExecution: 'list=atomic',
    requiredDuringSchedulingIgnoredDuringExecution: 'list=atomic',
  },
  'api.core.v1.PodAffinityTerm': {
    matchLabelKeys: 'list=atomic', mismatchLabelKeys: 'list=atomic', namespaces: 'list=atomic',
  },
  'api.core.v1.PodAntiAffinity': {
    preferredDuringSchedulingIgnoredDuringExecution: 'list=atomic',
    requiredDuringSchedulingIgnoredDuringExecution: 'list=atomic',
  },
  'api.core.v1.PodDNSConfig': { nameservers: 'list=atomic', options: 'list=atomic', searches: 'list=atomic' },
  'api.core.v1.PodExtendedResourceClaimStatus': { requestMappings: 'list=atomic' },
  'api.core.v1.PodSecurityContext': { supplementalGroups: 'list=atomic', sysctls: 'list=atomic' },
  'api.core.v1.PodSpec': {
    containers: 'patch=merge key=name list=map keys=name',
    ephemeralContainers: 'patch=merge key=name list=map keys=name',
    hostAliases: 'patch=merge key=ip list=map keys=ip', imagePullSecrets: 'patch=merge key=name list=map keys=name',
    initContainers: 'patch=merge key=name list=map keys=name', nodeSelector: 'mapType=atomic',
    readinessGates: 'list=atomic', resourceClaims: 'patch=merge,retainKeys key=name list=map keys=name',
    schedulingGates: 'patch=merge key=name list=map keys=name', tolerations: 'list=atomic',
    topologySpreadConstraints: 'patch=merge key=topologyKey list=map keys=topologyKey,whenUnsatisfiable',
    volumes: 'patch=merge,retainKeys key=name list=map keys=name',
  },
  'api.core.v1.PodStatus': {
    conditions: 'patch=merge key=type list=map keys=type', containerStatuses: 'list=atomic',
    ephemeralContainerStatuses: 'list=atomic', hostIPs: 'patch=merge key=ip list=atomic',
    initContainerStatuses: 'list=atomic', nodeAllocatableResourceClaimStatuses: 'list=atomic',
    podIPs: 'patch=merge key=ip list=map keys=ip',
    resourceClaimStatuses: 'patch=merge,retainKeys key=name list=map keys=name',
  },
  'api.core.v1.ProjectedVolumeSource': { sources: 'list=atomic' },
  'api.core.v1.RBDPersistentVolumeSource': { monitors: 'list=atomic' },
  'api.core.v1.RBDVolumeSource': { monitors: 'list=atomic' },
  'api.core.v1.ReplicationControllerSpec': { selector: 'mapType=atomic' },
  'api.core.v1.ReplicationControllerStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.core.v1.ResourceFieldSelector': { '.': 'mapType=atomic' },
  'api.core.v1.ResourceQuotaSpec': { scopes: 'list=atomic' },
  'api.core.v1.ResourceRequirements': { claims: 'list=map keys=name' },
  'api.core.v1.ResourceStatus': { resources: 'list=map keys=resourceID' },
  'api.core.v1.ScopeSelector': { '.': 'mapType=atomic', matchExpressions: 'list=atomic' },
  'api.core.v1.ScopedResourceSelectorRequirement': { values: 'list=atomic' },
  'api.core.v1.SecretKeySelector': { '.': 'mapType=atomic' },
  'api.core.v1.SecretProjection': { items: 'list=atomic' },
  'api.core.v1.SecretReference': { '.': 'mapType=atomic' },
  'api.core.v1.SecretVolumeSource': { items: 'list=atomic' },
  'api.core.v1.ServiceAccount': {
    imagePullSecrets: 'list=atomic', secrets: 'patch=merge key=name list=map keys=name',
  },
  'api.core.v1.ServiceSpec': {
    clusterIPs: 'list=atomic', externalIPs: 'list=atomic', ipFamilies: 'list=atomic',
    loadBalancerSourceRanges: 'list=atomic', ports: 'patch=merge key=port list=map keys=port,protocol',
    selector: 'mapType=atomic',
  },
  'api.core.v1.ServiceStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.core.v1.TopologySelectorLabelRequirement': { values: 'list=atomic' },
  'api.core.v1.TopologySelectorTerm': { '.': 'mapType=atomic', matchLabelExpressions: 'list=atomic' },
  'api.core.v1.TopologySpreadConstraint': { matchLabelKeys: 'list=atomic' },
  'api.core.v1.TypedLocalObjectReference': { '.': 'mapType=atomic' },
  'api.discovery.v1.Endpoint': { addresses: 'list=set' },
  'api.discovery.v1.EndpointHints': { forNodes: 'list=atomic', forZones: 'list=atomic' },
  'api.discovery.v1.EndpointPort': { '.': 'mapType=atomic' },
  'api.discovery.v1.EndpointSlice': { endpoints: 'list=atomic', ports: 'list=atomic' },
  'api.flowcontrol.v1.FlowSchemaSpec': { rules: 'list=atomic' },
  'api.flowcontrol.v1.FlowSchemaStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.flowcontrol.v1.NonResourcePolicyRule': { nonResourceURLs: 'list=set', verbs: 'list=set' },
  'api.flowcontrol.v1.PolicyRulesWithSubjects': {
    nonResourceRules: 'list=atomic', resourceRules: 'list=atomic', subjects: 'list=atomic',
  },
  'api.flowcontrol.v1.PriorityLevelConfigurationStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.flowcontrol.v1.ResourcePolicyRule': {
    apiGroups: 'list=set', namespaces: 'list=set', resources: 'list=set', verbs: 'list=set',
  },
  'api.networking.v1.HTTPIngressRuleValue': { paths: 'list=atomic' },
  'api.networking.v1.IPBlock': { except: 'list=atomic' },
  'api.networking.v1.IngressLoadBalancerIngress': { ports: 'list=atomic' },
  'api.networking.v1.IngressLoadBalancerStatus': { ingress: 'list=atomic' },
  'api.networking.v1.IngressSpec': { rules: 'list=atomic', tls: 'list=atomic' },
  'api.networking.v1.IngressTLS': { hosts: 'list=atomic' },
  'api.networking.v1.NetworkPolicyEgressRule': { ports: 'list=atomic', to: 'list=atomic' },
  'api.networking.v1.NetworkPolicyIngressRule': { from: 'list=atomic', ports: 'list=atomic' },
  'api.networking.v1.NetworkPolicySpec': {
    egress: 'list=atomic', ingress: 'list=atomic', policyTypes: 'list=atomic',
  },
  'api.networking.v1.ServiceBackendPort': { '.': 'mapType=atomic' },
  'api.networking.v1.ServiceCIDRSpec': { cidrs: 'list=atomic' },
  'api.networking.v1.ServiceCIDRStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.networking.v1beta1.ServiceCIDRSpec': { cidrs: 'list=atomic' },
  'api.networking.v1beta1.ServiceCIDRStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.node.v1.Scheduling': { nodeSelector: 'mapType=atomic', tolerations: 'list=atomic' },
  'api.policy.v1.PodDisruptionBudgetSpec': { selector: 'patch=replace' },
  'api.policy.v1.PodDisruptionBudgetStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.rbac.v1.AggregationRule': { clusterRoleSelectors: 'list=atomic' },
  'api.rbac.v1.ClusterRole': { rules: 'list=atomic' },
  'api.rbac.v1.ClusterRoleBinding': { subjects: 'list=atomic' },
  'api.rbac.v1.PolicyRule': {
    apiGroups: 'list=atomic', nonResourceURLs: 'list=atomic', resourceNames: 'list=atomic', resources: 'list=atomic',
    verbs: 'list=atomic',
  },
  'api.rbac.v1.Role': { rules: 'list=atomic' },
  'api.rbac.v1.RoleBinding': { subjects: 'list=atomic' },
  'api.rbac.v1.RoleRef': { '.': 'mapType=atomic' },
  'api.rbac.v1.Subject': { '.': 'mapType=atomic' },
  'api.resource.v1.AllocatedDeviceStatus': { conditions: 'list=map keys=type' },
  'api.resource.v1.CapacityRequestPolicy': { validValues: 'list=atomic' },
  'api.resource.v1.Device': {
    bindingConditions: 'list=atomic', bindingFailureConditions: 'list=atomic', consumesCounters: 'list=atomic',
    taints: 'list=atomic',
  },
  'api.resource.v1.DeviceAllocationConfiguration': { requests: 'list=atomic' },
  'api.resource.v1.DeviceAllocationResult': { config: 'list=atomic', results: 'list=atomic' },
  'api.resource.v1.DeviceAttribute': {
    bools: 'list=atomic', ints: 'list=atomic', strings: 'list=atomic', versions: 'list=atomic',
  },
  'api.resource.v1.DeviceClaim': { config: 'list=atomic', constraints: 'list=atomic', requests: 'list=atomic' },
  'api.resource.v1.DeviceClaimConfiguration': { requests: 'list=atomic' },
  'api.resource.v1.DeviceClassSpec': { config: 'list=atomic', selectors: 'list=atomic' },
  'api.resource.v1.DeviceConstraint': { requests: 'list=atomic' },
  'api.resource.v1.DeviceRequest': { firstAvailable: 'list=atomic' },
  'api.resource.v1.DeviceRequestAllocationResult': {
    bindingConditions: 'list=atomic', bindingFailureConditions: 'list=atomic', tolerations: 'list=atomic',
  },
  'api.resource.v1.DeviceSubRequest': { selectors: 'list=atomic', tolerations: 'list=atomic' },
  'api.resource.v1.ExactDeviceRequest': { selectors: 'list=atomic', tolerations: 'list=atomic' },
  'api.resource.v1.NetworkDeviceData': { ips: 'list=atomic' },
  'api.resource.v1.ResourceClaimStatus': {
    devices: 'list=map keys=driver,device,pool,shareID', reservedFor: 'patch=merge key=uid list=map keys=uid',
  },
  'api.resource.v1.ResourceSliceSpec': { devices: 'list=atomic', sharedCounters: 'list=atomic' },
  'api.resource.v1alpha3.DeviceTaintRuleStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.resource.v1alpha3.ResourcePoolStatusRequestStatus': {
    conditions: 'patch=merge key=type list=map keys=type', pools: 'list=atomic',
  },
  'api.resource.v1beta1.AllocatedDeviceStatus': { conditions: 'list=map keys=type' },
  'api.resource.v1beta1.BasicDevice': {
    bindingConditions: 'list=atomic', bindingFailureConditions: 'list=atomic', consumesCounters: 'list=atomic',
    taints: 'list=atomic',
  },
  'api.resource.v1beta1.CapacityRequestPolicy': { validValues: 'list=atomic' },
  'api.resource.v1beta1.DeviceAllocationConfiguration': { requests: 'list=atomic' },
  'api.resource.v1beta1.DeviceAllocationResult': { config: 'list=atomic', results: 'list=atomic' },
  'api.resource.v1beta1.DeviceAttribute': {
    bools: 'list=atomic', ints: 'list=atomic', strings: 'list=atomic', versions: 'list=atomic',
  },
  'api.resource.v1beta1.DeviceClaim': { config: 'list=atomic', constraints: 'list=atomic', requests: 'list=atomic' },
  'api.resource.v1beta1.DeviceClaimConfiguration': { requests: 'list=atomic' },
  'api.resource.v1beta1.DeviceClassSpec': { config: 'list=atomic', selectors: 'list=atomic' },
  'api.resource.v1beta1.DeviceConstraint': { requests: 'list=atomic' },
  'api.resource.v1beta1.DeviceRequest': {
    firstAvailable: 'list=atomic', selectors: 'list=atomic', tolerations: 'list=atomic',
  },
  'api.resource.v1beta1.DeviceRequestAllocationResult': {
    bindingConditions: 'list=atomic', bindingFailureConditions: 'list=atomic', tolerations: 'list=atomic',
  },
  'api.resource.v1beta1.DeviceSubRequest': { selectors: 'list=atomic', tolerations: 'list=atomic' },
  'api.resource.v1beta1.NetworkDeviceData': { ips: 'list=atomic' },
  'api.resource.v1beta1.ResourceClaimStatus': {
    devices: 'list=map keys=driver,device,pool,shareID', reservedFor: 'patch=merge key=uid list=map keys=uid',
  },
  'api.resource.v1beta1.ResourceSliceSpec': { devices: 'list=atomic', sharedCounters: 'list=atomic' },
  'api.resource.v1beta2.AllocatedDeviceStatus': { conditions: 'list=map keys=type' },
  'api.resource.v1beta2.CapacityRequestPolicy': { validValues: 'list=atomic' },
  'api.resource.v1beta2.Device': {
    bindingConditions: 'list=atomic', bindingFailureConditions: 'list=atomic', consumesCounters: 'list=atomic',
    taints: 'list=atomic',
  },
  'api.resource.v1beta2.DeviceAllocationConfiguration': { requests: 'list=atomic' },
  'api.resource.v1beta2.DeviceAllocationResult': { config: 'list=atomic', results: 'list=atomic' },
  'api.resource.v1beta2.DeviceAttribute': {
    bools: 'list=atomic', ints: 'list=atomic', strings: 'list=atomic', versions: 'list=atomic',
  },
  'api.resource.v1beta2.DeviceClaim': { config: 'list=atomic', constraints: 'list=atomic', requests: 'list=atomic' },
  'api.resource.v1beta2.DeviceClaimConfiguration': { requests: 'list=atomic' },
  'api.resource.v1beta2.DeviceClassSpec': { config: 'list=atomic', selectors: 'list=atomic' },
  'api.resource.v1beta2.DeviceConstraint': { requests: 'list=atomic' },
  'api.resource.v1beta2.DeviceRequest': { firstAvailable: 'list=atomic' },
  'api.resource.v1beta2.DeviceRequestAllocationResult': {
    bindingConditions: 'list=atomic', bindingFailureConditions: 'list=atomic', tolerations: 'list=atomic',
  },
  'api.resource.v1beta2.DeviceSubRequest': { selectors: 'list=atomic', tolerations: 'list=atomic' },
  'api.resource.v1beta2.DeviceTaintRuleStatus': { conditions: 'patch=merge key=type list=map keys=type' },
  'api.resource.v1beta2.ExactDeviceRequest': { selectors: 'list=atomic', tolerations: 'list=atomic' },
  'api.resource.v1beta2.NetworkDeviceData': { ips: 'list=atomic' },
  'api.resource.v1beta2.ResourceClaimStatus': {
    devices: 'list=map keys=driver,device,pool,shareID', reservedFor: 'patch=merge key=uid list=map keys=uid',
  },
  'api.resource.v1beta2.ResourceSliceSpec': { devices: 'list=atomic', sharedCounters: 'list=atomic' },
  'api.scheduling.v1alpha2.PodGroupSchedulingConstraints': { topology: 'list=atomic' },
  'api.scheduling.v1alpha2.PodGroupSpec': { resourceClaims: 'patch=merge,retainKeys key=name list=map keys=name' },
  'api.scheduling.v1alpha2.PodGroupStatus': {
    conditions: 'patch=merge key=type list=map keys=type',
    resourceClaimStatuses: 'patch=merge,retainKeys key=name list=map keys=name',
  },
  'api.scheduling.v1alpha2.PodGroupTemplate': {
    resourceClaims: 'patch=merge,retainKeys key=name list=map keys=name',
  },
  'api.scheduling.v1alpha2.WorkloadSpec': { podGroupTemplates: 'list=map keys=name' },
  'api.storage.v1.CSIDriverSpec': { tokenRequests: 'list=atomic', volumeLifecycleModes: 'list=set' },
  'api.storage.v1.CSINodeDriver': { topologyKeys: 'list=atomic' },
  'api.storage.v1.CSINodeSpec': { drivers: 'patch=merge key=name list=map keys=name' },
  'api.storage.v1.StorageClass': { allowedTopologies: 'list=atomic', mountOptions: 'list=atomic' },
  'api.storagemigration.v1beta1.StorageVersionMigrationStatus': {
    conditions: 'patch=merge key=type list=map keys=type',
  },
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionNames': {
    categories: 'list=atomic', shortNames: 'list=atomic',
  },
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionSpec': { versions: 'list=atomic' },
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionStatus': {
    conditions: 'list=map keys=type', storedVersions: 'list=atomic',
  },
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.CustomResourceDefinitionVersion': {
    additionalPrinterColumns: 'list=atomic', selectableFields: 'list=atomic',
  },
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.JSONSchemaProps': {
    allOf: 'list=atomic', anyOf: 'list=atomic', enum: 'list=atomic', oneOf: 'list=atomic', required: 'list=atomic',
    'x-kubernetes-list-map-keys': 'list=atomic',
    'x-kubernetes-validations': 'patch=merge key=rule list=map keys=rule',
  },
  'apiextensions-apiserver.pkg.apis.apiextensions.v1.WebhookConversion': { conversionReviewVersions: 'list=atomic' },
  'apimachinery.pkg.apis.meta.v1.APIGroup': { serverAddressByClientCIDRs: 'list=atomic', versions: 'list=atomic' },
  'apimachinery.pkg.apis.meta.v1.APIGroupList': { groups: 'list=atomic' },
  'apimachinery.pkg.apis.meta.v1.APIResource': { categories: 'list=atomic', shortNames: 'list=atomic' },
  'apimachinery.pkg.apis.meta.v1.APIResourceList': { resources: 'list=atomic' },
  'apimachinery.pkg.apis.meta.v1.APIVersions': { serverAddressByClientCIDRs: 'list=atomic', versions: 'list=atomic' },
  'apimachinery.pkg.apis.meta.v1.DeleteOptions': { dryRun: 'list=atomic' },
  'apimachinery.pkg.apis.meta.v1.FieldSelectorRequirement': { values: 'list=atomic' },
  'apimachinery.pkg.apis.meta.v1.LabelSelector': { '.': 'mapType=atomic', matchExpressions: 'list=atomic' },
  'apimachinery.pkg.apis.meta.v1.LabelSelectorRequirement': { values: 'list=atomic' },
  'apimachinery.pkg.apis.meta.v1.ObjectMeta': {
    finalizers: 'patch=merge list=set', managedFields: 'list=atomic',
    ownerReferences: 'patch=merge key=uid list=map keys=uid',
  },
  'apimachinery.pkg.apis.meta.v1.OwnerReference': { '.': 'mapType=atomic' },
  'apimachinery.pkg.apis.meta.v1.StatusDetails': { causes: 'list=atomic' },
  'kube-aggregator.pkg.apis.apiregistration.v1.APIServiceSpec': { caBundle: 'list=atomic' },
  'kube-aggregator.pkg.apis.apiregistration.v1.APIServiceStatus': {
    conditions: 'patch=merge key=type list=map keys=type',
  },
};

let parsed: Map<string, Record<string, PatchMeta>> | undefined;

function parseSettings(text: string): PatchMeta {
  const m: PatchMeta = {};
  for (const tok of text.split(' ')) {
    const [k, v] = tok.split('=');
    switch (k) {
      case 'patch': m.patchStrategy = v; break;
      case 'key': m.patchMergeKey = v; break;
      case 'list': m.listType = v as PatchMeta['listType']; break;
      case 'keys': m.listMapKeys = v.split(','); break;
      case 'mapType': m.mapType = v as PatchMeta['mapType']; break;
      default: throw new Error(`patchmeta: unknown setting ${tok}`);
    }
  }
  return m;
}

function table(): Map<string, Record<string, PatchMeta>> {
  if (!parsed) {
    parsed = new Map();
    for (const [def, fields] of Object.entries(TABLE)) {
      const out: Record<string, PatchMeta> = {};
      for (const [f, text] of Object.entries(fields)) out[f] = parseSettings(text);
      parsed.set(`io.k8s.${def}`, out);
    }
  }
  return parsed;
}

/** Patch metadata of one field of a definition (e.g. io.k8s.api.core.v1.PodSpec, "containers"). */
export function fieldPatchMeta(definition: string, fieldName: string): PatchMeta | undefined {
  return table().get(definition)?.[fieldName];
}

/** x-kubernetes-map-type of a definition itself ('atomic' structs are replaced whole by apply). */
export function definitionMapType(definition: string): PatchMeta['mapType'] {
  return table().get(definition)?.['.']?.mapType;
}

/** Every definition with patch metadata, and its fields (the '.' key is the definition itself). */
export function allPatchMeta(): ReadonlyMap<string, Readonly<Record<string, PatchMeta>>> {
  return table();
}

/** The OpenAPI extension keys for a PatchMeta, as upstream writes them on a property. */
export function patchMetaExtensions(m: PatchMeta): Record<string, unknown> {
  const x: Record<string, unknown> = {};
  if (m.listMapKeys) x['x-kubernetes-list-map-keys'] = m.listMapKeys;
  if (m.listType) x['x-kubernetes-list-type'] = m.listType;
  if (m.mapType) x['x-kubernetes-map-type'] = m.mapType;
  if (m.patchMergeKey) x['x-kubernetes-patch-merge-key'] = m.patchMergeKey;
  if (m.patchStrategy) x['x-kubernetes-patch-strategy'] = m.patchStrategy;
  return x;
}
