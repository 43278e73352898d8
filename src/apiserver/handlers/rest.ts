// REST handlers for resource requests: get, list, watch, create, update, patch, delete,
// deletecollection, and the status / scale / binding subresources (eviction: registry/eviction.ts).

import { StatusError, badRequest, notFound, methodNotAllowed, unsupportedMediaType, conflict, invalid, resourceNotFound } from '../../machinery/errors.js';
import { applyJSONPatch } from '../../machinery/patch/jsonpatch.js';
import { jsonMergePatch as mergePatch } from '../../machinery/patch/mergepatch.js';
import { strategicMergePatch } from '../../machinery/patch/strategic.js';
import { schemaFor } from '../../api/schema/index.js';
import type { KObject } from '../../api/types.js';
import type { Backend } from '../../storage/interface.js';
import type { ServedResource } from '../apis.js';
import type { WatchCache } from '../storage/watchcache.js';
import type { ValueTransformer } from '../storage/codec.js';
import type { DeleteOptions } from '../registry/store.js';
import { nowTimestamp } from '../registry/store.js';
import { readBody, decodeObject, mediaType, parseJSON } from '../http/body.js';
import { negotiate, type Output } from '../http/negotiate.js';
import { writeJSON, writeJSONParts, successStatus } from '../http/respond.js';
import type { RequestContext } from '../http/types.js';
import { checkTypeMeta, fieldValidationParam, validateFields, optionsKind } from './decode.js';
import { list, listJSON, parseRV, tooLargeRV } from './list.js';
import { watch } from './watch.js';
import { includeObjectParam, partialMetadata, tableOf } from './table.js';
import { gracePeriodFor } from './graceful.js';
import { evictPod } from '../registry/eviction.js';
import { admissionFor } from '../admission/index.js';
import type { AdmissionPlugin } from '../chain.js';
import { viewOf, toServed, toStorage } from '../storage/view.js';
import { serverSideApply, updateHook, APPLY_YAML, APPLY_CBOR } from '../apply/handler.js';
import { selectorFromLabelSelectorOrThrow, type LabelSelectorSpec } from '../../machinery/labels/selector.js';
import { deepCopyJSON } from '../../machinery/deepcopy.js';

export interface RestDeps {
  /** admission plugins, in order */
  admissionPlugins?: AdmissionPlugin[];
  /** the pods resource, which bindings write to */
  pods: ServedResource;
  /** policy/v1 PodDisruptionBudgets, which pods/eviction checks and spends */
  pdbs?: ServedResource;
  cache: WatchCache;
  backend: Backend;
  transformer: ValueTransformer;
}

const PATCH_TYPES = [
  'application/json-patch+json', 'application/merge-patch+json', 'application/strategic-merge-patch+json',
  'application/apply-patch+yaml', 'application/apply-patch+cbor',
];

function dryRunParam(q: URLSearchParams, verb: string): boolean {
  const all = q.getAll('dryRun');
  if (all.some((v) => v !== 'All')) {
    throw invalid(optionsKind(verb), 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'dryRun',
      message: `Unsupported value: []string{${all.map((v) => JSON.stringify(v)).join(', ')}}: supported values: "All"` }]);
  }
  return all.length > 0;
}

/** kinds whose DELETE answers with the deleted object rather than a Status (upstream ReturnDeletedObject) */
const RETURNS_DELETED_OBJECT = new Set(['/pods', '/services', '/serviceaccounts', 'storage.k8s.io/storageclasses']);

