// Turns a request path and method into upstream's RequestInfo (k8s.io/apiserver/pkg/endpoints/request):
// the attributes authorization, admission, audit and the REST handlers all work from.

export interface RequestInfo {
  isResourceRequest: boolean;
  path: string;
  verb: string;            // get list watch create update patch delete deletecollection (or lower-case HTTP verb)
  apiPrefix: string;       // 'api' | 'apis'
  apiGroup: string;
  apiVersion: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
  parts: string[];
}

const LIST_VERBS: Record<string, string> = { GET: 'list', POST: 'create', DELETE: 'deletecollection' };
const ITEM_VERBS: Record<string, string> = { GET: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete', POST: 'create' };

export function requestInfo(method: string, pathname: string, query: URLSearchParams): RequestInfo {
  const info: RequestInfo = {
    isResourceRequest: false, path: pathname, verb: method.toLowerCase(), apiPrefix: '', apiGroup: '',
    apiVersion: '', namespace: '', resource: '', subresource: '', name: '', parts: [],
  };
  const segs = pathname.split('/').filter((s) => s !== '');
  if (segs.length === 0 || (segs[0] !== 'api' && segs[0] !== 'apis')) return info;
  info.apiPrefix = segs[0];
  let rest = segs.slice(1);
  if (info.apiPrefix === 'apis') {
    if (rest.length < 2) return info; // /apis or /apis/<group>: discovery
    info.apiGroup = rest[0];
    info.apiVersion = rest[1];
    rest = rest.slice(2);
  } else {
    if (rest.length < 1) return info; // /api
    info.apiVersion = rest[0];
    rest = rest.slice(1);
  }
  if (rest.length === 0) return info; // group-version discovery
  info.isResourceRequest = true;

  let watchPrefix = false;
  if (rest[0] === 'watch') { watchPrefix = true; rest = rest.slice(1); }
  else if (rest[0] === 'proxy') { rest = rest.slice(1); }

  // as upstream: namespaces/{ns}/{resource}/… is namespaced; namespaces/{name}[/status|/finalize] is the namespace itself
  if (rest[0] === 'namespaces' && rest.length > 1) {
    info.namespace = rest[1];
    if (rest.length > 2 && rest[2] !== 'status' && rest[2] !== 'finalize') rest = rest.slice(2);
  }
  info.parts = rest;
  info.resource = rest[0] ?? '';
  if (rest.length >= 2) info.name = rest[1];
  if (rest.length >= 3) info.subresource = rest[2];

  const hasName = info.name !== '';
  info.verb = (hasName ? ITEM_VERBS : LIST_VERBS)[method] ?? method.toLowerCase();
  if (info.verb === 'list' && (watchPrefix || isWatch(query))) info.verb = 'watch';
  if (watchPrefix && info.verb === 'get') info.verb = 'watch';
  return info;
}

function isWatch(q: URLSearchParams): boolean {
  const w = q.get('watch');
  return w === 'true' || w === '1';
}
