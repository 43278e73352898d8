// The Pod Security Standards checks (upstream staging/src/k8s.io/pod-security-admission/policy):
// each check looks at a pod spec and returns a forbidden reason with a detail, worded as upstream.
// Checks are keyed by upstream's check ID; results are reported in ID order.

export type Level = 'privileged' | 'baseline' | 'restricted';

interface SecurityContext {
  privileged?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; runAsUser?: number;
  procMount?: string; capabilities?: { add?: string[]; drop?: string[] };
  seccompProfile?: { type?: string }; seLinuxOptions?: { type?: string; user?: string; role?: string };
  appArmorProfile?: { type?: string }; windowsOptions?: { hostProcess?: boolean };
  sysctls?: { name: string }[];
}
interface Container { name: string; securityContext?: SecurityContext; ports?: { hostPort?: number }[] }
export interface PodSpecLike {
  hostNetwork?: boolean; hostPID?: boolean; hostIPC?: boolean;
  securityContext?: SecurityContext;
  containers?: Container[]; initContainers?: Container[]; ephemeralContainers?: Container[];
  volumes?: Record<string, unknown>[];
}
export interface Meta { annotations?: Record<string, string> }

export interface CheckResult { reason: string; detail: string }

const pluralize = (one: string, many: string, n: number) => (n === 1 ? one : many);
const joinQuote = (xs: string[]) => xs.map((x) => JSON.stringify(x)).join(', ');

function containersOf(spec: PodSpecLike): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

function names(spec: PodSpecLike, bad: (c: Container) => boolean): string[] {
  return containersOf(spec).filter(bad).map((c) => c.name);
}

const BASELINE_CAPS = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE',
  'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);
const SAFE_SYSCTLS = new Set(['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports', 'net.ipv4.tcp_keepalive_time',
  'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl', 'net.ipv4.tcp_keepalive_probes']);
const RESTRICTED_VOLUME_OK = new Set(['configMap', 'csi', 'downwardAPI', 'emptyDir', 'ephemeral', 'persistentVolumeClaim', 'projected', 'secret']);

type Check = (spec: PodSpecLike, meta: Meta) => CheckResult | undefined;

