// Kubeconfig files (clientcmd v1 Config) with credentials embedded as base64 *-data fields, so a single
// file is enough for kubectl or client-go on another machine.
import { dirname } from 'node:path';
import { mkdir } from 'node:fs/promises';
import { stringify } from 'yaml';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE, writeFileAtomic } from './files.js';

export interface KubeconfigOptions {
  clusterName: string;
  /** API server URL, e.g. https://127.0.0.1:6443. */
  server: string;
  caPem: string;
  userName: string;
  certPem: string;
  keyPem: string;
  contextName: string;
  namespace?: string;
}

/** The kubeconfig object, in the field order `kubectl config view` prints. */
export interface Kubeconfig {
  apiVersion: 'v1';
  kind: 'Config';
  clusters: { name: string; cluster: { 'certificate-authority-data': string; server: string } }[];
  contexts: { name: string; context: { cluster: string; user: string; namespace?: string } }[];
  'current-context': string;
  preferences: Record<string, never>;
  users: { name: string; user: { 'client-certificate-data': string; 'client-key-data': string } }[];
}

const b64 = (text: string): string => Buffer.from(text, 'utf8').toString('base64');

function requireNonEmpty(opts: KubeconfigOptions, field: keyof KubeconfigOptions): void {
  const v = opts[field];
  if (typeof v !== 'string' || v === '') throw new Error(`kubeconfig ${field} must not be empty`);
}

export function buildKubeconfig(opts: KubeconfigOptions): Kubeconfig {
  for (const f of ['clusterName', 'server', 'caPem', 'userName', 'certPem', 'keyPem', 'contextName'] as const) requireNonEmpty(opts, f);
  let url: URL;
  try {
    url = new URL(opts.server);
  } catch {
    throw new Error(`kubeconfig server must be a URL, got ${JSON.stringify(opts.server)}`);
  }
  if (url.protocol !== 'https:') throw new Error(`kubeconfig server must be an https:// URL, got ${JSON.stringify(opts.server)}`);
  for (const [field, marker] of [['caPem', 'CERTIFICATE'], ['certPem', 'CERTIFICATE'], ['keyPem', 'PRIVATE KEY']] as const) {
    if (!opts[field].includes(`-----BEGIN `) || !opts[field].includes(marker)) throw new Error(`kubeconfig ${field} is not a PEM ${marker}`);
  }
  const context: Kubeconfig['contexts'][number]['context'] = { cluster: opts.clusterName, user: opts.userName };
  if (opts.namespace) context.namespace = opts.namespace;
  return {
    apiVersion: 'v1',
    kind: 'Config',
    clusters: [{ name: opts.clusterName, cluster: { 'certificate-authority-data': b64(opts.caPem), server: opts.server } }],
    contexts: [{ name: opts.contextName, context }],
    'current-context': opts.contextName,
    preferences: {},
    users: [{ name: opts.userName, user: { 'client-certificate-data': b64(opts.certPem), 'client-key-data': b64(opts.keyPem) } }],
  };
}

export function kubeconfigYAML(opts: KubeconfigOptions): string {
  // Long base64 values must stay on one line; yaml would otherwise fold them.
  return stringify(buildKubeconfig(opts), { lineWidth: 0 });
}

/**
 * Writes the kubeconfig atomically with mode 0600 (it holds a private key), creating a missing parent
 * directory as 0700. Replaces the whole file: merging into an existing kubeconfig is not done here.
 */
export async function writeKubeconfig(path: string, opts: KubeconfigOptions): Promise<void> {
  const text = kubeconfigYAML(opts);
  await mkdir(dirname(path), { recursive: true, mode: PRIVATE_DIR_MODE });
  await writeFileAtomic(path, text, PRIVATE_FILE_MODE);
}
