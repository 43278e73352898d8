// Response negotiation from the Accept header: plain JSON (or YAML), or a server-side
// transformation (meta.k8s.io Table / PartialObjectMetadata) as kubectl and controllers ask for.
import { StatusError } from '../../machinery/errors.js';

export interface Output {
  /** the transformation requested, if any */
  as?: 'Table' | 'PartialObjectMetadata' | 'PartialObjectMetadataList';
  /** meta.k8s.io version of the transformation */
  version?: string;
  contentType: 'application/json' | 'application/yaml';
}

interface Accepted { type: string; params: Record<string, string> }

function parseAccept(h: string): Accepted[] {
  return h.split(',').map((part) => {
    const [t, ...ps] = part.split(';').map((x) => x.trim());
    const params: Record<string, string> = {};
    for (const p of ps) {
      const i = p.indexOf('=');
      if (i > 0) params[p.slice(0, i).trim().toLowerCase()] = p.slice(i + 1).trim().replace(/^"|"$/g, '');
    }
    return { type: t.toLowerCase(), params };
  }).filter((a) => a.type);
}

/**
 * Pick the first acceptable representation. `transformable` is false for endpoints that cannot
 * produce Tables (e.g. discovery), where those clauses are skipped.
 */
export function negotiate(accept: string | undefined, transformable = true): Output {
  if (!accept) return { contentType: 'application/json' };
  const list = parseAccept(accept);
  for (const a of list) {
    const json = a.type === 'application/json' || a.type === '*/*' || a.type === 'application/*';
    const yaml = a.type === 'application/yaml';
    if (!json && !yaml) continue;
    const as = a.params['as'];
    if (as) {
      if (!transformable) continue;
      if (a.params['g'] !== 'meta.k8s.io') continue;
      const v = a.params['v'];
      if (v !== 'v1' && v !== 'v1beta1') continue;
      if (as === 'Table' || as === 'PartialObjectMetadata' || as === 'PartialObjectMetadataList') {
        return { as, version: v, contentType: yaml ? 'application/yaml' : 'application/json' };
      }
      continue;
    }
    return { contentType: yaml ? 'application/yaml' : 'application/json' };
  }
  // only protobuf or unknown types were offered
  throw new StatusError(406, 'NotAcceptable',
    'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}
