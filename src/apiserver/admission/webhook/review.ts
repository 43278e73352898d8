// AdmissionReview (admission.k8s.io/v1 and v1beta1): the request sent to a webhook and the checks
// its answer must pass (upstream webhook/request/admissionreview.go), with upstream's messages.

import type { KObject } from '../../../api/types.js';
import type { UserInfo } from '../../http/types.js';
import type { ResultStatus } from './errors.js';
import type { GroupVersionKind, GroupVersionResource } from './types.js';

export interface ReviewRequestInput {
  uid: string;
  /** what the webhook matched (possibly an equivalent version of the request) */
  kind: GroupVersionKind;
  resource: GroupVersionResource;
  subResource: string;
  requestKind: GroupVersionKind;
  requestResource: GroupVersionResource;
  requestSubResource: string;
  name: string;
  namespace: string;
  operation: string;
  user: UserInfo;
  object?: KObject;
  oldObject?: KObject;
  dryRun: boolean;
  options?: KObject;
}

/** the `request` of an AdmissionReview (also the `request` variable of matchConditions) */
export function admissionRequest(i: ReviewRequestInput): Record<string, unknown> {
  const userInfo: Record<string, unknown> = { username: i.user.name };
  if (i.user.uid) userInfo.uid = i.user.uid;
  if (i.user.groups?.length) userInfo.groups = i.user.groups;
  if (i.user.extra && Object.keys(i.user.extra).length) userInfo.extra = i.user.extra;
  const req: Record<string, unknown> = {
    uid: i.uid, kind: i.kind, resource: i.resource,
  };
  if (i.subResource) req.subResource = i.subResource;
  req.requestKind = i.requestKind;
  req.requestResource = i.requestResource;
  if (i.requestSubResource) req.requestSubResource = i.requestSubResource;
  if (i.name) req.name = i.name;
  if (i.namespace) req.namespace = i.namespace;
  req.operation = i.operation;
  req.userInfo = userInfo;
  req.object = i.object ?? null;
  req.oldObject = i.oldObject ?? null;
  req.dryRun = i.dryRun;
  req.options = i.options ?? null;
  return req;
}

/** the first AdmissionReview version the webhook accepts that this server speaks, in the webhook's order */
export function reviewVersion(accepted: string[] | undefined): 'v1' | 'v1beta1' | undefined {
  for (const v of accepted ?? []) if (v === 'v1' || v === 'v1beta1') return v;
  return undefined;
}

export function admissionReview(version: 'v1' | 'v1beta1', request: Record<string, unknown>): Record<string, unknown> {
  return { kind: 'AdmissionReview', apiVersion: `admission.k8s.io/${version}`, request };
}

export interface VerifiedResponse {
  allowed: boolean;
  patch?: string;
  patchType?: string;
  result?: ResultStatus;
  warnings: string[];
  auditAnnotations: Record<string, string>;
}

const isObj = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** decode a webhook's HTTP body as an AdmissionReview (client-go's Into) */
export function decodeReview(body: string): Record<string, unknown> {
  let v: unknown;
  try { v = JSON.parse(body); } catch (e) {
    throw new Error(`couldn't get version/kind; json parse error: ${(e as Error).message}`);
  }
  if (!isObj(v)) throw new Error(`couldn't get version/kind; json parse error: json: cannot unmarshal ${Array.isArray(v) ? 'array' : typeof v} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  if (!v.kind) throw new Error(`Object 'Kind' is missing in '${body.trim()}'`);
  return v;
}

/**
 * upstream VerifyAdmissionResponse: v1 answers must echo the uid and be admission.k8s.io/v1
 * AdmissionReview; a mutating answer carries patch and patchType together; a validating one neither.
 * v1beta1 answers are checked less (as upstream, for compatibility). Throws with upstream's message.
 */
export function verifyResponse(uid: string, version: 'v1' | 'v1beta1', mutating: boolean, review: Record<string, unknown>): VerifiedResponse {
  const r = review.response;
  if (!isObj(r)) throw new Error('webhook response was absent');
  const warnings = Array.isArray(r.warnings) ? r.warnings.filter((w): w is string => typeof w === 'string') : [];
  const auditAnnotations = isObj(r.auditAnnotations) ? r.auditAnnotations as Record<string, string> : {};
  const result = isObj(r.status) ? r.status as ResultStatus : undefined;
  const allowed = r.allowed === true;
  const patch = typeof r.patch === 'string' && r.patch !== '' ? r.patch : undefined;
  if (version === 'v1beta1') {
    return { allowed, patch: mutating ? patch : undefined, patchType: mutating && patch ? 'JSONPatch' : undefined, result, warnings, auditAnnotations };
  }
  const got = typeof r.uid === 'string' ? r.uid : '';
  if (got !== uid) throw new Error(`expected response.uid=${JSON.stringify(uid)}, got ${JSON.stringify(got)}`);
  if (review.apiVersion !== 'admission.k8s.io/v1' || review.kind !== 'AdmissionReview') {
    const av = String(review.apiVersion ?? '');
    const slash = av.indexOf('/');
    const gv = slash < 0 ? `/${av}` : av;
    throw new Error(`expected webhook response of admission.k8s.io/v1, Kind=AdmissionReview, got ${gv}, Kind=${String(review.kind ?? '')}`);
  }
  const hasType = r.patchType !== undefined && r.patchType !== null;
  if (mutating) {
    if (patch && !hasType) throw new Error('webhook returned response.patch but not response.patchType');
    if (!patch && hasType) throw new Error('webhook returned response.patchType but not response.patch');
    if (hasType && r.patchType === '') throw new Error('webhook returned invalid response.patchType of ""');
    return { allowed, patch, patchType: hasType ? String(r.patchType) : undefined, result, warnings, auditAnnotations };
  }
  if (patch) throw new Error('validating webhook may not return response.patch');
  if (hasType) throw new Error('validating webhook may not return response.patchType');
  return { allowed, result, warnings, auditAnnotations };
}
