// Admission plugins by upstream name, for --enable-admission-plugins / --disable-admission-plugins.
// Plugins run in upstream's recommended order, whatever order the flag lists them in.
import type { AdmissionPlugin } from '../chain.js';
import type { APIServer } from '../server.js';
import { corePlugins } from './registry-core.js';
import { policyPlugins } from './registry-policy.js';
import { certificatePlugins } from './registry-certificates.js';
import { webhookPlugins } from './registry-webhook.js';
import { validatingPolicyPlugins } from './policy-cel/registry.js';

/** builds one plugin; `server` gives watch-cache reads and stores (the server is started before any request) */
export type PluginFactory = (server: () => APIServer) => AdmissionPlugin;

/** upstream's order (kube-apiserver --help, "recommended order") */
export const ADMISSION_ORDER = [
  'NamespaceLifecycle', 'LimitRanger', 'ServiceAccount', 'NodeRestriction', 'PodSecurity', 'Priority',
  'DefaultTolerationSeconds', 'DefaultStorageClass', 'StorageObjectInUseProtection',
  'CertificateApproval', 'CertificateSigning', 'CertificateSubjectRestriction',
  // webhooks and quota go last, as upstream: webhooks see what the built-in plugins made of the object
  'MutatingAdmissionWebhook', 'ValidatingAdmissionPolicy', 'ValidatingAdmissionWebhook', 'ResourceQuota',
];

/** the plugins on by default in Kumo (upstream's defaults that Kumo implements) */
export const DEFAULT_ADMISSION_PLUGINS = ADMISSION_ORDER;

export function buildAdmissionPlugins(enable: string[], disable: string[], server: () => APIServer): AdmissionPlugin[] {
  const factories: Record<string, PluginFactory> = { ...corePlugins, ...policyPlugins, ...certificatePlugins, ...webhookPlugins, ...validatingPolicyPlugins };
  for (const n of [...enable, ...disable]) {
    if (!ADMISSION_ORDER.includes(n)) throw new Error(`admission plugin "${n}" is unknown; known plugins: ${ADMISSION_ORDER.join(', ')}`);
  }
  const wanted = new Set([...DEFAULT_ADMISSION_PLUGINS, ...enable]);
  for (const d of disable) wanted.delete(d);
  return ADMISSION_ORDER.filter((n) => wanted.has(n) && factories[n]).map((n) => factories[n](server));
}
