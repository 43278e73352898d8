// Certificate authorities: the cluster CA (signs serving and client certs, trusted by every client) and
// the front-proxy CA (signs the aggregator's client cert). Created once and never replaced implicitly.
import { createPrivateKey, X509Certificate as NodeX509Certificate } from 'node:crypto';
import { x509 } from './x509.js';
import { ECDSA_P256, generateECDSAKeyPair, importSigningKey, privateKeyToPem, type SigningAlgorithm } from './keys.js';
import { DAY_MS, randomSerialNumber, validityWindow } from './validity.js';

/** A certificate and its private key, both PEM. */
export interface CertKeyPair {
  certPem: string;
  keyPem: string;
}

/** A CA ready to sign: parsed certificate, signing key, and the key identifier leaves point back to. */
export interface CASigner {
  cert: x509.X509Certificate;
  key: CryptoKey;
  algorithm: SigningAlgorithm;
  keyId: string;
}

/**
 * A self-signed CA with basicConstraints CA:true and keyUsage keyCertSign|cRLSign|digitalSignature
 * (both critical, as kubeadm's CAs have them) and a subjectKeyIdentifier.
 */
export async function createCA(commonName: string, years = 10, now = new Date()): Promise<CertKeyPair> {
  if (typeof commonName !== 'string' || commonName.trim() === '') throw new Error('CA common name must not be empty');
  if (!Number.isFinite(years) || years <= 0) throw new Error(`CA validity must be a positive number of years, got ${years}`);
  const keys = await generateECDSAKeyPair();
  const { notBefore, notAfter } = validityWindow(now, Math.round(years * 365 * DAY_MS));
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialNumber(),
    name: [{ CN: [commonName] }],
    notBefore,
    notAfter,
    signingAlgorithm: ECDSA_P256,
    keys,
    extensions: [
      new x509.KeyUsagesExtension(
        x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature,
        true,
      ),
      new x509.BasicConstraintsExtension(true, undefined, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return { certPem: cert.toString('pem') + '\n', keyPem: privateKeyToPem(keys.privateKey) };
}

/** Parses a CA pair for signing; rejects non-CA certificates and keys that do not match the certificate. */
export async function loadCASigner(ca: CertKeyPair): Promise<CASigner> {
  let nodeCert: NodeX509Certificate;
  try {
    nodeCert = new NodeX509Certificate(ca.certPem);
  } catch (err) {
    throw new Error(`invalid CA certificate PEM: ${(err as Error).message}`);
  }
  if (!nodeCert.ca) throw new Error(`certificate "${nodeCert.subject}" is not a CA (basicConstraints CA:false or missing)`);
  const { key, algorithm } = await importSigningKey(ca.keyPem);
  if (!nodeCert.checkPrivateKey(createPrivateKey(ca.keyPem))) throw new Error('CA private key does not match the CA certificate');
  const cert = new x509.X509Certificate(ca.certPem);
  // Leaves name their issuer's key by the CA's own SKI; a CA without one gets the RFC 5280 SHA-1 id.
  const ski = cert.getExtension(x509.SubjectKeyIdentifierExtension);
  const keyId = ski?.keyId ?? (await x509.SubjectKeyIdentifierExtension.create(cert.publicKey)).keyId;
  return { cert, key, algorithm, keyId };
}