export async function handleResource(ctx: RequestContext, sr: ServedResource, deps: RestDeps): Promise<void> {
  const { info, query, req, res } = ctx;
  const { type } = sr;
  const ns = type.namespaced ? info.namespace : '';
  if (!type.namespaced && info.namespace && info.resource !== 'namespaces') {
    throw notFound(type.group, type.resource, info.name || info.namespace);
  }
  const sub = info.subresource;
  const audit = ctx.audit;
  // reads never reach admission: build the chain only for writes (keeps GET/LIST/WATCH lean)
  const writes = info.verb === 'create' || info.verb === 'update' || info.verb === 'patch' || info.verb === 'delete' || info.verb === 'deletecollection';
  if (writes) ctx.admission = admissionFor(deps.admissionPlugins ?? [], type, sub, ns, info.name, ctx.user, ctx.query.has('dryRun'), ctx.warnings,
    audit?.annotate ? (k, v) => audit.annotate!(k, v) : undefined);
  const special = sub ? sr.subresourceHandlers?.[sub] : undefined;
  if (special) return special(ctx);
  if (sub && !type.subresources.includes(sub)) {
    throw resourceNotFound();
  }
  if (info.parts.length > 3) throw resourceNotFound();
  // pods/eviction only creates (upstream EvictionREST is a NamedCreater)
  if (sub === 'eviction' && info.verb !== 'create') throw methodNotAllowed(req.method ?? '', `${type.resource}/${sub}`);
  const out = negotiate(req.headers.accept, !sub || sub === 'status');

  switch (info.verb) {
    case 'get': {
      if (sub === 'scale') return writeJSON(res, 200, toScale(sr, (await getAt(sr, ns, info.name, query, deps)).obj), out.contentType);
      const c = viewOf(sr.convert, await getAt(sr, ns, info.name, query, deps));
      return writeObject(ctx, out, sr, c.obj, 200, c.json);
    }
    case 'list': {
      if (!type.verbs.includes('list')) throw methodNotAllowed('GET', type.resource);
      const r = await list(sr, ns, query, deps.cache, deps.backend, deps.transformer);
      if (out.as === 'Table') {
        const meta: Record<string, unknown> = { resourceVersion: r.resourceVersion };
        if (r.continueToken) meta.continue = r.continueToken;
        if (r.remainingItemCount !== undefined) meta.remainingItemCount = r.remainingItemCount;
        return writeJSON(res, 200, tableOf(type, r.items.map((i) => i.obj), meta, includeObjectParam(query), out.version), out.contentType);
      }
      if (out.as === 'PartialObjectMetadata') throw notAcceptableTransform();
      if (out.as) {
        const meta: Record<string, unknown> = { resourceVersion: r.resourceVersion };
        if (r.continueToken) meta.continue = r.continueToken;
        return writeJSON(res, 200, {
          kind: 'PartialObjectMetadataList', apiVersion: `meta.k8s.io/${out.version}`, metadata: meta,
          items: r.items.map((i) => partialMetadata(i.obj, out.version)),
        }, out.contentType);
      }
      return writeJSONParts(res, 200, listJSON(sr, r), out.contentType);
    }
    case 'watch':
      if (!type.verbs.includes('watch')) throw methodNotAllowed('GET', type.resource);
      return watch(sr, ns, info.name, query, deps.cache, req, res, out);
    case 'create':
      if (sub === 'binding') return bindPod(ctx, sr, ns, info.name);
      if (sub === 'eviction') return evictPod(ctx, sr, deps.pdbs, ns, info.name);
      if (info.name || sub) throw methodNotAllowed('POST', type.resource);
      if (type.resource === 'bindings') return createBinding(ctx, ns, deps);
      return create(ctx, sr, ns, out);
    case 'update':
      if (!info.name) throw methodNotAllowed('PUT', type.resource);
      return update(ctx, sr, ns, info.name, sub, out);
    case 'patch':
      if (!info.name) throw methodNotAllowed('PATCH', type.resource);
      return patch(ctx, sr, ns, info.name, sub, out);
    case 'delete':
      if (sub) throw methodNotAllowed('DELETE', `${type.resource}/${sub}`);
      return del(ctx, sr, ns, info.name, out);
    case 'deletecollection':
      if (!type.verbs.includes('deletecollection')) throw methodNotAllowed('DELETE', type.resource);
      return deleteCollection(ctx, sr, ns, deps, out);
    default:
      throw methodNotAllowed(req.method ?? '', type.resource);
  }
}

