// The REST operations Kumo serves for a set of resources, in a neutral form that the OpenAPI v2
// and v3 builders render. Paths, operation ids, actions and parameters follow upstream's spec
// (e.g. listAppsV1NamespacedDeployment, x-kubernetes-action "list"). Parameters are written
// inline: kubectl looks for the fieldValidation query parameter on the PATCH operation and does
// not resolve parameter $refs.

import { apiVersionOf, type ResourceType } from '../types.js';

export interface Param {
  name: string;
  in: 'path' | 'query' | 'body';
  description: string;
  type?: 'string' | 'boolean' | 'integer';
  required?: boolean;
  uniqueItems?: boolean;
  /** body parameter schema: a definition name */
  schemaRef?: string;
}

export interface Operation {
  method: 'get' | 'put' | 'post' | 'patch' | 'delete';
  operationId: string;
  description: string;
  /** x-kubernetes-action (absent on discovery) */
  action?: 'get' | 'list' | 'post' | 'put' | 'patch' | 'delete' | 'deletecollection' | 'watch' | 'watchlist';
  gvk?: { group: string; version: string; kind: string };
  params: Param[];
  /** response definitions by status code */
  responses: Record<string, { description: string; ref?: string }>;
  consumes: string[];
  produces: string[];
  tag: string;
}

export interface PathItem {
  path: string;
  /** parameters shared by every operation of the path */
  params: Param[];
  ops: Operation[];
}

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
export const PRODUCES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];
const PRODUCES_WATCH = [...PRODUCES, 'application/json;stream=watch', 'application/vnd.kubernetes.protobuf;stream=watch'];
const PATCH_TYPES = ['application/json-patch+json', 'application/merge-patch+json',
  'application/strategic-merge-patch+json', 'application/apply-patch+yaml'];

const q = (name: string, type: Param['type'], description: string, extra: Partial<Param> = {}): Param =>
  ({ name, in: 'query', type, description, uniqueItems: true, ...extra });

const P = {
  pretty: q('pretty', 'string', "If 'true', then the output is pretty printed."),
  name: (kind: string): Param => ({ name: 'name', in: 'path', type: 'string', required: true, uniqueItems: true,
    description: `name of the ${kind}` }),
  namespace: { name: 'namespace', in: 'path', type: 'string', required: true, uniqueItems: true,
    description: 'object name and auth scope, such as for teams and projects' } as Param,
  dryRun: q('dryRun', 'string', 'When present, indicates that modifications should not be persisted. Valid values are: - All: all dry run stages will be processed'),
  fieldManager: q('fieldManager', 'string', 'fieldManager is a name associated with the actor or entity that is making these changes. Required for apply requests (application/apply-patch); optional otherwise.'),
  fieldValidation: q('fieldValidation', 'string', 'fieldValidation instructs the server how to handle objects in the request (POST/PUT/PATCH) containing unknown or duplicate fields. Valid values are: - Ignore: unknown fields are silently dropped. - Warn: a warning is sent for each unknown or duplicate field (the default). - Strict: the request fails with BadRequest listing every unknown and duplicate field.'),
  force: q('force', 'boolean', 'Force is going to "force" Apply requests: the conflicting fields owned by other people are re-acquired. Must be unset for non-apply patch requests.'),
  allowWatchBookmarks: q('allowWatchBookmarks', 'boolean', 'allowWatchBookmarks requests watch events with type "BOOKMARK". Servers may ignore it.'),
  continue: q('continue', 'string', 'The continue option should be set when retrieving more results from the server, with the value of the metadata.continue field of the previous list.'),
  fieldSelector: q('fieldSelector', 'string', 'A selector to restrict the list of returned objects by their fields. Defaults to everything.'),
  labelSelector: q('labelSelector', 'string', 'A selector to restrict the list of returned objects by their labels. Defaults to everything.'),
  limit: q('limit', 'integer', 'limit is a maximum number of responses to return for a list call; use continue to get the rest.'),
  resourceVersion: q('resourceVersion', 'string', 'resourceVersion sets a constraint on what resource versions a request may be served from. Defaults to unset.'),
  resourceVersionMatch: q('resourceVersionMatch', 'string', 'resourceVersionMatch determines how resourceVersion is applied to list calls. Defaults to unset.'),
  sendInitialEvents: q('sendInitialEvents', 'boolean', 'sendInitialEvents=true may be set with watch=true; the watch stream then begins with synthetic events for the current state.'),
  timeoutSeconds: q('timeoutSeconds', 'integer', 'Timeout for the list/watch call, regardless of any activity or inactivity.'),
  watch: q('watch', 'boolean', 'Watch for changes to the described resources and return them as a stream of add, update, and remove notifications.'),
  gracePeriodSeconds: q('gracePeriodSeconds', 'integer', 'The duration in seconds before the object should be deleted. Zero means delete immediately.'),
  orphanDependents: q('orphanDependents', 'boolean', 'Deprecated: please use the PropagationPolicy.'),
  propagationPolicy: q('propagationPolicy', 'string', "Whether and how garbage collection will be performed: 'Orphan', 'Background' or 'Foreground'."),
  ignoreStoreReadErrorWithClusterBreakingPotential: q('ignoreStoreReadErrorWithClusterBreakingPotential', 'boolean',
    'if set to true, it will trigger an unsafe deletion of the resource in case the normal deletion flow fails with a corrupt object error.'),
  body: (ref: string): Param => ({ name: 'body', in: 'body', required: true, description: '', schemaRef: ref }),
};

