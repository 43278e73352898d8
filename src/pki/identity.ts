// The x509 client-certificate authenticator's mapping, as upstream does it: user name = subject CN,
// groups = subject O values. A certificate without a CN authenticates no one.
import { X509Certificate } from 'node:crypto';
import { x509 } from './x509.js';

export interface CertificateIdentity {
  user: string;
  groups: string[];
}

/** The subject object Node's `tlsSocket.getPeerCertificate()` returns: repeated attributes become arrays. */
export interface PeerCertificateLike {
  subject?: Record<string, string | string[] | undefined> | null;
}

function values(v: string | string[] | undefined): string[] {
  if (v === undefined) return [];
  return Array.isArray(v) ? v : [v];
}

function fromNames(commonNames: string[], organizations: string[]): CertificateIdentity | null {
  // With several CNs Go's pkix.Name keeps the last one; do the same so both servers agree.
  const user = commonNames[commonNames.length - 1] ?? '';
  if (user === '') return null;
  return { user, groups: organizations };
}

/**
 * Identity of a client certificate given as Node's peer certificate object, a Node `X509Certificate`,
 * DER bytes or PEM text. Returns null when the subject has no CN (upstream then tries the next
 * authenticator). Does not verify anything: call it only for a chain the TLS layer has verified.
 */
export function identityFromCertificate(cert: PeerCertificateLike | X509Certificate | Uint8Array | string): CertificateIdentity | null {
  if (typeof cert === 'string' || cert instanceof Uint8Array || cert instanceof X509Certificate) {
    const raw = cert instanceof X509Certificate ? cert.raw : cert;
    let name: x509.Name;
    try {
      name = new x509.X509Certificate(typeof raw === 'string' ? raw : new Uint8Array(raw)).subjectName;
    } catch (err) {
      throw new Error(`invalid certificate: ${(err as Error).message}`);
    }
    return fromNames(name.getField('CN'), name.getField('O'));
  }
  const subject = cert?.subject;
  if (!subject || typeof subject !== 'object') return null;
  return fromNames(values(subject.CN), values(subject.O));
}
