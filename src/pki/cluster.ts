// The control plane's PKI in DATADIR/pki, laid out like kubeadm's /etc/kubernetes/pki: created on first
// start, loaded afterwards. CAs are never replaced implicitly (every client trusts them); leaves are
// re-issued from the same CA when they no longer fit (names changed, expiring, damaged, wrong CA).
import { createPrivateKey } from 'node:crypto';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { createCA, loadCASigner, type CASigner, type CertKeyPair } from './ca.js';
import { canonicalIP, checkDNSName, issueCertificate, type CertificateRequest } from './certs.js';
import { ensurePrivateDir, PRIVATE_FILE_MODE, PUBLIC_FILE_MODE, readIfExists, restrictMode, writeFileAtomic } from './files.js';
import { leafProblems } from './inspect.js';
import { generateServiceAccountKeyPem, publicKeyPemFromPrivate } from './keys.js';
import { writeKubeconfig } from './kubeconfig.js';

/** The admin identity: member of system:masters, which RBAC lets do anything. */
export const ADMIN_USER = 'kubernetes-admin';
export const ADMIN_GROUP = 'system:masters';
export const CLUSTER_CA_NAME = 'kubernetes';
export const FRONT_PROXY_CA_NAME = 'front-proxy-ca';
export const APISERVER_CN = 'kube-apiserver';
export const FRONT_PROXY_CLIENT_CN = 'front-proxy-client';
export const DEFAULT_LEAF_DAYS = 365;
export const DEFAULT_CA_YEARS = 10;

export interface ServerPKIOptions {
  /** Extra names the apiserver is reached by (host name, FQDN, load balancer name). IPs here are moved to `ips`. */
  hostnames: string[];
  /** Extra IPs the apiserver is reached by (advertise address, node IPs). */
  ips: string[];
  /** First IP of the service CIDR: the `kubernetes` Service's ClusterIP. */
  serviceIP: string;
  dnsDomain?: string;
  /** Re-issue leaves that expire within this window (default 30 days). */
  renewBeforeMs?: number;
  leafDays?: number;
  caYears?: number;
  /** The current time; for tests. */
  now?: Date;
}

export interface PKIPaths {
  dir: string;
  caCert: string;
  caKey: string;
  frontProxyCACert: string;
  frontProxyCAKey: string;
  serviceAccountKey: string;
  serviceAccountPub: string;
  apiserverCert: string;
  apiserverKey: string;
  adminCert: string;
  adminKey: string;
  frontProxyClientCert: string;
  frontProxyClientKey: string;
}

export interface ServerPKI {
  paths: PKIPaths;
  ca: CertKeyPair;
  frontProxyCA: CertKeyPair;
  serviceAccount: { privateKeyPem: string; publicKeyPem: string };
  apiserver: CertKeyPair;
  admin: CertKeyPair;
  frontProxyClient: CertKeyPair;
  /** What this call created or re-issued and why, one line each, for the server log. */
  changes: string[];
}

export function pkiPaths(dataDir: string): PKIPaths {
  const dir = join(dataDir, 'pki');
  const f = (name: string) => join(dir, name);
  return {
    dir,
    caCert: f('ca.crt'),
    caKey: f('ca.key'),
    frontProxyCACert: f('front-proxy-ca.crt'),
    frontProxyCAKey: f('front-proxy-ca.key'),
    serviceAccountKey: f('sa.key'),
    serviceAccountPub: f('sa.pub'),
    apiserverCert: f('apiserver.crt'),
    apiserverKey: f('apiserver.key'),
    adminCert: f('admin.crt'),
    adminKey: f('admin.key'),
    frontProxyClientCert: f('front-proxy-client.crt'),
    frontProxyClientKey: f('front-proxy-client.key'),
  };
}

/**
 * Subject alternative names of the apiserver serving certificate: the in-cluster names of the
 * `kubernetes` Service, loopback (IPv4 and IPv6, so https://[::1]:port works too), the service IP and
 * whatever the caller reaches it by. Entries of `hostnames` that are IPs are treated as IPs.
 */