function capabilitiesCheck(restricted: boolean): Check {
  return (spec) => {
    const badAdd = new Set<string>(); const addContainers: string[] = []; const noDrop: string[] = [];
    for (const c of containersOf(spec)) {
      const caps = c.securityContext?.capabilities;
      let bad = false;
      for (const cap of caps?.add ?? []) {
        const ok = restricted ? cap === 'NET_BIND_SERVICE' : BASELINE_CAPS.has(cap);
        if (!ok) { badAdd.add(cap); bad = true; }
      }
      if (bad) addContainers.push(c.name);
      if (restricted && !(caps?.drop ?? []).includes('ALL')) noDrop.push(c.name);
    }
    const details: string[] = [];
    if (noDrop.length) details.push(`${pluralize('container', 'containers', noDrop.length)} ${joinQuote(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
    if (addContainers.length) {
      details.push(`${pluralize('container', 'containers', addContainers.length)} ${joinQuote(addContainers)} must not include ${joinQuote([...badAdd].sort())} in securityContext.capabilities.add`);
    }
    return details.length ? { reason: restricted ? 'unrestricted capabilities' : 'non-default capabilities', detail: details.join('; ') } : undefined;
  };
}

function seccompCheck(restricted: boolean): Check {
  return (spec) => {
    const podType = spec.securityContext?.seccompProfile?.type;
    const details: string[] = [];
    if (podType === 'Unconfined') details.push('pod must not set securityContext.seccompProfile.type to "Unconfined"');
    const unconfined = names(spec, (c) => c.securityContext?.seccompProfile?.type === 'Unconfined');
    if (unconfined.length) details.push(`${pluralize('container', 'containers', unconfined.length)} ${joinQuote(unconfined)} must not set securityContext.seccompProfile.type to "Unconfined"`);
    if (restricted && podType !== 'RuntimeDefault' && podType !== 'Localhost' && podType !== 'Unconfined') {
      const unset = names(spec, (c) => c.securityContext?.seccompProfile?.type === undefined);
      if (unset.length) details.push(`pod or ${pluralize('container', 'containers', unset.length)} ${joinQuote(unset)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
    }
    return details.length ? { reason: 'seccompProfile', detail: details.join('; ') } : undefined;
  };
}

/** upstream check IDs → check, with the level from which each applies */
const CHECKS: { id: string; level: Level; check: Check; overrides?: string }[] = [
  { id: 'allowPrivilegeEscalation', level: 'restricted', check: (spec) => {
    const bad = names(spec, (c) => c.securityContext?.allowPrivilegeEscalation !== false);
    return bad.length ? { reason: 'allowPrivilegeEscalation != false', detail: `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must set securityContext.allowPrivilegeEscalation=false` } : undefined;
  } },
  { id: 'appArmorProfile', level: 'baseline', check: (spec, meta) => {
    const bad: string[] = [];
    if (spec.securityContext?.appArmorProfile?.type === 'Unconfined') bad.push('pod');
    for (const c of containersOf(spec)) if (c.securityContext?.appArmorProfile?.type === 'Unconfined') bad.push(`container ${JSON.stringify(c.name)}`);
    for (const [k, v] of Object.entries(meta.annotations ?? {})) {
      if (k.startsWith('container.apparmor.security.beta.kubernetes.io/') && v !== 'runtime/default' && !v.startsWith('localhost/')) bad.push(`${k}=${JSON.stringify(v)}`);
    }
    return bad.length ? { reason: `forbidden AppArmor ${pluralize('profile', 'profiles', bad.length)}`, detail: bad.join(', ') } : undefined;
  } },
  { id: 'capabilities_baseline', level: 'baseline', check: capabilitiesCheck(false) },
  { id: 'capabilities_restricted', level: 'restricted', check: capabilitiesCheck(true), overrides: 'capabilities_baseline' },
  { id: 'hostNamespaces', level: 'baseline', check: (spec) => {
    const bad = [spec.hostNetwork && 'hostNetwork=true', spec.hostPID && 'hostPID=true', spec.hostIPC && 'hostIPC=true'].filter(Boolean) as string[];
    return bad.length ? { reason: 'host namespaces', detail: bad.join(', ') } : undefined;
  } },
  { id: 'hostPathVolumes', level: 'baseline', check: (spec) => {
    const bad = (spec.volumes ?? []).filter((v) => v.hostPath).map((v) => String(v.name));
    return bad.length ? { reason: 'hostPath volumes', detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)}` } : undefined;
  } },
  { id: 'hostPorts', level: 'baseline', check: (spec) => {
    const bad: string[] = []; const ports: string[] = [];
    for (const c of containersOf(spec)) {
      const hp = (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort));
      if (hp.length) { bad.push(c.name); ports.push(...hp); }
    }
    return bad.length ? { reason: 'hostPort', detail: `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} ${pluralize('hostPort', 'hostPorts', ports.length)} ${ports.join(', ')}` } : undefined;
  } },
  { id: 'privileged', level: 'baseline', check: (spec) => {
    const bad = names(spec, (c) => c.securityContext?.privileged === true);
    return bad.length ? { reason: 'privileged', detail: `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.privileged=true` } : undefined;
  } },
  { id: 'procMount', level: 'baseline', check: (spec) => {
    const bad = names(spec, (c) => c.securityContext?.procMount !== undefined && c.securityContext.procMount !== 'Default');
    return bad.length ? { reason: 'procMount', detail: `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.procMount to "Unmasked"` } : undefined;
  } },
  { id: 'restrictedVolumes', level: 'restricted', check: (spec) => {
    const bad: string[] = []; const types = new Set<string>();
    for (const v of spec.volumes ?? []) {
      const t = Object.keys(v).find((k) => k !== 'name');
      if (t && !RESTRICTED_VOLUME_OK.has(t)) { bad.push(String(v.name)); types.add(t); }
    }
    return bad.length ? { reason: 'restricted volume types', detail: `${pluralize('volume', 'volumes', bad.length)} ${joinQuote(bad)} ${pluralize('uses', 'use', bad.length)} restricted volume ${pluralize('type', 'types', types.size)} ${joinQuote([...types].sort())}` } : undefined;
  } },
  { id: 'runAsNonRoot', level: 'restricted', check: (spec) => {
    const details: string[] = [];
    const pod = spec.securityContext?.runAsNonRoot;
    if (pod === false) details.push('pod must not set securityContext.runAsNonRoot=false');
    const explicitFalse = names(spec, (c) => c.securityContext?.runAsNonRoot === false);
    if (explicitFalse.length) details.push(`${pluralize('container', 'containers', explicitFalse.length)} ${joinQuote(explicitFalse)} must not set securityContext.runAsNonRoot=false`);
    if (pod !== true) {
      const implicit = names(spec, (c) => c.securityContext?.runAsNonRoot === undefined);
      if (implicit.length) details.push(`pod or ${pluralize('container', 'containers', implicit.length)} ${joinQuote(implicit)} must set securityContext.runAsNonRoot=true`);
    }
    return details.length ? { reason: 'runAsNonRoot != true', detail: details.join('; ') } : undefined;
  } },
  { id: 'runAsUser', level: 'restricted', check: (spec) => {
    const details: string[] = [];
    if (spec.securityContext?.runAsUser === 0) details.push('pod must not set runAsUser=0');
    const bad = names(spec, (c) => c.securityContext?.runAsUser === 0);
    if (bad.length) details.push(`${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set runAsUser=0`);
    return details.length ? { reason: 'runAsUser=0', detail: details.join('; ') } : undefined;
  } },
  { id: 'seLinuxOptions', level: 'baseline', check: (spec) => {
    const okType = (t?: string) => t === undefined || t === '' || t === 'container_t' || t === 'container_init_t' || t === 'container_kvm_t' || t === 'container_engine_t';
    const bad: string[] = [];
    const sel = (o?: SecurityContext['seLinuxOptions']) => o !== undefined && (!okType(o.type) || Boolean(o.user) || Boolean(o.role));
    if (sel(spec.securityContext?.seLinuxOptions)) bad.push('pod');
    const cs = names(spec, (c) => sel(c.securityContext?.seLinuxOptions));
    if (cs.length) bad.push(`${pluralize('container', 'containers', cs.length)} ${joinQuote(cs)}`);
    return bad.length ? { reason: 'seLinuxOptions', detail: `${bad.join(' and ')} set forbidden securityContext.seLinuxOptions` } : undefined;
  } },
  { id: 'seccompProfile_baseline', level: 'baseline', check: seccompCheck(false) },
  { id: 'seccompProfile_restricted', level: 'restricted', check: seccompCheck(true), overrides: 'seccompProfile_baseline' },
  { id: 'sysctls', level: 'baseline', check: (spec) => {
    const bad = (spec.securityContext?.sysctls ?? []).map((s) => s.name).filter((n) => !SAFE_SYSCTLS.has(n));
    return bad.length ? { reason: 'forbidden sysctls', detail: bad.join(', ') } : undefined;
  } },
  { id: 'windowsHostProcess', level: 'baseline', check: (spec) => {
    const pod = spec.securityContext?.windowsOptions?.hostProcess === true;
    const bad = names(spec, (c) => c.securityContext?.windowsOptions?.hostProcess === true);
    if (!pod && !bad.length) return undefined;
    return { reason: 'hostProcess', detail: pod ? 'pod must not set securityContext.windowsOptions.hostProcess=true' : `${pluralize('container', 'containers', bad.length)} ${joinQuote(bad)} must not set securityContext.windowsOptions.hostProcess=true` };
  } },
];

/** every check the level runs that the pod fails, in check-ID order */
export function evaluate(level: Level, spec: PodSpecLike, meta: Meta): CheckResult[] {
  if (level === 'privileged') return [];
  const active = CHECKS.filter((c) => level === 'restricted' || c.level === 'baseline');
  const overridden = new Set(active.map((c) => c.overrides).filter(Boolean));
  const out: CheckResult[] = [];
  for (const c of active) {
    if (overridden.has(c.id)) continue;
    const r = c.check(spec, meta);
    if (r) out.push(r);
  }
  return out;
}

/** upstream's aggregate: `reason (detail), reason (detail)` */
export function describe(results: CheckResult[]): string {
  return results.map((r) => (r.detail ? `${r.reason} (${r.detail})` : r.reason)).join(', ');
}
