// The request side of field management: `PATCH` with application/apply-patch+yaml (server-side
// apply), the field manager of other writes (fieldManager, else derived from the User-Agent as
// upstream), and the query options upstream validates (fieldManager, force).

import { parse as yamlParse } from 'yaml';
import { badRequest, invalid, unsupportedMediaType, type FieldError } from '../../machinery/errors.js';
import type { KObject, ResourceType } from '../../api/types.js';
import { apiVersionOf } from '../../api/types.js';
import type { ServedResource } from '../apis.js';
import type { RequestContext } from '../http/types.js';
import { readBody } from '../http/body.js';
import { toServed, toStorage } from '../storage/view.js';
import { fieldValidationParam, optionsKind } from '../handlers/decode.js';
import { setOf, type FieldSet } from './fieldset.js';
import { typeInfoFor } from './typeinfo.js';
import { applyConfig, updateManagedFields } from './fieldmanager.js';

export const APPLY_YAML = 'application/apply-patch+yaml';
export const APPLY_CBOR = 'application/apply-patch+cbor';

/** upstream's FieldManagerMaxLength */
const MAX_MANAGER_LENGTH = 128;

/** upstream's prefixFromUserAgent: up to the first "/", printable characters, at most 128 bytes */
export function managerFromUserAgent(ua: string | undefined): string {
  let out = '';
  for (const ch of (ua ?? '').split('/')[0]) {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) continue;
    if (Buffer.byteLength(out + ch) > MAX_MANAGER_LENGTH) break;
    out += ch;
  }
  return out;
}

/** The fieldManager query option, validated as upstream's ValidateFieldManager. */
export function fieldManagerParam(q: URLSearchParams, verb: string): string {
  const fm = q.get('fieldManager') ?? '';
  const errs: FieldError[] = [];
  if (Buffer.byteLength(fm) > MAX_MANAGER_LENGTH) {
    errs.push({ type: 'FieldValueTooLong', field: 'fieldManager', message: `Too long: may not be more than ${MAX_MANAGER_LENGTH} bytes` });
  }
  [...fm].forEach((ch, i) => {
    if (!/^[\p{L}\p{M}\p{N}\p{P}\p{S} ]$/u.test(ch)) {
      errs.push({ type: 'FieldValueInvalid', field: `fieldManager[${i}]`, message: `Invalid value: ${JSON.stringify(fm)}: invalid characters` });
    }
  });
  if (errs.length) throw invalid(optionsKind(verb), 'meta.k8s.io', '', errs);
  return fm;
}

/** fields an endpoint resets, which nobody owns through it (upstream's ResetFieldsStrategy) */
function ignoredFields(type: ResourceType, sub: string): FieldSet | undefined {
  if (sub === 'status') return RESET_ON_STATUS;
  if (!sub && type.statusSubresource) return RESET_ON_MAIN;
  return undefined;
}
const RESET_ON_MAIN = setOf('status');
const RESET_ON_STATUS = setOf('spec');

/**
 * The managedFields hook of a create, update or non-apply patch (registry Store WriteOptions):
 * records an Update by the request's manager. Works on stored objects (the storage version's schema).
 */
export function updateHook(ctx: RequestContext, sr: ServedResource, sub: string): (obj: KObject, old: KObject | undefined) => void {
  const verb = ctx.info.verb;
  const manager = fieldManagerParam(ctx.query, verb) || managerFromUserAgent(ctx.req.headers['user-agent'] as string | undefined);
  if (verb === 'patch' && ctx.query.has('force')) {
    throw invalid('PatchOptions', 'meta.k8s.io', '', [{ type: 'FieldValueForbidden', field: 'force', message: 'Forbidden: may not be specified for non-apply patch' }]);
  }
  const type = typeInfoFor(sr.store.type);
  const fmc = { manager, apiVersion: apiVersionOf(sr.type), subresource: sub, type, ignored: ignoredFields(sr.type, sub) };
  return (obj, old) => updateManagedFields(old, obj, fmc);
}

function gvkString(apiVersion: unknown, kind: unknown): string {
  const av = typeof apiVersion === 'string' ? apiVersion : '';
  const [g, v] = av.includes('/') ? av.split('/', 2) : ['', av];
  return `${g}/${v}, Kind=${typeof kind === 'string' ? kind : ''}`;
}

