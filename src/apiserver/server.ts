// kube-apiserver: TLS (HTTP/2 with HTTP/1.1 fallback), authentication, routing to discovery,
// OpenAPI, health and the REST handlers over the datastore and watch cache.

import http from 'node:http';
import net from 'node:net';
import http2 from 'node:http2';
import { chmodSync, rmSync } from 'node:fs';
import type { TLSSocket } from 'node:tls';
import { builtinResources } from '../api/resources.js';
import { converters } from '../api/conversion/index.js';
import { StatusError, resourceNotFound } from '../machinery/errors.js';
import type { Backend } from '../storage/interface.js';
import { APIRegistry, type ServedResource } from './apis.js';
import { Discovery } from './discovery.js';
import { requestInfo } from './requestinfo.js';
import { WatchCache } from './storage/watchcache.js';
import { identityTransformer, type ValueTransformer } from './storage/codec.js';
import { Store } from './registry/store.js';
import { strategyFor, markServiceAllocations, type StrategyDeps } from './registry/strategies.js';
import { IPAllocator, PortAllocator } from './registry/ipallocator.js';
import { handleResource, type RestDeps } from './handlers/rest.js';
import { writeError, writeJSON } from './http/respond.js';
import type { Req, Res, RequestContext, UserInfo } from './http/types.js';
import type { AdmissionPlugin, Authenticator, Authorizer } from './chain.js';
import { attributesOf } from './chain.js';
import { forbidden } from './authz/forbidden.js';
import { registerAuthenticationAPIs, impersonate } from './authn/index.js';
import { registerAuthorizationAPIs } from './authz/index.js';
import type { Auditor, AuditRecordHandle } from './audit/index.js';
import { OpenAPIHandler } from './openapi.js';
import { versionInfo, type VersionInfo } from './version.js';
import { Aggregator } from './aggregator/index.js';
import { startCustomResources } from '../apiextensions/index.js';
import { APIServerMetrics } from './metrics.js';
import { FlowControl } from './flowcontrol/index.js';
import { priorityAndFairness } from './flowcontrol/filter.js';
import { registerFlowControlMetrics } from './flowcontrol/metrics.js';
import { instrumentBackend } from './storage/instrumented.js';

export interface APIServerConfig {
  /**
   * A Unix socket serving plain HTTP for the in-process components (the loopback client): the
   * scheduler and controller manager threads skip TLS, whose encryption of every watch event and
   * response was the main thread's largest single cost. File mode 0600; the loopback token (see
   * authn/loopback.ts) authenticates requests on it like on the TLS port.
   */
  loopbackSocket?: string;
  bindAddress: string;
  securePort: number;
  serviceClusterIPRange: string;
  /** the address published in the `kubernetes` Service's endpoints */
  advertiseAddress?: string;
  tls: { certPem: string; keyPem: string; clientCAPem: string };
  backend: Backend;
  transformer?: ValueTransformer;
  /** Kubernetes minor version to report (kubectl's dispatcher picks its client by it) */
  emulatedVersion?: string;
  /** tried in order; the first to recognise a credential decides */
  authenticators: Authenticator[];
  /** undefined: allow every authenticated request */
  authorizer?: Authorizer;
  /**
   * true: requests without credentials are system:anonymous and go to the authorizer (upstream
   * --anonymous-auth with RBAC). false: they get 401, except the public health/version paths.
   */
  anonymousToAuthorizer?: boolean;
  auditor?: Auditor;
  /** admission plugins, in order (mutating phases run before validation, validating after) */
  admissionPlugins?: AdmissionPlugin[];
  /** front-proxy client certificate for proxying to extension API servers (--proxy-client-cert-file); may be replaced while running */
  proxyClient?: { certPem: string; keyPem: string };
  /** API Priority and Fairness: total seats (--max-requests-inflight + --max-mutating-requests-inflight); 0 turns it off */
  maxRequestsInFlight?: number;
  /** what extension API servers need to authenticate requests (kube-system/extension-apiserver-authentication) */
  extensionAuthentication?: {
    clientCAPem: string;
    requestHeader: { caPem: string; allowedNames: string[]; usernameHeaders: string[]; groupHeaders: string[]; extraHeaderPrefixes: string[] };
  };
}

