// Leaf certificates signed by a CA: apiserver serving certs, component and user client certs.
import { isIP } from 'node:net';
import { x509 } from './x509.js';
import { loadCASigner, type CASigner, type CertKeyPair } from './ca.js';
import { generateECDSAKeyPair, privateKeyToPem } from './keys.js';
import { DAY_MS, randomSerialNumber, validityWindow } from './validity.js';

export type CertificateUsage = 'server' | 'client';

export interface CertificateRequest {
  /** Subject CN; for client certs this is the Kubernetes user name. */
  commonName: string;
  /** Subject O values; for client certs these are the Kubernetes groups. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usages: CertificateUsage[];
  /** Validity in days from now (never past the CA's own expiry). */
  days: number;
}

const extKeyUsageOID: Record<CertificateUsage, string> = {
  server: x509.ExtendedKeyUsage.serverAuth,
  client: x509.ExtendedKeyUsage.clientAuth,
};

// RFC 1123 labels, optionally a leading "*." wildcard, as upstream's cert validation allows.
const DNS_NAME = /^(\*\.)?([a-z0-9]([-a-z0-9]*[a-z0-9])?)(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/i;

/** Canonical text of an IP address (IPv6 compressed, lower case); throws for anything that is not an IP. */
export function canonicalIP(ip: string): string {
  const version = isIP(ip);
  if (version === 4) return ip;
  if (version === 6) return new URL(`http://[${ip}]/`).hostname.slice(1, -1);
  throw new Error(`invalid IP address ${JSON.stringify(ip)}`);
}

function checkRequest(req: CertificateRequest): void {
  if (typeof req.commonName !== 'string' || req.commonName.trim() === '') throw new Error('certificate common name must not be empty');
  if (!Array.isArray(req.usages) || req.usages.length === 0) throw new Error('certificate needs at least one usage (server, client)');
  for (const u of req.usages) {
    if (!(u in extKeyUsageOID)) throw new Error(`unknown certificate usage ${JSON.stringify(u)} (want server or client)`);
  }
  if (!Number.isFinite(req.days) || req.days <= 0) throw new Error(`certificate validity must be a positive number of days, got ${req.days}`);
  for (const o of req.organizations ?? []) {
    if (typeof o !== 'string' || o === '') throw new Error('certificate organization must be a non-empty string');
  }
  for (const name of req.dnsNames ?? []) checkDNSName(name);
}

/** Returns `name` if it is a valid DNS SAN (RFC 1123, optional leading wildcard label), else throws. */
export function checkDNSName(name: string): string {
  if (typeof name !== 'string' || name.length > 253 || !DNS_NAME.test(name)) throw new Error(`invalid DNS name ${JSON.stringify(name)}`);
  return name;
}

function unique<T>(items: T[]): T[] {
  return [...new Set(items)];
}

/**
 * Issues a leaf certificate with a fresh ECDSA P-256 key: CA:false, keyUsage digitalSignature (critical),
 * extKeyUsage serverAuth/clientAuth as requested, SANs, subject and authority key identifiers, and a
 * random 128-bit serial number. `ca` is a PEM pair or an already loaded signer.
 */
export async function issueCertificate(ca: CertKeyPair | CASigner, req: CertificateRequest, now = new Date()): Promise<CertKeyPair> {
  checkRequest(req);
  const signer = 'cert' in ca && typeof ca.cert === 'object' ? (ca as CASigner) : await loadCASigner(ca as CertKeyPair);
  const dnsNames = unique(req.dnsNames ?? []);
  const ips = unique((req.ipAddresses ?? []).map(canonicalIP));

  const keys = await generateECDSAKeyPair();
  const window = validityWindow(now, Math.round(req.days * DAY_MS));
  const notAfter = window.notAfter > signer.cert.notAfter ? signer.cert.notAfter : window.notAfter;

  // Go's pkix.Name order puts O before CN; keep it so subjects read like kubeadm's.
  const subject: x509.JsonName = [...(req.organizations ?? []).map((o) => ({ O: [o] })), { CN: [req.commonName] }];
  const extensions: x509.Extension[] = [
    new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
    new x509.ExtendedKeyUsageExtension(unique(req.usages).map((u) => extKeyUsageOID[u]), false),
    new x509.BasicConstraintsExtension(false, undefined, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    new x509.AuthorityKeyIdentifierExtension(signer.keyId, false),
  ];
  if (dnsNames.length + ips.length > 0) {
    extensions.push(
      new x509.SubjectAlternativeNameExtension([
        ...dnsNames.map((value) => ({ type: 'dns' as const, value })),
        ...ips.map((value) => ({ type: 'ip' as const, value })),
      ]),
    );
  }
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject,
    issuer: signer.cert.subjectName,
    notBefore: window.notBefore,
    notAfter,
    signingAlgorithm: signer.algorithm,
    publicKey: keys.publicKey,
    signingKey: signer.key,
    extensions,
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: privateKeyToPem(keys.privateKey) };
}