export function apiserverSANs(opts: Pick<ServerPKIOptions, 'hostnames' | 'ips' | 'serviceIP' | 'dnsDomain'>): {
  dnsNames: string[];
  ipAddresses: string[];
} {
  const domain = opts.dnsDomain ?? 'cluster.local';
  const dnsNames = ['kubernetes', 'kubernetes.default', 'kubernetes.default.svc', `kubernetes.default.svc.${domain}`, 'localhost'];
  const ipAddresses = ['127.0.0.1', '::1', canonicalIP(opts.serviceIP)];
  for (const h of opts.hostnames) {
    if (isIP(h)) ipAddresses.push(canonicalIP(h));
    else dnsNames.push(checkDNSName(h).toLowerCase());
  }
  for (const ip of opts.ips) ipAddresses.push(canonicalIP(ip));
  return { dnsNames: [...new Set(dnsNames)], ipAddresses: [...new Set(ipAddresses)] };
}

/**
 * Loads the CA at certPath/keyPath, or creates it when neither file exists. A lone certificate or
 * key, a mismatched pair or an expired CA is an error: silently replacing a CA would lock out every
 * client that trusts the old one.
 */
export async function ensureCA(
  certPath: string,
  keyPath: string,
  commonName: string,
  opts: { years?: number; now?: Date; changes?: string[] } = {},
): Promise<{ pair: CertKeyPair; signer: CASigner }> {
  const [certPem, keyPem] = await Promise.all([readIfExists(certPath), readIfExists(keyPath)]);
  if (certPem === undefined && keyPem === undefined) {
    const pair = await createCA(commonName, opts.years ?? DEFAULT_CA_YEARS, opts.now);
    await writeFileAtomic(keyPath, pair.keyPem, PRIVATE_FILE_MODE);
    await writeFileAtomic(certPath, pair.certPem, PUBLIC_FILE_MODE);
    opts.changes?.push(`created CA ${certPath}`);
    return { pair, signer: await loadCASigner(pair) };
  }
  if (certPem === undefined) throw new Error(`${keyPath} exists but ${certPath} is missing; restore it (or remove both to create a new CA)`);
  if (keyPem === undefined) throw new Error(`${certPath} exists but ${keyPath} is missing; restore it (or remove both to create a new CA)`);
  await restrictMode(keyPath, PRIVATE_FILE_MODE);
  const pair = { certPem, keyPem };
  let signer: CASigner;
  try {
    signer = await loadCASigner(pair);
  } catch (err) {
    throw new Error(`${certPath}: ${(err as Error).message}`);
  }
  const now = opts.now ?? new Date();
  if (signer.cert.notAfter <= now) throw new Error(`CA ${certPath} expired at ${signer.cert.notAfter.toISOString()}; it must be rotated explicitly`);
  if (signer.cert.notBefore > now) throw new Error(`CA ${certPath} is not valid before ${signer.cert.notBefore.toISOString()}; check the system clock`);
  return { pair, signer };
}

export interface LeafSpec extends CertificateRequest {
  certPath: string;
  keyPath: string;
}

/** Loads a leaf pair, re-issuing it from `ca` when it is missing or no longer fits `spec`. */
export async function ensureLeafCertificate(
  ca: { pair: CertKeyPair; signer: CASigner },
  spec: LeafSpec,
  opts: { now?: Date; renewBeforeMs?: number; changes?: string[] } = {},
): Promise<CertKeyPair> {
  const [certPem, keyPem] = await Promise.all([readIfExists(spec.certPath), readIfExists(spec.keyPath)]);
  let reason: string;
  if (certPem === undefined || keyPem === undefined) {
    reason = certPem === undefined && keyPem === undefined ? 'created' : 'missing half of the pair';
  } else {
    const problems = leafProblems(
      { certPem, keyPem },
      {
        caCertPem: ca.pair.certPem,
        now: opts.now,
        renewBeforeMs: opts.renewBeforeMs,
        commonName: spec.commonName,
        organizations: spec.organizations ?? [],
        dnsNames: spec.dnsNames,
        ipAddresses: spec.ipAddresses,
        usages: spec.usages,
      },
    );
    if (problems.length === 0) {
      await restrictMode(spec.keyPath, PRIVATE_FILE_MODE);
      return { certPem, keyPem };
    }
    reason = problems.join('; ');
  }
  const pair = await issueCertificate(ca.signer, spec, opts.now);
  // Key first: a crash in between leaves a mismatched pair, which the next start re-issues.
  await writeFileAtomic(spec.keyPath, pair.keyPem, PRIVATE_FILE_MODE);
  await writeFileAtomic(spec.certPath, pair.certPem, PUBLIC_FILE_MODE);
  opts.changes?.push(reason === 'created' ? `created ${spec.certPath}` : `re-issued ${spec.certPath}: ${reason}`);
  return pair;
}

