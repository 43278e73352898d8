// Helpers shared by the core admission plugins: upstream's admission.NewForbidden wording and
// typed views of the few pod/volume fields the plugins touch.
import { StatusError, qualifiedResource } from '../../../machinery/errors.js';
import type { KObject } from '../../../api/types.js';
import type { AdmissionAttributes } from '../../chain.js';

/** upstream admission.NewForbidden: `pods "x" is forbidden: <why>` (403 Forbidden) */
export function forbidden(a: AdmissionAttributes, why: string): StatusError {
  const resource = qualifiedResource(a.type.group, a.type.resource);
  const name = a.name || a.object?.metadata?.name || a.oldObject?.metadata?.name || '';
  const message = name ? `${resource} "${name}" is forbidden: ${why}` : `${resource} is forbidden: ${why}`;
  return new StatusError(403, 'Forbidden', message, { name: name || undefined, group: a.type.group || undefined, kind: a.type.resource });
}

/** true when the request is about the named core/group resource itself (no subresource) */
export function isResource(a: AdmissionAttributes, group: string, resource: string): boolean {
  return a.type.group === group && a.type.resource === resource;
}

export const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

export interface Container { name?: string; volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[]; env?: EnvVar[]; envFrom?: EnvFrom[] }
export interface EnvVar { name: string; valueFrom?: { secretKeyRef?: unknown; configMapKeyRef?: unknown } }
export interface EnvFrom { secretRef?: unknown; configMapRef?: unknown }
export interface Volume { name: string; [source: string]: unknown }
export interface PodSpec {
  nodeName?: string;
  serviceAccountName?: string;
  serviceAccount?: string;
  automountServiceAccountToken?: boolean;
  containers?: Container[];
  initContainers?: Container[];
  ephemeralContainers?: Container[];
  volumes?: Volume[];
  imagePullSecrets?: { name: string }[];
  priorityClassName?: string;
  priority?: number;
  preemptionPolicy?: string;
  tolerations?: { key?: string; operator?: string; value?: string; effect?: string; tolerationSeconds?: number }[];
}

export function podSpec(obj: KObject | undefined): PodSpec {
  if (!obj) return {};
  return ((obj as { spec?: PodSpec }).spec ??= {});
}

export function isMirrorPod(obj: KObject | undefined): boolean {
  return obj?.metadata?.annotations?.[MIRROR_POD_ANNOTATION] !== undefined;
}
