// MutatingAdmissionWebhook and ValidatingAdmissionWebhook over the API server's own caches: the
// webhook configurations, namespaces (for namespaceSelector), the served versions of a resource
// (for matchPolicy Equivalent) and Services with their EndpointSlices/Endpoints (for clientConfig.service).

import type { KObject, ResourceType } from '../../api/types.js';
import { applyDefaults } from '../../api/defaults/index.js';
import type { APIServer } from '../server.js';
import type { PluginFactory } from './plugins.js';
import type { ServedVersion, WebhookDeps } from './webhook/dispatcher.js';
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

function one(server: APIServer, group: string, resource: string, namespace: string, name: string): KObject | undefined {
  const sr = server.lookup(group, 'v1', resource);
  return sr?.store.cache.objects.get(sr.store.key(namespace, name))?.obj;
}

const versionsByType = new WeakMap<ResourceType, ServedVersion[]>();

function depsFor(server: () => APIServer, resource: string): WebhookDeps {
  return {
    async configurations() {
      const s = server();
      // a configuration written just before this request applies to it
      await s.cache.sync();
      return objects(s, 'admissionregistration.k8s.io', resource);
    },
    namespace: (name) => one(server(), '', 'namespaces', '', name),
    versions(type) {
      let v = versionsByType.get(type);
      if (!v) {
        const s = server();
        const own = s.lookup(type.group, type.version, type.resource);
        v = own ? s.registry.all().filter((x) => x.store === own.store).map((x) => ({ type: x.type, convert: x.convert })) : [{ type }];
        versionsByType.set(type, v);
      }
      return v;
    },
    resolveService: serviceResolver({
      service: (ns, name) => one(server(), '', 'services', ns, name),
      endpoints: (ns, name) => one(server(), '', 'endpoints', ns, name),
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
