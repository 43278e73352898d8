// Pod and PodSpec validation (pkg/apis/core/validation: ValidatePodSpec, validateContainers,
// validateVolumes, ValidatePodUpdate), with upstream's field paths and messages.

import { field, type FieldError } from '../../machinery/errors.js';
import {
  deepEqual, isConfigMapKey, isDNS1123Label, isDNS1123Subdomain, isEnvVarName, isValidPortName, isValidPortNum,
  validateAnnotations, validateLabels, inclusiveRangeError, isQualifiedName, isValidLabelValue,
} from '../../machinery/validation.js';
import { tryParseQuantity } from '../../machinery/quantity.js';
import { isObj, isSet, list, nonNegative, obj, oneOf, str, validateQuantity, type Obj } from './util.js';

const PROTOCOLS = ['SCTP', 'TCP', 'UDP'];
const RESTART_POLICIES = ['Always', 'OnFailure', 'Never'];
const DNS_POLICIES = ['ClusterFirstWithHostNet', 'ClusterFirst', 'Default', 'None'];
const PULL_POLICIES = ['Always', 'IfNotPresent', 'Never'];
const TERMINATION_MESSAGE_POLICIES = ['File', 'FallbackToLogsOnError'];
const TOLERATION_EFFECTS = ['NoSchedule', 'PreferNoSchedule', 'NoExecute'];
const MAX_INT32 = 2147483647;

const VOLUME_SOURCES = [
  'hostPath', 'emptyDir', 'gcePersistentDisk', 'awsElasticBlockStore', 'gitRepo', 'secret', 'nfs', 'iscsi',
  'glusterfs', 'persistentVolumeClaim', 'rbd', 'flexVolume', 'cinder', 'cephfs', 'flocker', 'downwardAPI', 'fc',
  'azureFile', 'configMap', 'vsphereVolume', 'quobyte', 'azureDisk', 'photonPersistentDisk', 'projected',
  'portworxVolume', 'scaleIO', 'storageos', 'csi', 'ephemeral', 'image',
];

const dnsLabelErrs = (v: string, p: string): FieldError[] => isDNS1123Label(v).map((m) => field.invalid(p, v, m));
const dnsSubdomainErrs = (v: string, p: string): FieldError[] => isDNS1123Subdomain(v).map((m) => field.invalid(p, v, m));

