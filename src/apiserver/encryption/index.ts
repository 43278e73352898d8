// Encryption at rest: builds the datastore value transformer from an EncryptionConfiguration file
// (--encryption-provider-config). STUB until the encryption work lands: identity only.
import type { ValueTransformer } from '../storage/codec.js';

/** undefined path → no encryption (identity) */
export async function transformerFromConfigFile(path: string | undefined): Promise<ValueTransformer | undefined> {
  if (!path) return undefined;
  throw new Error(`--encryption-provider-config ${path}: encryption at rest is not implemented yet`);
}
