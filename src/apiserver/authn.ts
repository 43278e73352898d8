// Authentication. Today: x509 client certificates signed by the cluster CA (the TLS layer checks
// the chain; we map CN → user, O → groups, as upstream). Bearer tokens, bootstrap tokens, service
// account tokens and request-header auth slot in here (security issue).
import type { TLSSocket } from 'node:tls';
import { identityFromCertificate } from '../pki/index.js';
import { StatusError } from '../machinery/errors.js';
import type { Req, UserInfo } from './http/types.js';

const cache = new WeakMap<TLSSocket, UserInfo | null>();

/**
 * The authenticated user, undefined for an anonymous request. A presented-but-invalid client
 * certificate or an unrecognised bearer token is a 401, as upstream.
 */
export function authenticate(socket: TLSSocket, req: Req): UserInfo | undefined {
  let user = cache.get(socket);
  if (user === undefined) {
    user = null;
    const peer = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : undefined;
    const presented = !!peer && Object.keys(peer).length > 0;
    if (presented) {
      if (!socket.authorized) {
        cache.set(socket, null);
        throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      }
      const id = identityFromCertificate(peer as never);
      if (id) user = { name: id.user, groups: [...id.groups, 'system:authenticated'] };
    }
    cache.set(socket, user);
  } else if (user === null) {
    const peer = socket.getPeerCertificate?.();
    if (peer && Object.keys(peer).length > 0 && !socket.authorized) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
  }
  const authz = req.headers.authorization;
  if (!user && authz) {
    // no token authenticators are configured yet: any bearer token is invalid
    throw new StatusError(401, 'Unauthorized', 'Unauthorized');
  }
  return user ?? undefined;
}
