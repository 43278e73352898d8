// Core (v1) kinds other than pods and workloads: services, nodes, namespaces, config, storage
// claims, quotas, endpoints and events.

import type { KObject, Printer } from '../types.js';
import { parseTime, translateTimestampSince } from './duration.js';
import { formatLabels } from './labels.js';
import { ageColumn, ageOf, arr, asMap, col, count, formatQuantity, get, int, nameColumn, nameOf, str, strs, type Obj } from './util.js';

// ---- services

const LOAD_BALANCER_WIDTH = 16;

/** distinct load-balancer ingress IPs (or hostnames), sorted; clipped unless wide */
export function loadBalancerStatus(o: unknown, path: string, wide: boolean): string {
  const set = new Set<string>();
  for (const ing of arr(o, path)) {
    const v = str(ing, 'ip') || str(ing, 'hostname');
    if (v) set.add(v);
  }
  let r = [...set].sort().join(',');
  if (!wide && r.length > LOAD_BALANCER_WIDTH) r = `${r.slice(0, LOAD_BALANCER_WIDTH - 3)}...`;
  return r;
}

export function serviceExternalIP(svc: KObject, wide = true): string {
  const externalIPs = strs(svc, 'spec.externalIPs');
  switch (str(svc, 'spec.type')) {
    case 'ClusterIP':
    case 'NodePort':
      return externalIPs.length > 0 ? externalIPs.join(',') : '<none>';
    case 'LoadBalancer': {
      const lb = loadBalancerStatus(svc, 'status.loadBalancer.ingress', wide);
      if (externalIPs.length > 0) return [...(lb ? lb.split(',') : []), ...externalIPs].join(',');
      return lb || '<pending>';
    }
    case 'ExternalName':
      return str(svc, 'spec.externalName');
  }
  return '<unknown>';
}

/** "80/TCP,443:30443/TCP" */
export function servicePorts(ports: Obj[]): string {
  return ports.map((p) => {
    const nodePort = int(p, 'nodePort');
    return nodePort > 0 ? `${int(p, 'port')}:${nodePort}/${str(p, 'protocol')}` : `${int(p, 'port')}/${str(p, 'protocol')}`;
  }).join(',');
}

export const servicePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Type', 'string', 'How the Service is exposed: ClusterIP, NodePort, LoadBalancer or ExternalName.'),
    col('Cluster-IP', 'string', 'The IP address assigned to the service, usually at random.'),
    col('External-IP', 'string', 'IP addresses (or load-balancer ingress points) on which the service is reachable from outside.'),
    col('Port(s)', 'string', 'The ports exposed by this service.'),
    ageColumn(),
    col('Selector', 'string', 'Route service traffic to pods with label keys and values matching this selector.', 1),
  ],
  cells(o, now) {
    const clusterIPs = strs(o, 'spec.clusterIPs');
    const clusterIP = (clusterIPs.length > 0 ? clusterIPs[0] : str(o, 'spec.clusterIP')) || '<none>';
    return [nameOf(o), str(o, 'spec.type'), clusterIP, serviceExternalIP(o), servicePorts(arr(o, 'spec.ports')) || '<none>',
      ageOf(o, now), formatLabels(get(o, 'spec.selector'))];
  },
};

// ---- endpoints

/** up to three "ip:port" entries, then " + N more..." */
export function formatEndpoints(o: KObject): string {
  const subsets = arr(o, 'subsets');
  if (subsets.length === 0) return '<none>';
  const list: string[] = [];
  const max = 3;
  let more = false;
  let total = 0;
  for (const ss of subsets) {
    const addresses = arr(ss, 'addresses');
    const ports = arr(ss, 'ports');
    if (ports.length === 0) {
      // headless services may have no ports
      total += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        list.push(str(a, 'ip'));
      }
      continue;
    }
    for (const p of ports) {
      total += addresses.length;
      for (const a of addresses) {
        if (list.length === max) { more = true; break; }
        const ip = str(a, 'ip');
        list.push(`${ip.includes(':') ? `[${ip}]` : ip}:${int(p, 'port')}`);
      }
    }
  }
  const ret = list.join(',');
  return more ? `${ret} + ${total - max} more...` : ret;
}

