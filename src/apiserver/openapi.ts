// /openapi/v2 and /openapi/v3: documents built lazily from the schema registry on first request,
// cached as bytes, and served with ETags (v3 group documents are immutable per hash, as upstream).
import { StatusError } from '../machinery/errors.js';
import { openAPIv2Serialized, openAPIv3Serialized, buildOpenAPIv3Index } from '../api/schema/index.js';
import type { ResourceType } from '../api/types.js';
import type { APIRegistry } from './apis.js';
import type { RequestContext } from './http/types.js';

export class OpenAPIHandler {
  private index?: string;
  constructor(private readonly registry: APIRegistry) {}

  private types(): ResourceType[] {
    return this.registry.all().map((s) => s.type);
  }

  serve(ctx: RequestContext, path: string): void {
    const { req, res } = ctx;
    if (path === '/openapi/v2') {
      const accept = req.headers.accept ?? '';
      if (accept && !/application\/json|\*\/\*/.test(accept)) {
        throw new StatusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json');
      }
      const doc = openAPIv2Serialized(this.types());
      return write(ctx, doc.json, doc.etag, 'application/json', false);
    }
    if (path === '/openapi/v3' || path === '/openapi/v3/') {
      if (!this.index) this.index = JSON.stringify(buildOpenAPIv3Index(this.types()));
      return write(ctx, this.index, undefined, 'application/json', false);
    }
    if (path.startsWith('/openapi/v3/')) {
      const rel = path.slice('/openapi/v3/'.length);
      const gv = rel.startsWith('api/') ? rel.slice(4) : rel.startsWith('apis/') ? rel.slice(5) : '';
      const doc = gv ? openAPIv3Serialized(this.types(), gv) : undefined;
      if (!doc) throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
      const immutable = ctx.query.get('hash') === doc.hash;
      return write(ctx, doc.json, doc.etag, 'application/json', immutable);
    }
    void res;
    throw new StatusError(404, 'NotFound', 'the server could not find the requested resource');
  }
}

function write(ctx: RequestContext, body: string, etag: string | undefined, contentType: string, immutable: boolean): void {
  const { req, res } = ctx;
  const headers: Record<string, string> = {
    'content-type': contentType,
    'cache-control': immutable ? 'public, immutable' : 'no-cache, private',
  };
  if (etag) headers.etag = etag;
  if (etag && req.headers['if-none-match'] === etag) {
    res.writeHead(304, headers);
    res.end();
    return;
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  res.writeHead(200, headers);
  res.end(body);
}