async function getAt(sr: ServedResource, ns: string, name: string, q: URLSearchParams, deps: RestDeps) {
  const rv = parseRV(q.get('resourceVersion'));
  if (rv === undefined) return sr.store.get(ns, name);
  if (rv > deps.cache.revision && !(await deps.cache.waitFor(rv, 3000))) throw tooLargeRV(rv, deps.cache.revision);
  const c = sr.store.cache.objects.get(sr.store.key(ns, name));
  if (!c) throw notFound(sr.type.group, sr.type.resource, name);
  return c;
}

function notAcceptableTransform(): StatusError {
  return new StatusError(406, 'NotAcceptable', 'only the following media types are accepted: application/json, application/yaml, application/vnd.kubernetes.protobuf');
}

function writeObject(ctx: RequestContext, out: Output, sr: ServedResource, obj: KObject, code: number, json?: () => string): void {
  if (out.as === 'PartialObjectMetadataList') throw notAcceptableTransform();
  ctx.audit?.setResponseObject(obj);
  if (out.as === 'Table') {
    return writeJSON(ctx.res, code, tableOf(sr.type, [obj], { resourceVersion: obj.metadata?.resourceVersion }, includeObjectParam(ctx.query), out.version), out.contentType, ctx.warnings);
  }
  if (out.as) return writeJSON(ctx.res, code, partialMetadata(obj, out.version), out.contentType, ctx.warnings);
  writeJSON(ctx.res, code, json ? json() : obj, out.contentType, ctx.warnings);
}

async function decodeBody(ctx: RequestContext, sr: ServedResource): Promise<KObject> {
  const body = await readBody(ctx.req);
  const obj = decodeObject(body, ctx.req.headers['content-type'], sr.type.kind) as KObject;
  checkTypeMeta(obj, sr.type);
  ctx.warnings.push(...validateFields(obj, sr.type, fieldValidationParam(ctx.query, ctx.info.verb)));
  ctx.audit?.setRequestObject(obj);
  return obj;
}

async function create(ctx: RequestContext, sr: ServedResource, ns: string, out: Output): Promise<void> {
  const dryRun = dryRunParam(ctx.query, 'create');
  const obj = await decodeBody(ctx, sr);
  const created = await sr.store.create(toStorage(sr.convert, obj), ns, { admission: ctx.admission, dryRun, fieldManager: updateHook(ctx, sr, '') });
  writeObject(ctx, out, sr, toServed(sr.convert, created), 201);
}

async function update(ctx: RequestContext, sr: ServedResource, ns: string, name: string, sub: string, out: Output): Promise<void> {
  const dryRun = dryRunParam(ctx.query, 'update');
  if (sub === 'scale') {
    const scale = decodeObject(await readBody(ctx.req), ctx.req.headers['content-type']) as KObject;
    return applyScale(ctx, sr, ns, name, () => scale, dryRun, out);
  }
  const obj = await decodeBody(ctx, sr);
  const allowCreate = ['endpoints', 'leases', 'events', 'services'].includes(sr.type.resource) && !sub;
  const r = await sr.store.update(ns, name, () => toStorage(sr.convert, obj), { admission: ctx.admission, dryRun, subresource: sub, allowCreate, fieldManager: updateHook(ctx, sr, sub) });
  if (!r.created && !dryRun) await sr.store.finishDeletionIfDone(r.obj);
  writeObject(ctx, out, sr, toServed(sr.convert, r.obj), r.created ? 201 : 200);
}

/** Applies a patch document of the request's patch type to a JSON object. */
function applyPatch(ctx: RequestContext, sr: ServedResource, current: KObject, patchBody: Buffer, pt: string): KObject {
  switch (pt) {
    case 'application/json-patch+json':
      return applyJSONPatch(current, parseJSON(patchBody)) as KObject;
    case 'application/merge-patch+json':
      return mergePatch(current, parseJSONObject(patchBody)) as KObject;
    case 'application/strategic-merge-patch+json':
      // custom resources have no patch strategies (upstream: not an accepted media type for CRs)
      if (sr.type.custom) throw unsupportedMediaType(pt, [PATCH_TYPES[0], PATCH_TYPES[1], PATCH_TYPES[3]]);
      return strategicMergePatch(current, parseJSONObject(patchBody), schemaFor(sr.type.definition)) as KObject;
    default:
      throw unsupportedMediaType(pt, PATCH_TYPES);
  }
}

