// The simulator's metrics.k8s.io/v1beta1 extension API server (metrics-server's role): HTTPS on
// loopback, reached through the API server's aggregation layer. As a real extension server it trusts
// only the front proxy: a client certificate from the request-header CA with an allowed common name
// vouches for the user in X-Remote-User/X-Remote-Group; everything else is 401. Requests are then
// authorized by a SubjectAccessReview (delegated authorization; system:masters always allowed).
import https from 'node:https';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import type { RESTClient } from '../../client/rest.js';
import { parseLabelSelectorOrThrow, type LabelSelector } from '../../machinery/labels/selector.js';
import { GROUP, GROUP_VERSION, VERSION, type MetricsSource } from './source.js';

export interface RequestHeaderConfig {
  /** PEM of the request-header (front-proxy) CA */
  caPem: string;
  /** allowed client certificate common names; empty: any */
  allowedNames: string[];
  usernameHeaders: string[];
  groupHeaders: string[];
  extraHeaderPrefixes: string[];
}

export interface User { name: string; groups: string[]; extra: Record<string, string[]> }

export interface Attributes { verb: string; resource?: string; namespace?: string; name?: string; path?: string }

export type Authorizer = (user: User, attrs: Attributes) => Promise<{ allowed: boolean; reason?: string }>;

type Obj = Record<string, unknown>;

function status(code: number, reason: string, message: string, details?: Obj): Obj {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, ...(details ? { details } : {}), code };
}

function send(res: http.ServerResponse, code: number, body: unknown): void {
  const data = JSON.stringify(body);
  res.writeHead(code, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(data) });
  res.end(data);
}

/** The user the front proxy vouches for, or undefined when the caller is not the front proxy. */
export function authenticate(req: http.IncomingMessage, cfg: RequestHeaderConfig, cas: X509Certificate[]): User | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.authorized) return undefined;
  const raw = socket.getPeerX509Certificate?.();
  if (!raw || !cas.some((ca) => raw.checkIssued(ca) && raw.verify(ca.publicKey))) return undefined;
  const cn = /(?:^|\n)CN=([^\n]*)/.exec(raw.subject)?.[1] ?? '';
  if (cfg.allowedNames.length && !cfg.allowedNames.includes(cn)) return undefined;
  const header = (h: string): string[] => {
    const v = req.headersDistinct[h.toLowerCase()];
    return v ?? [];
  };
  const name = cfg.usernameHeaders.map((h) => header(h)[0]).find((v) => v);
  if (!name) return undefined;
  const groups = cfg.groupHeaders.flatMap((h) => header(h));
  const extra: Record<string, string[]> = {};
  for (const [k, vs] of Object.entries(req.headersDistinct)) {
    const p = cfg.extraHeaderPrefixes.find((x) => k.startsWith(x.toLowerCase()));
    if (p && vs) (extra[decodeURIComponent(k.slice(p.length))] ??= []).push(...vs);
  }
  return { name, groups, extra };
}

/** Delegated authorization through SubjectAccessReviews, cached 10 s as the generic API server does. */
export function sarAuthorizer(client: RESTClient, ttlMs = 10_000): Authorizer {
  const cache = new Map<string, { at: number; allowed: boolean; reason?: string }>();
  return async (user, a) => {
    if (user.groups.includes('system:masters')) return { allowed: true };
    const spec: Obj = { user: user.name, groups: user.groups, extra: user.extra };
    if (a.path !== undefined) spec.nonResourceAttributes = { path: a.path, verb: a.verb };
    else spec.resourceAttributes = { group: GROUP, version: VERSION, resource: a.resource, namespace: a.namespace ?? '', name: a.name ?? '', verb: a.verb };
    const key = JSON.stringify(spec);
    const hit = cache.get(key);
    if (hit && Date.now() - hit.at < ttlMs) return hit;
    const r = await client.request<{ status?: { allowed?: boolean; reason?: string } }>('POST', '/apis/authorization.k8s.io/v1/subjectaccessreviews',
      { apiVersion: 'authorization.k8s.io/v1', kind: 'SubjectAccessReview', spec });
    const v = { at: Date.now(), allowed: r.status?.allowed === true, reason: r.status?.reason };
    if (cache.size > 1000) cache.clear();
    cache.set(key, v);
    return v;
  };
}

const RESOURCES = {
  kind: 'APIResourceList', apiVersion: 'v1', groupVersion: GROUP_VERSION,
  resources: [
    { name: 'nodes', singularName: '', namespaced: false, kind: 'NodeMetrics', verbs: ['get', 'list'] },
    { name: 'pods', singularName: '', namespaced: true, kind: 'PodMetrics', verbs: ['get', 'list'] },
  ],
};
const GROUP_DOC = {
  name: GROUP, versions: [{ groupVersion: GROUP_VERSION, version: VERSION }],
  preferredVersion: { groupVersion: GROUP_VERSION, version: VERSION },
};

