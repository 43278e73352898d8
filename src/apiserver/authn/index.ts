// Authentication chain: each authenticator is tried in order; the first that recognises a
// credential decides. No credential at all → anonymous (when allowed). Request-header (front proxy)
// comes first, then x509 client certificates, then bearer tokens: --token-auth-file, bootstrap
// tokens, service-account JWTs.
import type { Authenticator } from '../chain.js';
import type { ServedResource } from '../apis.js';
import type { KObject } from '../../api/types.js';
import { reviewType } from '../virtual.js';
import { x509Authenticator } from './x509.js';
import { requestHeaderAuthenticator, type RequestHeaderOptions } from './requestheader.js';
import { BearerAuthenticator, TokenUnion, audienceAgnostic, type TokenAuthenticator } from './token.js';
import { loadTokenFile, tokenFileLookup } from './tokenfile.js';
import { authenticateBootstrapToken } from './bootstrap.js';
import { DEFAULT_ISSUER, ServiceAccountTokens, loadServiceAccountKeys, publicJWKS, type ObjectGetter } from './serviceaccount.js';
import { tokenRequestHandler, type ConsistentGetter } from './tokenrequest.js';
import { selfSubjectReviewHandler, tokenReviewHandler } from './reviews.js';
import { JWKS_PATH, discoveryEnabled, oidcHandlers, openIDConfiguration } from './oidc.js';

export { impersonate } from './impersonation.js';
export { DEFAULT_ISSUER } from './serviceaccount.js';

export interface AuthnOptions {
  /** PEM of the CA that signs client certificates (--client-ca-file) */
  clientCAPem: string;
  /** front-proxy (request-header) authentication, tried first as upstream */
  requestHeader?: RequestHeaderOptions;
  /** --token-auth-file */
  tokenAuthFile?: string;
  /** service-account tokens; left out: none are issued or accepted */
  serviceAccount?: {
    /** --service-account-issuer (default https://kubernetes.default.svc.cluster.local) */
    issuer?: string;
    /** --api-audiences (default: the issuer) */
    apiAudiences?: string[];
    /** PEM of sa.key */
    signingKeyPem: string;
    /** further public keys tokens may be verified with (key rotation) */
    publicKeyPems?: string[];
    /** --service-account-jwks-uri (default https://EXTERNAL-ADDRESS/openid/v1/jwks) */
    jwksURI?: string;
  };
  /** the served resources, once the server exists (bootstrap tokens and SA tokens read the watch cache) */
  lookup?: (group: string, version: string, resource: string) => ServedResource | undefined;
}

/** The bearer-token authenticator of this package, with what the authentication APIs need. */
export class TokenAuthn extends BearerAuthenticator {
  constructor(tokens: TokenUnion, readonly serviceAccounts: ServiceAccountTokens | undefined, readonly jwksURI: string | undefined) {
    super(tokens);
  }
}

/** fast read from the watch cache, for authentication on every request */
function cachedGetter(lookup: AuthnOptions['lookup']): ObjectGetter {
  return (resource, namespace, name) => {
    const sr = lookup?.('', 'v1', resource);
    return sr?.store.cache.objects.get(sr.store.key(namespace, name))?.obj as KObject | undefined;
  };
}

export async function buildAuthenticators(opts: AuthnOptions): Promise<Authenticator[]> {
  const issuer = opts.serviceAccount?.issuer || DEFAULT_ISSUER;
  const apiAudiences = opts.serviceAccount?.apiAudiences?.length ? opts.serviceAccount.apiAudiences : [issuer];
  const get = cachedGetter(opts.lookup);
  const members: TokenAuthenticator[] = [];
  if (opts.tokenAuthFile) members.push(audienceAgnostic(apiAudiences, tokenFileLookup(loadTokenFile(opts.tokenAuthFile))));
  members.push(audienceAgnostic(apiAudiences, (token) => authenticateBootstrapToken(token, (ns, name) => get('secrets', ns, name))));
  let sa: ServiceAccountTokens | undefined;
  if (opts.serviceAccount) {
    let keys;
    try {
      keys = loadServiceAccountKeys(opts.serviceAccount.signingKeyPem, opts.serviceAccount.publicKeyPems);
    } catch (err) {
      throw new Error(`service-account key: ${(err as Error).message}`);
    }
    sa = new ServiceAccountTokens({ issuer, apiAudiences, keys, get });
    members.push(sa);
  }
  const chain: Authenticator[] = [];
  if (opts.requestHeader) chain.push(requestHeaderAuthenticator(opts.requestHeader));
  chain.push(x509Authenticator(opts.clientCAPem), new TokenAuthn(new TokenUnion(members, apiAudiences), sa, opts.serviceAccount?.jwksURI));
  return chain;
}

/**
 * Serve authentication.k8s.io (TokenReview, SelfSubjectReview), serviceaccounts/token and the
 * service-account issuer discovery documents.
 */
export function registerAuthenticationAPIs(server: import('../server.js').APIServer): void {
  const authn = server.config.authenticators.find((a): a is TokenAuthn => a instanceof TokenAuthn);
  const tokens = authn?.tokens ?? new TokenUnion([], []);
  server.registry.addVirtual(reviewType('authentication.k8s.io', 'v1', 'TokenReview', 'tokenreviews'), tokenReviewHandler(tokens));
  server.registry.addVirtual(reviewType('authentication.k8s.io', 'v1', 'SelfSubjectReview', 'selfsubjectreviews'), selfSubjectReviewHandler('v1'));
  const sa = authn?.serviceAccounts;
  if (!sa) return;
  const consistent: ConsistentGetter = async (resource, namespace, name) => {
    const sr = server.lookup('', 'v1', resource);
    if (!sr) return undefined;
    try {
      return (await sr.store.get(namespace, name)).obj;
    } catch (err) {
      if ((err as { code?: number }).code === 404) return undefined;
      throw err;
    }
  };
  server.registry.addSubresource('', 'v1', 'serviceaccounts', 'token', tokenRequestHandler(sa, consistent));
  if (discoveryEnabled(sa.issuer)) {
    const external = () => {
      const host = server.config.advertiseAddress || server.config.bindAddress;
      return `https://${host.includes(':') ? `[${host}]` : host}:${server.listenPort}${JWKS_PATH}`;
    };
    for (const [path, h] of oidcHandlers(() => openIDConfiguration(sa.issuer, authn!.jwksURI || external()), publicJWKS(sa.keys))) {
      server.nonResourceHandlers.set(path, h);
    }
  }
}
