// The one place that loads @peculiar/x509: loads the Reflect metadata API it needs first and points it at
// Node's WebCrypto. Every other pki module imports `x509` from here, never from the package directly.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

x509.cryptoProvider.set(webcrypto as unknown as Crypto);

export { x509 };
export const subtle = webcrypto.subtle;
