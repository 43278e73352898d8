// The scale subresource of a custom resource (autoscaling/v1 Scale) read from and written to the
// paths its CRD names: specReplicasPath, statusReplicasPath, labelSelectorPath.

import type { KObject } from '../api/types.js';
import { StatusError, badRequest, invalid, methodNotAllowed, unsupportedMediaType } from '../machinery/errors.js';
import { applyJSONPatch } from '../machinery/patch/jsonpatch.js';
import { jsonMergePatch } from '../machinery/patch/mergepatch.js';
import type { ServedResource } from '../apiserver/apis.js';
import type { VirtualHandler } from '../apiserver/virtual.js';
import { readBody, decodeObject, mediaType, parseJSON } from '../apiserver/http/body.js';
import { writeJSON } from '../apiserver/http/respond.js';
import type { ScaleSubresource } from './crd.js';
import { getPath, parseSimplePath, setPath } from './jsonpath.js';

export function toScale(obj: KObject, s: ScaleSubresource): KObject {
  const m = obj.metadata ?? {};
  const spec = getPath(obj, parseSimplePath(s.specReplicasPath) ?? []);
  const status = getPath(obj, parseSimplePath(s.statusReplicasPath) ?? []);
  const sel = s.labelSelectorPath ? getPath(obj, parseSimplePath(s.labelSelectorPath) ?? []) : undefined;
  const scale: KObject = {
    kind: 'Scale', apiVersion: 'autoscaling/v1',
    metadata: { name: m.name, namespace: m.namespace, uid: m.uid, resourceVersion: m.resourceVersion, creationTimestamp: m.creationTimestamp },
    spec: { replicas: typeof spec === 'number' ? spec : 0 },
    status: { replicas: typeof status === 'number' ? status : 0, ...(typeof sel === 'string' && sel ? { selector: sel } : {}) },
  };
  if (!m.namespace) delete scale.metadata!.namespace;
  return scale;
}

export function scaleHandler(sr: () => ServedResource, s: ScaleSubresource): VirtualHandler {
  return async (ctx) => {
    const { info, req, res } = ctx;
    const r = sr();
    const ns = r.type.namespaced ? info.namespace : '';
    const dryRun = ctx.query.getAll('dryRun').length > 0;
    const served = (o: KObject) => (r.convert ? r.convert.fromStorage(o) : o);
    if (info.verb === 'get') {
      const c = await r.store.get(ns, info.name);
      return writeJSON(res, 200, toScale(served(c.obj), s));
    }
    if (info.verb !== 'update' && info.verb !== 'patch') throw methodNotAllowed(req.method ?? '', `${r.type.resource}/scale`);
    const body = await readBody(req);
    let desired: (cur: KObject) => KObject;
    if (info.verb === 'update') {
      const scale = decodeObject(body, req.headers['content-type']) as KObject;
      desired = () => scale;
    } else {
      const pt = mediaType(req.headers['content-type']);
      if (pt === 'application/json-patch+json') desired = (cur) => applyJSONPatch(cur, parseJSON(body)) as KObject;
      else if (pt === 'application/merge-patch+json') desired = (cur) => jsonMergePatch(cur, parseJSON(body) as Record<string, unknown>) as KObject;
      else throw unsupportedMediaType(pt, ['application/json-patch+json', 'application/merge-patch+json', 'application/apply-patch+yaml']);
    }
    const out = await r.store.update(ns, info.name, (stored) => {
      const cur = served(stored);
      const scale = desired(toScale(cur, s));
      if (scale === null || typeof scale !== 'object') throw badRequest('patch produced a non-object');
      const replicas = (scale.spec as { replicas?: unknown } | undefined)?.replicas;
      if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0) {
        throw invalid('Scale', 'autoscaling', info.name, [{ type: 'FieldValueInvalid', field: 'spec.replicas',
          message: `Invalid value: ${JSON.stringify(replicas ?? null)}: must be greater than or equal to 0` }]);
      }
      const next = structuredClone(stored);
      setPath(next as Record<string, unknown>, parseSimplePath(s.specReplicasPath)!, replicas);
      const rv = scale.metadata?.resourceVersion;
      if (rv && rv !== stored.metadata?.resourceVersion) next.metadata!.resourceVersion = rv;
      else delete next.metadata!.resourceVersion;
      return next;
    }, { admission: ctx.admission, dryRun });
    if (!out.obj) throw new StatusError(500, 'InternalError', 'scale update returned nothing');
    writeJSON(res, 200, toScale(served(out.obj), s));
  };
}