/** Loads the service-account signing key, or creates an RSA 2048 one; sa.pub is always derived from sa.key. */
export async function ensureServiceAccountKey(
  keyPath: string,
  pubPath: string,
  changes?: string[],
): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const [keyPem, pubPem] = await Promise.all([readIfExists(keyPath), readIfExists(pubPath)]);
  if (keyPem === undefined) {
    if (pubPem !== undefined) throw new Error(`${pubPath} exists but ${keyPath} is missing; restore it (or remove both to create a new key)`);
    const sa = await generateServiceAccountKeyPem();
    await writeFileAtomic(keyPath, sa.privateKeyPem, PRIVATE_FILE_MODE);
    await writeFileAtomic(pubPath, sa.publicKeyPem, PUBLIC_FILE_MODE);
    changes?.push(`created service-account key ${keyPath}`);
    return sa;
  }
  let publicKeyPem: string;
  try {
    createPrivateKey(keyPem);
    publicKeyPem = publicKeyPemFromPrivate(keyPem);
  } catch (err) {
    throw new Error(`${keyPath}: invalid private key: ${(err as Error).message}`);
  }
  await restrictMode(keyPath, PRIVATE_FILE_MODE);
  if (pubPem !== publicKeyPem) {
    await writeFileAtomic(pubPath, publicKeyPem, PUBLIC_FILE_MODE);
    changes?.push(`rewrote ${pubPath} from ${keyPath}`);
  }
  return { privateKeyPem: keyPem, publicKeyPem };
}

/** Creates or loads everything the control plane needs under DATADIR/pki (directory 0700, keys 0600). */
export async function ensureServerPKI(dataDir: string, opts: ServerPKIOptions): Promise<ServerPKI> {
  const sans = apiserverSANs(opts); // validates the names before anything is written
  const paths = pkiPaths(dataDir);
  await ensurePrivateDir(paths.dir);
  const changes: string[] = [];
  const common = { now: opts.now, renewBeforeMs: opts.renewBeforeMs, changes };
  const days = opts.leafDays ?? DEFAULT_LEAF_DAYS;

  const ca = await ensureCA(paths.caCert, paths.caKey, CLUSTER_CA_NAME, { years: opts.caYears, now: opts.now, changes });
  const frontProxyCA = await ensureCA(paths.frontProxyCACert, paths.frontProxyCAKey, FRONT_PROXY_CA_NAME, {
    years: opts.caYears,
    now: opts.now,
    changes,
  });
  const serviceAccount = await ensureServiceAccountKey(paths.serviceAccountKey, paths.serviceAccountPub, changes);

  const apiserver = await ensureLeafCertificate(
    ca,
    { certPath: paths.apiserverCert, keyPath: paths.apiserverKey, commonName: APISERVER_CN, ...sans, usages: ['server'], days },
    common,
  );
  const admin = await ensureLeafCertificate(
    ca,
    { certPath: paths.adminCert, keyPath: paths.adminKey, commonName: ADMIN_USER, organizations: [ADMIN_GROUP], usages: ['client'], days },
    common,
  );
  // The aggregator's client identity towards extension apiservers (--proxy-client-cert-file).
  const frontProxyClient = await ensureLeafCertificate(
    frontProxyCA,
    { certPath: paths.frontProxyClientCert, keyPath: paths.frontProxyClientKey, commonName: FRONT_PROXY_CLIENT_CN, usages: ['client'], days },
    common,
  );
  return { paths, ca: ca.pair, frontProxyCA: frontProxyCA.pair, serviceAccount, apiserver, admin, frontProxyClient, changes };
}

/** Writes the admin kubeconfig for `server` (e.g. https://127.0.0.1:6443) from an ensured PKI. */
export async function writeAdminKubeconfig(
  pki: Pick<ServerPKI, 'ca' | 'admin'>,
  path: string,
  opts: { server: string; clusterName?: string; contextName?: string; userName?: string; namespace?: string },
): Promise<void> {
  const clusterName = opts.clusterName ?? 'kumo';
  await writeKubeconfig(path, {
    clusterName,
    server: opts.server,
    caPem: pki.ca.certPem,
    userName: opts.userName ?? ADMIN_USER,
    certPem: pki.admin.certPem,
    keyPem: pki.admin.keyPem,
    contextName: opts.contextName ?? clusterName,
    namespace: opts.namespace,
  });
}
