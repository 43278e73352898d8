// x509 client-certificate authentication: the TLS layer checks the chain; the certificate must be
// issued by the client CA (--client-ca-file; the cluster CA in kumo server) — a certificate from the
// front-proxy CA is only good for request-header authentication, which runs first. CN → user,
// O → groups, as upstream. Successful results are cached per connection.
import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import { identityFromCertificate } from '../../pki/index.js';
import { StatusError } from '../../machinery/errors.js';
import type { UserInfo } from '../http/types.js';
import type { Authenticator } from '../chain.js';

/** the verified peer certificate of a connection, or undefined when none was presented */
export function peerCertificate(socket: TLSSocket): X509Certificate | undefined {
  const peer = typeof socket.getPeerX509Certificate === 'function' ? socket.getPeerX509Certificate() : undefined;
  if (!peer) return undefined;
  // a presented certificate that does not chain to a trusted CA is a 401, never anonymous
  if (!socket.authorized) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
  return peer;
}

/** true when `cert` was issued and signed by one of `cas` */
export function issuedBy(cert: X509Certificate, cas: X509Certificate[]): boolean {
  return cas.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
}

export function parseCAs(pem: string): X509Certificate[] {
  const blocks = pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? [];
  return blocks.map((b) => new X509Certificate(b));
}

export function x509Authenticator(clientCAPem: string): Authenticator {
  const cas = parseCAs(clientCAPem);
  const cache = new WeakMap<TLSSocket, UserInfo | null>();
  return {
    authenticate(_req, socket) {
      const hit = cache.get(socket);
      if (hit !== undefined) return hit ?? undefined;
      const cert = peerCertificate(socket);
      let user: UserInfo | null = null;
      if (cert) {
        if (!issuedBy(cert, cas)) {
          // e.g. the front-proxy client certificate without (allowed) request headers: upstream's x509
          // authenticator fails it ("signed by unknown authority"), which is a 401
          throw new StatusError(401, 'Unauthorized', 'Unauthorized');
        }
        const id = identityFromCertificate(cert);
        if (id) user = { name: id.user, groups: [...id.groups, 'system:authenticated'] };
      }
      cache.set(socket, user);
      return user ?? undefined;
    },
  };
}
