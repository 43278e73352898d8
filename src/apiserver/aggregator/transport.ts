// HTTPS to extension API servers: HTTP/1.1 over TLS with the front-proxy client certificate
// (--proxy-client-cert-file). The server certificate is checked against spec.caBundle for the name
// <service>.<namespace>.svc, unless spec.insecureSkipTLSVerify — as upstream's BuildTransportConfig.
// The availability probe skips verification, as upstream's does.
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { OutgoingHttpHeaders } from 'node:http';
import type { APIService } from './apiservice.js';
import { authProxyHeaders } from './headers.js';
import type { Endpoint } from './resolver.js';

export interface ClientCertificate { certPem: string; keyPem: string }

/** the identity the aggregator uses for its own requests (availability and discovery) */
export const AGGREGATOR_USER = { name: 'system:kube-aggregator', groups: ['system:masters'] };

export interface TLSTarget {
  ca?: string;
  rejectUnauthorized: boolean;
  servername?: string;
}

export function tlsTargetOf(a: APIService): TLSTarget {
  const spec = a.spec ?? {};
  const svc = spec.service;
  const ca = spec.caBundle ? Buffer.from(spec.caBundle, 'base64').toString('utf8') : undefined;
  return {
    ca, rejectUnauthorized: !spec.insecureSkipTLSVerify,
    servername: svc ? `${svc.name}.${svc.namespace}.svc` : undefined,
  };
}

export class ProxyTransport {
  private readonly agents = new Map<string, https.Agent>();

  constructor(private readonly clientCert: () => ClientCertificate | undefined) {}

  /** a keep-alive agent per TLS configuration (and client certificate, which may be renewed) */
  agent(t: TLSTarget): https.Agent {
    const cc = this.clientCert();
    const key = JSON.stringify([t.ca ?? '', t.rejectUnauthorized, t.servername ?? '', cc?.certPem ?? '']);
    let a = this.agents.get(key);
    if (!a) {
      a = new https.Agent({
        keepAlive: true, maxSockets: 256, ca: t.ca, rejectUnauthorized: t.rejectUnauthorized, servername: t.servername,
        cert: cc?.certPem, key: cc?.keyPem,
      });
      this.agents.set(key, a);
    }
    return a;
  }

  request(ep: Endpoint, t: TLSTarget, method: string, path: string, headers: OutgoingHttpHeaders,
    onResponse: (res: IncomingMessage) => void): import('node:http').ClientRequest {
    return https.request({
      host: ep.host, port: ep.port, method, path, headers, agent: this.agent(t), servername: t.servername,
    }, onResponse);
  }

  /** GET with the aggregator's identity; resolves status and body (bounded by timeoutMs) */
  get(ep: Endpoint, t: TLSTarget, path: string, accept: string, timeoutMs: number): Promise<{ status: number; body: string; contentType: string }> {
    return new Promise((resolve, reject) => {
      const req = this.request(ep, t, 'GET', path, { accept, ...authProxyHeaders(AGGREGATOR_USER) }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => { clearTimeout(timer); resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), contentType: String(res.headers['content-type'] ?? '') }); });
        res.on('error', (e) => { clearTimeout(timer); reject(e); });
      });
      const timer = setTimeout(() => req.destroy(Object.assign(new Error('timeout'), { timedOut: true })), timeoutMs);
      req.on('error', (e) => { clearTimeout(timer); reject(e); });
      req.end();
    });
  }

  /** the availability probe: verification off, 5 s budget */
  async probe(ep: Endpoint, path: string): Promise<number> {
    const r = await this.get(ep, { rejectUnauthorized: false }, path, 'application/json, */*', 5000);
    return r.status;
  }

  close(): void {
    for (const a of this.agents.values()) a.destroy();
    this.agents.clear();
  }
}
