// Validation for the remaining built-in kinds: namespaces, nodes, storage, networking, policy,
// autoscaling, scheduling, coordination, discovery, certificates, node.k8s.io.

import { field, type FieldError } from '../../machinery/errors.js';
import {
  deepEqual, IP_ERROR, isDNS1123Label, isDNS1123Subdomain, isIPv4, isIPv6, isQualifiedName, isValidIP,
  isValidPathSegmentName, isValidPortName, isValidPortNum, validateLabels,
} from '../../machinery/validation.js';
import { tryParseQuantity } from '../../machinery/quantity.js';
import {
  intOrPercent, invalidRaw, isObj, isSet, list, nonNegative, obj, oneOf, positive, str, validateLabelSelector,
  validateQuantity, type Obj,
} from './util.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const ACCESS_MODES = ['ReadOnlyMany', 'ReadWriteMany', 'ReadWriteOnce', 'ReadWriteOncePod'];

export function validateNamespace(o: Obj, old?: Obj): FieldError[] {
  const errs: FieldError[] = [];
  list(obj(o.spec).finalizers).forEach((f, i) => {
    const s = str(f);
    const p = `spec.finalizers[${i}]`;
    errs.push(...isQualifiedName(s).map((m) => field.invalid(p, s, m)));
    if (!s.includes('/') && s !== 'kubernetes') errs.push(field.invalid(p, s, 'name is neither a standard finalizer name nor is it fully qualified'));
  });
  void old;
  return errs;
}

const TAINT_EFFECTS = ['NoExecute', 'NoSchedule', 'PreferNoSchedule'];

