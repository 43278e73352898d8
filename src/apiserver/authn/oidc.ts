// Service-account issuer discovery: /.well-known/openid-configuration and /openid/v1/jwks, so
// relying parties outside the cluster can verify service-account tokens (upstream's
// ServiceAccountIssuerDiscovery). Both documents are fixed for the server's lifetime.
import type { JWK } from 'jose';
import type { RequestContext } from '../http/types.js';

export const OIDC_CONFIG_PATH = '/.well-known/openid-configuration';
export const JWKS_PATH = '/openid/v1/jwks';

export function openIDConfiguration(issuer: string, jwksURI: string): Record<string, unknown> {
  return {
    issuer,
    jwks_uri: jwksURI,
    response_types_supported: ['id_token'],
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['RS256'],
  };
}

/** Upstream serves discovery only for an https issuer URL. */
export function discoveryEnabled(issuer: string): boolean {
  try { return new URL(issuer).protocol === 'https:'; } catch { return false; }
}

function serve(ctx: RequestContext, body: string, contentType: string): void {
  ctx.res.writeHead(200, {
    'content-type': contentType,
    // as upstream: relying parties may cache the documents for an hour
    'cache-control': 'public, max-age=3600',
    'content-length': String(Buffer.byteLength(body)),
  });
  if (ctx.req.method === 'HEAD') ctx.res.end();
  else ctx.res.end(body);
}

export function oidcHandlers(config: () => Record<string, unknown>, jwks: { keys: JWK[] }): Map<string, (ctx: RequestContext) => void> {
  const jwksBody = JSON.stringify(jwks);
  let configBody: string | undefined;
  return new Map([
    [OIDC_CONFIG_PATH, (ctx: RequestContext) => serve(ctx, (configBody ??= JSON.stringify(config())), 'application/json')],
    [JWKS_PATH, (ctx: RequestContext) => serve(ctx, jwksBody, 'application/jwk-set+json')],
  ]);
}
