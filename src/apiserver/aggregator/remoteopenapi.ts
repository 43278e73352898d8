// OpenAPI of extension API servers (upstream's aggregator OpenAPI controllers): for every Available
// APIService the aggregator downloads the server's /openapi/v2 document and its /openapi/v3 document
// for the APIService's group version. v2 paths under /apis/<group>/<version> and the definitions they
// bring are merged into Kumo's /openapi/v2 (Kumo's own paths and definitions win on a name clash);
// the v3 document is cached and listed in Kumo's /openapi/v3 index with its own hash.
import { createHash } from 'node:crypto';
import type { APIService } from './apiservice.js';
import type { Endpoint } from './resolver.js';
import { tlsTargetOf, type ProxyTransport } from './transport.js';

export interface SerializedDoc { json: string; hash: string; etag: string }

interface V2Part { paths: Record<string, unknown>; definitions: Record<string, unknown> }

function serialize(doc: unknown): SerializedDoc {
  const json = JSON.stringify(doc);
  const hash = createHash('sha512').update(json).digest('hex').toUpperCase();
  return { json, hash, etag: `"${hash}"` };
}

const v3Key = (group: string, version: string) => (group ? `apis/${group}/${version}` : `api/${version}`);

export class RemoteOpenAPI {
  private readonly v2 = new Map<string, V2Part>();
  private readonly v3 = new Map<string, SerializedDoc>();
  private generation = 0;
  private merged?: { local: string; generation: number; doc: SerializedDoc };

  constructor(private readonly transport: ProxyTransport) {}

  /** Downloads the APIService's documents; true when what Kumo serves changed. A failed download keeps the last. */
  async refresh(a: APIService, ep: Endpoint): Promise<boolean> {
    const group = a.spec?.group ?? '';
    const version = a.spec?.version ?? '';
    const gv = `${group}/${version}`;
    const t = tlsTargetOf(a);
    let changed = false;
    try {
      const r = await this.transport.get(ep, t, '/openapi/v2', 'application/json', 5000);
      if (r.status === 200) {
        const doc = JSON.parse(r.body) as { paths?: Record<string, unknown>; definitions?: Record<string, unknown> };
        const prefix = `/apis/${group}/${version}`;
        const paths = Object.fromEntries(Object.entries(doc.paths ?? {}).filter(([p]) => p === prefix || p.startsWith(`${prefix}/`)));
        const part = { paths, definitions: doc.definitions ?? {} };
        if (JSON.stringify(this.v2.get(gv)) !== JSON.stringify(part)) { this.v2.set(gv, part); changed = true; }
      }
    } catch { /* keep the last document */ }
    try {
      const key = v3Key(group, version);
      const idx = await this.transport.get(ep, t, '/openapi/v3', 'application/json', 5000);
      const url = idx.status === 200 ? (JSON.parse(idx.body) as { paths?: Record<string, { serverRelativeURL?: string }> }).paths?.[key]?.serverRelativeURL : undefined;
      if (url) {
        const r = await this.transport.get(ep, t, url, 'application/json', 5000);
        if (r.status === 200) {
          const doc = serialize(JSON.parse(r.body));
          if (this.v3.get(key)?.hash !== doc.hash) { this.v3.set(key, doc); changed = true; }
        }
      }
    } catch { /* keep the last document */ }
    if (changed) this.generation++;
    return changed;
  }

  /** the APIService is gone: its documents go too */
  forget(group: string, version: string): boolean {
    const a = this.v2.delete(`${group}/${version}`);
    const b = this.v3.delete(v3Key(group, version));
    if (a || b) this.generation++;
    return a || b;
  }

  /** Kumo's /openapi/v2 with every extension server's paths and definitions added (cached until either changes) */
  mergeV2(local: SerializedDoc): SerializedDoc {
    if (this.v2.size === 0) return local;
    if (this.merged?.local === local.hash && this.merged.generation === this.generation) return this.merged.doc;
    const doc = JSON.parse(local.json) as { paths?: Record<string, unknown>; definitions?: Record<string, unknown> };
    const paths = (doc.paths ??= {});
    const defs = (doc.definitions ??= {});
    for (const part of this.v2.values()) {
      for (const [p, v] of Object.entries(part.paths)) if (!(p in paths)) paths[p] = v;
      for (const [d, v] of Object.entries(part.definitions)) if (!(d in defs)) defs[d] = v;
    }
    const out = serialize(doc);
    this.merged = { local: local.hash, generation: this.generation, doc: out };
    return out;
  }

  /** the /openapi/v3 index with the extension servers' group versions added */
  v3Index(local: { paths: Record<string, { serverRelativeURL: string }> }): { paths: Record<string, { serverRelativeURL: string }> } {
    if (this.v3.size === 0) return local;
    const paths = { ...local.paths };
    for (const [key, doc] of this.v3) if (!(key in paths)) paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=${doc.hash}` };
    return { paths: Object.fromEntries(Object.keys(paths).sort().map((k) => [k, paths[k]])) };
  }

  /** an extension server's v3 document by index key ("apis/<group>/<version>") */
  v3Doc(key: string): SerializedDoc | undefined { return this.v3.get(key); }

  /** changes with every document change (for callers caching what they build from it) */
  get version(): number { return this.generation; }
}