const LIST_PARAMS = [P.allowWatchBookmarks, P.continue, P.fieldSelector, P.labelSelector, P.limit,
  P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds, P.watch];
const DELETE_PARAMS = [P.dryRun, P.gracePeriodSeconds, P.ignoreStoreReadErrorWithClusterBreakingPotential,
  P.orphanDependents, P.propagationPolicy];

/** "apps" → "Apps", "rbac.authorization.k8s.io" → "RbacAuthorization", "" → "Core" */
export function groupCamel(group: string): string {
  if (!group) return 'Core';
  return group.replace(/\.k8s\.io$/, '').split('.').map((p) => p[0].toUpperCase() + p.slice(1)).join('');
}

/** OpenAPI tag of a group version: core_v1, apps_v1, rbacAuthorization_v1 */
export function gvTag(group: string, version: string): string {
  const c = groupCamel(group);
  return `${c[0].toLowerCase()}${c.slice(1)}_${version}`;
}

/** URL prefix of a group version, without trailing slash: /api/v1, /apis/apps/v1 */
export function gvPrefix(group: string, version: string): string {
  return group ? `/apis/${group}/${version}` : `/api/${version}`;
}

/** The key of a GV in /openapi/v3: "api/v1", "apis/apps/v1" */
export function gvKey(group: string, version: string): string {
  return gvPrefix(group, version).slice(1);
}

const WRITE_CONSUMES = ['*/*'];

