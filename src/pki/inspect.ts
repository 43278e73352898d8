// Decides whether an existing leaf certificate can be kept: signed by the current CA, matching its key,
// valid now and for a while yet, naming the expected identity and covering the requested names.
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { x509 } from './x509.js';
import type { CertKeyPair } from './ca.js';
import { canonicalIP, type CertificateUsage } from './certs.js';
import { DAY_MS } from './validity.js';

export const DEFAULT_RENEW_BEFORE_MS = 30 * DAY_MS;

export interface LeafExpectations {
  caCertPem: string;
  now?: Date;
  /** Re-issue when the certificate expires within this many milliseconds (default 30 days). */
  renewBeforeMs?: number;
  commonName?: string;
  /** Expected O values, compared as a set. */
  organizations?: string[];
  dnsNames?: string[];
  ipAddresses?: string[];
  usages?: CertificateUsage[];
}

/** When a PEM certificate stops being valid; for status output and renewal loops. */
export function expiresAt(certPem: string): Date {
  return new x509.X509Certificate(certPem).notAfter;
}

/** Subject CN and O values, via the x509 library (Node only exposes the subject as text). */
export function subjectOf(certPem: string): { commonName: string; organizations: string[] } {
  const name = new x509.X509Certificate(certPem).subjectName;
  const cns = name.getField('CN');
  return { commonName: cns[cns.length - 1] ?? '', organizations: name.getField('O') };
}

/** The DNS and IP SANs of a certificate, IPs in canonical form. */
export function subjectAltNames(certPem: string): { dnsNames: string[]; ipAddresses: string[] } {
  const san = new x509.X509Certificate(certPem).getExtension(x509.SubjectAlternativeNameExtension);
  const items = san?.names.items ?? [];
  return {
    dnsNames: items.filter((n) => n.type === 'dns').map((n) => n.value.toLowerCase()),
    ipAddresses: items.filter((n) => n.type === 'ip').map((n) => canonicalIP(n.value)),
  };
}

function extendedKeyUsages(certPem: string): string[] {
  const eku = new x509.X509Certificate(certPem).getExtension(x509.ExtendedKeyUsageExtension);
  return (eku?.usages ?? []).map(String);
}

const usageOID: Record<CertificateUsage, string> = {
  server: x509.ExtendedKeyUsage.serverAuth,
  client: x509.ExtendedKeyUsage.clientAuth,
};

/**
 * Reasons the pair must be re-issued; an empty list means it is fine to keep. Never throws for a
 * damaged file: an unreadable certificate or key is itself a reason.
 */
export function leafProblems(pair: CertKeyPair, want: LeafExpectations): string[] {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(pair.certPem);
  } catch {
    return ['certificate cannot be parsed'];
  }
  const problems: string[] = [];
  try {
    if (!cert.checkPrivateKey(createPrivateKey(pair.keyPem))) problems.push('private key does not match certificate');
  } catch {
    problems.push('private key cannot be parsed');
  }
  const ca = new X509Certificate(want.caCertPem);
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) problems.push('not signed by the current CA');
  if (cert.ca) problems.push('is a CA certificate');

  const now = (want.now ?? new Date()).getTime();
  // Node 20's X509Certificate has only text dates; the x509 library gives Date objects.
  const parsed = new x509.X509Certificate(pair.certPem);
  const notBefore = parsed.notBefore.getTime();
  const notAfter = parsed.notAfter.getTime();
  if (now < notBefore) problems.push(`not valid before ${parsed.notBefore.toISOString()}`);
  else if (now >= notAfter) problems.push(`expired at ${parsed.notAfter.toISOString()}`);
  else if (notAfter - now <= (want.renewBeforeMs ?? DEFAULT_RENEW_BEFORE_MS)) problems.push(`expires soon (${parsed.notAfter.toISOString()})`);

  const subject = subjectOf(pair.certPem);
  if (want.commonName !== undefined && subject.commonName !== want.commonName) {
    problems.push(`common name is ${JSON.stringify(subject.commonName)}, want ${JSON.stringify(want.commonName)}`);
  }
  if (want.organizations !== undefined) {
    const have = [...new Set(subject.organizations)].sort();
    const expected = [...new Set(want.organizations)].sort();
    if (have.join('\n') !== expected.join('\n')) problems.push(`organizations are [${have.join(', ')}], want [${expected.join(', ')}]`);
  }
  const sans = subjectAltNames(pair.certPem);
  const missingDNS = (want.dnsNames ?? []).filter((n) => !sans.dnsNames.includes(n.toLowerCase()));
  if (missingDNS.length) problems.push(`does not cover DNS names ${missingDNS.join(', ')}`);
  const missingIPs = (want.ipAddresses ?? []).map(canonicalIP).filter((ip) => !sans.ipAddresses.includes(ip));
  if (missingIPs.length) problems.push(`does not cover IP addresses ${missingIPs.join(', ')}`);
  const ekus = extendedKeyUsages(pair.certPem);
  const missingUsages = (want.usages ?? []).filter((u) => !ekus.includes(usageOID[u]));
  if (missingUsages.length) problems.push(`lacks usages ${missingUsages.join(', ')}`);
  return problems;
}