export function validateNode(o: Obj, old?: Obj): FieldError[] {
  const spec = obj(o.spec);
  const errs: FieldError[] = [];
  list(spec.taints).forEach((t, i) => {
    const taint = obj(t);
    const p = `spec.taints[${i}]`;
    errs.push(...isQualifiedName(str(taint.key)).map((m) => field.invalid(`${p}.key`, str(taint.key), m)));
    errs.push(...oneOf(taint.effect, TAINT_EFFECTS, `${p}.effect`, true));
  });
  list(spec.podCIDRs).forEach((c, i) => {
    const [ip, bits] = str(c).split('/');
    if (!isValidIP(ip ?? '') || !/^[0-9]+$/.test(bits ?? '')) {
      errs.push(field.invalid(`spec.podCIDRs[${i}]`, str(c), 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
    }
  });
  const status = obj(o.status);
  for (const k of ['capacity', 'allocatable']) {
    for (const [r, v] of Object.entries(obj(status[k]))) errs.push(...validateQuantity(v, `status.${k}[${r}]`));
  }
  if (old) {
    const os = obj(old.spec);
    if (str(os.podCIDR) && str(spec.podCIDR) !== str(os.podCIDR)) errs.push(field.forbidden('spec.podCIDRs', 'node updates may not change podCIDR except from "" to valid'));
    if (str(os.providerID) && str(spec.providerID) !== str(os.providerID)) errs.push(field.forbidden('spec.providerID', 'node updates may not change providerID except from "" to valid'));
  }
  return errs;
}

export function validateLease(o: Obj): FieldError[] {
  const s = obj(o.spec);
  return [...positive(s.leaseDurationSeconds, 'spec.leaseDurationSeconds'), ...nonNegative(s.leaseTransitions, 'spec.leaseTransitions')];
}

function validatePorts(ports: unknown, p: string, requireName: boolean): FieldError[] {
  const errs: FieldError[] = [];
  list(ports).forEach((pt, i) => {
    const port = obj(pt);
    const pp = `${p}[${i}]`;
    const name = str(port.name);
    if (requireName && !name) errs.push(field.required(`${pp}.name`));
    if (name) errs.push(...isDNS1123Label(name).map((m) => field.invalid(`${pp}.name`, name, m)));
    errs.push(...isValidPortNum(Number(port.port)).map((m) => field.invalid(`${pp}.port`, port.port ?? 0, m)));
    errs.push(...oneOf(port.protocol, PROTOCOLS, `${pp}.protocol`, true));
  });
  return errs;
}

export function validateEndpoints(o: Obj): FieldError[] {
  const errs: FieldError[] = [];
  list(o.subsets).forEach((s, i) => {
    const subset = obj(s);
    const p = `subsets[${i}]`;
    if (list(subset.addresses).length === 0 && list(subset.notReadyAddresses).length === 0) {
      errs.push(field.required(p, 'must specify `addresses` or `notReadyAddresses`'));
    }
    for (const k of ['addresses', 'notReadyAddresses']) {
      list(subset[k]).forEach((a, j) => {
        const ip = str(obj(a).ip);
        if (!isValidIP(ip)) errs.push(field.invalid(`${p}.${k}[${j}].ip`, ip, IP_ERROR));
      });
    }
    errs.push(...validatePorts(subset.ports, `${p}.ports`, list(subset.ports).length > 1));
  });
  return errs;
}

export function validateEndpointSlice(o: Obj, old?: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const at = str(o.addressType);
  errs.push(...oneOf(o.addressType, ['FQDN', 'IPv4', 'IPv6'], 'addressType', true));
  list(o.endpoints).forEach((e, i) => {
    const addrs = list(obj(e).addresses);
    const p = `endpoints[${i}].addresses`;
    if (addrs.length === 0) errs.push(field.required(p, 'must contain at least 1 address'));
    else if (addrs.length > 100) errs.push(field.tooMany(p, addrs.length, 100));
    addrs.forEach((a, j) => {
      const s = str(a);
      if (at === 'IPv4' && !isIPv4(s)) errs.push(field.invalid(`${p}[${j}]`, s, 'must be a valid IPv4 address'));
      if (at === 'IPv6' && !isIPv6(s)) errs.push(field.invalid(`${p}[${j}]`, s, 'must be a valid IPv6 address'));
      if (at === 'FQDN') errs.push(...isDNS1123Subdomain(s).map((m) => field.invalid(`${p}[${j}]`, s, m)));
    });
  });
  list(o.ports).forEach((pt, i) => {
    const port = obj(pt);
    const name = str(port.name);
    if (name) errs.push(...isDNS1123Label(name).map((m) => field.invalid(`ports[${i}].name`, name, m)));
    if (isSet(port.port)) errs.push(...isValidPortNum(Number(port.port)).map((m) => field.invalid(`ports[${i}].port`, port.port, m)));
    errs.push(...oneOf(port.protocol, PROTOCOLS, `ports[${i}].protocol`));
  });
  if (old && str(old.addressType) !== at) errs.push(field.invalid('addressType', at, 'field is immutable'));
  return errs;
}

export function validatePodDisruptionBudget(o: Obj): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  if (isSet(s.minAvailable) && isSet(s.maxUnavailable)) {
    errs.push(field.invalid('spec', s, 'minAvailable and maxUnavailable cannot be both set'));
  }
  errs.push(...intOrPercent(s.minAvailable, 'spec.minAvailable'), ...intOrPercent(s.maxUnavailable, 'spec.maxUnavailable'));
  errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
  errs.push(...oneOf(s.unhealthyPodEvictionPolicy, ['IfHealthyBudget', 'AlwaysAllow'], 'spec.unhealthyPodEvictionPolicy'));
  return errs;
}

export function validateHorizontalPodAutoscaler(o: Obj): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  const ref = obj(s.scaleTargetRef);
  if (!str(ref.kind)) errs.push(field.required('spec.scaleTargetRef.kind'));
  else errs.push(...isValidPathSegmentName(str(ref.kind)).map((m) => field.invalid('spec.scaleTargetRef.kind', ref.kind, m)));
  if (!str(ref.name)) errs.push(field.required('spec.scaleTargetRef.name'));
  else errs.push(...isValidPathSegmentName(str(ref.name)).map((m) => field.invalid('spec.scaleTargetRef.name', ref.name, m)));
  if (isSet(s.minReplicas) && Number(s.minReplicas) < 1) errs.push(field.invalid('spec.minReplicas', s.minReplicas, 'must be greater than or equal to 1'));
  if (Number(s.maxReplicas ?? 0) < 1) errs.push(field.invalid('spec.maxReplicas', s.maxReplicas ?? 0, 'must be greater than 0'));
  if (isSet(s.minReplicas) && Number(s.maxReplicas) < Number(s.minReplicas)) {
    errs.push(field.invalid('spec.maxReplicas', s.maxReplicas, 'must be greater than or equal to `minReplicas`'));
  }
  if (isSet(s.targetCPUUtilizationPercentage) && Number(s.targetCPUUtilizationPercentage) < 1) {
    errs.push(field.invalid('spec.targetCPUUtilizationPercentage', s.targetCPUUtilizationPercentage, 'must be greater than 0'));
  }
  list(s.metrics).forEach((m, i) => {
    const metric = obj(m);
    const p = `spec.metrics[${i}]`;
    errs.push(...oneOf(metric.type, ['ContainerResource', 'External', 'Object', 'Pods', 'Resource'], `${p}.type`, true));
    if (metric.type === 'Resource') {
      const r = obj(metric.resource);
      if (!isObj(metric.resource)) { errs.push(field.required(`${p}.resource`, 'must populate information for the given metric source')); return; }
      if (!str(r.name)) errs.push(field.required(`${p}.resource.name`, 'must specify a resource name'));
      const t = obj(r.target);
      errs.push(...oneOf(t.type, ['AverageValue', 'Utilization', 'Value'], `${p}.resource.target.type`, true));
      if (isSet(t.averageUtilization) && Number(t.averageUtilization) < 1) {
        errs.push(field.invalid(`${p}.resource.target.averageUtilization`, t.averageUtilization, 'must be greater than 0'));
      }
    }
  });
  return errs;
}

