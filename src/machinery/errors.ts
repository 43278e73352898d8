// Kubernetes API errors: every failure leaves the server as a meta/v1 Status body with the
// upstream HTTP code, reason and (for Invalid) details.causes with field paths.

export type StatusReason =
  | 'BadRequest' | 'Unauthorized' | 'Forbidden' | 'NotFound' | 'AlreadyExists' | 'Conflict'
  | 'Gone' | 'Invalid' | 'ServerTimeout' | 'Timeout' | 'TooManyRequests' | 'MethodNotAllowed'
  | 'NotAcceptable' | 'RequestEntityTooLarge' | 'UnsupportedMediaType' | 'InternalError'
  | 'Expired' | 'ServiceUnavailable' | '';

export interface StatusCause { reason?: string; message?: string; field?: string }

export interface StatusDetails {
  name?: string;
  group?: string;
  kind?: string;
  uid?: string;
  causes?: StatusCause[];
  retryAfterSeconds?: number;
}

export interface Status {
  kind: 'Status';
  apiVersion: 'v1';
  metadata: Record<string, unknown>;
  status: 'Success' | 'Failure';
  message?: string;
  reason?: StatusReason;
  details?: StatusDetails;
  code: number;
}

/** Thrown anywhere in request handling; the HTTP layer turns it into a Status body. */
export class StatusError extends Error {
  constructor(
    public readonly code: number,
    public readonly reason: StatusReason,
    message: string,
    public readonly details?: StatusDetails,
  ) {
    super(message);
  }

  toStatus(): Status {
    const s: Status = {
      kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure',
      message: this.message, reason: this.reason, code: this.code,
    };
    if (this.details) s.details = this.details;
    return s;
  }
}

/** group/resource as upstream prints it: "deployments.apps", or "pods" for the core group. */
export function qualifiedResource(group: string, resource: string): string {
  return group ? `${resource}.${group}` : resource;
}

export function notFound(group: string, resource: string, name: string): StatusError {
  return new StatusError(404, 'NotFound', `${qualifiedResource(group, resource)} "${name}" not found`,
    { name, group: group || undefined, kind: resource });
}

export function alreadyExists(group: string, resource: string, name: string): StatusError {
  return new StatusError(409, 'AlreadyExists', `${qualifiedResource(group, resource)} "${name}" already exists`,
    { name, group: group || undefined, kind: resource });
}

export function conflict(group: string, resource: string, name: string, why: string): StatusError {
  return new StatusError(409, 'Conflict',
    `Operation cannot be fulfilled on ${qualifiedResource(group, resource)} "${name}": ${why}`,
    { name, group: group || undefined, kind: resource });
}

export const CONFLICT_MODIFIED = 'the object has been modified; please apply your changes to the latest version and try again';

/**
 * The apiserver's answer for a path nothing serves. Upstream's body carries an empty `details`
 * object, and clients rely on it (kubectl debug dereferences it).
 */
export function resourceNotFound(): StatusError {
  return new StatusError(404, 'NotFound', 'the server could not find the requested resource', {});
}

export function badRequest(message: string): StatusError {
  return new StatusError(400, 'BadRequest', message);
}

export function gone(message: string): StatusError {
  return new StatusError(410, 'Expired', message);
}

export function internalError(err: unknown): StatusError {
  const msg = err instanceof Error ? err.message : String(err);
  return new StatusError(500, 'InternalError', `Internal error occurred: ${msg}`,
    { causes: [{ message: msg }] });
}

export function methodNotAllowed(verb: string, what: string): StatusError {
  return new StatusError(405, 'MethodNotAllowed', `the server does not allow this method on the requested resource`,
    { kind: what, causes: [{ message: `${verb} is not supported` }] });
}

