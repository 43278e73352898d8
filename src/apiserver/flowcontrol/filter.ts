// The request filter (upstream WithPriorityAndFairness): classify, wait for a seat, tag the
// response with the FlowSchema and priority level UIDs, and give the seat back when the response
// is done — or, for long-running requests (watches, exec, logs), as soon as they have started.
// A refused request gets upstream's plain-text 429 with Retry-After.
import type { RequestContext } from '../http/types.js';
import { isLongRunning } from '../audit/index.js';
import { FlowControl, RejectedError } from './flowcontrol.js';

/** Resolves true when the request may proceed; false when it was answered with 429. */
export async function priorityAndFairness(fc: FlowControl, ctx: RequestContext): Promise<boolean> {
  const { info, user, res } = ctx;
  let seat;
  try {
    seat = await fc.admit({
      user: { name: user.name, groups: user.groups ?? [] }, isResourceRequest: info.isResourceRequest, verb: info.verb,
      apiGroup: info.apiGroup, resource: info.resource, subresource: info.subresource, namespace: info.namespace, path: info.path,
    });
  } catch (err) {
    if (!(err instanceof RejectedError)) throw err;
    const body = 'Too many requests, please try again later.\n';
    res.writeHead(429, { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff', 'retry-after': '1', 'content-length': String(Buffer.byteLength(body)) });
    res.end(body);
    return false;
  }
  if (!seat) return true;
  res.setHeader('X-Kubernetes-PF-FlowSchema-UID', seat.flowSchema.metadata.uid ?? '');
  res.setHeader('X-Kubernetes-PF-PriorityLevel-UID', seat.priorityLevel.metadata.uid ?? '');
  if (isLongRunning(info)) { seat.release(); return true; }
  res.once('finish', seat.release);
  res.once('close', seat.release);
  return true;
}