function parseJSONObject(b: Buffer): Record<string, unknown> {
  const v = parseJSON(b);
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
  }
  return v as Record<string, unknown>;
}

async function patch(ctx: RequestContext, sr: ServedResource, ns: string, name: string, sub: string, out: Output): Promise<void> {
  const pt = mediaType(ctx.req.headers['content-type']);
  if (!PATCH_TYPES.includes(pt)) throw unsupportedMediaType(pt, PATCH_TYPES.slice(0, 4));
  const dryRun = dryRunParam(ctx.query, 'patch');
  if (pt === APPLY_YAML || pt === APPLY_CBOR) {
    const applied = await serverSideApply(ctx, sr, ns, name, sub, pt, dryRun);
    return writeObject(ctx, out, sr, toServed(sr.convert, applied.obj), applied.created ? 201 : 200);
  }
  const fieldManager = updateHook(ctx, sr, sub);
  const body = await readBody(ctx.req);
  const mode = fieldValidationParam(ctx.query, 'patch');
  if (sub === 'scale') {
    return applyScale(ctx, sr, ns, name, (cur) => applyPatch(ctx, sr, cur, body, pt), dryRun, out);
  }
  const r = await sr.store.update(ns, name, (stored) => {
    const cur = toServed(sr.convert, stored);
    const patched = applyPatch(ctx, sr, cur, body, pt);
    if (patched === null || typeof patched !== 'object' || Array.isArray(patched)) throw badRequest('patch produced a non-object');
    checkTypeMeta(patched, sr.type);
    const warnings = validateFields(patched, sr.type, mode);
    ctx.warnings.splice(0, ctx.warnings.length, ...warnings);
    // a patch never pins the resourceVersion unless the patch itself carries one
    const prv = (cur.metadata?.resourceVersion);
    if (patched.metadata?.resourceVersion === prv) delete patched.metadata!.resourceVersion;
    return toStorage(sr.convert, patched);
  }, { admission: ctx.admission, dryRun, subresource: sub, fieldManager });
  if (!dryRun) await sr.store.finishDeletionIfDone(r.obj);
  writeObject(ctx, out, sr, toServed(sr.convert, r.obj), 200);
}

function deleteOptions(ctx: RequestContext, body: Buffer): DeleteOptions {
  let opts: DeleteOptions = {};
  if (body.length > 0) {
    const v = parseJSON(body) as Record<string, unknown>;
    if (v && typeof v === 'object' && !Array.isArray(v)) opts = v as DeleteOptions;
  }
  const q = ctx.query;
  const g = q.get('gracePeriodSeconds');
  if (g !== null) opts.gracePeriodSeconds = Number(g);
  const p = q.get('propagationPolicy');
  if (p !== null) opts.propagationPolicy = p as DeleteOptions['propagationPolicy'];
  const o = q.get('orphanDependents');
  if (o !== null) opts.orphanDependents = o === 'true';
  if (opts.gracePeriodSeconds !== undefined && typeof opts.gracePeriodSeconds !== 'number') opts.gracePeriodSeconds = Number(opts.gracePeriodSeconds);
  if (opts.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(opts.propagationPolicy)) {
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'propagationPolicy',
      message: `Unsupported value: "${opts.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"` }]);
  }
  if (opts.propagationPolicy && opts.orphanDependents !== undefined) {
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [{ type: 'FieldValueInvalid', field: 'propagationPolicy',
      message: 'Invalid value: "' + opts.propagationPolicy + '": orphanDependents and deletionPropagation cannot be both set' }]);
  }
  if (opts.gracePeriodSeconds !== undefined && (!Number.isFinite(opts.gracePeriodSeconds) || opts.gracePeriodSeconds < 0)) {
    if (opts.gracePeriodSeconds !== undefined && Number.isFinite(opts.gracePeriodSeconds) && opts.gracePeriodSeconds < 0) opts.gracePeriodSeconds = 1;
    else throw badRequest('gracePeriodSeconds must be a non-negative integer');
  }
  return opts;
}

