// Bearer tokens: the Authorization header's token is offered to each token authenticator in turn
// (static token file, bootstrap tokens, service-account JWTs). As upstream, one that succeeds
// decides; otherwise a presented token is a 401 — "invalid bearer token" when nobody recognised
// it, or the errors of those that did.
import { StatusError } from '../../machinery/errors.js';
import type { Authenticator } from '../chain.js';
import type { Req, UserInfo } from '../http/types.js';

export interface TokenResult {
  user: UserInfo;
  /** the audiences the token is valid for, of those requested */
  audiences: string[];
}

export interface TokenAuthenticator {
  /**
   * undefined: not recognised. Throws an Error (its message is what a TokenReview reports) when the
   * token is recognised but invalid. requestedAudiences: undefined means the API server's own.
   */
  authenticateToken(token: string, requestedAudiences?: string[]): Promise<TokenResult | undefined> | TokenResult | undefined;
}

/** The token of an `Authorization: Bearer …` header; undefined for no header, another scheme or an empty token. */
export function bearerToken(req: Pick<Req, 'headers'>): string | undefined {
  const h = req.headers.authorization;
  if (typeof h !== 'string') return undefined;
  const parts = h.trim().split(/\s+/);
  if (parts.length < 2 || parts[0].toLowerCase() !== 'bearer') return undefined;
  return parts[1] || undefined;
}

/** upstream's user.DefaultInfo + AuthenticatedGroupAdder: every authenticated user is in system:authenticated */
export function withAuthenticatedGroup(u: UserInfo): UserInfo {
  if (u.name === 'system:anonymous' || u.groups.includes('system:authenticated')) return u;
  return { ...u, groups: [...u.groups, 'system:authenticated'] };
}

/** Go's utilerrors.NewAggregate text: one message alone, several as [a, b]. */
export function aggregate(messages: string[]): string {
  return messages.length === 1 ? messages[0] : `[${messages.join(', ')}]`;
}

export class TokenAuthenticationError extends Error {}

/** Tries each token authenticator; the first success decides. */
export class TokenUnion implements TokenAuthenticator {
  constructor(readonly members: TokenAuthenticator[], readonly apiAudiences: string[]) {}

  async authenticateToken(token: string, requestedAudiences?: string[]): Promise<TokenResult | undefined> {
    const errors: string[] = [];
    for (const m of this.members) {
      try {
        const r = await m.authenticateToken(token, requestedAudiences);
        if (r) return { user: withAuthenticatedGroup(r.user), audiences: r.audiences };
      } catch (err) {
        errors.push((err as Error).message);
      }
    }
    if (errors.length) throw new TokenAuthenticationError(aggregate(errors));
    return undefined;
  }

  /** As a bearer-token request authenticator: an unrecognised or invalid token is a 401. */
  async authenticateBearer(token: string, requestedAudiences?: string[]): Promise<TokenResult> {
    const r = await this.authenticateToken(token, requestedAudiences);
    if (!r) throw new TokenAuthenticationError('invalid bearer token');
    return r;
  }
}

/** The request authenticator for bearer tokens (placed after x509 in the chain). */
export class BearerAuthenticator implements Authenticator {
  constructor(readonly tokens: TokenUnion) {}

  async authenticate(req: Req): Promise<UserInfo | undefined> {
    const token = bearerToken(req);
    if (token === undefined) return undefined;
    try {
      return (await this.tokens.authenticateBearer(token)).user;
    } catch (err) {
      if (err instanceof TokenAuthenticationError) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      throw err;
    }
  }
}

/**
 * upstream WrapAudienceAgnosticToken: tokens that carry no audience (static, bootstrap) are valid
 * for the API server's audiences only; a review asking for other audiences does not recognise them.
 */
export function audienceAgnostic(apiAudiences: string[], authenticate: (token: string) => Promise<UserInfo | undefined> | UserInfo | undefined): TokenAuthenticator {
  return {
    async authenticateToken(token, requested) {
      let auds = apiAudiences;
      if (requested && apiAudiences.length) {
        auds = requested.filter((a) => apiAudiences.includes(a));
        if (auds.length === 0) return undefined;
      }
      const user = await authenticate(token);
      return user ? { user, audiences: auds } : undefined;
    },
  };
}