export function operationsFor(r: ResourceType): PathItem[] {
  const gvk = { group: r.group, version: r.version, kind: r.kind };
  const id = `${groupCamel(r.group)}${r.version[0].toUpperCase()}${r.version.slice(1)}`;
  const ns = r.namespaced ? 'Namespaced' : '';
  const tag = gvTag(r.group, r.version);
  const prefix = gvPrefix(r.group, r.version);
  const coll = r.namespaced ? `${prefix}/namespaces/{namespace}/${r.resource}` : `${prefix}/${r.resource}`;
  const item = `${coll}/{name}`;
  const nsParams = r.namespaced ? [P.namespace] : [];
  const has = (v: string) => r.verbs.includes(v);
  const def = r.definition;
  const listDef = `${def}List`;
  const ok = (ref?: string) => ({ '200': { description: 'OK', ref }, '401': { description: 'Unauthorized' } });
  const written = (codes: string[]) => {
    const res: Operation['responses'] = {};
    for (const c of codes) res[c] = { description: c === '200' ? 'OK' : c === '201' ? 'Created' : 'Accepted', ref: def };
    res['401'] = { description: 'Unauthorized' };
    return res;
  };
  const op = (o: Omit<Operation, 'tag' | 'consumes' | 'produces'> & Partial<Operation>): Operation =>
    ({ tag, consumes: WRITE_CONSUMES, produces: PRODUCES, ...o });
  const out: PathItem[] = [];

  const collOps: Operation[] = [];
  if (has('list') || has('watch')) collOps.push(op({ method: 'get', operationId: `list${id}${ns}${r.kind}`,
    description: `list or watch objects of kind ${r.kind}`, action: 'list', gvk, params: LIST_PARAMS,
    responses: ok(listDef), produces: PRODUCES_WATCH }));
  if (has('create')) collOps.push(op({ method: 'post', operationId: `create${id}${ns}${r.kind}`,
    description: `create ${article(r.kind)} ${r.kind}`, action: 'post', gvk,
    params: [P.body(def), P.dryRun, P.fieldManager, P.fieldValidation], responses: written(['200', '201', '202']) }));
  if (has('deletecollection')) collOps.push(op({ method: 'delete', operationId: `delete${id}Collection${ns}${r.kind}`,
    description: `delete collection of ${r.kind}`, action: 'deletecollection', gvk,
    params: [P.body(`${META}.DeleteOptions`), P.continue, ...DELETE_PARAMS, P.fieldSelector, P.labelSelector, P.limit,
      P.resourceVersion, P.resourceVersionMatch, P.sendInitialEvents, P.timeoutSeconds],
    responses: ok(`${META}.Status`) }));
  if (collOps.length) out.push({ path: coll, params: [...nsParams, P.pretty], ops: collOps });

  const itemOps: Operation[] = [];
  if (has('get')) itemOps.push(op({ method: 'get', operationId: `read${id}${ns}${r.kind}`,
    description: `read the specified ${r.kind}`, action: 'get', gvk, params: [], responses: ok(def) }));
  if (has('update')) itemOps.push(op({ method: 'put', operationId: `replace${id}${ns}${r.kind}`,
    description: `replace the specified ${r.kind}`, action: 'put', gvk,
    params: [P.body(def), P.dryRun, P.fieldManager, P.fieldValidation], responses: written(['200', '201']) }));
  if (has('patch')) itemOps.push(op({ method: 'patch', operationId: `patch${id}${ns}${r.kind}`,
    description: `partially update the specified ${r.kind}`, action: 'patch', gvk, consumes: PATCH_TYPES,
    params: [P.body(`${META}.Patch`), P.dryRun, P.fieldManager, P.fieldValidation, P.force],
    responses: written(['200', '201']) }));
  if (has('delete')) itemOps.push(op({ method: 'delete', operationId: `delete${id}${ns}${r.kind}`,
    description: `delete ${article(r.kind)} ${r.kind}`, action: 'delete', gvk,
    params: [P.body(`${META}.DeleteOptions`), ...DELETE_PARAMS],
    responses: { '200': { description: 'OK', ref: `${META}.Status` }, '202': { description: 'Accepted', ref: `${META}.Status` },
      '401': { description: 'Unauthorized' } } }));
  if (itemOps.length) out.push({ path: item, params: [P.name(r.kind), ...nsParams, P.pretty], ops: itemOps });

  for (const sub of r.subresources) {
    if (sub !== 'status' && sub !== 'scale') continue;
    const Sub = sub === 'status' ? 'Status' : 'Scale';
    const subDef = sub === 'status' ? def : 'io.k8s.api.autoscaling.v1.Scale';
    const subGvk = sub === 'status' ? gvk : { group: 'autoscaling', version: 'v1', kind: 'Scale' };
    const subWritten = (codes: string[]) => {
      const res: Operation['responses'] = {};
      for (const c of codes) res[c] = { description: c === '200' ? 'OK' : 'Created', ref: subDef };
      res['401'] = { description: 'Unauthorized' };
      return res;
    };
    out.push({ path: `${item}/${sub}`, params: [{ ...P.name(sub === 'status' ? r.kind : 'Scale') }, ...nsParams, P.pretty], ops: [
      op({ method: 'get', operationId: `read${id}${ns}${r.kind}${Sub}`, description: `read ${sub} of the specified ${r.kind}`,
        action: 'get', gvk: subGvk, params: [], responses: ok(subDef) }),
      op({ method: 'put', operationId: `replace${id}${ns}${r.kind}${Sub}`, description: `replace ${sub} of the specified ${r.kind}`,
        action: 'put', gvk: subGvk, params: [P.body(subDef), P.dryRun, P.fieldManager, P.fieldValidation],
        responses: subWritten(['200', '201']) }),
      op({ method: 'patch', operationId: `patch${id}${ns}${r.kind}${Sub}`,
        description: `partially update ${sub} of the specified ${r.kind}`, action: 'patch', gvk: subGvk, consumes: PATCH_TYPES,
        params: [P.body(`${META}.Patch`), P.dryRun, P.fieldManager, P.fieldValidation, P.force],
        responses: subWritten(['200', '201']) }),
    ] });
  }

  if (has('watch')) {
    const watchPrefix = `${prefix}/watch`;
    const wcoll = r.namespaced ? `${watchPrefix}/namespaces/{namespace}/${r.resource}` : `${watchPrefix}/${r.resource}`;
    const watchOp = (operationId: string, action: 'watch' | 'watchlist', description: string): Operation =>
      op({ method: 'get', operationId, description, action, gvk, params: [], produces: PRODUCES_WATCH,
        responses: ok(`${META}.WatchEvent`) });
    out.push({ path: wcoll, params: [...LIST_PARAMS, ...nsParams, P.pretty], ops: [
      watchOp(`watch${id}${ns}${r.kind}List`, 'watchlist',
        `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`)] });
    out.push({ path: `${wcoll}/{name}`, params: [...LIST_PARAMS, P.name(r.kind), ...nsParams, P.pretty], ops: [
      watchOp(`watch${id}${ns}${r.kind}`, 'watch',
        `watch changes to an object of kind ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead, filtered to a single item with the 'fieldSelector' parameter.`)] });
    if (r.namespaced) {
      out.push({ path: `${watchPrefix}/${r.resource}`, params: [...LIST_PARAMS, P.pretty], ops: [
        watchOp(`watch${id}${r.kind}ListForAllNamespaces`, 'watchlist',
          `watch individual changes to a list of ${r.kind}. deprecated: use the 'watch' parameter with a list operation instead.`)] });
    }
  }
  if (r.namespaced && has('list')) {
    out.push({ path: `${prefix}/${r.resource}`, params: [...LIST_PARAMS, P.pretty], ops: [
      op({ method: 'get', operationId: `list${id}${r.kind}ForAllNamespaces`, description: `list or watch objects of kind ${r.kind}`,
        action: 'list', gvk, params: [], responses: ok(listDef), produces: PRODUCES_WATCH })] });
  }
  return out;
}

