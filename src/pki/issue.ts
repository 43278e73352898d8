// The step-by-step PKI of `kumo pki init` / `kumo pki issue`: the CAs and service-account key first,
// then one component's certificates at a time, each signed by the CA kubeadm would use for it.
import { dirname } from 'node:path';
import { readIfExists, ensurePrivateDir, writeFileAtomic, PRIVATE_FILE_MODE, PUBLIC_FILE_MODE } from './files.js';
import { ensureCA, ensureLeafCertificate, ensureServiceAccountKey, pkiPaths } from './cluster.js';
import { issueCertificate } from './certs.js';
import { caFiles, componentCertificates, type CAName, type ComponentCertificate, type ComponentKind, type ComponentOptions } from './components.js';
import type { CASigner, CertKeyPair } from './ca.js';

const CA_NAMES: CAName[] = ['ca', 'front-proxy-ca', 'etcd-ca'];

export interface InitOptions {
  caYears?: number;
  now?: Date;
}

/**
 * Creates the cluster CA, the front-proxy CA, the etcd CA and the service-account key pair under
 * DATADIR/pki, keeping whatever already exists. Every existing file is checked before anything is
 * written, so a damaged or half-present CA stops the command with nothing changed.
 * Returns what was created, one line each.
 */
export async function initPKI(dataDir: string, opts: InitOptions = {}): Promise<string[]> {
  const paths = pkiPaths(dataDir);
  // Check first: ensureCA writes only when both files are absent, so calling it for a pair with
  // at least one file present validates without writing.
  for (const name of CA_NAMES) {
    const f = caFiles(dataDir, name);
    const [cert, key] = await Promise.all([readIfExists(f.certPath), readIfExists(f.keyPath)]);
    if (cert !== undefined || key !== undefined) await ensureCA(f.certPath, f.keyPath, f.commonName, { now: opts.now });
  }
  const [saKey, saPub] = await Promise.all([readIfExists(paths.serviceAccountKey), readIfExists(paths.serviceAccountPub)]);
  if (saKey === undefined && saPub !== undefined) {
    throw new Error(`${paths.serviceAccountPub} exists but ${paths.serviceAccountKey} is missing; restore it (or remove both to create a new key)`);
  }
  if (saKey !== undefined) await ensureServiceAccountKey(paths.serviceAccountKey, paths.serviceAccountPub);

  const changes: string[] = [];
  await ensurePrivateDir(paths.dir);
  for (const name of CA_NAMES) {
    const f = caFiles(dataDir, name);
    await ensurePrivateDir(dirname(f.certPath));
    await ensureCA(f.certPath, f.keyPath, f.commonName, { years: opts.caYears, now: opts.now, changes });
  }
  await ensureServiceAccountKey(paths.serviceAccountKey, paths.serviceAccountPub, changes);
  return changes;
}

/** Loads an existing CA for signing; a missing one means `kumo pki init` has not been run. */
export async function loadCA(dataDir: string, name: CAName, now?: Date): Promise<{ pair: CertKeyPair; signer: CASigner }> {
  const f = caFiles(dataDir, name);
  const [cert, key] = await Promise.all([readIfExists(f.certPath), readIfExists(f.keyPath)]);
  if (cert === undefined && key === undefined) {
    throw new Error(`CA ${f.certPath} does not exist; run 'kumo pki init --dir ${dataDir}' first`);
  }
  return ensureCA(f.certPath, f.keyPath, f.commonName, { now });
}

export interface IssuedCertificate extends CertKeyPair {
  name: string;
  certPath: string;
  keyPath: string;
  /** Set when an existing pair was kept (issue without force, or kubeconfig). */
  kept?: boolean;
}

/**
 * Issues the certificates of one component kind. With `force` (the default for `kumo pki issue`) each
 * pair is re-issued; without it an existing pair that still fits (same CA, identity, names, usages,
 * not expiring within 30 days) is kept. Options are validated and every CA loaded before anything
 * is written.
 */
export async function issueComponent(
  dataDir: string,
  kind: ComponentKind,
  opts: ComponentOptions,
  how: { force?: boolean; now?: Date; renewBeforeMs?: number } = {},
): Promise<IssuedCertificate[]> {
  return issueCertificates(dataDir, componentCertificates(dataDir, kind, opts), how);
}

/** Issues (or with `force: false` keeps) the given pairs; every CA is loaded before anything is written. */
export async function issueCertificates(
  dataDir: string,
  certs: ComponentCertificate[],
  how: { force?: boolean; now?: Date; renewBeforeMs?: number } = {},
): Promise<IssuedCertificate[]> {
  const cas = new Map<CAName, Awaited<ReturnType<typeof loadCA>>>();
  for (const c of certs) if (!cas.has(c.ca)) cas.set(c.ca, await loadCA(dataDir, c.ca, how.now));
  const out: IssuedCertificate[] = [];
  for (const c of certs) out.push(await issueOne(cas.get(c.ca)!, c, how));
  return out;
}

async function issueOne(
  ca: { pair: CertKeyPair; signer: CASigner },
  c: ComponentCertificate,
  how: { force?: boolean; now?: Date; renewBeforeMs?: number },
): Promise<IssuedCertificate> {
  await ensurePrivateDir(dirname(c.spec.certPath));
  const base = { name: c.name, certPath: c.spec.certPath, keyPath: c.spec.keyPath };
  if (how.force) {
    const pair = await issueCertificate(ca.signer, c.spec, how.now);
    // key first: a crash in between leaves a mismatched pair, which the next check re-issues
    await writeFileAtomic(c.spec.keyPath, pair.keyPem, PRIVATE_FILE_MODE);
    await writeFileAtomic(c.spec.certPath, pair.certPem, PUBLIC_FILE_MODE);
    return { ...base, ...pair };
  }
  const changes: string[] = [];
  const pair = await ensureLeafCertificate(ca, c.spec, { now: how.now, renewBeforeMs: how.renewBeforeMs, changes });
  return { ...base, ...pair, kept: changes.length === 0 };
}