function forbidden(user: User, a: Attributes, reason?: string): Obj {
  const why = reason ? `: ${reason}` : '';
  if (a.path !== undefined) return status(403, 'Forbidden', `forbidden: User "${user.name}" cannot get path "${a.path}"${why}`);
  const scope = a.namespace ? ` in the namespace "${a.namespace}"` : ' at the cluster scope';
  return status(403, 'Forbidden', `${a.resource}.${GROUP}${a.name ? ` "${a.name}"` : ''} is forbidden: User "${user.name}" cannot ${a.verb} resource "${a.resource}" in API group "${GROUP}"${scope}${why}`,
    { ...(a.name ? { name: a.name } : {}), group: GROUP, kind: a.resource });
}

interface Route { attrs: Attributes; serve: () => [number, unknown] }

/** Maps a request to what it asks for; undefined: 404. */
export function route(source: MetricsSource, method: string, url: URL): Route | [number, unknown] | undefined {
  const p = url.pathname.replace(/\/+$/, '') || '/';
  const nonResource = (body: unknown): Route => ({ attrs: { verb: method.toLowerCase(), path: p }, serve: () => [200, body] });
  if (p === '/healthz' || p === '/livez' || p === '/readyz') return [200, 'ok'];
  if (method !== 'GET') return [405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')];
  if (p === '/apis') return nonResource({ kind: 'APIGroupList', apiVersion: 'v1', groups: [GROUP_DOC] });
  if (p === `/apis/${GROUP}`) return nonResource({ kind: 'APIGroup', apiVersion: 'v1', ...GROUP_DOC });
  const base = `/apis/${GROUP_VERSION}`;
  if (p === base) return nonResource(RESOURCES);
  if (!p.startsWith(`${base}/`)) return undefined;
  const parts = p.slice(base.length + 1).split('/').map(decodeURIComponent);
  let ns = '';
  if (parts[0] === 'namespaces' && parts.length >= 3) { ns = parts[1]; parts.splice(0, 2); }
  const [resource, name, ...more] = parts;
  if (more.length || (resource !== 'pods' && resource !== 'nodes') || (resource === 'nodes' && ns)) return undefined;
  const attrs: Attributes = { verb: name ? 'get' : 'list', resource, namespace: ns || undefined, name };
  if (url.searchParams.get('watch') === 'true' || url.searchParams.get('watch') === '1') {
    return [405, status(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource')];
  }
  let selector: LabelSelector | undefined;
  const ls = url.searchParams.get('labelSelector');
  if (ls) {
    try { selector = parseLabelSelectorOrThrow(ls); } catch (e) {
      return [400, status(400, 'BadRequest', `unable to parse requirement: ${(e as Error).message}`)];
    }
  }
  const kind = resource === 'pods' ? 'PodMetrics' : 'NodeMetrics';
  return {
    attrs,
    serve: () => {
      if (name) {
        const one = resource === 'pods' ? source.getPod(ns, name) : source.getNode(name);
        if (one) return [200, one];
        return [404, status(404, 'NotFound', `${resource === 'pods' ? 'podmetrics' : 'nodemetrics'}.${GROUP} "${name}" not found`, { name, group: GROUP, kind: resource })];
      }
      const items = resource === 'pods' ? source.listPods(ns, selector) : source.listNodes(selector);
      return [200, { kind: `${kind}List`, apiVersion: GROUP_VERSION, metadata: {}, items }];
    },
  };
}

export interface MetricsServer { port: number; url: string; close(): void }

export async function startMetricsServer(o: {
  source: MetricsSource; port: number; host?: string; serving: { certPem: string; keyPem: string };
  requestHeader: () => RequestHeaderConfig; authorize: Authorizer; log: (m: string) => void;
}): Promise<MetricsServer> {
  let cfgPem = '';
  let cas: X509Certificate[] = [];
  const casFor = (cfg: RequestHeaderConfig) => {
    if (cfg.caPem !== cfgPem) {
      cfgPem = cfg.caPem;
      cas = (cfg.caPem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((b) => new X509Certificate(b));
    }
    return cas;
  };
  const server = https.createServer({
    cert: o.serving.certPem, key: o.serving.keyPem, ca: o.requestHeader().caPem, requestCert: true, rejectUnauthorized: false,
  }, (req, res) => {
    handle(req).then(([code, body]) => {
      if (typeof body === 'string') { res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8' }); res.end(body); } else send(res, code, body);
    }, (err: Error) => {
      o.log(`metrics: ${req.method} ${req.url}: ${err.message}`);
      send(res, 500, status(500, 'InternalError', `Internal error occurred: ${err.message}`));
    });
  });
  const handle = async (req: http.IncomingMessage): Promise<[number, unknown]> => {
    const url = new URL(req.url ?? '/', 'https://metrics');
    const r = route(o.source, req.method ?? 'GET', url);
    if (Array.isArray(r) && r[1] === 'ok') return r; // health checks need no identity
    const cfg = o.requestHeader();
    const user = authenticate(req, cfg, casFor(cfg));
    if (!user) return [401, status(401, 'Unauthorized', 'Unauthorized')];
    if (r === undefined) return [404, status(404, 'NotFound', 'the server could not find the requested resource')];
    if (Array.isArray(r)) return r;
    const az = await o.authorize(user, r.attrs);
    if (!az.allowed) return [403, forbidden(user, r.attrs, az.reason)];
    return r.serve();
  };
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, o.host ?? '127.0.0.1', () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return { port, url: `https://127.0.0.1:${port}`, close: () => { server.closeAllConnections(); server.close(); } };
}
