// Calling a webhook: HTTPS POST of the AdmissionReview to its url, or to an endpoint of its service
// (verified as <name>.<namespace>.svc), trusting its caBundle (the system roots when empty), within
// timeoutSeconds. Failures read like upstream's Go client ("Post \"…\": dial tcp …: connect:
// connection refused", "context deadline exceeded"). Connections are kept alive per CA bundle.

import https from 'node:https';
import type { WebhookClientConfig } from './types.js';

/** where a service-referenced webhook listens, or why it cannot be reached */
export type ServiceResolver = (namespace: string, name: string, port: number) => { host: string; port: number } | { error: string };

export interface WebhookTarget {
  /** the URL as upstream names it in errors (service: https://name.ns.svc:port/path) */
  url: string;
  host: string;
  port: number;
  path: string;
  servername?: string;
}

export function targetOf(cc: WebhookClientConfig, resolve: ServiceResolver): WebhookTarget | { error: string } {
  if (cc.url) {
    const u = new URL(cc.url);
    const host = u.hostname.replace(/^\[|\]$/g, '');
    return { url: cc.url, host, port: Number(u.port || 443), path: `${u.pathname}${u.search}` };
  }
  const svc = cc.service!;
  const port = svc.port ?? 443;
  const r = resolve(svc.namespace, svc.name, port);
  if ('error' in r) return r;
  const path = svc.path ?? '';
  const dns = `${svc.name}.${svc.namespace}.svc`;
  return { url: `https://${dns}:${port}${path}`, host: r.host, port: r.port, path: path || '/', servername: dns };
}

const agents = new Map<string, https.Agent>();

function agentFor(caBundle: string | undefined): https.Agent {
  const key = caBundle ?? '';
  let a = agents.get(key);
  if (!a) {
    const ca = caBundle ? Buffer.from(caBundle, 'base64').toString('utf8') : undefined;
    a = new https.Agent({ keepAlive: true, ca, maxSockets: 64 });
    if (agents.size > 256) { for (const old of agents.values()) old.destroy(); agents.clear(); }
    agents.set(key, a);
  }
  return a;
}

export interface Reply { status: number; body: string }

function describe(err: NodeJS.ErrnoException, t: WebhookTarget): string {
  const addr = `${t.host.includes(':') ? `[${t.host}]` : t.host}:${t.port}`;
  switch (err.code) {
    case 'ECONNREFUSED': return `dial tcp ${addr}: connect: connection refused`;
    case 'ECONNRESET': return 'EOF';
    case 'EHOSTUNREACH': return `dial tcp ${addr}: connect: no route to host`;
    case 'ENOTFOUND': return `dial tcp: lookup ${t.host}: no such host`;
    case 'DEPTH_ZERO_SELF_SIGNED_CERT': case 'SELF_SIGNED_CERT_IN_CHAIN': case 'UNABLE_TO_VERIFY_LEAF_SIGNATURE':
    case 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY':
      return 'tls: failed to verify certificate: x509: certificate signed by unknown authority';
    case 'CERT_HAS_EXPIRED': return 'tls: failed to verify certificate: x509: certificate has expired or is not yet valid';
    case 'ERR_TLS_CERT_ALTNAME_INVALID': return `tls: failed to verify certificate: x509: ${err.message}`;
    default: return err.message;
  }
}

/**
 * POST body; resolves with the HTTP reply, rejects with the Go-style reason (without the
 * "failed to call webhook" prefix, which the dispatcher adds).
 */
export function post(t: WebhookTarget, caBundle: string | undefined, body: string, timeoutSeconds: number): Promise<Reply> {
  const sep = t.path.includes('?') ? '&' : '?';
  const path = `${t.path}${sep}timeout=${timeoutSeconds}s`;
  const shownURL = `${t.url}${t.url.includes('?') ? '&' : '?'}timeout=${timeoutSeconds}s`;
  return new Promise((resolve, reject) => {
    let done = false;
    const finish = (fn: () => void) => { if (!done) { done = true; clearTimeout(timer); fn(); } };
    const req = https.request({
      host: t.host, port: t.port, path, method: 'POST', agent: agentFor(caBundle), servername: t.servername,
      headers: { 'content-type': 'application/json', accept: 'application/json, */*', 'content-length': Buffer.byteLength(body) },
    }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => finish(() => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') })));
      res.on('error', (e) => finish(() => reject(new Error(`Post "${shownURL}": ${describe(e, t)}`))));
    });
    const timer = setTimeout(() => {
      finish(() => reject(new Error(`Post "${shownURL}": context deadline exceeded`)));
      req.destroy();
    }, timeoutSeconds * 1000);
    req.on('error', (e: NodeJS.ErrnoException) => finish(() => reject(new Error(`Post "${shownURL}": ${describe(e, t)}`))));
    req.end(body);
  });
}

/** client-go's error for a non-2xx answer */
export function httpStatusError(r: Reply): string {
  try {
    const s = JSON.parse(r.body) as { kind?: string; message?: string };
    if (s && s.kind === 'Status' && s.message) return s.message;
  } catch { /* not a Status */ }
  const text = r.body.trim();
  if (r.status >= 500 && text) return `an error on the server (${JSON.stringify(text.slice(0, 1024))}) has prevented the request from succeeding`;
  return `the server responded with the status code ${r.status} but did not return more information`;
}
