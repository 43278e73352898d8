// ServiceAccount admission (upstream plugin/pkg/admission/serviceaccount): every pod runs as a
// ServiceAccount (`default` unless named), which must exist; unless automounting is turned off on
// the pod or the account, each container gets the projected `kube-api-access-xxxxx` volume (a bound
// token, the cluster CA bundle and the namespace) at /var/run/secrets/kubernetes.io/serviceaccount.
// Mirror pods (static pods reported by a kubelet) are left alone but may not reference accounts,
// secrets or config maps.
import type { KObject } from '../../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../chain.js';
import { generateName } from '../../registry/names.js';
import { forbidden, isMirrorPod, isResource, podSpec, type Container, type PodSpec } from './util.js';

export const DEFAULT_SERVICE_ACCOUNT = 'default';
export const TOKEN_VOLUME_PREFIX = 'kube-api-access-';
export const TOKEN_MOUNT_PATH = '/var/run/secrets/kubernetes.io/serviceaccount';
/** upstream's token lifetime for the projected volume: an hour plus 7 s, so tokens can be told apart */
export const TOKEN_EXPIRATION_SECONDS = 3607;
export const ROOT_CA_CONFIGMAP = 'kube-root-ca.crt';

export interface ServiceAccountDeps {
  /** the ServiceAccount from the watch cache, or undefined */
  getServiceAccount(namespace: string, name: string): Promise<KObject | undefined> | KObject | undefined;
  /** how long to keep looking for the `default` account, which its controller creates right after the namespace */
  defaultRetry?: { attempts: number; intervalMs: number };
}

/** the projected volume upstream injects (TokenVolumeSource, defaultMode 0644) */
export function tokenVolume(name: string): Record<string, unknown> {
  return {
    name,
    projected: {
      defaultMode: 0o644,
      sources: [
        { serviceAccountToken: { expirationSeconds: TOKEN_EXPIRATION_SECONDS, path: 'token' } },
        { configMap: { name: ROOT_CA_CONFIGMAP, items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
        { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
      ],
    },
  };
}

function shouldAutomount(sa: KObject, spec: PodSpec): boolean {
  if (spec.automountServiceAccountToken !== undefined && spec.automountServiceAccountToken !== null) return spec.automountServiceAccountToken;
  const fromSA = (sa as { automountServiceAccountToken?: boolean }).automountServiceAccountToken;
  if (fromSA !== undefined && fromSA !== null) return fromSA;
  return true;
}

/** mounts the token volume in every init container and container that has nothing at the mount path yet */
function mountToken(spec: PodSpec): void {
  const existing = (spec.volumes ?? []).find((v) => v.name.startsWith(TOKEN_VOLUME_PREFIX));
  const volumeName = existing?.name ?? generateName(TOKEN_VOLUME_PREFIX);
  let needsVolume = false;
  const mount = (containers: Container[] | undefined) => {
    for (const c of containers ?? []) {
      if ((c.volumeMounts ?? []).some((m) => m.mountPath === TOKEN_MOUNT_PATH)) continue;
      (c.volumeMounts ??= []).push({ name: volumeName, readOnly: true, mountPath: TOKEN_MOUNT_PATH });
      needsVolume = true;
    }
  };
  mount(spec.initContainers);
  mount(spec.containers);
  if (!existing && needsVolume) (spec.volumes ??= []).push(tokenVolume(volumeName) as never);
}

function referencesSecrets(spec: PodSpec): boolean {
  if ((spec.imagePullSecrets ?? []).length) return true;
  for (const v of spec.volumes ?? []) {
    if (v.secret) return true;
    const sources = (v.projected as { sources?: { secret?: unknown }[] } | undefined)?.sources ?? [];
    if (sources.some((s) => s.secret)) return true;
  }
  return allContainers(spec).some((c) => (c.env ?? []).some((e) => e.valueFrom?.secretKeyRef) || (c.envFrom ?? []).some((e) => e.secretRef));
}

function referencesConfigMaps(spec: PodSpec): boolean {
  for (const v of spec.volumes ?? []) {
    if (v.configMap) return true;
    const sources = (v.projected as { sources?: { configMap?: unknown }[] } | undefined)?.sources ?? [];
    if (sources.some((s) => s.configMap)) return true;
  }
  return allContainers(spec).some((c) => (c.env ?? []).some((e) => e.valueFrom?.configMapKeyRef) || (c.envFrom ?? []).some((e) => e.configMapRef));
}

function allContainers(spec: PodSpec): Container[] {
  return [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
}

export function newServiceAccountPlugin(deps: ServiceAccountDeps): AdmissionPlugin {
  const retry = deps.defaultRetry ?? { attempts: 100, intervalMs: 100 };

  const lookup = async (a: AdmissionAttributes, name: string): Promise<KObject> => {
    const attempts = name === DEFAULT_SERVICE_ACCOUNT ? retry.attempts : 1;
    for (let i = 0; i < attempts; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, retry.intervalMs));
      const sa = await deps.getServiceAccount(a.namespace, name);
      if (sa) return sa;
    }
    throw forbidden(a, `error looking up service account ${a.namespace}/${name}: serviceaccount "${name}" not found`);
  };

  const applies = (a: AdmissionAttributes) => isResource(a, '', 'pods') && a.subresource === '' && a.operation === 'CREATE' && !!a.object;

  return {
    name: 'ServiceAccount',
    async admit(a) {
      if (!applies(a) || isMirrorPod(a.object)) return;
      const spec = podSpec(a.object);
      // the deprecated `serviceAccount` field is an alias read when the real one is empty
      if (!spec.serviceAccountName) spec.serviceAccountName = spec.serviceAccount || DEFAULT_SERVICE_ACCOUNT;
      spec.serviceAccount = spec.serviceAccountName;
      const sa = await lookup(a, spec.serviceAccountName);
      if (shouldAutomount(sa, spec)) mountToken(spec);
      const pullSecrets = (sa as { imagePullSecrets?: { name: string }[] }).imagePullSecrets ?? [];
      if (!(spec.imagePullSecrets ?? []).length && pullSecrets.length) spec.imagePullSecrets = pullSecrets.map((s) => ({ name: s.name }));
    },
    async validate(a) {
      if (!applies(a)) return;
      const spec = podSpec(a.object);
      if (isMirrorPod(a.object)) {
        if (spec.serviceAccountName) throw forbidden(a, 'a mirror pod may not reference service accounts');
        if (referencesSecrets(spec)) throw forbidden(a, 'a mirror pod may not reference secrets');
        if (referencesConfigMaps(spec)) throw forbidden(a, 'a mirror pod may not reference configmaps');
        return;
      }
      // admission may have been skipped in the mutating phase of another server: the account must exist
      await lookup(a, spec.serviceAccountName || DEFAULT_SERVICE_ACCOUNT);
    },
  };
}
