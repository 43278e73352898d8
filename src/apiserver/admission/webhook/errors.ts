// The webhook errors upstream answers with (k8s.io/apiserver/pkg/admission/plugin/webhook/errors and
// pkg/util/webhook): a denial keeps the webhook's status (code ≥ 400) with the message prefixed
// `admission webhook "x" denied the request: `; a failed call is `failed calling webhook "x": …`
// and becomes a 500 InternalError when the failure policy is Fail.

import { StatusError, badRequest, internalError, type StatusDetails, type StatusReason } from '../../../machinery/errors.js';

/** a transport-level failure: the webhook could not be asked, or its answer could not be used */
export class CallingWebhookError extends Error {
  constructor(readonly webhookName: string, readonly reason: string) {
    super(`failed calling webhook "${webhookName}": ${reason}`);
  }
  /** failurePolicy Fail: a 500 whose message names the webhook and the cause */
  toStatus(): StatusError { return internalError(this); }
}

/** the `status` of an AdmissionResponse, as far as it is used */
export interface ResultStatus { code?: number; status?: string; message?: string; reason?: string; details?: StatusDetails }

export function toStatusErr(webhookName: string, result: ResultStatus | undefined): StatusError {
  const r = result ?? {};
  const deniedBy = `admission webhook "${webhookName}" denied the request`;
  const code = typeof r.code === 'number' && r.code >= 400 ? r.code : 400;
  let message: string;
  if (r.message) message = `${deniedBy}: ${r.message}`;
  else if (r.reason) message = `${deniedBy}: ${r.reason}`;
  else message = `${deniedBy} without explanation`;
  return new StatusError(code, (r.reason ?? '') as StatusReason, message, r.details);
}

export function dryRunUnsupported(webhookName: string): StatusError {
  return badRequest(`admission webhook "${webhookName}" does not support dry run`);
}