export function validateIngress(o: Obj): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  const rules = list(s.rules);
  if (rules.length === 0 && !isSet(s.defaultBackend)) errs.push(field.invalid('spec', rules, 'either `defaultBackend` or `rules` must be specified'));
  if (isSet(s.defaultBackend)) errs.push(...validateIngressBackend(s.defaultBackend, 'spec.defaultBackend'));
  if (isSet(s.ingressClassName)) errs.push(...isDNS1123Subdomain(str(s.ingressClassName)).map((m) => field.invalid('spec.ingressClassName', s.ingressClassName, m)));
  rules.forEach((r, i) => {
    const rule = obj(r);
    const p = `spec.rules[${i}]`;
    const host = str(rule.host);
    if (host) {
      if (isValidIP(host)) errs.push(field.invalid(`${p}.host`, host, 'must be a DNS name, not an IP address'));
      const h = host.startsWith('*.') ? host.slice(2) : host;
      errs.push(...isDNS1123Subdomain(h).map((m) => field.invalid(`${p}.host`, host, m)));
    }
    if (!isSet(rule.http)) return;
    const paths = list(obj(rule.http).paths);
    if (paths.length === 0) errs.push(field.required(`${p}.http.paths`));
    paths.forEach((x, j) => {
      const path = obj(x);
      const pp = `${p}.http.paths[${j}]`;
      if (!isSet(path.pathType)) errs.push(field.required(`${pp}.pathType`, 'pathType must be specified'));
      else errs.push(...oneOf(path.pathType, ['Exact', 'ImplementationSpecific', 'Prefix'], `${pp}.pathType`));
      if ((path.pathType === 'Exact' || path.pathType === 'Prefix') && !str(path.path).startsWith('/')) {
        errs.push(field.invalid(`${pp}.path`, str(path.path), 'must be an absolute path'));
      }
      errs.push(...validateIngressBackend(path.backend, `${pp}.backend`));
    });
  });
  return errs;
}

function validateIngressBackend(b: unknown, p: string): FieldError[] {
  const backend = obj(b);
  const hasRes = isSet(backend.resource);
  const hasSvc = isSet(backend.service);
  if (hasRes && hasSvc) return [field.invalid(p, '', 'cannot set both resource and service backends')];
  if (hasRes) {
    const r = obj(backend.resource);
    const errs: FieldError[] = [];
    if (!str(r.kind)) errs.push(field.required(`${p}.resource.kind`));
    if (!str(r.name)) errs.push(field.required(`${p}.resource.name`));
    return errs;
  }
  if (!hasSvc) return [field.invalid(p, '', 'resource or service backend is required')];
  const svc = obj(backend.service);
  const errs: FieldError[] = [];
  if (!str(svc.name)) errs.push(field.required(`${p}.service.name`));
  const port = obj(svc.port);
  const hasName = !!str(port.name);
  const hasNumber = !!port.number;
  if (hasName && hasNumber) errs.push(field.invalid(p, '', 'cannot set both port name & port number'));
  else if (hasName) errs.push(...isValidPortName(str(port.name)).map((m) => field.invalid(`${p}.service.port.name`, port.name, m)));
  else if (hasNumber) errs.push(...isValidPortNum(Number(port.number)).map((m) => field.invalid(`${p}.service.port.number`, port.number, m)));
  else errs.push(field.required(p, 'port name or number is required'));
  return errs;
}