async function del(ctx: RequestContext, sr: ServedResource, ns: string, name: string, out: Output): Promise<void> {
  const dryRun = dryRunParam(ctx.query, 'delete');
  const opts = deleteOptions(ctx, await readBody(ctx.req));
  const r = await sr.store.delete(ns, name, opts, { admission: ctx.admission, dryRun }, gracePeriodFor(sr.type));
  // upstream answers 202 only for a pending delete the client asked to cascade (orphanDependents=false)
  const code = !r.deleted && opts.orphanDependents === false ? 202 : 200;
  if (r.deleted && !RETURNS_DELETED_OBJECT.has(`${sr.type.group}/${sr.type.resource}`)) {
    const m = r.obj.metadata ?? {};
    const details: Record<string, unknown> = { name: m.name };
    if (sr.type.group) details.group = sr.type.group;
    details.kind = sr.type.resource;
    details.uid = m.uid;
    return writeJSON(ctx.res, code, successStatus(details), 'application/json');
  }
  writeObject(ctx, out, sr, toServed(sr.convert, r.obj), code);
}

async function deleteCollection(ctx: RequestContext, sr: ServedResource, ns: string, deps: RestDeps, out: Output): Promise<void> {
  const dryRun = dryRunParam(ctx.query, 'delete');
  const opts = deleteOptions(ctx, await readBody(ctx.req));
  const q = new URLSearchParams(ctx.query);
  q.delete('limit'); q.delete('continue');
  const r = await list(sr, ns, q, deps.cache, deps.backend, deps.transformer);
  const items: KObject[] = [];
  for (const it of r.items) {
    const m = it.obj.metadata!;
    try {
      const d = await sr.store.delete(m.namespace ?? '', m.name!, opts, { admission: ctx.admission, dryRun }, gracePeriodFor(sr.type));
      items.push(toServed(sr.convert, d.obj));
    } catch (err) {
      if (!(err instanceof StatusError && err.code === 404)) throw err;
    }
  }
  await writeJSONParts(ctx.res, 200, listJSON(sr, { items: items.map((o) => ({ bytes: Buffer.from(JSON.stringify(o)), obj: o })), resourceVersion: String(deps.cache.revision) }), out.contentType);
}

// ---- scale subresource (autoscaling/v1 Scale) ----

function toScale(sr: ServedResource, obj: KObject): KObject {
  const spec = (obj.spec ?? {}) as Record<string, unknown>;
  const status = (obj.status ?? {}) as Record<string, unknown>;
  const m = obj.metadata!;
  let selector = '';
  const sel = spec.selector as { matchLabels?: Record<string, string>; matchExpressions?: unknown[] } | Record<string, string> | undefined;
  if (sr.type.kind === 'ReplicationController') {
    selector = Object.entries((sel ?? {}) as Record<string, string>).map(([k, v]) => `${k}=${v}`).join(',');
  } else if (sel) {
    // metav1.LabelSelectorAsSelector(...).String(): matchLabels and matchExpressions, sorted by key
    try { selector = selectorFromLabelSelectorOrThrow(sel as LabelSelectorSpec).toString(); } catch { selector = ''; }
  }
  return {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: spec.replicas ?? 0 },
    status: { replicas: status.replicas ?? 0, ...(selector ? { selector } : {}) },
  };
}