function validateVolumes(volumes: unknown, path: string): { errs: FieldError[]; names: Set<string> } {
  const errs: FieldError[] = [];
  const names = new Set<string>();
  list(volumes).forEach((v, i) => {
    const vol = obj(v);
    const p = `${path}[${i}]`;
    const name = str(vol.name);
    if (!name) errs.push(field.required(`${p}.name`));
    else errs.push(...dnsLabelErrs(name, `${p}.name`));
    if (name && names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
    if (name) names.add(name);
    const sources = VOLUME_SOURCES.filter((s) => isSet(vol[s]));
    if (sources.length === 0) errs.push(field.required(p, 'must specify a volume type'));
    for (const s of sources.slice(1)) errs.push(field.forbidden(`${p}.${s}`, 'may not specify more than 1 volume type'));
    const src = (k: string) => obj(vol[k]);
    if (isSet(vol.hostPath)) {
      if (!str(src('hostPath').path)) errs.push(field.required(`${p}.hostPath.path`));
      errs.push(...oneOf(src('hostPath').type, ['', 'BlockDevice', 'CharDevice', 'Directory', 'DirectoryOrCreate', 'File', 'FileOrCreate', 'Socket'].filter(Boolean), `${p}.hostPath.type`));
    }
    if (isSet(vol.secret) && !str(src('secret').secretName)) errs.push(field.required(`${p}.secret.secretName`));
    if (isSet(vol.configMap) && !str(src('configMap').name)) errs.push(field.required(`${p}.configMap.name`));
    if (isSet(vol.persistentVolumeClaim) && !str(src('persistentVolumeClaim').claimName)) {
      errs.push(field.required(`${p}.persistentVolumeClaim.claimName`));
    }
    if (isSet(vol.nfs)) {
      if (!str(src('nfs').server)) errs.push(field.required(`${p}.nfs.server`));
      if (!str(src('nfs').path)) errs.push(field.required(`${p}.nfs.path`));
    }
    for (const s of ['secret', 'configMap', 'downwardAPI', 'projected']) {
      const mode = src(s).defaultMode;
      if (typeof mode === 'number' && (mode < 0 || mode > 0o777)) {
        errs.push(field.invalid(`${p}.${s}.defaultMode`, mode, 'must be a number between 0 and 0777 (octal), both inclusive'));
      }
    }
    if (isSet(vol.emptyDir) && isSet(src('emptyDir').sizeLimit)) errs.push(...validateQuantity(src('emptyDir').sizeLimit, `${p}.emptyDir.sizeLimit`));
  });
  return { errs, names };
}

function validatePortNumOrName(v: unknown, p: string): FieldError[] {
  if (typeof v === 'number') return isValidPortNum(v).map((m) => field.invalid(p, v, m));
  if (typeof v === 'string') {
    if (v === '') return [field.required(p)];
    return isValidPortName(v).map((m) => field.invalid(p, v, m));
  }
  return [field.required(p)];
}

function validateHandler(h: Obj, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const kinds = ['exec', 'httpGet', 'tcpSocket', 'grpc', 'sleep'].filter((k) => isSet(h[k]));
  if (kinds.length === 0) return [field.required(p, 'must specify a handler type')];
  for (const k of kinds.slice(1)) errs.push(field.forbidden(`${p}.${k}`, 'may not specify more than 1 handler type'));
  if (isSet(h.exec) && list(obj(h.exec).command).length === 0) errs.push(field.required(`${p}.exec.command`));
  if (isSet(h.httpGet)) {
    const g = obj(h.httpGet);
    if (!str(g.path)) errs.push(field.required(`${p}.httpGet.path`));
    errs.push(...validatePortNumOrName(g.port, `${p}.httpGet.port`));
    errs.push(...oneOf(g.scheme, ['HTTP', 'HTTPS'], `${p}.httpGet.scheme`));
  }
  if (isSet(h.tcpSocket)) errs.push(...validatePortNumOrName(obj(h.tcpSocket).port, `${p}.tcpSocket.port`));
  if (isSet(h.grpc)) {
    const port = obj(h.grpc).port;
    errs.push(...isValidPortNum(Number(port)).map((m) => field.invalid(`${p}.grpc.port`, port, m)));
  }
  return errs;
}

function validateProbe(probe: unknown, p: string, mustSucceedOnce: boolean): FieldError[] {
  if (!isSet(probe)) return [];
  const pr = obj(probe);
  const errs = validateHandler(pr, p);
  for (const k of ['initialDelaySeconds', 'timeoutSeconds', 'periodSeconds', 'successThreshold', 'failureThreshold']) {
    errs.push(...nonNegative(pr[k], `${p}.${k}`));
  }
  if (mustSucceedOnce && typeof pr.successThreshold === 'number' && pr.successThreshold !== 1) {
    errs.push(field.invalid(`${p}.successThreshold`, pr.successThreshold, 'must be 1'));
  }
  if (typeof pr.terminationGracePeriodSeconds === 'number' && pr.terminationGracePeriodSeconds <= 0) {
    errs.push(field.invalid(`${p}.terminationGracePeriodSeconds`, pr.terminationGracePeriodSeconds, 'must be greater than 0'));
  }
  return errs;
}

const STANDARD_CONTAINER_RESOURCES = new Set(['cpu', 'memory', 'ephemeral-storage']);
const isHugePages = (n: string) => n.startsWith('hugepages-');
/** native (unprefixed or kubernetes.io/) non-hugepage resources may be overcommitted; others need requests == limits */
const overcommit = (n: string) => (!n.includes('/') || n.includes('kubernetes.io/')) && !isHugePages(n);

function validateResourceName(name: string, p: string): FieldError[] {
  if (STANDARD_CONTAINER_RESOURCES.has(name) || isHugePages(name)) return [];
  if (name.includes('/') && !name.split('/')[0].endsWith('kubernetes.io') && !name.startsWith('requests.')) return [];
  return [field.invalid(p, name, 'must be a standard resource for containers')];
}

function validateResources(res: unknown, p: string): FieldError[] {
  const errs: FieldError[] = [];
  const r = obj(res);
  const limits = obj(r.limits);
  const requests = obj(r.requests);
  for (const [name, v] of Object.entries(limits)) {
    errs.push(...validateResourceName(name, `${p}.limits[${name}]`));
    errs.push(...validateQuantity(v, `${p}.limits[${name}]`));
  }
  for (const [name, v] of Object.entries(requests)) {
    const kp = `${p}.requests[${name}]`;
    errs.push(...validateResourceName(name, kp));
    errs.push(...validateQuantity(v, kp));
    const q = tryParseQuantity(v);
    const lim = tryParseQuantity(limits[name]);
    if (q && lim) {
      if (q.cmp(lim) !== 0 && !overcommit(name)) {
        errs.push(field.invalid(`${p}.requests`, q.toString(), `must be equal to ${name} limit of ${lim.toString()}`));
      } else if (q.cmp(lim) > 0) {
        errs.push(field.invalid(`${p}.requests`, q.toString(), `must be less than or equal to ${name} limit of ${lim.toString()}`));
      }
    } else if (!(name in limits) && !overcommit(name)) {
      errs.push(field.required(`${p}.limits`, 'Limit must be set for non overcommitable resources'));
    }
  }
  return errs;
}

function validateEnv(env: unknown, p: string): FieldError[] {
  const errs: FieldError[] = [];
  list(env).forEach((e, i) => {
    const ev = obj(e);
    const ep = `${p}[${i}]`;
    const name = str(ev.name);
    if (!name) errs.push(field.required(`${ep}.name`));
    else errs.push(...isEnvVarName(name).map((m) => field.invalid(`${ep}.name`, name, m)));
    if (!isSet(ev.valueFrom)) return;
    const from = obj(ev.valueFrom);
    const vp = `${ep}.valueFrom`;
    const sources = ['fieldRef', 'resourceFieldRef', 'configMapKeyRef', 'secretKeyRef'].filter((k) => isSet(from[k]));
    if (str(ev.value) !== '') {
      errs.push(field.invalid(vp, '', 'may not be specified when `value` is not empty'));
    } else if (sources.length === 0) {
      errs.push(field.invalid(vp, '', 'must specify one of: `fieldRef`, `resourceFieldRef`, `configMapKeyRef` or `secretKeyRef`'));
    } else if (sources.length > 1) {
      errs.push(field.invalid(vp, '', 'may not have more than one field specified at a time'));
    }
    if (isSet(from.fieldRef) && !str(obj(from.fieldRef).fieldPath)) errs.push(field.required(`${vp}.fieldRef.fieldPath`));
    if (isSet(from.resourceFieldRef) && !str(obj(from.resourceFieldRef).resource)) errs.push(field.required(`${vp}.resourceFieldRef.resource`));
    for (const k of ['configMapKeyRef', 'secretKeyRef']) {
      if (!isSet(from[k])) continue;
      const ref = obj(from[k]);
      if (!str(ref.name)) errs.push(field.required(`${vp}.${k}.name`));
      const key = str(ref.key);
      if (!key) errs.push(field.required(`${vp}.${k}.key`));
      else errs.push(...isConfigMapKey(key).map((m) => field.invalid(`${vp}.${k}.key`, key, m)));
    }
  });
  return errs;
}

interface ContainerCtx { volumes: Set<string>; hostNetwork: boolean; names: Set<string> }

function validateContainer(c: Obj, p: string, ctx: ContainerCtx, kind: 'init' | 'regular' | 'ephemeral'): FieldError[] {
  const errs: FieldError[] = [];
  const name = str(c.name);
  if (!name) errs.push(field.required(`${p}.name`));
  else errs.push(...dnsLabelErrs(name, `${p}.name`));
  if (name && ctx.names.has(name)) errs.push(field.duplicate(`${p}.name`, name));
  if (name) ctx.names.add(name);
  const image = str(c.image);
  if (!image) errs.push(field.required(`${p}.image`));
  else if (image.trim() !== image) errs.push(field.invalid(`${p}.image`, image, 'must not have leading or trailing whitespace'));
  errs.push(...oneOf(c.imagePullPolicy, PULL_POLICIES, `${p}.imagePullPolicy`, true));
  errs.push(...oneOf(c.terminationMessagePolicy, TERMINATION_MESSAGE_POLICIES, `${p}.terminationMessagePolicy`, true));

  const portNames = new Set<string>();
  list(c.ports).forEach((pt, i) => {
    const port = obj(pt);
    const pp = `${p}.ports[${i}]`;
    const pn = str(port.name);
    if (pn) {
      const msgs = isValidPortName(pn);
      if (msgs.length) errs.push(...msgs.map((m) => field.invalid(`${pp}.name`, pn, m)));
      else if (portNames.has(pn)) errs.push(field.duplicate(`${pp}.name`, pn));
      else portNames.add(pn);
    }
    if (!port.containerPort) errs.push(field.required(`${pp}.containerPort`));
    else errs.push(...isValidPortNum(Number(port.containerPort)).map((m) => field.invalid(`${pp}.containerPort`, port.containerPort, m)));
    if (port.hostPort) errs.push(...isValidPortNum(Number(port.hostPort)).map((m) => field.invalid(`${pp}.hostPort`, port.hostPort, m)));
    if (ctx.hostNetwork && port.hostPort && port.hostPort !== port.containerPort) {
      errs.push(field.invalid(`${pp}.hostPort`, port.hostPort, 'must match `containerPort` when `hostNetwork` is true'));
    }
    errs.push(...oneOf(port.protocol, PROTOCOLS, `${pp}.protocol`, true));
  });
  errs.push(...validateEnv(c.env, `${p}.env`));
  list(c.envFrom).forEach((e, i) => {
    const ef = obj(e);
    const prefix = str(ef.prefix);
    if (prefix) errs.push(...isEnvVarName(prefix).map((m) => field.invalid(`${p}.envFrom[${i}].prefix`, prefix, m)));
    const n = ['configMapRef', 'secretRef'].filter((k) => isSet(ef[k])).length;
    if (n !== 1) errs.push(field.invalid(`${p}.envFrom[${i}]`, '', 'may not have more than one field specified at a time'));
  });
  const mountPaths = new Set<string>();
  list(c.volumeMounts).forEach((m, i) => {
    const mnt = obj(m);
    const mp = `${p}.volumeMounts[${i}]`;
    const mname = str(mnt.name);
    if (!mname) errs.push(field.required(`${mp}.name`));
    else if (!ctx.volumes.has(mname)) errs.push(field.notFound(`${mp}.name`, mname));
    const path = str(mnt.mountPath);
    if (!path) errs.push(field.required(`${mp}.mountPath`));
    else if (mountPaths.has(path)) errs.push(field.invalid(`${mp}.mountPath`, path, 'must be unique'));
    if (path) mountPaths.add(path);
    const sub = str(mnt.subPath);
    if (sub.startsWith('/')) errs.push(field.invalid(`${mp}.subPath`, sub, 'must be a relative path'));
    if (sub.split('/').includes('..')) errs.push(field.invalid(`${mp}.subPath`, sub, "must not contain '..'"));
  });
  if (kind === 'regular') {
    errs.push(...validateProbe(c.livenessProbe, `${p}.livenessProbe`, true));
    errs.push(...validateProbe(c.readinessProbe, `${p}.readinessProbe`, false));
    errs.push(...validateProbe(c.startupProbe, `${p}.startupProbe`, true));
  } else {
    for (const k of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
      if (isSet(c[k]) && !(kind === 'init' && c.restartPolicy === 'Always')) {
        errs.push(field.forbidden(`${p}.${k}`, kind === 'init' ? 'may not be set for init containers without restartPolicy=Always' : 'cannot be set for an Ephemeral Container'));
      }
    }
  }
  const lc = obj(c.lifecycle);
  for (const k of ['postStart', 'preStop']) if (isSet(lc[k])) errs.push(...validateHandler(obj(lc[k]), `${p}.lifecycle.${k}`));
  errs.push(...validateResources(c.resources, `${p}.resources`));
  if (kind === 'init' && isSet(c.restartPolicy)) errs.push(...oneOf(c.restartPolicy, ['Always'], `${p}.restartPolicy`));
  if (kind === 'regular' && isSet(c.restartPolicy)) errs.push(field.forbidden(`${p}.restartPolicy`, 'may not be set for non-init containers'));
  return errs;
}

function validateTolerations(tols: unknown, p: string): FieldError[] {
  const errs: FieldError[] = [];
  list(tols).forEach((t, i) => {
    const tol = obj(t);
    const tp = `${p}[${i}]`;
    const key = str(tol.key);
    if (key) errs.push(...isQualifiedName(key).map((m) => field.invalid(`${tp}.key`, key, m)));
    if (!key && tol.operator !== 'Exists') {
      errs.push(field.invalid(`${tp}.operator`, str(tol.operator), 'operator must be Exists when `key` is empty, which means "match all values and all keys"'));
    }
    if (isSet(tol.tolerationSeconds) && tol.effect !== 'NoExecute') {
      errs.push(field.invalid(`${tp}.effect`, str(tol.effect), 'effect must be \'NoExecute\' when `tolerationSeconds` is set'));
    }
    switch (tol.operator ?? '') {
      case '': case 'Equal':
        if (str(tol.value)) errs.push(...isValidLabelValue(str(tol.value)).map((m) => field.invalid(`${tp}.value`, str(tol.value), m)));
        break;
      case 'Exists':
        if (str(tol.value)) errs.push(field.invalid(`${tp}.operator`, tol.value, 'value must be empty when `operator` is \'Exists\''));
        break;
      default:
        errs.push(field.notSupported(`${tp}.operator`, tol.operator, ['Equal', 'Exists']));
    }
    if (str(tol.effect)) errs.push(...oneOf(tol.effect, TOLERATION_EFFECTS, `${tp}.effect`));
  });
  return errs;
}

export interface PodSpecOptions {
  /** restartPolicy values allowed (controllers narrow this) */
  restartPolicies?: string[];
}

/** ValidatePodSpec: path is the spec's path ('spec' for pods, 'spec.template.spec' for controllers) */
export function validatePodSpec(specIn: unknown, p: string): FieldError[] {
  const spec = obj(specIn);
  const errs: FieldError[] = [];
  const { errs: volErrs, names: volumes } = validateVolumes(spec.volumes, `${p}.volumes`);
  errs.push(...volErrs);
  const ctx: ContainerCtx = { volumes, hostNetwork: spec.hostNetwork === true, names: new Set() };
  const containers = list(spec.containers);
  if (containers.length === 0) errs.push(field.required(`${p}.containers`));
  list(spec.initContainers).forEach((c, i) => errs.push(...validateContainer(obj(c), `${p}.initContainers[${i}]`, ctx, 'init')));
  containers.forEach((c, i) => errs.push(...validateContainer(obj(c), `${p}.containers[${i}]`, ctx, 'regular')));
  list(spec.ephemeralContainers).forEach((c, i) => errs.push(...validateContainer(obj(c), `${p}.ephemeralContainers[${i}]`, ctx, 'ephemeral')));
  errs.push(...oneOf(spec.restartPolicy, RESTART_POLICIES, `${p}.restartPolicy`, true));
  errs.push(...oneOf(spec.dnsPolicy, DNS_POLICIES, `${p}.dnsPolicy`, true));
  if (spec.dnsPolicy === 'None' && !isSet(spec.dnsConfig)) {
    errs.push(field.required(`${p}.dnsConfig`, 'must provide `dnsConfig` when `dnsPolicy` is None'));
  }
  errs.push(...validateLabels(spec.nodeSelector, `${p}.nodeSelector`));
  errs.push(...validateTolerations(spec.tolerations, `${p}.tolerations`));
  for (const k of ['serviceAccountName', 'nodeName', 'priorityClassName', 'schedulerName']) {
    const v = str(spec[k]);
    if (v) errs.push(...dnsSubdomainErrs(v, `${p}.${k}`));
  }
  for (const k of ['hostname', 'subdomain']) {
    const v = str(spec[k]);
    if (v) errs.push(...dnsLabelErrs(v, `${p}.${k}`));
  }
  if (isSet(spec.activeDeadlineSeconds)) {
    const v = Number(spec.activeDeadlineSeconds);
    if (!(v >= 1 && v <= MAX_INT32)) errs.push(field.invalid(`${p}.activeDeadlineSeconds`, spec.activeDeadlineSeconds, inclusiveRangeError(1, MAX_INT32)));
  }
  list(spec.imagePullSecrets).forEach((s, i) => {
    if (!str(obj(s).name)) errs.push(field.required(`${p}.imagePullSecrets[${i}].name`));
  });
  if (isSet(spec.overhead)) {
    for (const [k, v] of Object.entries(obj(spec.overhead))) errs.push(...validateQuantity(v, `${p}.overhead[${k}]`));
  }
  return errs;
}

/** metadata and spec of a pod template inside a controller */
export function validatePodTemplateSpec(template: unknown, p: string): FieldError[] {
  if (!isObj(template)) return [field.required(p)];
  const meta = obj(template.metadata);
  return [
    ...validateLabels(meta.labels, `${p}.metadata.labels`),
    ...validateAnnotations(meta.annotations, `${p}.metadata.annotations`),
    ...validatePodSpec(template.spec, `${p}.spec`),
  ];
}

export const POD_UPDATE_FORBIDDEN =
  'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)';

/** ValidatePodUpdate's spec rules: only images, activeDeadlineSeconds, added tolerations may change */
export function validatePodSpecUpdate(newSpecIn: unknown, oldSpecIn: unknown): FieldError[] {
  const newSpec = obj(newSpecIn);
  const oldSpec = obj(oldSpecIn);
  const errs: FieldError[] = [];
  const newContainers = list(newSpec.containers);
  const oldContainers = list(oldSpec.containers);
  if (newContainers.length !== oldContainers.length) {
    return [field.forbidden('spec.containers', 'pod updates may not add or remove containers')];
  }
  const ads = newSpec.activeDeadlineSeconds;
  const oldAds = oldSpec.activeDeadlineSeconds;
  if (isSet(ads)) {
    const n = Number(ads);
    if (n < 0 || n > MAX_INT32) return [field.invalid('spec.activeDeadlineSeconds', ads, inclusiveRangeError(0, MAX_INT32))];
    if (isSet(oldAds) && Number(oldAds) < n) return [field.invalid('spec.activeDeadlineSeconds', ads, 'must be less than or equal to previous value')];
  } else if (isSet(oldAds)) {
    errs.push(field.invalid('spec.activeDeadlineSeconds', null, 'must not update from a positive integer to nil value'));
  }
  // munge the allowed changes back to the old values, then anything left over is forbidden
  const munged: Obj = structuredClone(newSpec);
  const withOldImages = (key: string) => {
    const olds = list(oldSpec[key]);
    munged[key] = list(munged[key]).map((c, i) => (isObj(c) && isObj(olds[i]) ? { ...c, image: olds[i].image } : c));
    if (!isSet(newSpec[key])) delete munged[key];
  };
  withOldImages('containers');
  withOldImages('initContainers');
  if (isSet(oldAds) || isSet(ads)) munged.activeDeadlineSeconds = oldAds;
  if (!isSet(munged.activeDeadlineSeconds)) delete munged.activeDeadlineSeconds;
  const oldTols = list(oldSpec.tolerations);
  const newTols = list(newSpec.tolerations);
  const strip = (t: unknown) => { const o = { ...obj(t) }; delete o.tolerationSeconds; return o; };
  const onlyAdded = oldTols.every((ot) => newTols.some((nt) => deepEqual(strip(nt), strip(ot))));
  if (onlyAdded) {
    if (isSet(oldSpec.tolerations)) munged.tolerations = oldSpec.tolerations; else delete munged.tolerations;
  }
  if (typeof oldSpec.terminationGracePeriodSeconds === 'number' && oldSpec.terminationGracePeriodSeconds < 0 && newSpec.terminationGracePeriodSeconds === 1) {
    munged.terminationGracePeriodSeconds = oldSpec.terminationGracePeriodSeconds;
  }
  // ephemeral containers change only through their subresource; scheduling gates may only be removed
  if (isSet(oldSpec.ephemeralContainers)) munged.ephemeralContainers = oldSpec.ephemeralContainers; else delete munged.ephemeralContainers;
  const oldGates = list(oldSpec.schedulingGates);
  if (list(newSpec.schedulingGates).every((g) => oldGates.some((o) => deepEqual(o, g)))) {
    if (isSet(oldSpec.schedulingGates)) munged.schedulingGates = oldSpec.schedulingGates; else delete munged.schedulingGates;
  }
  if (!deepEqual(munged, oldSpec)) {
    errs.push(field.forbidden('spec', `${POD_UPDATE_FORBIDDEN}\n${specDiff(oldSpec, munged)}`));
  }
  return errs;
}

/** a short rendering of what differs, in the spirit of upstream's cmp.Diff output */
function specDiff(oldSpec: Obj, newSpec: Obj): string {
  const keys = [...new Set([...Object.keys(oldSpec), ...Object.keys(newSpec)])];
  const lines = ['  core.PodSpec{'];
  for (const k of keys) {
    if (deepEqual(oldSpec[k], newSpec[k])) continue;
    if (isSet(oldSpec[k])) lines.push(`- \t${k}: ${JSON.stringify(oldSpec[k])},`);
    if (isSet(newSpec[k])) lines.push(`+ \t${k}: ${JSON.stringify(newSpec[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

export { PROTOCOLS, RESTART_POLICIES };