export function validateIngressClass(o: Obj, old?: Obj): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  const controller = str(s.controller);
  if (!controller) errs.push(field.required('spec.controller'));
  else if (controller.length > 250) errs.push(field.tooLong('spec.controller', 250));
  if (old && controller !== str(obj(old.spec).controller)) errs.push(field.invalid('spec.controller', controller, 'field is immutable'));
  return errs;
}

export function validateNetworkPolicy(o: Obj): FieldError[] {
  const s = obj(o.spec);
  const errs = validateLabelSelector(s.podSelector, 'spec.podSelector');
  for (const dir of ['ingress', 'egress'] as const) {
    const peersKey = dir === 'ingress' ? 'from' : 'to';
    list(s[dir]).forEach((r, i) => {
      const rule = obj(r);
      const p = `spec.${dir}[${i}]`;
      list(rule.ports).forEach((pt, j) => {
        const port = obj(pt);
        const pp = `${p}.ports[${j}]`;
        errs.push(...oneOf(port.protocol, PROTOCOLS, `${pp}.protocol`));
        if (typeof port.port === 'number') errs.push(...isValidPortNum(port.port).map((m) => field.invalid(`${pp}.port`, port.port, m)));
        else if (typeof port.port === 'string') errs.push(...isValidPortName(port.port).map((m) => field.invalid(`${pp}.port`, port.port, m)));
        if (isSet(port.endPort)) {
          if (typeof port.port !== 'number') errs.push(field.required(`${pp}.port`, 'must specify port when endPort is specified'));
          else if (Number(port.endPort) < port.port) errs.push(field.invalid(`${pp}.endPort`, port.endPort, 'must be greater than or equal to `port`'));
        }
      });
      list(rule[peersKey]).forEach((x, j) => {
        const peer = obj(x);
        const pp = `${p}.${peersKey}[${j}]`;
        const n = ['podSelector', 'namespaceSelector', 'ipBlock'].filter((k) => isSet(peer[k])).length;
        if (n === 0) errs.push(field.required(pp, 'must specify a peer'));
        else if (isSet(peer.ipBlock) && n > 1) errs.push(field.forbidden(pp, 'may not specify both ipBlock and another peer'));
        errs.push(...validateLabelSelector(peer.podSelector, `${pp}.podSelector`));
        errs.push(...validateLabelSelector(peer.namespaceSelector, `${pp}.namespaceSelector`));
        if (isSet(peer.ipBlock)) {
          const cidr = str(obj(peer.ipBlock).cidr);
          if (!cidr) errs.push(field.required(`${pp}.ipBlock.cidr`));
          else if (!isValidIP(cidr.split('/')[0]) || !/^[0-9]+$/.test(cidr.split('/')[1] ?? '')) {
            errs.push(field.invalid(`${pp}.ipBlock.cidr`, cidr, 'must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)'));
          }
        }
      });
    });
  }
  const types = list(s.policyTypes);
  types.forEach((t, i) => errs.push(...oneOf(t, ['Ingress', 'Egress'], `spec.policyTypes[${i}]`)));
  if (types.length > 2) errs.push(field.invalid('spec.policyTypes', types, 'may not specify more than two policyTypes'));
  return errs;
}