export const endpointsPrinter: Printer = {
  columns: [nameColumn(), col('Endpoints', 'string', 'The set of addresses and ports that comprise the service.'), ageColumn()],
  cells: (o, now) => [nameOf(o), formatEndpoints(o), ageOf(o, now)],
};

// ---- nodes

const NODE_ROLE_PREFIX = 'node-role.kubernetes.io/';
const NODE_ROLE_LABEL = 'kubernetes.io/role';

/** roles from node-role.kubernetes.io/<role> keys and the kubernetes.io/role value, sorted */
export function nodeRoles(node: KObject): string[] {
  const roles = new Set<string>();
  for (const [k, v] of Object.entries(asMap(node.metadata?.labels))) {
    if (k.startsWith(NODE_ROLE_PREFIX)) {
      const role = k.slice(NODE_ROLE_PREFIX.length);
      if (role) roles.add(role);
    } else if (k === NODE_ROLE_LABEL && typeof v === 'string' && v !== '') {
      roles.add(v);
    }
  }
  return [...roles].sort();
}

/** "Ready", "NotReady", "Unknown", plus ",SchedulingDisabled" when cordoned */
export function nodeStatus(node: KObject): string {
  const status: string[] = [];
  // the last Ready condition wins, as upstream's map of conditions by type
  const ready = arr(node, 'status.conditions').filter((c) => c.type === 'Ready').pop();
  if (ready) status.push(ready.status === 'True' ? 'Ready' : 'NotReady');
  else status.push('Unknown');
  if (get(node, 'spec.unschedulable') === true) status.push('SchedulingDisabled');
  return status.join(',');
}

function nodeAddress(node: KObject, type: string): string {
  const a = arr(node, 'status.addresses').find((x) => x.type === type);
  return a ? str(a, 'address') : '<none>';
}

export const nodePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Status', 'string', 'The status of the node'),
    col('Roles', 'string', 'The roles of the node'),
    ageColumn(),
    col('Version', 'string', 'Kubelet Version reported by the node.'),
    col('Internal-IP', 'string', 'The first InternalIP among the addresses reachable to the node.', 1),
    col('External-IP', 'string', 'The first ExternalIP among the addresses reachable to the node.', 1),
    col('OS-Image', 'string', 'OS Image reported by the node from /etc/os-release.', 1),
    col('Kernel-Version', 'string', "Kernel Version reported by the node from 'uname -r'.", 1),
    col('Container-Runtime', 'string', 'ContainerRuntime Version reported by the node through runtime remote API.', 1),
  ],
  cells(o, now) {
    const info = (f: string) => str(o, `status.nodeInfo.${f}`) || '<unknown>';
    return [nameOf(o), nodeStatus(o), nodeRoles(o).join(',') || '<none>', ageOf(o, now), str(o, 'status.nodeInfo.kubeletVersion'),
      nodeAddress(o, 'InternalIP'), nodeAddress(o, 'ExternalIP'), info('osImage'), info('kernelVersion'),
      info('containerRuntimeVersion')];
  },
};

// ---- namespaces, config, accounts

export const namespacePrinter: Printer = {
  columns: [nameColumn(), col('Status', 'string', 'The status of the namespace'), ageColumn()],
  cells: (o, now) => [nameOf(o), str(o, 'status.phase'), ageOf(o, now)],
};

export const configMapPrinter: Printer = {
  columns: [nameColumn(), col('Data', 'string', 'The number of data and binaryData keys.'), ageColumn()],
  cells: (o, now) => [nameOf(o), count(o, 'data') + count(o, 'binaryData'), ageOf(o, now)],
};

export const secretPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Type', 'string', 'Used to facilitate programmatic handling of secret data.'),
    col('Data', 'string', 'The number of data keys.'),
    ageColumn(),
  ],
  cells: (o, now) => [nameOf(o), str(o, 'type'), count(o, 'data'), ageOf(o, now)],
};