/** The discovery path of a group version: GET /apis/apps/v1/ → APIResourceList. */
export function discoveryPath(group: string, version: string): PathItem {
  const tag = gvTag(group, version);
  return { path: `${gvPrefix(group, version)}/`, params: [], ops: [{
    method: 'get', operationId: `get${groupCamel(group)}${version[0].toUpperCase()}${version.slice(1)}APIResources`,
    description: 'get available resources', params: [],
    responses: { '200': { description: 'OK', ref: `${META}.APIResourceList` }, '401': { description: 'Unauthorized' } },
    consumes: ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'], produces: PRODUCES, tag,
  }] };
}

function article(kind: string): string {
  return /^[AEIOU]/.test(kind) ? 'an' : 'a';
}

/** Resources grouped by "group/version", in the order given. */
export function byGroupVersion(resources: ResourceType[]): Map<string, ResourceType[]> {
  const m = new Map<string, ResourceType[]>();
  for (const r of resources) {
    const k = apiVersionOf(r);
    let l = m.get(k);
    if (!l) m.set(k, (l = []));
    l.push(r);
  }
  return m;
}

/** Every definition an operation refers to (bodies and responses). */
export function operationRefs(items: PathItem[]): Set<string> {
  const s = new Set<string>();
  for (const it of items) {
    for (const o of it.ops) {
      for (const p of o.params) if (p.schemaRef) s.add(p.schemaRef);
      for (const r of Object.values(o.responses)) if (r.ref) s.add(r.ref);
    }
  }
  return s;
}