/** Decodes an apply body (YAML, or JSON which is YAML too); duplicate keys follow fieldValidation. */
export function decodeApplyBody(body: Buffer, mode: 'Strict' | 'Warn' | 'Ignore', warnings: string[]): KObject {
  const text = body.toString('utf8');
  let value: unknown;
  const trimmed = text.trimStart();
  if (trimmed.startsWith('{')) {
    try { value = JSON.parse(text); } catch { value = undefined; }
  }
  if (value === undefined) {
    try {
      value = yamlParse(text, { uniqueKeys: true });
    } catch (err) {
      const msg = (err as Error).message.split('\n')[0];
      if (/duplicate|unique/i.test(msg) && mode !== 'Strict') {
        if (mode === 'Warn') warnings.push(`error strict decoding YAML: ${msg}`);
        try { value = yamlParse(text, { uniqueKeys: false }); } catch (e2) { throw badRequest(`error decoding YAML: ${(e2 as Error).message.split('\n')[0]}`); }
      } else if (/duplicate|unique/i.test(msg)) {
        throw badRequest(`error strict decoding YAML: ${msg}`);
      } else {
        throw badRequest(`error decoding YAML: error converting YAML to JSON: yaml: ${msg}`);
      }
    }
  }
  if (value === undefined || value === null) value = {};
  if (typeof value !== 'object' || Array.isArray(value)) {
    const t = Array.isArray(value) ? 'array' : typeof value === 'boolean' ? 'bool' : typeof value;
    throw badRequest(`error decoding YAML: json: cannot unmarshal ${t} into Go value of type map[string]interface {}`);
  }
  return value as KObject;
}

/**
 * Server-side apply of the request body to the named object (creating it when missing). Returns
 * the written object (served version) and whether it was created.
 */
export async function serverSideApply(ctx: RequestContext, sr: ServedResource, ns: string, name: string, sub: string,
  contentType: string, dryRun: boolean): Promise<{ obj: KObject; created: boolean }> {
  if (contentType === APPLY_CBOR) {
    throw unsupportedMediaType(contentType, ['application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json', APPLY_YAML]);
  }
  const manager = fieldManagerParam(ctx.query, 'patch');
  if (!manager) {
    throw invalid('PatchOptions', 'meta.k8s.io', '', [{ type: 'FieldValueRequired', field: 'fieldManager', message: 'Required value: is required for apply patch' }]);
  }
  const force = ctx.query.get('force') === 'true';
  const mode = fieldValidationParam(ctx.query, 'patch');
  const config = decodeApplyBody(await readBody(ctx.req), mode, ctx.warnings);
  ctx.audit?.setRequestObject(config);
  const want = sr.type;
  if (config.apiVersion !== apiVersionOf(want) || config.kind !== want.kind) {
    throw badRequest(`invalid object type: ${gvkString(config.apiVersion, config.kind)}`);
  }
  if (config.metadata !== undefined && (config.metadata === null || typeof config.metadata !== 'object' || Array.isArray(config.metadata))) {
    throw badRequest(`error decoding YAML: json: cannot unmarshal ${Array.isArray(config.metadata) ? 'array' : typeof config.metadata} into Go struct field Object.metadata of type map[string]interface {}`);
  }
  if (config.metadata?.managedFields !== undefined && config.metadata.managedFields !== null) {
    throw badRequest('metadata.managedFields must be nil');
  }
  const m = config.metadata ?? {};
  const describe = `${m.namespace ?? ''}/${m.name ?? ''}; ${gvkString(config.apiVersion, config.kind)}`;
  const opts = {
    manager, force, apiVersion: apiVersionOf(want), subresource: sub, type: typeInfoFor(want),
    ignored: ignoredFields(want, sub), describe,
  };
  const r = await sr.store.update(ns, name, (stored) => {
    const exists = stored.metadata?.uid !== undefined;
    const live = exists ? toServed(sr.convert, stored) : undefined;
    const next = applyConfig(live, config, opts);
    // the applied configuration pins a resourceVersion only when it names one
    if (m.resourceVersion === undefined && next.metadata) delete next.metadata.resourceVersion;
    if (!exists) { next.metadata ??= {}; next.metadata.name ??= name; }
    return toStorage(sr.convert, next);
  }, { admission: ctx.admission, dryRun, subresource: sub, allowCreate: !sub });
  return r;
}

