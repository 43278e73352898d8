// authentication.k8s.io/v1 TokenReview (who is this bearer token?) and SelfSubjectReview (who am
// I? — `kubectl auth whoami`): create-only resources answered by computation, as upstream.
import { badRequest } from '../../machinery/errors.js';
import { decodeObject, readBody } from '../http/body.js';
import { writeJSON } from '../http/respond.js';
import type { RequestContext, UserInfo } from '../http/types.js';
import type { VirtualHandler } from '../virtual.js';
import type { TokenUnion } from './token.js';

const GROUP = 'authentication.k8s.io';

/** authentication.k8s.io UserInfo: empty fields are left out (omitempty) */
export function reviewUser(u: UserInfo): Record<string, unknown> {
  const out: Record<string, unknown> = { username: u.name };
  if (u.uid) out.uid = u.uid;
  if (u.groups.length) out.groups = u.groups;
  if (u.extra && Object.keys(u.extra).length) out.extra = u.extra;
  return out;
}

/** The status of a TokenReview of `token` for `audiences` (empty: the API server's). */
export async function reviewToken(tokens: TokenUnion, token: string, audiences: string[]): Promise<Record<string, unknown>> {
  const auds = audiences.length ? audiences : tokens.apiAudiences;
  try {
    const r = await tokens.authenticateBearer(token, auds.length ? auds : undefined);
    const status: Record<string, unknown> = { authenticated: true, user: reviewUser(r.user) };
    if (r.audiences.length) status.audiences = r.audiences;
    return status;
  } catch (err) {
    return { user: {}, error: (err as Error).message };
  }
}

export function tokenReviewHandler(tokens: TokenUnion): VirtualHandler {
  return async (ctx: RequestContext) => {
    const body = decodeObject(await readBody(ctx.req), ctx.req.headers['content-type'], 'TokenReview');
    const spec = (body.spec ?? {}) as { token?: unknown; audiences?: unknown };
    if (typeof spec.token !== 'string' || spec.token === '') throw badRequest('token is required for TokenReview in authentication');
    const audiences = Array.isArray(spec.audiences) ? spec.audiences.filter((a): a is string => typeof a === 'string') : [];
    const status = await reviewToken(tokens, spec.token, audiences);
    writeJSON(ctx.res, 201, {
      kind: 'TokenReview', apiVersion: `${GROUP}/v1`,
      metadata: { ...((body.metadata ?? {}) as object), creationTimestamp: null },
      spec: { token: spec.token, ...(audiences.length ? { audiences } : {}) },
      status,
    });
  };
}

/** SelfSubjectReview in the given version (v1, or v1beta1 for older kubectl) */
export function selfSubjectReviewHandler(version: string): VirtualHandler {
  return async (ctx: RequestContext) => {
    const body = decodeObject(await readBody(ctx.req), ctx.req.headers['content-type'], 'SelfSubjectReview');
    writeJSON(ctx.res, 201, {
      kind: 'SelfSubjectReview', apiVersion: `${GROUP}/${version}`,
      metadata: { ...((body.metadata ?? {}) as object), creationTimestamp: null },
      status: { userInfo: reviewUser(ctx.user) },
    });
  };
}
