// A metadata-only view of the API for the collector's own monitors (client-go's metadata client):
// LIST and WATCH asking for meta.k8s.io PartialObjectMetadata(List), with plain JSON as the fallback
// the server may pick. The collector needs nothing but metadata, and 150k pods' specs are a lot of
// bytes to move and parse. It mirrors RESTClient.request/watch so that the shared reflector can run
// on it; credentials are read from the RESTClient's config at every request, so renewals carry over.
import https from 'node:https';
import { APIError, type RESTClient, type WatchHandler } from '../../client/rest.js';

export const ACCEPT_METADATA_LIST = 'application/json;as=PartialObjectMetadataList;v=v1;g=meta.k8s.io,application/json';
export const ACCEPT_METADATA = 'application/json;as=PartialObjectMetadata;v=v1;g=meta.k8s.io,application/json';

export class MetadataClient {
  private agent: https.Agent | undefined;
  private agentFor: RESTClient['config'] | undefined;

  constructor(private readonly client: RESTClient) {}

  private options(path: string, accept: string): https.RequestOptions {
    const c = this.client.config;
    if (this.agentFor !== c) {
      this.agent?.destroy();
      this.agent = new https.Agent({ keepAlive: true, maxSockets: 8, ca: c.ca, cert: c.cert, key: c.key });
      this.agentFor = c;
    }
    const base = new URL(c.server);
    return {
      host: base.hostname, port: base.port || 443, method: 'GET', path, agent: this.agent,
      headers: { accept, 'user-agent': `${this.client.userAgent}/metadata`, ...(c.token ? { authorization: `Bearer ${c.token}` } : {}) },
    };
  }

  /** GET of a collection as PartialObjectMetadataList (only GET is supported). */
  request<T = Record<string, unknown>>(method: string, path: string): Promise<T> {
    if (method !== 'GET') return Promise.reject(new Error(`metadata client: ${method} not supported`));
    return new Promise((resolve, reject) => {
      const req = https.request(this.options(path, ACCEPT_METADATA_LIST), (res) => {
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
      req.end();
    });
  }

  /** A watch whose events carry PartialObjectMetadata objects. */
  watch(path: string, onEvent: WatchHandler, onClose: (err?: Error) => void): () => void {
    let closed = false;
    const close = (e?: Error) => { if (!closed) { closed = true; onClose(e); } };
    const req = https.request(this.options(path, ACCEPT_METADATA), (res) => {
      if ((res.statusCode ?? 500) >= 300) {
        res.resume();
        close(new APIError(res.statusCode ?? 500, undefined, `watch ${path}: HTTP ${res.statusCode}`));
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
          let ev: { type: string; object: Record<string, unknown> };
          try { ev = JSON.parse(line) as typeof ev; } catch (err) { req.destroy(err as Error); return; }
          onEvent(ev.type, ev.object);
        }
      });
      res.on('end', () => close());
      res.on('error', (e) => close(e));
    });
    req.on('error', (e) => close(e));
    req.end();
    return () => { closed = true; req.destroy(); };
  }

  /** Seen by the reflector as a RESTClient: it only calls request('GET') and watch(). */
  asRESTClient(): RESTClient { return this as unknown as RESTClient; }

  close(): void { this.agent?.destroy(); this.agent = undefined; this.agentFor = undefined; }
}
