// Controller names as kube-controller-manager knows them (canonical "*-controller" names and the
// short aliases still accepted by --controllers), and upstream's enable/disable rules for the flag.

/** canonical name → alias */
export const KNOWN_CONTROLLERS: Record<string, string> = {
  'serviceaccount-token-controller': 'serviceaccount-token',
  'endpoints-controller': 'endpoint',
  'endpointslice-controller': 'endpointslice',
  'endpointslice-mirroring-controller': 'endpointslicemirroring',
  'replicationcontroller-controller': 'replicationcontroller',
  'pod-garbage-collector-controller': 'podgc',
  'resourcequota-controller': 'resourcequota',
  'namespace-controller': 'namespace',
  'serviceaccount-controller': 'serviceaccount',
  'garbage-collector-controller': 'garbagecollector',
  'daemonset-controller': 'daemonset',
  'job-controller': 'job',
  'deployment-controller': 'deployment',
  'replicaset-controller': 'replicaset',
  'horizontal-pod-autoscaler-controller': 'horizontalpodautoscaling',
  'disruption-controller': 'disruption',
  'statefulset-controller': 'statefulset',
  'cronjob-controller': 'cronjob',
  'certificatesigningrequest-signing-controller': 'csrsigning',
  'certificatesigningrequest-approving-controller': 'csrapproving',
  'certificatesigningrequest-cleaner-controller': 'csrcleaner',
  'ttl-controller': 'ttl',
  'bootstrap-signer-controller': 'bootstrapsigner',
  'token-cleaner-controller': 'tokencleaner',
  'node-ipam-controller': 'nodeipam',
  'node-lifecycle-controller': 'nodelifecycle',
  'taint-eviction-controller': 'taint-eviction-controller',
  'service-lb-controller': 'service',
  'node-route-controller': 'route',
  'cloud-node-lifecycle-controller': 'cloud-node-lifecycle',
  'persistentvolume-binder-controller': 'persistentvolume-binder',
  'persistentvolume-attach-detach-controller': 'attachdetach',
  'persistentvolume-expander-controller': 'persistentvolume-expander',
  'clusterrole-aggregation-controller': 'clusterrole-aggregation',
  'persistentvolumeclaim-protection-controller': 'pvc-protection',
  'persistentvolume-protection-controller': 'pv-protection',
  'ttl-after-finished-controller': 'ttl-after-finished',
  'root-ca-certificate-publisher-controller': 'root-ca-cert-publisher',
  'ephemeral-volume-controller': 'ephemeral-volume',
  'storageversion-garbage-collector-controller': 'storage-version-gc',
  'resourceclaim-controller': 'resourceclaim-controller',
  'legacy-serviceaccount-token-cleaner-controller': 'legacy-serviceaccount-token-cleaner',
  'validatingadmissionpolicy-status-controller': 'validatingadmissionpolicy-status-controller',
  'service-cidr-controller': 'service-cidr-controller',
};

/** Off unless named explicitly, as upstream. */
export const DISABLED_BY_DEFAULT = new Set(['bootstrap-signer-controller', 'token-cleaner-controller']);

const ALIASES = new Map(Object.entries(KNOWN_CONTROLLERS).map(([name, alias]) => [alias, name]));

export function canonicalName(name: string): string { return ALIASES.get(name) ?? name; }

/** Errors for --controllers entries that are not known (upstream wording), empty when all are fine. */
export function validateControllers(list: string[]): string[] {
  const errs: string[] = [];
  for (const entry of list) {
    if (entry === '*') continue;
    const bare = entry.startsWith('-') ? entry.slice(1) : entry;
    if (!(canonicalName(bare) in KNOWN_CONTROLLERS)) errs.push(`${JSON.stringify(bare)} is not in the list of known controllers`);
  }
  return errs;
}

/** IsControllerEnabled: an explicit name or -name wins (first match), else `*` enables the default set. */
export function isControllerEnabled(name: string, list: string[]): boolean {
  const canonical = canonicalName(name);
  let star = false;
  for (const entry of list) {
    if (entry === '*') { star = true; continue; }
    const neg = entry.startsWith('-');
    if (canonicalName(neg ? entry.slice(1) : entry) === canonical) return !neg;
  }
  return star && !DISABLED_BY_DEFAULT.has(canonical);
}

/** --controllers value: comma-separated, default "*". */
export function parseControllersFlag(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}
