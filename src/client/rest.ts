// A small REST client for Kumo's own components: kubeconfig credentials, JSON requests over
// keep-alive HTTPS, and streaming watches. (client-go's role; informers and work queues build on it.)
import http from 'node:http';
import https from 'node:https';
import { readFileSync } from 'node:fs';
import { parse as parseYAML } from 'yaml';

export interface ClientConfig {
  server: string;
  /** plain HTTP over this Unix socket instead of HTTPS to `server` (kumo server's in-process components) */
  socketPath?: string;
  ca?: Buffer;
  cert?: Buffer;
  key?: Buffer;
  token?: string;
}

/** Credentials of the current context of a kubeconfig file (inline data or file paths). */
export function configFromKubeconfig(path: string): ClientConfig {
  const kc = parseYAML(readFileSync(path, 'utf8')) as {
    'current-context'?: string;
    contexts?: { name: string; context: { cluster: string; user: string } }[];
    clusters?: { name: string; cluster: Record<string, string> }[];
    users?: { name: string; user: Record<string, string> }[];
  };
  const ctx = kc.contexts?.find((c) => c.name === kc['current-context']) ?? kc.contexts?.[0];
  const cluster = kc.clusters?.find((c) => c.name === ctx?.context.cluster)?.cluster ?? kc.clusters?.[0]?.cluster;
  const user = kc.users?.find((u) => u.name === ctx?.context.user)?.user ?? kc.users?.[0]?.user ?? {};
  if (!cluster?.server) throw new Error(`kubeconfig ${path}: no cluster server`);
  const data = (inline?: string, file?: string) => (inline ? Buffer.from(inline, 'base64') : file ? readFileSync(file) : undefined);
  return {
    server: cluster.server,
    ca: data(cluster['certificate-authority-data'], cluster['certificate-authority']),
    cert: data(user['client-certificate-data'], user['client-certificate']),
    key: data(user['client-key-data'], user['client-key']),
    token: user.token,
  };
}

/**
 * A user agent in client-go's shape ("kube-controller-manager/v1.33.1+kumo (linux/amd64) kumo"): the
 * part before "/" is what the API server records as the field manager of the component's writes.
 */
export function componentUserAgent(component: string): string {
  const arch = process.arch === 'x64' ? 'amd64' : process.arch;
  return `${component}/v1.33.1+kumo (${process.platform}/${arch}) kumo`;
}

export class APIError extends Error {
  constructor(readonly code: number, readonly status: { reason?: string; message?: string } | undefined, text: string) {
    super(status?.message ?? text);
  }
}

export type WatchHandler = (type: string, object: Record<string, unknown>) => void;

export class RESTClient {
  private agent: http.Agent;
  /** watches hold their connection for minutes: a pool of their own, unbounded, so that many
   *  informers never starve ordinary requests of sockets (client-go multiplexes them over HTTP/2) */
  private watchAgent: http.Agent;
  private readonly base: URL;

  /** keep-alive sockets for ordinary requests (default 32) */
  private readonly maxSockets: number;

  constructor(public config: ClientConfig, readonly userAgent = 'kumo', opts: { maxSockets?: number } = {}) {
    this.base = new URL(config.server);
    this.maxSockets = opts.maxSockets ?? 32;
    this.agent = RESTClient.agentFor(config, this.maxSockets);
    this.watchAgent = RESTClient.agentFor(config, Infinity);
  }

  private static agentFor(c: ClientConfig, maxSockets = 32): http.Agent {
    if (c.socketPath) return new http.Agent({ keepAlive: true, maxSockets });
    return new https.Agent({ keepAlive: true, maxSockets, ca: c.ca, cert: c.cert, key: c.key });
  }

  private send(opts: https.RequestOptions, cb: (res: http.IncomingMessage) => void): http.ClientRequest {
    return this.config.socketPath ? http.request({ ...opts, socketPath: this.config.socketPath }, cb) : https.request(opts, cb);
  }

  /** Use renewed client credentials for new connections (open watches keep theirs until they end). */
  setCredentials(cert: Buffer, key: Buffer): void {
    const old = [this.agent, this.watchAgent];
    this.config = { ...this.config, cert, key };
    this.agent = RESTClient.agentFor(this.config, this.maxSockets);
    this.watchAgent = RESTClient.agentFor(this.config, Infinity);
    // idle keep-alive sockets carry the old certificate; let busy ones finish (open watches end and resume)
    setTimeout(() => { for (const a of old) a.destroy(); }, 60_000).unref();
  }

  /** Accept headers of a view made by withAccept (undefined: plain JSON) */
  private accept?: { list: string; watch: string };

  /**
   * A view of this client that asks for other representations (e.g. meta.k8s.io
   * PartialObjectMetadataList for LIST and PartialObjectMetadata for WATCH, client-go's metadata
   * client). It shares this client's connections and credentials, renewals included.
   */
  withAccept(list: string, watch: string = list): RESTClient {
    const view = Object.create(this) as RESTClient;
    view.accept = { list, watch };
    return view;
  }

  private options(method: string, path: string, headers: Record<string, string>, agent = this.agent): https.RequestOptions {
    const accept = this.accept ? (agent === this.agent ? this.accept.list : this.accept.watch) : 'application/json';
    return {
      host: this.base.hostname, port: this.base.port || 443, method, path, agent,
      headers: {
        accept, 'user-agent': this.userAgent,
        ...(this.config.token ? { authorization: `Bearer ${this.config.token}` } : {}),
        ...headers,
      },
    };
  }

  /** JSON request; rejects with APIError on a non-2xx answer. */
  request<T = Record<string, unknown>>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<T> {
    return new Promise((resolve, reject) => {
      const data = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = this.send(this.options(method, path, data ? { 'content-type': contentType, 'content-length': String(data.length) } : {}), (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try { json = text ? JSON.parse(text) : undefined; } catch { /* not JSON */ }
          if ((res.statusCode ?? 500) >= 300) reject(new APIError(res.statusCode ?? 500, json as APIError['status'], text));
          else resolve(json as T);
        });
        res.on('error', reject);
      });
      req.on('error', reject);
      if (data) req.write(data);
      req.end();
    });
  }

  /** Stream watch events from `path` (which must include watch=true). Returns a stop function. */
  watch(path: string, onEvent: WatchHandler, onClose: (err?: Error) => void): () => void {
    let closed = false;
    const req = this.send(this.options('GET', path, {}, this.watchAgent), (res) => {
      if ((res.statusCode ?? 500) >= 300) {
        res.resume();
        closed = true;
        onClose(new APIError(res.statusCode ?? 500, undefined, `watch ${path}: HTTP ${res.statusCode}`));
        return;
      }
      let buf = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => {
        buf += d;
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const line = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!line.trim()) continue;
          try {
            const ev = JSON.parse(line) as { type: string; object: Record<string, unknown> };
            onEvent(ev.type, ev.object);
          } catch (err) {
            req.destroy(err as Error);
          }
        }
      });
      res.on('end', () => { if (!closed) { closed = true; onClose(); } });
      res.on('error', (e) => { if (!closed) { closed = true; onClose(e); } });
    });
    req.on('error', (e) => { if (!closed) { closed = true; onClose(e); } });
    req.end();
    return () => { closed = true; req.destroy(); };
  }

  close(): void {
    this.agent.destroy();
    this.watchAgent.destroy();
  }
}