async function applyScale(ctx: RequestContext, sr: ServedResource, ns: string, name: string,
  desiredScale: (current: KObject) => KObject, dryRun: boolean, out: Output): Promise<void> {
  const r = await sr.store.update(ns, name, (cur) => {
    const scale = desiredScale(toScale(sr, cur));
    const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
    if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
      throw invalid('Scale', 'autoscaling', name, [{ type: 'FieldValueInvalid', field: 'spec.replicas',
        message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` }]);
    }
    const srv = scale.metadata?.resourceVersion;
    const next = deepCopyJSON(cur);
    (next.spec as Record<string, unknown>).replicas = replicas;
    if (srv && srv !== cur.metadata?.resourceVersion) next.metadata!.resourceVersion = srv;
    else delete next.metadata!.resourceVersion;
    return next;
  }, { admission: ctx.admission, dryRun, fieldManager: updateHook(ctx, sr, 'scale') });
  writeJSON(ctx.res, 200, toScale(sr, r.obj), out.contentType);
}

// ---- pods/binding and the bindings resource ----

async function bindPod(ctx: RequestContext, pods: ServedResource, ns: string, podName: string): Promise<void> {
  const binding = decodeObject(await readBody(ctx.req), ctx.req.headers['content-type']) as KObject;
  if (binding.metadata?.name && binding.metadata.name !== podName) {
    throw badRequest(`the name of the object (${binding.metadata.name}) does not match the name on the URL (${podName})`);
  }
  await doBind(ctx, pods, ns, podName, binding);
}

async function createBinding(ctx: RequestContext, ns: string, deps: RestDeps): Promise<void> {
  const binding = decodeObject(await readBody(ctx.req), ctx.req.headers['content-type']) as KObject;
  const name = binding.metadata?.name;
  if (!name) throw invalid('Binding', '', '', [{ type: 'FieldValueRequired', field: 'metadata.name', message: 'Required value: name or generateName is required' }]);
  await doBind(ctx, deps.pods, ns, name, binding);
}

/** Assign a pod to a node, as upstream's BindingREST: only if not yet bound, and records PodScheduled. */
async function doBind(ctx: RequestContext, pods: ServedResource, ns: string, podName: string, binding: KObject): Promise<void> {
  const target = binding.target as { kind?: string; name?: string } | undefined;
  if (!target?.name) {
    throw invalid('Binding', '', podName, [{ type: 'FieldValueRequired', field: 'target.name', message: 'Required value' }]);
  }
  if (target.kind && target.kind !== 'Node') {
    throw invalid('Binding', '', podName, [{ type: 'FieldValueNotSupported', field: 'target.kind', message: `Unsupported value: "${target.kind}": supported values: "Node"` }]);
  }
  const dryRun = dryRunParam(ctx.query, 'create');
  await pods.store.update(ns, podName, (pod) => {
    const spec = (pod.spec ??= {}) as Record<string, unknown>;
    if (pod.metadata?.deletionTimestamp) {
      throw conflict('', 'pods/binding', podName, 'pod is being deleted, cannot be assigned to a host');
    }
    if (spec.nodeName) {
      throw conflict('', 'pods/binding', podName, `pod ${podName} is already assigned to node "${String(spec.nodeName)}"`);
    }
    const uid = binding.metadata?.uid;
    if (uid && uid !== pod.metadata?.uid) throw conflict('', 'pods/binding', podName, 'The uid of the pod does not match the uid of the binding');
    spec.nodeName = target.name;
    const status = (pod.status ??= {}) as Record<string, unknown>;
    const conds = ((status.conditions ??= []) as Record<string, unknown>[]).filter((c) => c.type !== 'PodScheduled');
    conds.push({ type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: nowTimestamp() });
    status.conditions = conds;
    if (binding.metadata?.annotations) {
      pod.metadata!.annotations = { ...(pod.metadata!.annotations ?? {}), ...binding.metadata.annotations };
    }
    delete pod.metadata!.resourceVersion;
    return pod;
  }, { admission: ctx.admission, dryRun, subresource: 'binding' });
  writeJSON(ctx.res, 201, { ...successStatus(), code: 201 }, 'application/json');
}
