// x509 client-certificate authentication: the TLS layer checks the chain against the cluster CA;
// CN → user, O → groups, as upstream. The result is cached per connection.
import type { TLSSocket } from 'node:tls';
import { identityFromCertificate } from '../../pki/index.js';
import { StatusError } from '../../machinery/errors.js';
import type { Req, UserInfo } from '../http/types.js';
import type { Authenticator } from '../chain.js';

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
  void req;
  return user ?? undefined;
}

export const x509Authenticator: Authenticator = { authenticate: (req, socket) => authenticate(socket, req) };
