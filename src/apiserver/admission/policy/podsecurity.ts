// PodSecurity admission (upstream pod-security-admission): the namespace's
// pod-security.kubernetes.io/{enforce,warn,audit}[-version] labels pick a Pod Security Standard
// level; pods that violate the enforce level are refused (403), warn-level violations come back as
// Warning headers, and pod templates of workload resources only ever get warnings.
import type { KObject } from '../../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../chain.js';
import type { APIServer } from '../../server.js';
import { forbidden } from './common.js';
import { describe, evaluate, type Level, type Meta, type PodSpecLike } from './podsecurity-checks.js';

const LABEL = 'pod-security.kubernetes.io/';
const LEVELS: Level[] = ['privileged', 'baseline', 'restricted'];

export interface NamespacePolicy { enforce: LevelVersion; warn: LevelVersion; audit: LevelVersion }
interface LevelVersion { level: Level; version: string }

/** read the policy from namespace labels; an invalid level is treated as restricted, as upstream does */
export function policyOf(labels: Record<string, string> | undefined): NamespacePolicy {
  const one = (mode: string): LevelVersion => {
    const raw = labels?.[`${LABEL}${mode}`];
    const level = raw === undefined ? 'privileged' : (LEVELS.includes(raw as Level) ? raw as Level : 'restricted');
    const v = labels?.[`${LABEL}${mode}-version`];
    const version = v && /^(latest|v1\.\d+)$/.test(v) ? v : 'latest';
    return { level, version };
  };
  return { enforce: one('enforce'), warn: one('warn'), audit: one('audit') };
}

/** where the pod template lives in each workload kind */
function templateOf(group: string, resource: string, obj: KObject): { metadata?: Meta; spec?: PodSpecLike } | undefined {
  const spec = obj.spec as Record<string, unknown> | undefined;
  if (group === '' && resource === 'podtemplates') return obj.template as never;
  if (group === '' && resource === 'replicationcontrollers') return spec?.template as never;
  if (group === 'apps' && ['deployments', 'replicasets', 'statefulsets', 'daemonsets'].includes(resource)) return spec?.template as never;
  if (group === 'batch' && resource === 'jobs') return spec?.template as never;
  if (group === 'batch' && resource === 'cronjobs') {
    return ((spec?.jobTemplate as { spec?: { template?: unknown } } | undefined)?.spec?.template) as never;
  }
  return undefined;
}

function violation(lv: LevelVersion, spec: PodSpecLike, meta: Meta): string | undefined {
  const results = evaluate(lv.level, spec, meta);
  return results.length ? `PodSecurity "${lv.level}:${lv.version}": ${describe(results)}` : undefined;
}

function addWarning(a: AdmissionAttributes, w: string): void {
  if (a.warnings && !a.warnings.includes(w)) a.warnings.push(w);
}

export function podSecurity(server: () => APIServer): AdmissionPlugin {
  const nsLabels = (ns: string) => {
    const sr = server().lookup('', 'v1', 'namespaces');
    return sr?.store.cache.objects.get(sr.store.key('', ns))?.obj.metadata?.labels;
  };
  return {
    name: 'PodSecurity',
    validate(a) {
      if ((a.operation !== 'CREATE' && a.operation !== 'UPDATE') || !a.object || !a.namespace) return;
      const { group, resource } = a.type;
      const isPod = group === '' && resource === 'pods';
      if (isPod && a.subresource && a.subresource !== 'ephemeralcontainers') return;
      if (!isPod && a.subresource) return;
      // pod updates that leave the spec alone (labels, annotations) are not re-evaluated
      if (isPod && a.operation === 'UPDATE' && JSON.stringify(a.object.spec) === JSON.stringify(a.oldObject?.spec)) return;
      const target = isPod ? { metadata: a.object.metadata, spec: a.object.spec as PodSpecLike } : templateOf(group, resource, a.object);
      if (!target?.spec) return;
      const policy = policyOf(nsLabels(a.namespace));
      const meta = target.metadata ?? {};
      const enforced = violation(policy.enforce, target.spec, meta);
      if (isPod) {
        if (enforced) throw forbidden(a, `violates ${enforced}`);
      } else if (enforced) {
        addWarning(a, `would violate ${enforced}`);
      }
      // audit mode: the violation goes into the request's audit event (pods and templates alike)
      const audited = violation(policy.audit, target.spec, meta);
      if (audited) a.annotate?.('pod-security.kubernetes.io/audit-violations', `would violate ${audited}`);
      const warned = violation(policy.warn, target.spec, meta);
      if (warned && !(isPod && policy.warn.level === policy.enforce.level && policy.warn.version === policy.enforce.version)) {
        addWarning(a, `would violate ${warned}`);
      }
    },
  };
}
