// Proxies one request for an aggregated group version to its extension API server, streaming both
// ways (watches stay open as long as both sides do). Errors are plain-text as upstream's proxy
// writes them: 503 "service unavailable" when no endpoint can be picked, and 503 "error trying to
// reach service: …" when the connection fails.
import type { RequestContext, Res } from '../http/types.js';
import type { APIService } from './apiservice.js';
import { proxyRequestHeaders, proxyResponseHeaders } from './headers.js';
import type { Endpoint } from './resolver.js';
import { tlsTargetOf, type ProxyTransport } from './transport.js';
import { goStyleError } from './availability.js';
import { hostPort } from './resolver.js';

export function plainError(res: Res, code: number, message: string): void {
  if (res.headersSent) { res.destroy(); return; }
  const body = `${message}\n`;
  res.writeHead(code, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'content-length': String(Buffer.byteLength(body)) });
  res.end(body);
}

export function proxyTo(ctx: RequestContext, a: APIService, ep: Endpoint, transport: ProxyTransport): Promise<void> {
  const { req, res, url } = ctx;
  const socket = (req.stream as unknown as { session?: { socket?: { remoteAddress?: string } } } | undefined)?.session?.socket ?? req.socket;
  const headers = proxyRequestHeaders(req.headers, ctx.user, socket?.remoteAddress);
  const path = url.pathname + url.search;
  return new Promise<void>((resolve) => {
    let done = false;
    const finish = () => { if (!done) { done = true; resolve(); } };
    const out = transport.request(ep, tlsTargetOf(a), req.method ?? 'GET', path, headers, (ures) => {
      res.writeHead(ures.statusCode ?? 502, proxyResponseHeaders(ures.headers));
      (res as unknown as { flushHeaders?: () => void }).flushHeaders?.();
      ures.pipe(res as unknown as NodeJS.WritableStream);
      ures.on('end', finish);
      ures.on('error', () => { res.destroy(); finish(); });
    });
    out.on('error', (err) => {
      const target = `https://${hostPort(ep)}${path}`;
      plainError(res, 503, `error trying to reach service: ${goStyleError(target, ep, err as Error & { code?: string }).replace(/^Get "[^"]*": /, '')}`);
      finish();
    });
    // the client went away (a watch closed): stop the upstream request too
    res.on('close', () => { out.destroy(); finish(); });
    req.pipe(out);
  });
}
