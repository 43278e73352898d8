// /openapi/v2 and /openapi/v3: documents built lazily from the schema registry on first request,
// cached as bytes, and served with ETags (v3 group documents are immutable per hash, as upstream).
// /openapi/v2 is also served as gnostic protobuf when asked for and the descriptor was extracted at
// build time; it is encoded from the JSON bytes and shares their ETag, as kube-openapi does.
import { StatusError, resourceNotFound } from '../machinery/errors.js';
import { openAPIv2Serialized, openAPIv3Serialized, buildOpenAPIv3Index } from '../api/schema/index.js';
import { encodeOpenAPIv2, gnosticAvailable, negotiateOpenAPIv2, OPENAPI_V2_PROTOBUF } from './openapi-proto/index.js';
import type { ResourceType } from '../api/types.js';
import type { APIRegistry } from './apis.js';
import type { RequestContext } from './http/types.js';
import type { RemoteOpenAPI } from './aggregator/remoteopenapi.js';

export class OpenAPIHandler {
  private index?: string;
  private indexFor?: ResourceType[];
  private v2Proto?: { etag: string; bytes: Buffer };
  private indexVersion = -1;
  /** extension API servers' documents (the aggregator), merged into what is served */
  remote?: RemoteOpenAPI;
  constructor(private readonly registry: APIRegistry) {}

  private served?: ResourceType[];

  /** The served types; the same array while they are unchanged, since documents are cached per array. */
  private types(): ResourceType[] {
    const now = this.registry.allTypes();
    const prev = this.served;
    if (!prev || prev.length !== now.length || now.some((t, i) => t !== prev[i])) this.served = now;
    return this.served!;
  }

  serve(ctx: RequestContext, path: string): void {
    const { req, res } = ctx;
    if (path === '/openapi/v2') {
      res.setHeader('vary', 'Accept');
      const format = negotiateOpenAPIv2(req.headers.accept, gnosticAvailable());
      if (!format) {
        // upstream answers an unservable Accept with a bare 406
        res.writeHead(406, { 'content-length': '0' });
        res.end();
        return;
      }
      const local = openAPIv2Serialized(this.types());
      const doc = this.remote ? this.remote.mergeV2(local) : local;
      if (format === 'protobuf') {
        if (this.v2Proto?.etag !== doc.etag) this.v2Proto = { etag: doc.etag, bytes: Buffer.from(encodeOpenAPIv2(JSON.parse(doc.json) as object)) };
        return write(ctx, this.v2Proto.bytes, doc.etag, OPENAPI_V2_PROTOBUF, false);
      }
      return write(ctx, doc.json, doc.etag, 'application/json', false);
    }
    if (path === '/openapi/v3' || path === '/openapi/v3/') {
      // rebuilt when the served types change (CRDs come and go)
      const types = this.types();
      const rv = this.remote?.version ?? 0;
      if (!this.index || this.indexFor !== types || this.indexVersion !== rv) {
        const local = buildOpenAPIv3Index(types);
        this.index = JSON.stringify(this.remote ? this.remote.v3Index(local) : local);
        this.indexFor = types; this.indexVersion = rv;
      }
      return write(ctx, this.index, undefined, 'application/json', false);
    }
    if (path.startsWith('/openapi/v3/')) {
      const rel = path.slice('/openapi/v3/'.length);
      const gv = rel.startsWith('api/') ? rel.slice(4) : rel.startsWith('apis/') ? rel.slice(5) : '';
      const doc = (gv ? openAPIv3Serialized(this.types(), gv) : undefined) ?? this.remote?.v3Doc(rel);
      if (!doc) throw resourceNotFound();
      const immutable = ctx.query.get('hash') === doc.hash;
      return write(ctx, doc.json, doc.etag, 'application/json', immutable);
    }
    void res;
    throw resourceNotFound();
  }
}

function write(ctx: RequestContext, body: string | Buffer, etag: string | undefined, contentType: string, immutable: boolean): void {
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
