// Key pairs and their PEM files. Certificates use ECDSA P-256 (fast to generate; accepted by Go's
// crypto/tls, OpenSSL and therefore kubectl, client-go and Node). Private keys are written the way
// kubeadm writes them (SEC1 "EC PRIVATE KEY", PKCS#1 "RSA PRIVATE KEY"); public keys as PKIX.
import { createPrivateKey, createPublicKey, generateKeyPair, KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { subtle } from './x509.js';

/** The signing parameters WebCrypto needs for a key (algorithm + hash). */
export type SigningAlgorithm =
  | { name: 'ECDSA'; namedCurve: 'P-256' | 'P-384' | 'P-521'; hash: 'SHA-256' | 'SHA-384' | 'SHA-512' }
  | { name: 'RSASSA-PKCS1-v1_5'; hash: 'SHA-256' };

export const ECDSA_P256: SigningAlgorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' };

export async function generateECDSAKeyPair(): Promise<CryptoKeyPair> {
  return (await subtle.generateKey(ECDSA_P256, true, ['sign', 'verify'])) as CryptoKeyPair;
}

/** PEM of a private key: SEC1 for EC, PKCS#1 for RSA, PKCS#8 otherwise. */
export function privateKeyToPem(key: CryptoKey | KeyObject): string {
  const obj = key instanceof KeyObject ? key : KeyObject.from(key);
  const type = obj.asymmetricKeyType === 'ec' ? 'sec1' : obj.asymmetricKeyType === 'rsa' ? 'pkcs1' : 'pkcs8';
  return obj.export({ type, format: 'pem' }) as string;
}

/** PKIX ("PUBLIC KEY") PEM of the public half of a private or public key PEM. */
export function publicKeyPemFromPrivate(privateKeyPem: string): string {
  return createPublicKey(privateKeyPem).export({ type: 'spki', format: 'pem' }) as string;
}

const curveByOpenSSLName: Record<string, { namedCurve: 'P-256' | 'P-384' | 'P-521'; hash: 'SHA-256' | 'SHA-384' | 'SHA-512' }> = {
  prime256v1: { namedCurve: 'P-256', hash: 'SHA-256' },
  secp384r1: { namedCurve: 'P-384', hash: 'SHA-384' },
  secp521r1: { namedCurve: 'P-521', hash: 'SHA-512' },
};

/** The algorithm to sign with, given a private key; throws for key types we cannot sign with. */
export function signingAlgorithmFor(key: KeyObject): SigningAlgorithm {
  if (key.asymmetricKeyType === 'rsa') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  if (key.asymmetricKeyType === 'ec') {
    const curve = curveByOpenSSLName[key.asymmetricKeyDetails?.namedCurve ?? ''];
    if (curve) return { name: 'ECDSA', ...curve };
    throw new Error(`unsupported EC curve ${key.asymmetricKeyDetails?.namedCurve ?? '(unknown)'}`);
  }
  throw new Error(`unsupported private key type ${key.asymmetricKeyType ?? '(unknown)'}`);
}

/** Parses a PEM private key (any of SEC1, PKCS#1, PKCS#8) into a non-extractable WebCrypto signing key. */
export async function importSigningKey(privateKeyPem: string): Promise<{ key: CryptoKey; algorithm: SigningAlgorithm }> {
  let obj: KeyObject;
  try {
    obj = createPrivateKey(privateKeyPem);
  } catch (err) {
    throw new Error(`invalid private key PEM: ${(err as Error).message}`);
  }
  const algorithm = signingAlgorithmFor(obj);
  const der = obj.export({ type: 'pkcs8', format: 'der' });
  const importAlg = algorithm.name === 'ECDSA' ? { name: 'ECDSA', namedCurve: algorithm.namedCurve } : algorithm;
  const key = await subtle.importKey('pkcs8', der, importAlg, false, ['sign']);
  return { key, algorithm };
}

/**
 * The service-account signing key: RSA 2048, as kubeadm generates it. kube-apiserver accepts RSA and
 * ECDSA, but RS256 is what every OIDC consumer of the issuer's JWKS understands.
 */
export async function generateServiceAccountKeyPem(): Promise<{ privateKeyPem: string; publicKeyPem: string }> {
  const { privateKey, publicKey } = await promisify(generateKeyPair)('rsa', { modulusLength: 2048 });
  return {
    privateKeyPem: privateKeyToPem(privateKey),
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }) as string,
  };
}
