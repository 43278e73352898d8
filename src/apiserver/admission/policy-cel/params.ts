// Params of a binding (upstream policy/generic CollectParams): none when the policy has no paramKind
// or the binding no paramRef (the policy runs once with params = null); otherwise the object named
// by paramRef.name, or every object paramRef.selector selects, in paramRef.namespace or the request's
// (namespaced paramKinds) — read from the server's cache of that resource, custom resources included.
// Nothing found: parameterNotFoundAction Deny is a configuration error, Allow skips the binding.

import type { KObject } from '../../../api/types.js';
import { selectorFromLabelSelectorOrThrow } from '../../../machinery/labels/selector.js';
import type { ParamKind, ParamRef } from './types.js';

/** where a paramKind's objects are read from */
export interface ParamSource {
  namespaced: boolean;
  get(namespace: string, name: string): KObject | undefined;
  list(namespace: string): KObject[];
}

export class ConfigurationError extends Error {}

/** params to evaluate with (null: no params), or a ConfigurationError */
export function collectParams(kind: ParamKind | undefined, source: ParamSource | undefined, ref: ParamRef | undefined,
  requestNamespace: string): (KObject | null)[] {
  if (!kind || !ref) return [null];
  if (!source) throw new ConfigurationError(`paramKind kind \`${kind.apiVersion}, Kind=${kind.kind}\` not known`);
  let namespace = '';
  if (source.namespaced) {
    namespace = ref.namespace || requestNamespace;
    if (!namespace) throw new ConfigurationError('cannot use namespaced paramRef in policy binding that matches cluster-scoped resources');
  } else if (ref.namespace) {
    throw new ConfigurationError('paramRef.namespace must not be provided for a cluster-scoped `paramKind`');
  }
  let params: KObject[];
  if (ref.name) {
    if (ref.selector) throw new ConfigurationError('paramRef.name and paramRef.selector are mutually exclusive');
    const p = source.get(namespace, ref.name);
    params = p ? [p] : [];
  } else if (ref.selector) {
    let sel;
    try { sel = selectorFromLabelSelectorOrThrow(ref.selector as never); } catch (e) { throw new ConfigurationError((e as Error).message); }
    params = source.list(namespace).filter((o) => sel.matches(o.metadata?.labels ?? {}));
  } else {
    throw new ConfigurationError('one of name or selector must be provided');
  }
  if (params.length === 0 && ref.parameterNotFoundAction === 'Deny') {
    throw new ConfigurationError('no params found for policy binding with `Deny` parameterNotFoundAction');
  }
  // the params as their kind (cached objects carry the storage version's apiVersion)
  return params.map((p) => ({ ...p, apiVersion: kind.apiVersion, kind: kind.kind }));
}
