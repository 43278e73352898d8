// The 403 body upstream writes when authorization says no (responsewriters.Forbidden).
import { StatusError } from '../../machinery/errors.js';
import type { AuthorizationAttributes } from '../chain.js';

export function forbidden(a: AuthorizationAttributes, reason?: string): StatusError {
  const who = `User ${JSON.stringify(a.user.name)}`;
  let msg: string;
  let what: string;
  if (a.isResourceRequest) {
    const res = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
    // errors.NewForbidden names the group-qualified resource: "deployments.apps"
    const qualified = a.apiGroup ? `${a.resource}.${a.apiGroup}` : a.resource;
    what = a.name ? `${qualified} ${JSON.stringify(a.name)}` : qualified;
    const scope = a.namespace ? ` in the namespace ${JSON.stringify(a.namespace)}` : ' at the cluster scope';
    msg = `${what} is forbidden: ${who} cannot ${a.verb} resource ${JSON.stringify(res)} in API group ${JSON.stringify(a.apiGroup)}${scope}`;
  } else {
    what = '';
    msg = `forbidden: ${who} cannot ${a.verb} path ${JSON.stringify(a.path)}`;
  }
  if (reason) msg += `: ${reason}`;
  return new StatusError(403, 'Forbidden', msg, a.isResourceRequest
    ? { name: a.name || undefined, group: a.apiGroup || undefined, kind: a.subresource ? `${a.resource}/${a.subresource}` : a.resource }
    : {});
}