export function validateStorageClass(o: Obj, old?: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const prov = str(o.provisioner);
  if (!prov) errs.push(field.required('provisioner'));
  else errs.push(...isQualifiedName(prov.toLowerCase()).map((m) => field.invalid('provisioner', prov, m)));
  errs.push(...oneOf(o.reclaimPolicy, ['Delete', 'Retain'], 'reclaimPolicy'));
  errs.push(...oneOf(o.volumeBindingMode, ['Immediate', 'WaitForFirstConsumer'], 'volumeBindingMode', true));
  if (old) {
    if (!deepEqual(o.parameters ?? {}, old.parameters ?? {})) errs.push(field.forbidden('parameters', 'updates to parameters are forbidden.'));
    if (prov !== str(old.provisioner)) errs.push(field.forbidden('provisioner', 'updates to provisioner are forbidden.'));
    if (str(o.reclaimPolicy) !== str(old.reclaimPolicy)) errs.push(field.forbidden('reclaimPolicy', 'updates to reclaimPolicy are forbidden.'));
    if (str(o.volumeBindingMode) !== str(old.volumeBindingMode)) errs.push(field.invalid('volumeBindingMode', o.volumeBindingMode, 'field is immutable'));
  }
  return errs;
}

const PV_SOURCES = [
  'gcePersistentDisk', 'awsElasticBlockStore', 'hostPath', 'glusterfs', 'nfs', 'rbd', 'iscsi', 'cinder', 'cephfs',
  'fc', 'flocker', 'flexVolume', 'azureFile', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk',
  'portworxVolume', 'scaleIO', 'local', 'storageos', 'csi',
];

export function validatePersistentVolume(o: Obj): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  const modes = list(s.accessModes);
  if (modes.length === 0) errs.push(field.required('spec.accessModes'));
  modes.forEach((m) => { if (!ACCESS_MODES.includes(str(m))) errs.push(field.notSupported('spec.accessModes', m, ACCESS_MODES)); });
  const cap = obj(s.capacity);
  if (Object.keys(cap).length === 0) errs.push(field.required('spec.capacity'));
  else if (!('storage' in cap) || Object.keys(cap).length > 1) errs.push(field.notSupported('spec.capacity', cap, ['storage']));
  for (const [k, v] of Object.entries(cap)) errs.push(...validateQuantity(v, `spec.capacity[${k}]`));
  const sources = PV_SOURCES.filter((k) => isSet(s[k]));
  if (sources.length === 0) errs.push(field.required('spec', 'must specify a volume type'));
  for (const k of sources.slice(1)) errs.push(field.forbidden(`spec.${k}`, 'may not specify more than 1 volume type'));
  if (isSet(s.hostPath) && !str(obj(s.hostPath).path)) errs.push(field.required('spec.hostPath.path'));
  if (isSet(s.local) && !str(obj(s.local).path)) errs.push(field.required('spec.local.path'));
  if (isSet(s.csi)) {
    if (!str(obj(s.csi).driver)) errs.push(field.required('spec.csi.driver'));
    if (!str(obj(s.csi).volumeHandle)) errs.push(field.required('spec.csi.volumeHandle'));
  }
  errs.push(...oneOf(s.persistentVolumeReclaimPolicy, ['Delete', 'Recycle', 'Retain'], 'spec.persistentVolumeReclaimPolicy'));
  errs.push(...oneOf(s.volumeMode, ['Block', 'Filesystem'], 'spec.volumeMode'));
  if (str(s.storageClassName)) errs.push(...isDNS1123Subdomain(str(s.storageClassName)).map((m) => field.invalid('spec.storageClassName', s.storageClassName, m)));
  return errs;
}

