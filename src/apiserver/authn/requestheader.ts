// Request-header authentication (the front proxy / aggregation layer): a client certificate from
// the request-header CA whose CN is allowed vouches for the user named in X-Remote-User, with
// groups from X-Remote-Group and extra from X-Remote-Extra-<key>, as upstream's
// --requestheader-* flags configure.
import type { Authenticator } from '../chain.js';
import type { UserInfo } from '../http/types.js';
import { issuedBy, parseCAs, peerCertificate } from './x509.js';

export interface RequestHeaderOptions {
  /** PEM of --requestheader-client-ca-file */
  caPem: string;
  /** --requestheader-allowed-names; empty: any CN signed by the CA */
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export function requestHeaderAuthenticator(o: RequestHeaderOptions): Authenticator {
  const cas = parseCAs(o.caPem);
  const lower = (xs: string[]) => xs.map((x) => x.toLowerCase());
  const userHeaders = lower(o.usernameHeaders);
  const groupHeaders = lower(o.groupHeaders);
  const extraPrefixes = lower(o.extraHeaderPrefixes);
  return {
    authenticate(req, socket) {
      const cert = peerCertificate(socket);
      if (!cert || !issuedBy(cert, cas)) return undefined;
      const cn = /(?:^|\n)CN=([^\n]*)/.exec(cert.subject)?.[1] ?? '';
      if (o.allowedNames.length && !o.allowedNames.includes(cn)) return undefined;
      let name = '';
      for (const h of userHeaders) {
        const v = req.headers[h];
        const s = Array.isArray(v) ? v[0] : v;
        if (s) { name = s; break; }
      }
      if (!name) return undefined;
      const groups: string[] = [];
      for (const h of groupHeaders) {
        const v = req.headers[h];
        for (const g of Array.isArray(v) ? v : v ? [v] : []) groups.push(...g.split(',').map((x) => x.trim()).filter(Boolean));
      }
      const extra: Record<string, string[]> = {};
      for (const [k, v] of Object.entries(req.headers)) {
        const p = extraPrefixes.find((x) => k.startsWith(x));
        if (!p || v === undefined) continue;
        // header keys are URL-escaped extra keys (upstream unescapes them)
        const key = decodeURIComponent(k.slice(p.length));
        for (const val of Array.isArray(v) ? v : [v]) (extra[key] ??= []).push(...val.split(',').map((x) => x.trim()));
      }
      const user: UserInfo = { name, groups: groups.includes('system:authenticated') ? groups : [...groups, 'system:authenticated'] };
      if (Object.keys(extra).length) user.extra = extra;
      return user;
    },
  };
}
