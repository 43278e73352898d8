// MutatingAdmissionWebhook and ValidatingAdmissionWebhook over the API server's own caches: the
// webhook configurations, namespaces (for namespaceSelector), the served versions of a resource
// (for matchPolicy Equivalent) and Services with their EndpointSlices/Endpoints (for clientConfig.service).

import type { KObject } from '../../api/types.js';
import { applyDefaults } from '../../api/defaults/index.js';
import type { APIServer } from '../server.js';
import type { PluginFactory } from './plugins.js';
import { cachedObject, servedVersions } from './served.js';
import type { WebhookDeps } from './webhook/dispatcher.js';
import { newMutatingWebhookPlugin } from './webhook/mutating.js';
import { newValidatingWebhookPlugin } from './webhook/validating.js';
import { serviceResolver } from './webhook/service.js';

function objects(server: APIServer, group: string, resource: string, prefix = ''): KObject[] {
  const sr = server.lookup(group, 'v1', resource);
  if (!sr) return [];
  const out: KObject[] = [];
  const p = prefix ? `${sr.store.prefix}${prefix}` : '';
  for (const [k, c] of sr.store.cache.objects) if (!p || k.startsWith(p)) out.push(c.obj);
  return out;
}

function depsFor(server: () => APIServer, resource: string): WebhookDeps {
  return {
    async configurations() {
      const s = server();
      // a configuration written just before this request applies to it
      await s.cache.sync();
      return objects(s, 'admissionregistration.k8s.io', resource);
    },
    namespace: (name) => cachedObject(server(), '', 'namespaces', '', name),
    versions: servedVersions(server),
    resolveService: serviceResolver({
      service: (ns, name) => cachedObject(server(), '', 'services', ns, name),
      endpoints: (ns, name) => cachedObject(server(), '', 'endpoints', ns, name),
      endpointSlices: (ns, svc) => objects(server(), 'discovery.k8s.io', 'endpointslices', `${ns}/`)
        .filter((s) => s.metadata?.labels?.['kubernetes.io/service-name'] === svc),
    }),
    defaults: (type, obj) => { if (!type.custom) applyDefaults(type.group, type.resource, obj); },
  };
}

export const webhookPlugins: Record<string, PluginFactory> = {
  MutatingAdmissionWebhook: (server) => newMutatingWebhookPlugin(depsFor(server, 'mutatingwebhookconfigurations')),
  ValidatingAdmissionWebhook: (server) => newValidatingWebhookPlugin(depsFor(server, 'validatingwebhookconfigurations')),
};
