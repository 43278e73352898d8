// The encryption-at-rest providers of upstream's EncryptionConfiguration, byte for byte in upstream's
// on-disk format so a datastore written by kube-apiserver reads here and the other way round:
//   aescbc:    k8s:enc:aescbc:v1:<key>:    IV(16) | AES-CBC ciphertext, PKCS#7 padded
//   aesgcm:    k8s:enc:aesgcm:v1:<key>:    nonce(12) | ciphertext | tag(16), the datastore key as AAD
//   secretbox: k8s:enc:secretbox:v1:<key>: nonce(24) | NaCl secretbox (tag(16) | ciphertext)
//   identity:  the plain value, no prefix; refuses to hand out a value that is still encrypted.

import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import nacl from 'tweetnacl';

/** Transforms the bytes after a prefix was stripped (reading) or before it is added (writing). */
export interface Transformer {
  /** key: the datastore key, which AEAD providers bind the ciphertext to */
  toStorage(plain: Buffer, key: string): Buffer;
  fromStorage(stored: Buffer, key: string): Buffer;
  /** true when stored (as fromStorage receives it) was not written by the transformer that writes now */
  isStale?(stored: Buffer): boolean;
}

export interface PrefixTransformer {
  prefix: Buffer;
  transformer: Transformer;
}

export const ENCRYPTED_PREFIX = Buffer.from('k8s:enc:');
export const AESCBC_PREFIX = 'k8s:enc:aescbc:v1:';
export const AESGCM_PREFIX = 'k8s:enc:aesgcm:v1:';
export const SECRETBOX_PREFIX = 'k8s:enc:secretbox:v1:';

function aesAlgorithm(mode: 'cbc' | 'gcm', key: Buffer): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
    throw new Error(`crypto/aes: invalid key size ${key.length}`);
  }
  return `aes-${key.length * 8}-${mode}`;
}

/** AES-CBC with a random IV; no authentication, as upstream (a wrong key shows as bad padding). */
export function aesCBCTransformer(key: Buffer): Transformer {
  const alg = aesAlgorithm('cbc', key);
  return {
    toStorage(plain) {
      const iv = randomBytes(16);
      const c = createCipheriv(alg, key, iv);
      return Buffer.concat([iv, c.update(plain), c.final()]);
    },
    fromStorage(stored) {
      if (stored.length < 16) throw new Error('the stored data was shorter than the required size');
      const body = stored.subarray(16);
      if (body.length % 16 !== 0) throw new Error('the stored data is not a multiple of the block size');
      if (body.length === 0) throw new Error('invalid PKCS7 data (empty or not padded)');
      const d = createDecipheriv(alg, key, stored.subarray(0, 16));
      try {
        return Buffer.concat([d.update(body), d.final()]);
      } catch {
        throw new Error('invalid padding on input');
      }
    },
  };
}

/** AES-GCM with a random 12-byte nonce; the datastore key is the additional authenticated data. */
export function aesGCMTransformer(key: Buffer): Transformer {
  const alg = aesAlgorithm('gcm', key) as 'aes-256-gcm';
  return {
    toStorage(plain, dataKey) {
      const nonce = randomBytes(12);
      const c = createCipheriv(alg, key, nonce);
      c.setAAD(Buffer.from(dataKey));
      const body = Buffer.concat([c.update(plain), c.final()]);
      return Buffer.concat([nonce, body, c.getAuthTag()]);
    },
    fromStorage(stored, dataKey) {
      if (stored.length < 12 + 16) throw new Error('the stored data was shorter than the required size');
      const d = createDecipheriv(alg, key, stored.subarray(0, 12));
      d.setAAD(Buffer.from(dataKey));
      d.setAuthTag(stored.subarray(stored.length - 16));
      try {
        return Buffer.concat([d.update(stored.subarray(12, stored.length - 16)), d.final()]);
      } catch {
        throw new Error('cipher: message authentication failed');
      }
    },
  };
}

/** XSalsa20-Poly1305 (NaCl secretbox) with a random 24-byte nonce. */
export function secretboxTransformer(key: Buffer): Transformer {
  if (key.length !== 32) throw new Error(`expected key size 32 for secretbox provider, got ${key.length}`);
  const k = new Uint8Array(key);
  return {
    toStorage(plain) {
      const nonce = randomBytes(24);
      const box = nacl.secretbox(plain, nonce, k);
      return Buffer.concat([nonce, box]);
    },
    fromStorage(stored) {
      if (stored.length < 24 + nacl.secretbox.overheadLength) {
        throw new Error('the stored data was shorter than the required size');
      }
      const out = nacl.secretbox.open(stored.subarray(24), stored.subarray(0, 24), k);
      if (!out) throw new Error('output array was not large enough for encryption');
      return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
    },
  };
}

/** identity: stores plaintext; reading data that carries an encryption prefix is an error. */
export const identityCheckTransformer: Transformer = {
  toStorage: (plain) => plain,
  fromStorage(stored) {
    if (startsWith(stored, ENCRYPTED_PREFIX)) throw new Error('identity transformer tried to read encrypted data');
    return stored;
  },
};

function startsWith(data: Buffer, prefix: Buffer): boolean {
  return data.length >= prefix.length && data.compare(prefix, 0, prefix.length, 0, prefix.length) === 0;
}

/**
 * Tries each transformer whose prefix matches, in order; the first writes. A failure of one match
 * does not stop later ones (a rotated key of the same provider shares the prefix). An empty prefix
 * (identity) that fails is skipped silently so data still encrypted under a later provider reads.
 */
export function prefixTransformers(noMatch: string, list: PrefixTransformer[]): Transformer {
  if (list.length === 0) throw new Error('no transformers');
  const first = list[0];
  return {
    toStorage(plain, key) {
      return Buffer.concat([first.prefix, first.transformer.toStorage(plain, key)]);
    },
    isStale(stored) {
      // identity writes: anything encrypted is stale; otherwise the writer's prefix (and key) must match
      if (first.prefix.length === 0) return startsWith(stored, ENCRYPTED_PREFIX);
      if (!startsWith(stored, first.prefix)) return true;
      return first.transformer.isStale?.(stored.subarray(first.prefix.length)) ?? false;
    },
    fromStorage(stored, key) {
      const errs: string[] = [];
      for (const p of list) {
        if (!startsWith(stored, p.prefix)) continue;
        try {
          return p.transformer.fromStorage(stored.subarray(p.prefix.length), key);
        } catch (err) {
          if (p.prefix.length === 0) continue;
          errs.push((err as Error).message);
        }
      }
      if (errs.length === 1) throw new Error(errs[0]);
      if (errs.length > 1) throw new Error(`[${[...new Set(errs)].join(', ')}]`);
      throw new Error(noMatch);
    },
  };
}