export const serviceAccountPrinter: Printer = {
  columns: [nameColumn(), col('Secrets', 'string', 'The number of secrets listed for pods running as this service account.'), ageColumn()],
  cells: (o, now) => [nameOf(o), count(o, 'secrets'), ageOf(o, now)],
};

// ---- persistent volumes and claims

/** "RWO,ROX,RWX,RWOP" in that fixed order */
export function accessModes(modes: string[]): string {
  const out: string[] = [];
  if (modes.includes('ReadWriteOnce')) out.push('RWO');
  if (modes.includes('ReadOnlyMany')) out.push('ROX');
  if (modes.includes('ReadWriteMany')) out.push('RWX');
  if (modes.includes('ReadWriteOncePod')) out.push('RWOP');
  return out.join(',');
}

const BETA_STORAGE_CLASS_ANNOTATION = 'volume.beta.kubernetes.io/storage-class';

/** the beta annotation still wins over spec.storageClassName, as upstream's helpers read it */
function storageClassOf(o: KObject): string {
  const ann = o.metadata?.annotations?.[BETA_STORAGE_CLASS_ANNOTATION];
  return typeof ann === 'string' ? ann : str(o, 'spec.storageClassName');
}

const storageQuantity = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? formatQuantity(v) : '0');
const isDeleting = (o: KObject) => parseTime(o.metadata?.deletionTimestamp) !== undefined;
const unsetOr = (v: unknown) => (typeof v === 'string' ? v : '<unset>');

export const persistentVolumePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Capacity', 'string', "The volume's storage capacity."),
    col('Access Modes', 'string', 'All the ways the volume can be mounted.'),
    col('Reclaim Policy', 'string', 'What happens to the volume when released from its claim: Retain, Delete or Recycle.'),
    col('Status', 'string', 'Phase indicates if a volume is available, bound to a claim, or released by a claim.'),
    col('Claim', 'string', 'The claim bound to this volume, as namespace/name.'),
    col('StorageClass', 'string', 'StorageClass of the pv'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pv'),
    col('Reason', 'string', 'A brief CamelCase string that describes any failure.'),
    ageColumn(),
    col('VolumeMode', 'string', 'Whether the volume is a formatted filesystem or a raw block device.', 1),
  ],
  cells(o, now) {
    const claim = get(o, 'spec.claimRef') ? `${str(o, 'spec.claimRef.namespace')}/${str(o, 'spec.claimRef.name')}` : '';
    return [nameOf(o), storageQuantity(get(o, 'spec.capacity.storage')), accessModes(strs(o, 'spec.accessModes')),
      str(o, 'spec.persistentVolumeReclaimPolicy'), isDeleting(o) ? 'Terminating' : str(o, 'status.phase'), claim,
      storageClassOf(o), unsetOr(get(o, 'spec.volumeAttributesClassName')), str(o, 'status.reason'), ageOf(o, now),
      unsetOr(get(o, 'spec.volumeMode'))];
  },
};

export const persistentVolumeClaimPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Status', 'string', 'The current phase of the claim.'),
    col('Volume', 'string', 'The binding reference to the PersistentVolume backing this claim.'),
    col('Capacity', 'string', 'The actual resources of the underlying volume.'),
    col('Access Modes', 'string', 'The actual access modes the volume backing the claim has.'),
    col('StorageClass', 'string', 'StorageClass of the pvc'),
    col('VolumeAttributesClass', 'string', 'VolumeAttributesClass of the pvc'),
    ageColumn(),
    col('VolumeMode', 'string', 'Whether the claimed volume is a formatted filesystem or a raw block device.', 1),
  ],
  cells(o, now) {
    const volumeName = str(o, 'spec.volumeName');
    // capacity and modes only mean something once bound
    const capacity = volumeName ? storageQuantity(get(o, 'status.capacity.storage')) : '';
    const modes = volumeName ? accessModes(strs(o, 'status.accessModes')) : '';
    return [nameOf(o), isDeleting(o) ? 'Terminating' : str(o, 'status.phase'), volumeName, capacity, modes,
      storageClassOf(o), unsetOr(get(o, 'spec.volumeAttributesClassName')), ageOf(o, now), unsetOr(get(o, 'spec.volumeMode'))];
  },
};

