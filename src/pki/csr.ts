// PKCS#10 certificate signing requests: parsing what a CertificateSigningRequest carries in spec.request,
// and signing it with a CA the way upstream's CSR signing controller does (subject and SANs copied from
// the request, key usages from spec.usages, CA:false, backdated notBefore, never past the CA's expiry).
import { x509 } from './x509.js';
import type { CASigner } from './ca.js';
import { randomSerialNumber, validityWindow } from './validity.js';

/** The parts of a PKCS#10 request that signer rules look at. */
export interface ParsedCertificateRequest {
  csr: x509.Pkcs10CertificateRequest;
  commonName: string;
  organizations: string[];
  dnsNames: string[];
  ipAddresses: string[];
  emailAddresses: string[];
  uris: string[];
  /** 'EC', 'RSA', 'Ed25519', … */
  keyAlgorithm: string;
}

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([\s\S]*?)-----END \1-----/;

/**
 * Parses the first PEM block of `pem` as a PKCS#10 request. Throws with upstream's messages:
 * "PEM block type must be CERTIFICATE REQUEST" when there is no such block.
 */
export function parseCertificateRequest(pem: string): ParsedCertificateRequest {
  const m = PEM_BLOCK.exec(pem);
  if (!m || (m[1] !== 'CERTIFICATE REQUEST' && m[1] !== 'NEW CERTIFICATE REQUEST')) {
    throw new Error('PEM block type must be CERTIFICATE REQUEST');
  }
  let csr: x509.Pkcs10CertificateRequest;
  try {
    csr = new x509.Pkcs10CertificateRequest(Buffer.from(m[2].replace(/\s+/g, ''), 'base64'));
  } catch (err) {
    throw new Error(`asn1: structure error: ${(err as Error).message}`);
  }
  const attrs = (type: string) => csr.subjectName.getField(type);
  const san = sanOf(csr);
  const names = san?.names.items ?? [];
  const of = (t: string) => names.filter((n) => n.type === t).map((n) => n.value);
  const alg = csr.publicKey.algorithm as { name: string };
  return {
    csr,
    commonName: attrs('CN')[0] ?? '',
    organizations: attrs('O'),
    dnsNames: of('dns'),
    ipAddresses: of('ip'),
    emailAddresses: of('email'),
    uris: of('url'),
    keyAlgorithm: alg.name === 'ECDSA' ? 'EC' : alg.name.startsWith('RSA') ? 'RSA' : alg.name,
  };
}

/** The subjectAltName extension the request asks for (extensionRequest attribute). */
function sanOf(csr: x509.Pkcs10CertificateRequest): x509.SubjectAlternativeNameExtension | undefined {
  const ext = csr.extensions.find((e) => e.type === '2.5.29.17');
  if (!ext) return undefined;
  return ext instanceof x509.SubjectAlternativeNameExtension ? ext : new x509.SubjectAlternativeNameExtension(ext.rawData);
}

/** true when the request is signed by the key it carries (upstream's CheckSignature). */
export async function verifyCertificateRequest(csr: x509.Pkcs10CertificateRequest): Promise<boolean> {
  try { return await csr.verify(); } catch { return false; }
}

// spec.usages words → key usage bits and extended key usage OIDs (upstream's KeyUsagesFromStrings)
const KEY_USAGES: Record<string, number> = {
  'signing': x509.KeyUsageFlags.digitalSignature,
  'digital signature': x509.KeyUsageFlags.digitalSignature,
  'content commitment': x509.KeyUsageFlags.nonRepudiation,
  'key encipherment': x509.KeyUsageFlags.keyEncipherment,
  'key agreement': x509.KeyUsageFlags.keyAgreement,
  'data encipherment': x509.KeyUsageFlags.dataEncipherment,
  'cert sign': x509.KeyUsageFlags.keyCertSign,
  'crl sign': x509.KeyUsageFlags.cRLSign,
  'encipher only': x509.KeyUsageFlags.encipherOnly,
  'decipher only': x509.KeyUsageFlags.decipherOnly,
};
const EXT_KEY_USAGES: Record<string, string> = {
  'any': '2.5.29.37.0',
  'server auth': x509.ExtendedKeyUsage.serverAuth,
  'client auth': x509.ExtendedKeyUsage.clientAuth,
  'code signing': x509.ExtendedKeyUsage.codeSigning,
  'email protection': x509.ExtendedKeyUsage.emailProtection,
  's/mime': x509.ExtendedKeyUsage.emailProtection,
  'ipsec end system': '1.3.6.1.5.5.7.3.5',
  'ipsec tunnel': '1.3.6.1.5.5.7.3.6',
  'ipsec user': '1.3.6.1.5.5.7.3.7',
  'timestamping': x509.ExtendedKeyUsage.timeStamping,
  'ocsp signing': x509.ExtendedKeyUsage.ocspSigning,
  'microsoft sgc': '1.3.6.1.4.1.311.10.3.3',
  'netscape sgc': '2.16.840.1.113730.4.1',
};

export interface SignOptions {
  /** spec.usages of the CSR */
  usages: string[];
  /** requested validity; the certificate never outlives the CA */
  durationMs: number;
  now?: Date;
}

/** Signs a PKCS#10 request with the CA; returns the certificate PEM. Throws for an unknown usage. */
export async function signCertificateRequest(ca: CASigner, req: ParsedCertificateRequest, opts: SignOptions): Promise<string> {
  let keyUsage = 0;
  const ext: string[] = [];
  for (const u of opts.usages) {
    if (u in KEY_USAGES) keyUsage |= KEY_USAGES[u];
    else if (u in EXT_KEY_USAGES) { if (!ext.includes(EXT_KEY_USAGES[u])) ext.push(EXT_KEY_USAGES[u]); }
    else throw new Error(`unrecognized usage: ${u}`);
  }
  if (!Number.isFinite(opts.durationMs) || opts.durationMs <= 0) throw new Error('certificate duration must be positive');
  const window = validityWindow(opts.now ?? new Date(), opts.durationMs);
  const notAfter = window.notAfter > ca.cert.notAfter ? ca.cert.notAfter : window.notAfter;
  const extensions: x509.Extension[] = [];
  if (keyUsage) extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
  if (ext.length) extensions.push(new x509.ExtendedKeyUsageExtension(ext, false));
  extensions.push(
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.AuthorityKeyIdentifierExtension(ca.keyId, false),
  );
  const san = sanOf(req.csr);
  if (san && san.names.items.length > 0) extensions.push(new x509.SubjectAlternativeNameExtension(san.names.toJSON(), false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialNumber(),
    subject: req.csr.subjectName,
    issuer: ca.cert.subjectName,
    notBefore: window.notBefore,
    notAfter,
    signingAlgorithm: ca.algorithm,
    publicKey: req.csr.publicKey,
    signingKey: ca.key,
    extensions,
  });
  return cert.toString('pem') + '\n';
}