export function validatePersistentVolumeClaim(o: Obj, old?: Obj): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  const modes = list(s.accessModes);
  if (modes.length === 0) errs.push(field.required('spec.accessModes', 'at least 1 access mode is required'));
  modes.forEach((m) => { if (!ACCESS_MODES.includes(str(m))) errs.push(field.notSupported('spec.accessModes', m, ACCESS_MODES)); });
  errs.push(...validateLabelSelector(s.selector, 'spec.selector'));
  const requests = obj(obj(s.resources).requests);
  if (!('storage' in requests)) errs.push(field.required('spec.resources[storage]'));
  else errs.push(...validateQuantity(requests.storage, 'spec.resources[storage]', { positive: true }));
  errs.push(...oneOf(s.volumeMode, ['Block', 'Filesystem'], 'spec.volumeMode'));
  if (str(s.storageClassName)) errs.push(...isDNS1123Subdomain(str(s.storageClassName)).map((m) => field.invalid('spec.storageClassName', s.storageClassName, m)));
  if (old) {
    const os = obj(old.spec);
    const strip = (x: Obj) => {
      const c = structuredClone(x) as Obj;
      delete obj(c.resources).requests;
      if (!str(os.volumeName)) delete c.volumeName;
      return c;
    };
    if (!deepEqual(strip(s), strip(os))) {
      errs.push(field.forbidden('spec', 'spec is immutable after creation except resources.requests for bound claims'));
    }
    const nq = tryParseQuantity(requests.storage);
    const oq = tryParseQuantity(obj(obj(os.resources).requests).storage);
    if (nq && oq && nq.cmp(oq) < 0) errs.push(field.forbidden('spec.resources.requests.storage', 'field can not be less than previous value'));
  }
  return errs;
}

const HIGHEST_USER_PRIORITY = 1_000_000_000;
const SYSTEM_PRIORITY_CLASSES: Record<string, number> = { 'system-cluster-critical': 2_000_000_000, 'system-node-critical': 2_000_001_000 };

export function validatePriorityClass(o: Obj, old?: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(obj(o.metadata).name);
  const value = Number(o.value ?? 0);
  if (name.startsWith('system-')) {
    if (!(name in SYSTEM_PRIORITY_CLASSES)) errs.push(field.forbidden('metadata.name', "priority class names with 'system-' prefix are reserved"));
    else if (SYSTEM_PRIORITY_CLASSES[name] !== value) {
      errs.push(field.forbidden('value', `value of ${name} PriorityClass must be ${SYSTEM_PRIORITY_CLASSES[name]}`));
    }
  } else if (value > HIGHEST_USER_PRIORITY) {
    errs.push(field.forbidden('value', `maximum allowed value of a user defined priority is ${HIGHEST_USER_PRIORITY}`));
  }
  errs.push(...oneOf(o.preemptionPolicy, ['Never', 'PreemptLowerPriority'], 'preemptionPolicy'));
  if (old) {
    if (Number(old.value ?? 0) !== value) errs.push(field.forbidden('value', 'may not be changed in an update.'));
    if (str(old.preemptionPolicy) !== str(o.preemptionPolicy)) errs.push(field.invalid('preemptionPolicy', o.preemptionPolicy, 'field is immutable'));
  }
  return errs;
}

export function validateRuntimeClass(o: Obj, old?: Obj): FieldError[] {
  const handler = str(o.handler);
  const errs: FieldError[] = [];
  if (!handler) errs.push(field.required('handler'));
  else errs.push(...isDNS1123Label(handler).map((m) => field.invalid('handler', handler, m)));
  for (const [k, v] of Object.entries(obj(obj(o.overhead).podFixed))) errs.push(...validateQuantity(v, `overhead.podFixed[${k}]`));
  errs.push(...validateLabels(obj(o.scheduling).nodeSelector, 'scheduling.nodeSelector'));
  if (old && handler !== str(old.handler)) errs.push(field.invalid('handler', handler, 'field is immutable'));
  return errs;
}

const CSR_USAGES = [
  'any', 'cert sign', 'client auth', 'code signing', 'content commitment', 'crl sign', 'data encipherment',
  'decipher only', 'digital signature', 'email protection', 'encipher only', 'ipsec end system', 'ipsec tunnel',
  'ipsec user', 'key agreement', 'key encipherment', 'microsoft sgc', 'netscape sgc', 'ocsp signing', 's/mime',
  'server auth', 'signing', 'timestamping',
];

