// The headers a proxied request carries to an extension API server: the client's own headers minus
// credentials, impersonation and hop-by-hop headers, plus the authenticated user as upstream's
// SetAuthProxyHeaders writes them (X-Remote-User, one X-Remote-Group per group, one
// X-Remote-Extra-<escaped key> per value); the front-proxy client certificate vouches for them.
import type { IncomingHttpHeaders, OutgoingHttpHeaders } from 'node:http';
import type { UserInfo } from '../http/types.js';

const HOP_BY_HOP = new Set([
  'connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade',
  'proxy-authorization', 'proxy-authenticate', 'host', 'http2-settings',
]);

/** RFC 7230 token characters, except '%' (escaped so the receiver's unescape is unambiguous) */
const TOKEN = /^[!#$&'*+\-.^_`|~0-9A-Za-z]$/;

/** upstream headerKeyEscape: percent-encode (upper-case hex) every byte that is not a token character, and '%' */
export function headerKeyEscape(key: string): string {
  let out = '';
  for (const b of Buffer.from(key, 'utf8')) {
    const ch = String.fromCharCode(b);
    out += b < 0x80 && TOKEN.test(ch) ? ch : `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** the user's identity as request headers */
export function authProxyHeaders(user: Pick<UserInfo, 'name' | 'groups' | 'extra'>): OutgoingHttpHeaders {
  const h: OutgoingHttpHeaders = { 'X-Remote-User': user.name };
  if (user.groups.length) h['X-Remote-Group'] = [...user.groups];
  for (const [k, vs] of Object.entries(user.extra ?? {})) {
    if (vs.length) h[`X-Remote-Extra-${headerKeyEscape(k)}`] = [...vs];
  }
  return h;
}

function isIdentityHeader(name: string): boolean {
  return name === 'authorization' || name.startsWith('impersonate-') || name.startsWith('x-remote-');
}

/** headers for the proxied request: client headers cleaned, identity set, X-Forwarded-For appended */
export function proxyRequestHeaders(incoming: IncomingHttpHeaders, user: UserInfo, clientIP?: string): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connectionListed = new Set(String(incoming.connection ?? '').toLowerCase().split(',').map((x) => x.trim()).filter(Boolean));
  for (const [k, v] of Object.entries(incoming)) {
    const name = k.toLowerCase();
    if (v === undefined || name.startsWith(':') || HOP_BY_HOP.has(name) || connectionListed.has(name) || isIdentityHeader(name)) continue;
    out[name] = v;
  }
  if (clientIP) {
    const prior = incoming['x-forwarded-for'];
    out['x-forwarded-for'] = prior ? `${Array.isArray(prior) ? prior.join(', ') : prior}, ${clientIP}` : clientIP;
  }
  return { ...out, ...authProxyHeaders(user) };
}

/** response headers to pass back to the client (HTTP/2 forbids connection-specific ones) */
export function proxyResponseHeaders(incoming: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const connectionListed = new Set(String(incoming.connection ?? '').toLowerCase().split(',').map((x) => x.trim()).filter(Boolean));
  for (const [k, v] of Object.entries(incoming)) {
    const name = k.toLowerCase();
    if (v === undefined || HOP_BY_HOP.has(name) || connectionListed.has(name)) continue;
    out[name] = v;
  }
  return out;
}
