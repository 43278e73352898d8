// CertificateSigningRequest write rules, as upstream's csrStrategy / csrStatusStrategy /
// csrApprovalStrategy: spec never changes after create; the resource keeps status; /status changes
// status but not the Approved/Denied conditions; /approval changes only status.conditions.
// Conditions are never removed, Approved and Denied exclude each other, an issued certificate stays.
import { field, invalid, type FieldError } from '../../machinery/errors.js';
import type { KObject } from '../../api/types.js';
import type { Strategy } from '../registry/strategy.js';
import { parseCertificateRequest, verifyCertificateRequest } from '../../pki/csr.js';
import { nowTimestamp } from '../registry/store.js';

export interface CSRCondition {
  type?: string; status?: string; reason?: string; message?: string;
  lastUpdateTime?: string; lastTransitionTime?: string;
}
interface CSRStatus { conditions?: CSRCondition[]; certificate?: string }

const APPROVAL_TYPES = ['Approved', 'Denied'];
const STATUS_VALUES = ['False', 'True', 'Unknown'];

const statusOf = (o: KObject): CSRStatus => (o.status ?? {}) as CSRStatus;
const conditionsOf = (o: KObject): CSRCondition[] => statusOf(o).conditions ?? [];

/** The PEM text of spec.request (base64 in JSON). */
export function requestPEM(o: KObject): string {
  const r = (o.spec as { request?: unknown } | undefined)?.request;
  return typeof r === 'string' ? Buffer.from(r, 'base64').toString('utf8') : '';
}

/** Upstream's PrepareForUpdate for the resource, /status and /approval. */
export function prepareCSRUpdate(obj: KObject, old: KObject, subresource: string | undefined, now = Date.now()): void {
  if (old.spec === undefined) delete obj.spec; else obj.spec = structuredClone(old.spec);
  if (subresource === 'approval') {
    const conditions = conditionsOf(obj);
    obj.status = structuredClone(old.status ?? {});
    if (conditions.length) (obj.status as CSRStatus).conditions = conditions;
    else delete (obj.status as CSRStatus).conditions;
  } else if (subresource === 'status') {
    // Approved/Denied only through /approval: keep exactly the old instances of those
    const kept = conditionsOf(old).filter((c) => APPROVAL_TYPES.includes(c.type ?? ''));
    const others = conditionsOf(obj).filter((c) => !APPROVAL_TYPES.includes(c.type ?? ''));
    const status = (obj.status ??= {}) as CSRStatus;
    const merged = [...others, ...structuredClone(kept)];
    if (merged.length) status.conditions = merged; else delete status.conditions;
  } else {
    if (old.status === undefined) delete obj.status; else obj.status = structuredClone(old.status);
    return;
  }
  populateConditionTimestamps(obj, old, now);
}

/** lastUpdateTime defaults to now; lastTransitionTime carries over while the status is unchanged. */
export function populateConditionTimestamps(obj: KObject, old: KObject, now = Date.now()): void {
  const ts = nowTimestamp(now);
  for (const c of conditionsOf(obj)) {
    if (!c.lastUpdateTime) c.lastUpdateTime = ts;
    if (!c.lastTransitionTime) {
      const prev = conditionsOf(old).find((o) => o.type === c.type && o.status === c.status && o.lastTransitionTime);
      c.lastTransitionTime = prev?.lastTransitionTime ?? ts;
    }
  }
}

/** Validation beyond the field checks in src/api/validation: the request parses, conditions, certificate. */
export function validateCSR(obj: KObject, old?: KObject): FieldError[] {
  const errs: FieldError[] = [];
  const pem = requestPEM(obj);
  if (pem.includes('-----BEGIN CERTIFICATE REQUEST-----') || pem.includes('-----BEGIN NEW CERTIFICATE REQUEST-----')) {
    try { parseCertificateRequest(pem); } catch (e) { errs.push(rawInvalid('spec.request', (e as Error).message)); }
  }
  const seen = new Set<string>();
  let approved = false, denied = false;
  conditionsOf(obj).forEach((c, i) => {
    const p = `status.conditions[${i}]`;
    const t = c.type ?? '';
    if (!t) errs.push(field.required(`${p}.type`));
    const allowed = APPROVAL_TYPES.includes(t) ? ['True'] : STATUS_VALUES;
    if (!c.status) errs.push(field.required(`${p}.status`));
    else if (!allowed.includes(c.status)) errs.push(field.notSupported(`${p}.status`, c.status, allowed));
    if (t === 'Approved') { approved = true; if (denied) errs.push(field.invalid(`${p}.type`, t, 'Approved and Denied conditions are mutually exclusive')); }
    if (t === 'Denied') { denied = true; if (approved) errs.push(field.invalid(`${p}.type`, t, 'Approved and Denied conditions are mutually exclusive')); }
    if (seen.has(t)) errs.push(field.duplicate(`${p}.type`, t));
    seen.add(t);
  });
  errs.push(...validateCertificate(statusOf(obj).certificate));
  if (old) {
    for (const t of ['Approved', 'Denied', 'Failed']) {
      const n = (o: KObject) => conditionsOf(o).filter((c) => c.type === t).length;
      if (n(obj) < n(old)) errs.push(field.forbidden('status.conditions', `updates may not remove a condition of type "${t}"`));
    }
    const oc = statusOf(old).certificate;
    if (oc && statusOf(obj).certificate !== oc) errs.push(field.forbidden('status.certificate', 'updates may not modify existing certificate content'));
  }
  return errs;
}

/** status.certificate: base64 of one or more PEM CERTIFICATE blocks and nothing else. */
function validateCertificate(b64: string | undefined): FieldError[] {
  if (!b64) return [];
  const text = Buffer.from(b64, 'base64').toString('utf8');
  const blocks = [...text.matchAll(/-----BEGIN ([A-Z0-9 ]+)-----[\s\S]*?-----END \1-----/g)];
  if (blocks.length === 0) return [field.invalid('status.certificate', '<certificate data>', 'must contain at least one CERTIFICATE PEM block')];
  const other = blocks.find((b) => b[1] !== 'CERTIFICATE');
  if (other) return [field.invalid('status.certificate', '<certificate data>', `only CERTIFICATE PEM blocks are allowed, found "${other[1]}"`)];
  return [];
}

// upstream prints []byte values as Go syntax; like src/api/validation, show them elided
function rawInvalid(f: string, detail: string): FieldError {
  return { type: 'FieldValueInvalid', field: f, message: `Invalid value: []byte{...}: ${detail}` };
}

/** Wraps the generic strategy for certificatesigningrequests. */
export function csrStrategy(base: Strategy): Strategy {
  return {
    ...base,
    async prepareForCreate(obj, ctx) {
      await base.prepareForCreate(obj, ctx);
      // the request must be signed by the key it carries (upstream's CheckSignature)
      const pem = requestPEM(obj);
      let parsed;
      try { parsed = parseCertificateRequest(pem); } catch { return; } // validate reports it
      if (!(await verifyCertificateRequest(parsed.csr))) {
        throw invalid('CertificateSigningRequest', 'certificates.k8s.io', obj.metadata?.name ?? '',
          [rawInvalid('spec.request', 'x509: ECDSA verification failure')]);
      }
    },
    prepareForUpdate(obj, old, ctx) { prepareCSRUpdate(obj, old, ctx.subresource); },
    validate(obj, old) { return [...base.validate(obj, old), ...validateCSR(obj, old)]; },
  };
}