export class APIServer {
  readonly registry = new APIRegistry();
  /** non-resource paths served by other packages (e.g. service-account issuer discovery) */
  readonly nonResourceHandlers = new Map<string, (ctx: RequestContext) => void>();
  readonly cache: WatchCache;
  readonly metrics: APIServerMetrics;
  flowControl?: FlowControl;
  readonly version: VersionInfo;
  private server?: http2.Http2SecureServer;
  private loopback?: http.Server;
  private discovery!: Discovery;
  private openapi!: OpenAPIHandler;
  /** the aggregation layer (APIServices, proxying to extension API servers) */
  aggregator?: Aggregator;
  private customResources?: { stop(): void };
  private deps!: RestDeps;
  private ready = false;
  private port = 0;
  private compactTimer?: NodeJS.Timeout;
  private readonly transformer: ValueTransformer;
  readonly allocators: StrategyDeps;
  private readonly sessions = new Set<http2.ServerHttp2Session>();
  private readonly sockets = new Set<import('node:net').Socket>();

  constructor(readonly config: APIServerConfig) {
    this.transformer = config.transformer ?? identityTransformer;
    this.metrics = new APIServerMetrics(() => this.objectCounts());
    config.backend = instrumentBackend(config.backend, this.metrics);
    this.cache = new WatchCache(config.backend, this.transformer);
    this.version = versionInfo(config.emulatedVersion);
    this.allocators = { serviceIPs: new IPAllocator(config.serviceClusterIPRange), nodePorts: new PortAllocator() };
  }

  get listenPort(): number { return this.port; }

