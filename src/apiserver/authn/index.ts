// Authentication chain: each authenticator is tried in order; the first that recognises a
// credential decides. No credential at all → anonymous (when allowed).
import type { Authenticator } from '../chain.js';
import { x509Authenticator } from './x509.js';

export interface AuthnOptions {
  /** --token-auth-file */
  tokenAuthFile?: string;
}

export async function buildAuthenticators(_opts: AuthnOptions): Promise<Authenticator[]> {
  return [x509Authenticator];
}

/**
 * Serve authentication.k8s.io (TokenReview, SelfSubjectReview) and serviceaccounts/token.
 * STUB until the authentication work lands.
 */
export function registerAuthenticationAPIs(_server: import('../server.js').APIServer): void {}
