// Service validation (ValidateService / ValidateServiceUpdate).

import { field, type FieldError } from '../../machinery/errors.js';
import { IP_ERROR, isDNS1123Label, isDNS1123Subdomain, isValidIP, isValidPortName, isValidPortNum, validateLabels } from '../../machinery/validation.js';
import { invalidRaw, isSet, list, obj, oneOf, str, type Obj } from './util.js';

const TYPES = ['ClusterIP', 'ExternalName', 'LoadBalancer', 'NodePort'];
export const NODE_PORT_RANGE: [number, number] = [30000, 32767];

function goServicePortKey(port: unknown, protocol: string): string {
  return `core.ServicePort{Name:"", Protocol:${JSON.stringify(protocol)}, AppProtocol:(*string)(nil), Port:${Number(port) || 0}, ` +
    'TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:""}, NodePort:0}';
}

export function validateService(o: Obj, old?: Obj): FieldError[] {
  const s = obj(o.spec);
  const errs: FieldError[] = [];
  const type = str(s.type);
  const headless = s.clusterIP === 'None';
  const ports = list(s.ports);
  errs.push(...oneOf(s.type, TYPES, 'spec.type', true));
  if (ports.length === 0 && !headless && type !== 'ExternalName') errs.push(field.required('spec.ports'));
  if (type === 'ExternalName') {
    const ext = str(s.externalName).replace(/\.$/, '');
    if (!ext) errs.push(field.required('spec.externalName'));
    else errs.push(...isDNS1123Subdomain(ext).map((m) => field.invalid('spec.externalName', s.externalName, m)));
    if (str(s.clusterIP)) errs.push(field.forbidden('spec.clusterIPs', 'may not be set for ExternalName services'));
  }
  const names = new Set<string>();
  const seen = new Set<string>();
  ports.forEach((pt, i) => {
    const port = obj(pt);
    const p = `spec.ports[${i}]`;
    const name = str(port.name);
    if (ports.length > 1 && !name) errs.push(field.required(`${p}.name`));
    else if (name) {
      errs.push(...isDNS1123Label(name).map((m) => field.invalid(`${p}.name`, name, m)));
      if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
      names.add(name);
    }
    errs.push(...isValidPortNum(Number(port.port)).map((m) => field.invalid(`${p}.port`, port.port ?? 0, m)));
    errs.push(...oneOf(port.protocol, ['SCTP', 'TCP', 'UDP'], `${p}.protocol`, true));
    const tp = port.targetPort;
    if (typeof tp === 'number') errs.push(...isValidPortNum(tp).map((m) => field.invalid(`${p}.targetPort`, tp, m)));
    else if (typeof tp === 'string' && tp) errs.push(...isValidPortName(tp).map((m) => field.invalid(`${p}.targetPort`, tp, m)));
    if (port.nodePort) {
      if (type === 'ClusterIP') errs.push(field.forbidden(`${p}.nodePort`, "may not be used when `type` is 'ClusterIP'"));
      const np = Number(port.nodePort);
      if (np < NODE_PORT_RANGE[0] || np > NODE_PORT_RANGE[1]) {
        errs.push(field.invalid(`${p}.nodePort`, port.nodePort, `provided port is not in the valid range. The range of valid ports is ${NODE_PORT_RANGE[0]}-${NODE_PORT_RANGE[1]}`));
      }
    }
    const key = `${Number(port.port)}/${str(port.protocol)}`;
    if (seen.has(key)) errs.push(invalidDuplicate(p, goServicePortKey(port.port, str(port.protocol))));
    seen.add(key);
  });
  const ip = str(s.clusterIP);
  if (ip && ip !== 'None' && !isValidIP(ip)) errs.push(field.invalid('spec.clusterIPs[0]', ip, IP_ERROR));
  if (headless && (type === 'NodePort' || type === 'LoadBalancer')) {
    errs.push(field.invalid('spec.clusterIPs[0]', 'None', `may not be set to 'None' for ${type} services`));
  }
  list(s.externalIPs).forEach((e, i) => {
    if (!isValidIP(str(e))) errs.push(field.invalid(`spec.externalIPs[${i}]`, str(e), IP_ERROR));
  });
  errs.push(...oneOf(s.sessionAffinity, ['ClientIP', 'None'], 'spec.sessionAffinity', true));
  if (s.sessionAffinity === 'ClientIP') {
    const t = obj(obj(s.sessionAffinityConfig).clientIP).timeoutSeconds;
    if (typeof t === 'number' && (t <= 0 || t > 86400)) errs.push(field.invalid('spec.sessionAffinityConfig.clientIP.timeoutSeconds', t, 'must be greater than 0 and less than 86400'));
  } else if (isSet(s.sessionAffinityConfig)) {
    errs.push(field.invalid('spec.sessionAffinityConfig', s.sessionAffinityConfig, `must not be set when session affinity is ${str(s.sessionAffinity)}`));
  }
  errs.push(...validateLabels(s.selector, 'spec.selector'));
  if (isSet(s.externalTrafficPolicy)) {
    const external = type === 'LoadBalancer' || type === 'NodePort' || list(s.externalIPs).length > 0;
    if (!external) errs.push(field.invalid('spec.externalTrafficPolicy', s.externalTrafficPolicy, 'may only be set for externally-accessible services'));
    else errs.push(...oneOf(s.externalTrafficPolicy, ['Cluster', 'Local'], 'spec.externalTrafficPolicy'));
  }
  errs.push(...oneOf(s.internalTrafficPolicy, ['Cluster', 'Local'], 'spec.internalTrafficPolicy'));
  errs.push(...oneOf(s.ipFamilyPolicy, ['SingleStack', 'PreferDualStack', 'RequireDualStack'], 'spec.ipFamilyPolicy'));
  list(s.ipFamilies).forEach((f, i) => errs.push(...oneOf(f, ['IPv4', 'IPv6'], `spec.ipFamilies[${i}]`)));
  if (old) {
    const os = obj(old.spec);
    const oldIP = str(os.clusterIP);
    if (os.type !== 'ExternalName' && type !== 'ExternalName' && oldIP && ip && ip !== oldIP) {
      errs.push(invalidRaw('spec.clusterIPs[0]', `[]string{${list(s.clusterIPs).length ? list(s.clusterIPs).map((x) => JSON.stringify(str(x))).join(', ') : JSON.stringify(ip)}}`, 'may not change once set'));
    }
  }
  return errs;
}

function invalidDuplicate(p: string, goValue: string): FieldError {
  return { type: 'FieldValueDuplicate', field: p, message: `Duplicate value: ${goValue}` };
}
