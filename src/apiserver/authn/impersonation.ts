// Impersonation (kubectl --as, --as-group, --as-uid): Impersonate-User, Impersonate-Group,
// Impersonate-Uid and Impersonate-Extra-<key> headers. After authentication, the real user must be
// allowed the `impersonate` verb on each thing asked for (users, groups, serviceaccounts in the
// core group; uids and userextras in authentication.k8s.io); then the request continues as the
// impersonated user, as upstream's WithImpersonation filter.
import { StatusError } from '../../machinery/errors.js';
import type { AuthorizationAttributes, Authorizer } from '../chain.js';
import type { RequestContext, UserInfo } from '../http/types.js';
import { forbidden } from '../authz/forbidden.js';
import { serviceAccountGroups, serviceAccountUsername } from './serviceaccount.js';

interface ImpersonationRequest {
  kind: 'User' | 'ServiceAccount' | 'Group' | 'UserExtra' | 'UID';
  name: string;
  namespace?: string;
  /** the extra key, for UserExtra */
  key?: string;
}

const EXTRA_PREFIX = 'impersonate-extra-';

/** Every value of each header, by lower-cased name (node joins repeated headers; we must not). */
function headerValues(ctx: RequestContext): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const raw = ctx.req.rawHeaders ?? [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i].toLowerCase();
    if (!name.startsWith('impersonate-')) continue;
    if (!out.has(name)) out.set(name, []);
    out.get(name)!.push(raw[i + 1]);
  }
  return out;
}

/** upstream serviceaccount.SplitUsername */
function splitServiceAccount(user: string): { namespace: string; name: string } | undefined {
  const prefix = 'system:serviceaccount:';
  if (!user.startsWith(prefix)) return undefined;
  const parts = user.slice(prefix.length).split(':');
  if (parts.length !== 2 || !parts[0] || !parts[1]) return undefined;
  return { namespace: parts[0], name: parts[1] };
}

/** Go's %v of an ObjectReference, for upstream's error text */
function goRef(r: ImpersonationRequest): string {
  const apiVersion = r.kind === 'UserExtra' || r.kind === 'UID' ? 'authentication.k8s.io/v1' : '';
  return `{${[r.kind, r.namespace ?? '', r.name, '', apiVersion, '', r.key ?? ''].join(' ')}}`;
}

function buildRequests(h: Map<string, string[]>, uri: string): ImpersonationRequest[] {
  const reqs: ImpersonationRequest[] = [];
  const userName = h.get('impersonate-user')?.[0] ?? '';
  if (userName) {
    const sa = splitServiceAccount(userName);
    reqs.push(sa ? { kind: 'ServiceAccount', ...sa } : { kind: 'User', name: userName });
  }
  let other = false;
  for (const g of h.get('impersonate-group') ?? []) { other = true; reqs.push({ kind: 'Group', name: g }); }
  for (const [name, values] of h) {
    if (!name.startsWith(EXTRA_PREFIX)) continue;
    other = true;
    let key = name.slice(EXTRA_PREFIX.length);
    try { key = decodeURIComponent(key); } catch { /* keep it as sent */ }
    for (const v of values) reqs.push({ kind: 'UserExtra', name: v, key });
  }
  const uid = h.get('impersonate-uid')?.[0] ?? '';
  if (uid) { other = true; reqs.push({ kind: 'UID', name: uid }); }
  if (other && !userName) {
    throw new StatusError(500, 'InternalError', `Internal Server Error: ${JSON.stringify(uri)}: requested [${reqs.map(goRef).join(' ')}] without impersonating a user`);
  }
  return reqs;
}

/**
 * Apply impersonation headers to ctx.user. Returns the impersonated user, or undefined when the
 * request asks for none. Throws 403 (upstream wording) when the real user may not impersonate.
 * No authorizer means every authenticated user may (AlwaysAllow).
 */
export async function impersonate(ctx: RequestContext, authorizer: Authorizer | undefined): Promise<UserInfo | undefined> {
  const h = headerValues(ctx);
  if (h.size === 0) return undefined;
  const reqs = buildRequests(h, ctx.req.url ?? '/');
  if (reqs.length === 0) return undefined;
  const requestor = ctx.user;
  const groupsSpecified = h.has('impersonate-group');
  let username = '';
  let uid = '';
  let groups: string[] = [];
  const extra: Record<string, string[]> = {};
  for (const r of reqs) {
    const a: AuthorizationAttributes = {
      user: requestor, verb: 'impersonate', isResourceRequest: true, path: ctx.url.pathname,
      apiGroup: '', apiVersion: 'v1', namespace: '', resource: '', subresource: '', name: r.name,
    };
    switch (r.kind) {
      case 'ServiceAccount':
        a.resource = 'serviceaccounts';
        a.namespace = r.namespace!;
        username = serviceAccountUsername(r.namespace!, r.name);
        if (!groupsSpecified) groups = serviceAccountGroups(r.namespace!);
        break;
      case 'User':
        a.resource = 'users';
        username = r.name;
        break;
      case 'Group':
        a.resource = 'groups';
        groups.push(r.name);
        break;
      case 'UserExtra':
        a.apiGroup = 'authentication.k8s.io';
        a.resource = 'userextras';
        a.subresource = r.key!;
        (extra[r.key!] ??= []).push(r.name);
        break;
      case 'UID':
        a.apiGroup = 'authentication.k8s.io';
        a.resource = 'uids';
        uid = r.name;
        break;
    }
    if (authorizer) {
      const d = await authorizer.authorize(a);
      if (d.decision !== 'allow') throw forbidden(a, d.reason);
    }
  }
  if (username !== 'system:anonymous') {
    // system:authenticated is added unless the caller chose system:authenticated or system:unauthenticated
    if (!groups.includes('system:authenticated') && !groups.includes('system:unauthenticated')) groups.push('system:authenticated');
  } else if (!groups.includes('system:unauthenticated')) {
    groups.push('system:unauthenticated');
  }
  const user: UserInfo = { name: username, groups };
  if (uid) user.uid = uid;
  if (Object.keys(extra).length) user.extra = extra;
  ctx.user = user;
  return user;
}
