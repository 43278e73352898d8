// POST /api/v1/namespaces/NS/serviceaccounts/NAME/token (TokenRequest): issue a bound
// service-account token, as upstream's serviceaccounts/token subresource — audiences default to
// the API server's, expirationSeconds defaults to an hour (at least 10 minutes), and a
// boundObjectRef must name an existing Pod, Secret or Node (with that uid, when one is given).
import type { KObject } from '../../api/types.js';
import { StatusError, badRequest, conflict, field, invalid, type FieldError } from '../../machinery/errors.js';
import { decodeObject, readBody } from '../http/body.js';
import { writeJSON } from '../http/respond.js';
import type { RequestContext } from '../http/types.js';
import type { VirtualHandler } from '../virtual.js';
import type { BoundKind, ServiceAccountTokens } from './serviceaccount.js';

export const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;

/** reads a stored object consistently (after the cache caught up); undefined: not found */
export type ConsistentGetter = (resource: 'serviceaccounts' | 'pods' | 'secrets' | 'nodes', namespace: string, name: string) => Promise<KObject | undefined>;

const KIND = 'TokenRequest';
const GROUP = 'authentication.k8s.io';

interface BoundObjectRef { kind?: string; apiVersion?: string; name?: string; uid?: string }

/** upstream ValidateTokenRequest */
export function validateTokenRequest(spec: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const exp = spec.expirationSeconds;
  if (typeof exp === 'number') {
    if (exp < MIN_EXPIRATION_SECONDS) errs.push(field.invalid('spec.expirationSeconds', exp, 'may not specify a duration less than 10 minutes'));
    if (exp > MAX_EXPIRATION_SECONDS) errs.push(field.invalid('spec.expirationSeconds', exp, 'may not specify a duration larger than 2^32 seconds'));
  }
  return errs;
}

export function tokenRequestHandler(tokens: ServiceAccountTokens, get: ConsistentGetter): VirtualHandler {
  return async (ctx: RequestContext) => {
    const { info, req, res } = ctx;
    if (info.verb !== 'create') {
      throw new StatusError(405, 'MethodNotAllowed', 'the server does not allow this method on the requested resource');
    }
    const ns = info.namespace;
    const name = info.name;
    const body = decodeObject(await readBody(req), req.headers['content-type'], KIND);
    const meta = (body.metadata ?? {}) as Record<string, unknown>;
    const spec = { ...((body.spec ?? {}) as Record<string, unknown>) };
    if (typeof spec.expirationSeconds !== 'number') spec.expirationSeconds = DEFAULT_EXPIRATION_SECONDS;
    const errs = validateTokenRequest(spec);
    if (errs.length) throw invalid(KIND, GROUP, name, errs);
    if (meta.name && meta.name !== name) {
      throw invalid(KIND, GROUP, name, [field.invalid('metadata.name', meta.name, 'must match the service account name if specified')]);
    }
    if (meta.namespace && meta.namespace !== ns) {
      throw invalid(KIND, GROUP, name, [field.invalid('metadata.namespace', meta.namespace, 'must match the service account namespace if specified')]);
    }
    const sa = await get('serviceaccounts', ns, name);
    if (!sa) throw new StatusError(404, 'NotFound', `serviceaccounts "${name}" not found`, { name, kind: 'serviceaccounts' });

    let bound: { kind: BoundKind; object: KObject } | undefined;
    let node: KObject | undefined;
    const ref = spec.boundObjectRef as BoundObjectRef | undefined;
    if (ref) {
      const group = (ref.apiVersion ?? '').includes('/') ? ref.apiVersion!.split('/')[0] : '';
      const version = (ref.apiVersion ?? '').includes('/') ? ref.apiVersion!.split('/')[1] : ref.apiVersion ?? '';
      const refName = ref.name ?? '';
      const missing = (resource: string) => new StatusError(404, 'NotFound', `${resource} "${refName}" not found`, { name: refName, kind: resource });
      if (group === '' && ref.kind === 'Pod') {
        const pod = await get('pods', ns, refName);
        if (!pod) throw missing('pods');
        // pods admitted without the ServiceAccount plugin run as "default"
        const podSA = ((pod.spec as Record<string, unknown> | undefined)?.serviceAccountName as string | undefined) || 'default';
        if (podSA !== name) throw badRequest(`cannot bind token for serviceaccount ${JSON.stringify(name)} to pod running with serviceaccount ${JSON.stringify(podSA)}`);
        bound = { kind: 'Pod', object: pod };
        const nodeName = (pod.spec as Record<string, unknown> | undefined)?.nodeName as string | undefined;
        if (nodeName) node = await get('nodes', '', nodeName);
      } else if (group === '' && ref.kind === 'Secret') {
        const secret = await get('secrets', ns, refName);
        if (!secret) throw missing('secrets');
        bound = { kind: 'Secret', object: secret };
      } else if (group === '' && ref.kind === 'Node') {
        const n = await get('nodes', '', refName);
        if (!n) throw missing('nodes');
        bound = { kind: 'Node', object: n };
      } else {
        throw badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${ref.kind ?? ''}`);
      }
      const uid = String(bound.object.metadata?.uid ?? '');
      if (ref.uid && ref.uid !== uid) {
        throw conflict('', ref.kind!, refName, `the UID in the bound object reference (${ref.uid}) does not match the UID in record (${uid}). The object might have been deleted and then recreated`);
      }
    }
    const audiences = Array.isArray(spec.audiences) && spec.audiences.length ? (spec.audiences as string[]) : tokens.apiAudiences;
    spec.audiences = audiences;
    const { token, exp } = await tokens.issue({ serviceAccount: sa, audiences, expirationSeconds: spec.expirationSeconds as number, bound, node });
    const out = {
      kind: KIND, apiVersion: `${GROUP}/v1`,
      metadata: { name, namespace: ns, creationTimestamp: null },
      spec: { audiences, expirationSeconds: spec.expirationSeconds, boundObjectRef: ref ?? null },
      status: { token, expirationTimestamp: new Date(exp * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    };
    writeJSON(res, 201, out);
  };
}