export function unsupportedMediaType(contentType: string, supported: string[]): StatusError {
  return new StatusError(415, 'UnsupportedMediaType',
    `the body of the request was in an unknown format - accepted media types include: ${supported.join(', ')}`,
    contentType ? { causes: [{ message: `content type "${contentType}"` }] } : undefined);
}

/** One field error, in upstream's field.Error shape. */
export interface FieldError {
  type: 'FieldValueRequired' | 'FieldValueInvalid' | 'FieldValueNotSupported' | 'FieldValueForbidden'
    | 'FieldValueDuplicate' | 'FieldValueTooLong' | 'FieldValueTooMany' | 'FieldValueTypeInvalid'
    | 'FieldValueNotFound';
  field: string;
  message: string;
}

const FIELD_ERROR_TEXT: Record<FieldError['type'], string> = {
  FieldValueRequired: 'Required value',
  FieldValueInvalid: 'Invalid value',
  FieldValueNotSupported: 'Unsupported value',
  FieldValueForbidden: 'Forbidden',
  FieldValueDuplicate: 'Duplicate value',
  FieldValueTooLong: 'Too long',
  FieldValueTooMany: 'Too many',
  FieldValueTypeInvalid: 'Invalid value',
  FieldValueNotFound: 'Not found',
};

/** Helpers that produce upstream's exact field error messages. */
export const field = {
  required: (f: string, detail = ''): FieldError =>
    ({ type: 'FieldValueRequired', field: f, message: detail ? `Required value: ${detail}` : 'Required value' }),
  invalid: (f: string, value: unknown, detail: string): FieldError =>
    ({ type: 'FieldValueInvalid', field: f, message: `Invalid value: ${fmtValue(value)}: ${detail}` }),
  notSupported: (f: string, value: unknown, valid: string[]): FieldError =>
    ({ type: 'FieldValueNotSupported', field: f,
      message: `Unsupported value: ${fmtValue(value)}: supported values: ${valid.map((v) => `"${v}"`).join(', ')}` }),
  forbidden: (f: string, detail: string): FieldError =>
    ({ type: 'FieldValueForbidden', field: f, message: `Forbidden: ${detail}` }),
  duplicate: (f: string, value: unknown): FieldError =>
    ({ type: 'FieldValueDuplicate', field: f, message: `Duplicate value: ${fmtValue(value)}` }),
  tooLong: (f: string, max: number): FieldError =>
    ({ type: 'FieldValueTooLong', field: f, message: `Too long: may not be more than ${max} bytes` }),
  notFound: (f: string, value: unknown): FieldError =>
    ({ type: 'FieldValueNotFound', field: f, message: `Not found: ${fmtValue(value)}` }),
  tooMany: (f: string, actual: number, max: number): FieldError =>
    ({ type: 'FieldValueTooMany', field: f, message: `Too many: ${actual}: must have at most ${max} items` }),
  typeInvalid: (f: string, value: unknown, detail: string): FieldError =>
    ({ type: 'FieldValueTypeInvalid', field: f, message: `Invalid value: ${fmtValue(value)}: ${detail}` }),
};

export function fieldErrorText(e: FieldError): string {
  return `${e.field}: ${e.message}`;
}

function fmtValue(v: unknown): string {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === null || v === undefined) return 'null';
  if (typeof v === 'object') return JSON.stringify(v);
  return String(v);
}

export { FIELD_ERROR_TEXT };

/** 422 Invalid with causes, worded like upstream: `Deployment.apps "web" is invalid: [a, b]`. */
export function invalid(kind: string, group: string, name: string, errs: FieldError[]): StatusError {
  const qk = group ? `${kind}.${group}` : kind;
  const list = errs.map(fieldErrorText);
  const agg = list.length === 1 ? list[0] : `[${list.join(', ')}]`;
  return new StatusError(422, 'Invalid', `${qk} "${name}" is invalid: ${agg}`, {
    name, group: group || undefined, kind,
    causes: errs.map((e) => ({ reason: e.type, message: e.message, field: e.field })),
  });
}
