// The loopback credential (upstream's loopback client token): `kumo server` makes a random token at
// start, never written anywhere, and hands it only to its in-process components (scheduler,
// controller manager). A request bearing it is system:apiserver in system:masters, as upstream's
// loopback client is. It is tried first and only ever matches that one token.
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Authenticator } from '../chain.js';
import type { UserInfo } from '../http/types.js';
import { bearerToken } from './token.js';

export const LOOPBACK_USER = 'system:apiserver';

export function newLoopbackToken(): string {
  return randomBytes(32).toString('base64url');
}

export function loopbackAuthenticator(token: string): Authenticator {
  const want = Buffer.from(token);
  // upstream: system:masters, then system:authenticated added as to every authenticated user
  const user: UserInfo = { name: LOOPBACK_USER, uid: randomUUID(), groups: ['system:masters', 'system:authenticated'] };
  return {
    authenticate(req) {
      const got = bearerToken(req);
      if (got === undefined) return undefined;
      const g = Buffer.from(got);
      return g.length === want.length && timingSafeEqual(g, want) ? user : undefined;
    },
  };
}
