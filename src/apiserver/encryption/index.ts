// Encryption at rest: builds the datastore value transformer from an EncryptionConfiguration file
// (--encryption-provider-config), as kube-apiserver does. Per resource, the first provider of its
// entry encrypts and every provider of the entry may decrypt; resources no entry covers are stored
// in plain text.

import { randomBytes } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify as toYAML } from 'yaml';
import { internalError } from '../../machinery/errors.js';
import type { ValueTransformer } from '../storage/codec.js';
import {
  API_VERSION, KIND, decodeBase64Strict, parseEncryptionConfig, EncryptionConfigError,
  type EncryptionConfiguration, type EncryptionKey, type ProviderConfiguration,
} from './config.js';
import {
  AESCBC_PREFIX, AESGCM_PREFIX, SECRETBOX_PREFIX, aesCBCTransformer, aesGCMTransformer,
  identityCheckTransformer, prefixTransformers, secretboxTransformer,
  type PrefixTransformer, type Transformer,
} from './providers.js';
import { groupResourceOfKey, matchResource, normaliseEntry, resourceSegment } from './resources.js';

export { parseEncryptionConfig, EncryptionConfigError } from './config.js';
export type { EncryptionConfiguration } from './config.js';

/** undefined path → no encryption (identity) */
export async function transformerFromConfigFile(path: string | undefined): Promise<ValueTransformer | undefined> {
  if (!path) return undefined;
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new EncryptionConfigError(`error opening encryption provider configuration file "${path}": ${(err as Error).message}`);
  }
  return transformerFromConfig(parseEncryptionConfig(text, path));
}

/** The transformer for a validated configuration. */
export function transformerFromConfig(config: EncryptionConfiguration): ValueTransformer {
  // the first entry naming a resource wins; a later, broader wildcard does not mask it
  const entries = new Map<string, Transformer>();
  for (const rc of config.resources) {
    const t = prefixTransformers('no matching prefix found', rc.providers.map(providerTransformer));
    for (const r of rc.resources) {
      const e = normaliseEntry(r);
      if (!entries.has(e)) entries.set(e, t);
    }
  }
  // resolved once per resource segment of a key; most keys hit this map
  const bySegment = new Map<string, Transformer>();
  const forKey = (key: string): Transformer => {
    const seg = resourceSegment(key);
    let t = bySegment.get(seg);
    if (!t) {
      const gr = groupResourceOfKey(key);
      t = (gr && matchResource(entries, gr)) || identityCheckTransformer;
      bySegment.set(seg, t);
    }
    return t;
  };
  return {
    toStorage(key, plain) {
      return forKey(key).toStorage(asBuffer(plain), key);
    },
    isStale(key, stored) {
      return forKey(key).isStale?.(asBuffer(stored)) ?? false;
    },
    fromStorage(key, stored) {
      try {
        return forKey(key).fromStorage(asBuffer(stored), key);
      } catch (err) {
        // upstream's wording for a value the configured providers cannot read; a 500 for the request
        throw internalError(new Error(`unable to transform key "${key}": ${(err as Error).message}`));
      }
    },
  };
}

function asBuffer(v: Uint8Array): Buffer {
  return Buffer.isBuffer(v) ? v : Buffer.from(v.buffer, v.byteOffset, v.byteLength);
}

function providerTransformer(p: ProviderConfiguration): PrefixTransformer {
  if (p.aescbc) return keyedProvider(AESCBC_PREFIX, p.aescbc.keys ?? [], aesCBCTransformer, 'AES');
  if (p.aesgcm) return keyedProvider(AESGCM_PREFIX, p.aesgcm.keys ?? [], aesGCMTransformer, 'AES');
  if (p.secretbox) return keyedProvider(SECRETBOX_PREFIX, p.secretbox.keys ?? [], secretboxTransformer, 'Secretbox');
  if (p.identity) return { prefix: Buffer.alloc(0), transformer: identityCheckTransformer };
  throw new EncryptionConfigError('provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity');
}

/** One provider with several keys: `<prefix><name>:` selects the key; the first key encrypts. */
function keyedProvider(prefix: string, keys: EncryptionKey[], make: (key: Buffer) => Transformer, what: string): PrefixTransformer {
  const perKey = keys.map((k) => {
    const secret = decodeBase64Strict(k.secret);
    if (!secret) throw new EncryptionConfigError(`could not obtain secret for named key ${k.name}: illegal base64 data`);
    return { prefix: Buffer.from(`${k.name}:`), transformer: make(secret) };
  });
  return {
    prefix: Buffer.from(prefix),
    transformer: prefixTransformers(`no matching key was found for the provided ${what} transformer`, perKey),
  };
}

/**
 * A fresh EncryptionConfiguration as the hard way writes it: Secrets encrypted with aescbc under a
 * random 32-byte key named key1, identity second so existing plain-text Secrets stay readable.
 */
export function generateEncryptionConfig(): string {
  const config = {
    apiVersion: API_VERSION,
    kind: KIND,
    resources: [{
      resources: ['secrets'],
      providers: [
        { aescbc: { keys: [{ name: 'key1', secret: randomBytes(32).toString('base64') }] } },
        { identity: {} },
      ],
    }],
  };
  return toYAML(config);
}

/**
 * `kumo server` encrypts Secrets unless told otherwise: DATADIR/pki/encryption-config.yaml is
 * written (0600) on first start and kept, since losing it makes every stored Secret unreadable.
 */
export function defaultEncryptionConfig(dataDir: string): string {
  const dir = join(dataDir, 'pki');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'encryption-config.yaml');
  try {
    // 'wx': never overwrite an existing key file
    writeFileSync(path, generateEncryptionConfig(), { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  return path;
}