// ---- resource quotas

export const resourceQuotaPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Request', 'string', 'Request represents a minimum amount of cpu/memory that a container may consume.'),
    col('Limit', 'string', 'Limits control the maximum amount of cpu/memory that a container may use independent of contention on the node.'),
    ageColumn(),
  ],
  cells(o, now) {
    const hard = asMap(get(o, 'status.hard'));
    const used = asMap(get(o, 'status.used'));
    const requests: string[] = [];
    const limits: string[] = [];
    for (const r of Object.keys(hard).sort()) {
      const entry = `${r}: ${storageQuantity(used[r])}/${storageQuantity(hard[r])}`;
      const pieces = r.split('.');
      (pieces.length > 1 && pieces[0] === 'limits' ? limits : requests).push(entry);
    }
    return [nameOf(o), requests.join(', '), limits.join(', '), ageOf(o, now)];
  },
};

// ---- events (core/v1 and events.k8s.io/v1 shapes)

/** reads an Event in either API shape, the core/v1 field name first */
function ev(o: KObject, core: string, events: string): unknown {
  const v = get(o, core);
  return v !== undefined && v !== null ? v : get(o, events);
}

export const eventPrinter: Printer = {
  columns: [
    col('Last Seen', 'string', 'The time at which the most recent occurrence of this event was recorded.'),
    col('Type', 'string', 'Type of this event (Normal, Warning).'),
    col('Reason', 'string', 'A short, machine understandable string that gives the reason for the transition into the object\'s current status.'),
    col('Object', 'string', 'The object that this event is about.'),
    col('Subobject', 'string', 'The field of the object this event is about, e.g. spec.containers{name}.', 1),
    col('Source', 'string', 'The component reporting this event.', 1),
    col('Message', 'string', 'A human-readable description of the status of this operation.'),
    col('First Seen', 'string', 'The time at which the event was first recorded.', 1),
    col('Count', 'string', 'The number of times this event has occurred.', 1),
    col('Name', 'string', 'Name of the event object.', 1, 'name'),
  ],
  cells(o, now) {
    const since = (t: unknown) => translateTimestampSince(t, now);
    const firstTs = ev(o, 'firstTimestamp', 'deprecatedFirstTimestamp');
    const first = parseTime(firstTs) !== undefined ? since(firstTs) : since(get(o, 'eventTime'));
    const lastTs = ev(o, 'lastTimestamp', 'deprecatedLastTimestamp');
    let last = parseTime(lastTs) !== undefined ? since(lastTs) : first;
    let n = int(o, 'count') || int(o, 'deprecatedCount');
    const series = get(o, 'series');
    if (series && typeof series === 'object') {
      last = since(get(series, 'lastObservedTime'));
      n = int(series, 'count');
    } else if (n === 0) {
      n = 1; // singleton events carry no count in the new API
    }
    const involved = (ev(o, 'involvedObject', 'regarding') ?? {}) as Obj;
    const kind = str(involved, 'kind').toLowerCase();
    const target = str(involved, 'name') ? `${kind}/${str(involved, 'name')}` : kind;
    const component = str(o, 'source.component') || str(o, 'deprecatedSource.component') || str(o, 'reportingController');
    const host = str(o, 'source.host') || str(o, 'deprecatedSource.host') || str(o, 'reportingInstance');
    const source = host ? `${component}, ${host}` : component;
    const message = (str(o, 'message') || str(o, 'note')).trim();
    return [last, str(o, 'type'), str(o, 'reason'), target, str(involved, 'fieldPath'), source, message, first, n, nameOf(o)];
  },
};