export function validateCertificateSigningRequest(o: Obj): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  const pem = Buffer.from(str(s.request), 'base64').toString('utf8');
  if (!pem.includes('-----BEGIN ')) errs.push(invalidRaw('spec.request', '[]byte{...}', 'PEM block type must be CERTIFICATE REQUEST'));
  else if (!pem.includes('-----BEGIN CERTIFICATE REQUEST-----') && !pem.includes('-----BEGIN NEW CERTIFICATE REQUEST-----')) {
    errs.push(invalidRaw('spec.request', '[]byte{...}', 'PEM block type must be CERTIFICATE REQUEST'));
  }
  const usages = list(s.usages);
  if (usages.length === 0) errs.push(field.required('spec.usages', 'usages must be provided'));
  const seen = new Set<string>();
  usages.forEach((u, i) => {
    const us = str(u);
    if (!CSR_USAGES.includes(us)) errs.push(field.notSupported(`spec.usages[${i}]`, us, CSR_USAGES));
    if (seen.has(us)) errs.push(field.duplicate(`spec.usages[${i}]`, us));
    seen.add(us);
  });
  const signer = str(s.signerName);
  if (!signer) errs.push(field.required('spec.signerName'));
  else {
    const slash = signer.indexOf('/');
    if (slash < 0) errs.push(field.invalid('spec.signerName', signer, "must be a fully qualified domain and path of the form 'example.com/signer-name'"));
    else errs.push(...isDNS1123Subdomain(signer.slice(0, slash)).map((m) => field.invalid('spec.signerName', signer, m)));
  }
  if (isSet(s.expirationSeconds) && Number(s.expirationSeconds) < 600) {
    errs.push(field.invalid('spec.expirationSeconds', s.expirationSeconds, 'may not specify a duration less than 600 seconds (10 minutes)'));
  }
  return errs;
}

export function validateLimitRange(o: Obj): FieldError[] {
  const errs: FieldError[] = [];
  list(obj(o.spec).limits).forEach((l, i) => {
    const item = obj(l);
    const p = `spec.limits[${i}]`;
    errs.push(...oneOf(item.type, ['Container', 'PersistentVolumeClaim', 'Pod'], `${p}.type`, true));
    for (const k of ['max', 'min', 'default', 'defaultRequest', 'maxLimitRequestRatio']) {
      for (const [r, v] of Object.entries(obj(item[k]))) errs.push(...validateQuantity(v, `${p}.${k}[${r}]`));
    }
    for (const [r, v] of Object.entries(obj(item.min))) {
      const mx = tryParseQuantity(obj(item.max)[r]);
      const mn = tryParseQuantity(v);
      if (mx && mn && mn.cmp(mx) > 0) errs.push(field.invalid(`${p}.min[${r}]`, mn.toString(), `min value ${mn} is greater than max value ${mx}`));
    }
  });
  return errs;
}

export function validateResourceQuota(o: Obj): FieldError[] {
  const errs: FieldError[] = [];
  for (const [k, v] of Object.entries(obj(obj(o.spec).hard))) errs.push(...validateQuantity(v, `spec.hard[${k}]`));
  return errs;
}

export function validateControllerRevision(o: Obj, old?: Obj): FieldError[] {
  const errs = nonNegative(o.revision, 'revision');
  if (!isSet(o.data)) errs.push(field.required('data', 'data is mandatory'));
  if (old && !deepEqual(o.data, old.data)) errs.push(field.invalid('data', '', 'field is immutable'));
  return errs;
}

export function validateVolumeAttachment(o: Obj, old?: Obj): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  if (!str(s.attacher)) errs.push(field.required('spec.attacher'));
  if (!str(s.nodeName)) errs.push(field.required('spec.nodeName'));
  const src = obj(s.source);
  if (isSet(src.persistentVolumeName) === isSet(src.inlineVolumeSpec)) {
    errs.push(field.required('spec.source', 'must specify exactly one of inlineVolumeSpec and persistentVolumeName'));
  }
  if (old && !deepEqual(o.spec, old.spec)) errs.push(field.invalid('spec', '', 'field is immutable'));
  return errs;
}

export function validateBinding(o: Obj): FieldError[] {
  const t = obj(o.target);
  const errs: FieldError[] = [];
  if (str(t.kind) && t.kind !== 'Node') errs.push(field.notSupported('target.kind', t.kind, ['Node', '<empty>']));
  if (!str(t.name)) errs.push(field.required('target.name'));
  return errs;
}

export function validateCoreEvent(o: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const ns = str(obj(o.metadata).namespace);
  const inv = obj(o.involvedObject);
  if (str(inv.namespace) && str(inv.namespace) !== ns) {
    errs.push(field.invalid('involvedObject.namespace', str(inv.namespace), 'does not match event.namespace'));
  }
  return errs;
}
