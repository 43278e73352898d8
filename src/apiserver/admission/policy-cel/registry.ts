// The ValidatingAdmissionPolicy plugin over the API server's caches: policies and bindings, namespaces,
// the served versions of a resource (matchPolicy Equivalent) and params of any served kind (custom
// resources included, converted from storage to the paramKind's version). Also starts the status
// writer that records status.observedGeneration on policies.

import type { KObject } from '../../../api/types.js';
import type { APIServer } from '../../server.js';
import type { ServedResource } from '../../apis.js';
import type { PluginFactory } from '../plugins.js';
import { cachedObject, servedVersions } from '../served.js';
import type { ParamSource } from './params.js';
import { newValidatingAdmissionPolicyPlugin, type PolicyDeps } from './plugin.js';
import { PolicyStatusWriter } from './status.js';
import type { Binding, ParamKind, Policy } from './types.js';

const GROUP = 'admissionregistration.k8s.io';

function cached(sr: ServedResource | undefined, prefix = ''): KObject[] {
  if (!sr) return [];
  const out: KObject[] = [];
  const p = `${sr.store.prefix}${prefix}`;
  for (const [k, c] of sr.store.cache.objects) if (k.startsWith(p)) out.push(c.obj);
  return out;
}

export function policyDeps(server: () => APIServer): PolicyDeps {
  return {
    async policies() {
      const s = server();
      const ps = s.lookup(GROUP, 'v1', 'validatingadmissionpolicies');
      const bs = s.lookup(GROUP, 'v1', 'validatingadmissionpolicybindings');
      // a policy, binding or param written just before this request applies to it
      await s.cache.sync();
      return { policies: cached(ps) as Policy[], bindings: cached(bs) as Binding[] };
    },
    namespace: (name) => cachedObject(server(), '', 'namespaces', '', name),
    versions: servedVersions(server),
    paramSource(kind: ParamKind): ParamSource | undefined {
      const slash = kind.apiVersion.indexOf('/');
      const group = slash < 0 ? '' : kind.apiVersion.slice(0, slash);
      const version = slash < 0 ? kind.apiVersion : kind.apiVersion.slice(slash + 1);
      const sr = server().registry.all().find((x) => x.type.group === group && x.type.version === version
        && x.type.kind === kind.kind);
      if (!sr) return undefined;
      const conv = (o: KObject | undefined) => (o && sr.convert ? sr.convert.fromStorage(o) : o);
      return {
        namespaced: sr.type.namespaced,
        get: (ns, name) => conv(sr.store.cache.objects.get(sr.store.key(ns, name))?.obj),
        list: (ns) => cached(sr, sr.type.namespaced ? `${ns}/` : '').map((o) => conv(o)!),
      };
    },
  };
}

export const validatingPolicyPlugins: Record<string, PluginFactory> = {
  ValidatingAdmissionPolicy: (server) => {
    new PolicyStatusWriter(server).start();
    return newValidatingAdmissionPolicyPlugin(policyDeps(server));
  },
};
