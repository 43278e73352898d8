// Content negotiation for /openapi/v2 as kube-openapi does it: the Accept clauses are ordered by
// quality, then by specificity (a concrete type before "*"), and the first clause that matches one of
// JSON, the deprecated "…spec.v2@v1.0+protobuf" or "…spec.v2.v1.0+protobuf" wins. No Accept means */*,
// so JSON. Both protobuf names are answered with the non-deprecated Content-Type.

export const OPENAPI_V2_PROTOBUF = 'application/com.github.proto-openapi.spec.v2.v1.0+protobuf';
const PROTOBUF_DEPRECATED_SUBTYPE = 'com.github.proto-openapi.spec.v2@v1.0+protobuf';
const PROTOBUF_SUBTYPE = 'com.github.proto-openapi.spec.v2.v1.0+protobuf';

export type OpenAPIv2Format = 'json' | 'protobuf';

interface Clause { type: string; subType: string; q: number }

function parseAccept(header: string): Clause[] {
  const clauses: Clause[] = [];
  for (const part of header.split(',')) {
    const [range, ...params] = part.trim().split(';');
    const sp = range.split('/');
    const type = sp[0].trim();
    let subType: string;
    if (sp.length === 1 && type === '*') subType = '*';
    else if (sp.length === 2) subType = sp[1].trim();
    else continue;
    let q = 1;
    for (const p of params) {
      const i = p.indexOf('=');
      if (i < 0) continue;
      if (p.slice(0, i).trim() === 'q') q = Number.parseFloat(p.slice(i + 1)) || 0;
    }
    clauses.push({ type, subType, q });
  }
  // stable: clauses of equal rank keep the client's order
  return clauses
    .map((c, i) => ({ c, i }))
    .sort((a, b) => b.c.q - a.c.q
      || Number(a.c.type === '*') - Number(b.c.type === '*')
      || Number(a.c.subType === '*') - Number(b.c.subType === '*')
      || a.i - b.i)
    .map((x) => x.c);
}

/**
 * The representation of /openapi/v2 to serve for this Accept header, or undefined for 406.
 * `protobuf` says whether the server can encode protobuf at all; without it only JSON matches.
 */
export function negotiateOpenAPIv2(accept: string | undefined, protobuf: boolean): OpenAPIv2Format | undefined {
  const offers: Array<{ subType: string; format: OpenAPIv2Format }> = [{ subType: 'json', format: 'json' }];
  if (protobuf) {
    offers.push({ subType: PROTOBUF_DEPRECATED_SUBTYPE, format: 'protobuf' }, { subType: PROTOBUF_SUBTYPE, format: 'protobuf' });
  }
  for (const clause of parseAccept(accept || '*/*')) {
    for (const offer of offers) {
      if (clause.type !== 'application' && clause.type !== '*') continue;
      if (clause.subType !== offer.subType && clause.subType !== '*') continue;
      return offer.format;
    }
  }
  return undefined;
}