  /** `beforeReady` runs once serving but before /readyz reports ok (e.g. to write the kubeconfig). */
  async start(beforeReady?: (url: { port: number }) => Promise<void>): Promise<void> {
    await this.cache.start();
    const namespaces = () => this.registry.lookup('', 'v1', 'namespaces')!;
    const stores = new Map<string, Store>();
    for (const type of builtinResources) {
      // one storage prefix per resource name: events.k8s.io/v1 Events are core/v1 Events, HPA v1 and v2 share
      const sres = type.resource;
      let store = stores.get(sres);
      if (!store) {
        // the first served version of a resource is its storage version
        store = new Store(type, sres, this.config.backend, this.cache, this.transformer,
          strategyFor(type, this.allocators),
          (name) => namespaces().store.cache.objects.get(namespaces().store.key('', name))?.obj);
        stores.set(sres, store);
        this.registry.add(type, store);
        continue;
      }
      const convert = converters[`${type.group}/${type.version}/${type.resource}`];
      if (!convert) throw new Error(`no conversion from ${store.type.group}/${store.type.version} to ${type.group}/${type.version} ${type.resource}`);
      this.registry.add(type, store, convert);
    }
    registerAuthenticationAPIs(this);
    registerAuthorizationAPIs(this);
    const services = this.registry.lookup('', 'v1', 'services')!;
    markServiceAllocations([...services.store.cache.objects.values()].map((c) => c.obj), this.allocators);
    this.deps = {
      cache: this.cache, backend: this.config.backend, transformer: this.transformer,
      pods: this.registry.lookup('', 'v1', 'pods')!,
      pdbs: this.registry.lookup('policy', 'v1', 'poddisruptionbudgets'),
      admissionPlugins: this.config.admissionPlugins,
    };
    const seats = this.config.maxRequestsInFlight ?? 600;
    if (seats > 0) {
      this.flowControl = new FlowControl(this.registry.lookup('flowcontrol.apiserver.k8s.io', 'v1', 'flowschemas')!,
        this.registry.lookup('flowcontrol.apiserver.k8s.io', 'v1', 'prioritylevelconfigurations')!, seats);
      registerFlowControlMetrics(this.metrics.registry, this.flowControl);
    }
    this.discovery = new Discovery(this.registry, () => `${this.config.advertiseAddress ?? this.config.bindAddress}:${this.port}`);
    this.openapi = new OpenAPIHandler(this.registry);
    this.aggregator = new Aggregator({ registry: this.registry, proxyClient: () => this.config.proxyClient });
    this.discovery.setAggregation(this.aggregator);
    this.openapi.remote = this.aggregator.openapi;
    // CRDs: served custom resources follow the CRD store (apiextensions-apiserver's controllers)
    this.customResources = startCustomResources({ registry: this.registry, backend: this.config.backend, cache: this.cache, transformer: this.transformer });

    this.server = http2.createSecureServer({
      allowHTTP1: true,
      key: this.config.tls.keyPem,
      cert: this.config.tls.certPem,
      ca: this.config.tls.clientCAPem,
      requestCert: true,
      rejectUnauthorized: false,
      settings: { maxConcurrentStreams: 1000 },
    }, (req, res) => { void this.handle(req, res); });
    this.server.on('session', (s) => { this.sessions.add(s); s.on('close', () => this.sessions.delete(s)); });
    this.server.on('secureConnection', (s) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    this.server.on('connection', (s: import('node:net').Socket) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.config.securePort, this.config.bindAddress, () => {
        this.server!.off('error', reject);
        resolve();
      });
    });
    const addr = this.server.address();
    this.port = typeof addr === 'object' && addr ? addr.port : this.config.securePort;
    if (this.config.loopbackSocket) await this.listenLoopback(this.config.loopbackSocket);
    this.discovery.rebuild();
    const { bootstrap } = await import('./bootstrap.js');
    await bootstrap(this);
    await this.aggregator.start();
    this.startCompaction();
    await beforeReady?.({ port: this.port });
    this.ready = true;
  }

  private async listenLoopback(path: string): Promise<void> {
    // a socket file left by a killed server is replaced; one that answers belongs to a running server
    if (await answers(path)) throw new Error(`${path}: another kumo server is serving this data directory`);
    rmSync(path, { force: true });
    const lb = http.createServer((req, res) => { void this.handle(req as unknown as Req, res as unknown as Res); });
    // the components' agents keep connections open indefinitely: never close one under them
    lb.keepAliveTimeout = 0;
    lb.on('connection', (s: import('node:net').Socket) => { this.sockets.add(s); s.on('close', () => this.sockets.delete(s)); });
    await new Promise<void>((resolve, reject) => {
      lb.once('error', reject);
      // 0077: the socket file is created owner-only, never briefly open to others
      const mask = process.umask(0o077);
      try { lb.listen(path, () => { lb.off('error', reject); resolve(); }); } finally { process.umask(mask); }
    });
    chmodSync(path, 0o600);
    this.loopback = lb;
  }

  /** Every 5 minutes, compact the datastore to the revision seen 5 minutes earlier (as upstream). */
  private startCompaction(): void {
    let last = 0;
    this.compactTimer = setInterval(async () => {
      try {
        const cur = await this.config.backend.currentRevision();
        if (last > 0) await this.config.backend.compact(last);
        last = cur;
      } catch (err) {
        console.error('compaction failed:', (err as Error).message);
      }
    }, 5 * 60_000);
    this.compactTimer.unref();
  }

  async stop(): Promise<void> {
    this.ready = false;
    if (this.compactTimer) clearInterval(this.compactTimer);
    this.customResources?.stop();
    this.aggregator?.stop();
    this.cache.stop();
    const closed = this.server ? new Promise<void>((r) => this.server!.close(() => r())) : Promise.resolve();
    const lbClosed = this.loopback ? new Promise<void>((r) => this.loopback!.close(() => r())) : Promise.resolve();
    for (const s of this.sessions) s.close();
    for (const s of this.sockets) s.destroy();
    await closed;
    await lbClosed;
    if (this.config.loopbackSocket) rmSync(this.config.loopbackSocket, { force: true });
  }

  /**
   * Swaps the serving certificate without a restart (certificate renewal): new TLS connections get
   * the new pair, open ones keep theirs. The client CA stays the same.
   */
  updateServingCertificate(certPem: string, keyPem: string): void {
    this.config.tls = { ...this.config.tls, certPem, keyPem };
    this.server?.setSecureContext({ key: keyPem, cert: certPem, ca: this.config.tls.clientCAPem });
  }

  lookup(group: string, version: string, resource: string): ServedResource | undefined {
    return this.registry.lookup(group, version, resource);
  }

  private async handle(req: Req, res: Res): Promise<void> {
    try {
      const url = new URL(req.url ?? '/', 'https://kumo');
      const path = url.pathname;
      const method = req.method ?? 'GET';
      const socket = ((req.stream as unknown as { session?: { socket?: TLSSocket } })?.session?.socket ?? req.socket) as TLSSocket;
      let user: UserInfo | undefined;
      for (const a of this.config.authenticators) {
        user = await a.authenticate(req, socket);
        if (user) break;
      }
      // a credential nobody recognised is a 401, never anonymous
      if (!user && req.headers.authorization) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      const info = requestInfo(method, path, url.searchParams);
      const observed = this.metrics.begin(info, url.searchParams, req.headers['content-type']);
      res.once('finish', () => observed(res.statusCode));
      res.once('close', () => observed(res.statusCode));
      const effective: UserInfo = user ?? { name: 'system:anonymous', groups: ['system:unauthenticated'] };
      const ctx: RequestContext = { req, res, url, query: url.searchParams, info, user: effective, warnings: [] };
      let rec: AuditRecordHandle | undefined;
      if (this.config.auditor) {
        rec = this.config.auditor.begin({
          info, user: effective, method, uri: req.url ?? '/', userAgent: req.headers['user-agent'] as string | undefined,
          // the loopback socket has no address: upstream's loopback client shows as 127.0.0.1
          sourceIPs: [socket.remoteAddress ?? '127.0.0.1'], req, res,
        });
        ctx.audit = rec;
        res.once('finish', () => rec!.end(res.statusCode));
        res.once('close', () => rec!.end(res.statusCode));
      }
      if (!user && !this.config.anonymousToAuthorizer) {
        if (!isPublicPath(path)) throw new StatusError(401, 'Unauthorized', 'Unauthorized');
      } else {
        // impersonation headers: checked against the real user, then the request acts as the other
        await impersonate(ctx, this.config.authorizer);
        if (ctx.user !== effective) rec?.setImpersonatedUser(ctx.user);
        if (this.config.authorizer) {
          const attrs = attributesOf(info, ctx.user);
          const d = await this.config.authorizer.authorize(attrs);
          rec?.annotate('authorization.k8s.io/decision', d.decision === 'allow' ? 'allow' : 'forbid');
          rec?.annotate('authorization.k8s.io/reason', d.reason ?? '');
          if (d.decision !== 'allow') throw forbidden(attrs, d.reason);
        }
      }
      if (this.flowControl && !(await priorityAndFairness(this.flowControl, ctx))) return;
      // group versions served by extension API servers are proxied (kube-aggregator)
      if (this.aggregator && await this.aggregator.serve(ctx)) return;
      if (info.isResourceRequest) {
        const v = this.registry.lookupVirtual(info.apiGroup, info.apiVersion, info.resource);
        if (v) {
          if (info.verb !== 'create' || info.name) throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
          return await v.handler(ctx);
        }
        const sr = this.registry.lookup(info.apiGroup, info.apiVersion, info.resource);
        if (!sr) throw resourceNotFound();
        if (!this.ready) throw new StatusError(503, 'ServiceUnavailable', 'the server is starting up');
        return await handleResource(ctx, sr, this.deps);
      }
      return this.nonResource(ctx, path, method);
    } catch (err) {
      writeError(res, err);
    }
  }

  private nonResource(ctx: RequestContext, path: string, method: string): void {
    const { res, req } = ctx;
    if (method !== 'GET' && method !== 'HEAD') {
      throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
    if (path === '/healthz' || path === '/livez' || path === '/readyz' || path.startsWith('/healthz/') || path.startsWith('/livez/') || path.startsWith('/readyz/')) {
      return this.health(ctx, path);
    }
    if (path === '/version' || path === '/version/') return writeJSON(res, 200, this.version);
    if (path === '/metrics') return this.serveMetrics(ctx);
    const extra = this.nonResourceHandlers.get(path);
    if (extra) return extra(ctx);
    if (path === '/api' || path === '/apis' || path === '/api/' || path === '/apis/') {
      const p = path.replace(/\/$/, '') as '/api' | '/apis';
      const accept = req.headers.accept ?? '';
      const agg = /g=apidiscovery\.k8s\.io;v=(v2beta1|v2);as=APIGroupDiscoveryList/.exec(accept.replace(/\s+/g, ''));
      if (agg) {
        const d = this.discovery.aggregatedDoc(p, agg[1])!;
        return this.writeDoc(ctx, d.body, d.etag, `application/json;g=apidiscovery.k8s.io;v=${agg[1]};as=APIGroupDiscoveryList`);
      }
      const d = this.discovery.get(p)!;
      return this.writeDoc(ctx, d.body, d.etag, 'application/json');
    }
    const d = this.discovery.get(path.replace(/\/$/, ''));
    if (d) return this.writeDoc(ctx, d.body, d.etag, 'application/json');
    if (path.startsWith('/openapi/')) return this.openapi.serve(ctx, path);
    throw resourceNotFound();
  }

  private serveMetrics(ctx: RequestContext): void {
    this.metrics.render().then((body) => {
      ctx.res.writeHead(200, { 'content-type': this.metrics.contentType, 'content-length': String(Buffer.byteLength(body)) });
      ctx.res.end(body);
    }, (err: Error) => writeError(ctx.res, err));
  }

  /** apiserver_storage_objects: objects per stored resource, named as upstream ("pods", "deployments.apps") */
  private objectCounts(): Map<string, number> {
    const out = new Map<string, number>();
    for (const sr of this.registry.all()) {
      if (sr.convert) continue; // served from another version's store
      const name = sr.type.group ? `${sr.type.resource}.${sr.type.group}` : sr.type.resource;
      out.set(name, sr.store.cache.objects.size);
    }
    return out;
  }

  private writeDoc(ctx: RequestContext, body: string, etag: string, contentType: string): void {
    const { req, res } = ctx;
    if (req.headers['if-none-match'] === etag) {
      res.writeHead(304, { etag });
      res.end();
      return;
    }
    res.writeHead(200, { 'content-type': contentType, etag, 'cache-control': 'no-cache, private', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
  }

  private health(ctx: RequestContext, path: string): void {
    const checks: [string, boolean][] = [
      ['ping', true],
      ['log', true],
      ['etcd', !this.cache.failure],
      ['poststarthook/bootstrap-controller', this.ready],
      ['poststarthook/watch-cache', this.cache.revision > 0 || this.ready],
    ];
    const isReadyz = path.startsWith('/readyz');
    if (isReadyz) checks.push(['informer-sync', this.ready], ['shutdown', this.ready]);
    const sub = path.split('/')[2];
    if (sub) {
      const c = checks.find(([n]) => n === sub || `poststarthook/${sub}` === n);
      if (!c) throw resourceNotFound();
      return text(ctx.res, c[1] ? 200 : 500, c[1] ? 'ok' : `[-]${c[0]} failed: reason withheld`);
    }
    // excluded checks are listed as such; names matching no check are warned about (upstream healthz)
    const exclude = new Set(ctx.query.getAll('exclude'));
    const ok = checks.every(([n, v]) => v || exclude.has(n));
    const name = path.slice(1).split('/')[0];
    if (ctx.query.has('verbose') || !ok) {
      const lines = checks.map(([n, v]) => (exclude.has(n) ? `[+]${n} excluded: ok` : v ? `[+]${n} ok` : `[-]${n} failed: reason withheld`));
      const unknown = [...exclude].filter((x) => !checks.some(([n]) => n === x)).sort();
      if (unknown.length > 0) lines.push(`warn: some health checks cannot be excluded: no matches for ${unknown.map((x) => JSON.stringify(x)).join(',')}`);
      lines.push(ok ? `${name} check passed` : `${name} check failed`);
      return text(ctx.res, ok ? 200 : 500, lines.join('\n') + '\n');
    }
    text(ctx.res, 200, 'ok');
  }
}

function text(res: Res, code: number, body: string): void {
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

/** what system:public-info-viewer grants anonymous users upstream */
function isPublicPath(p: string): boolean {
  return p === '/healthz' || p === '/livez' || p === '/readyz' || p === '/version' || p === '/version/'
    || p.startsWith('/healthz/') || p.startsWith('/livez/') || p.startsWith('/readyz/');
}

/** whether something accepts connections on the Unix socket at `path` */
function answers(path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const c = net.connect(path);
    c.once('connect', () => { c.destroy(); resolve(true); });
    c.once('error', () => resolve(false));
  });
}
