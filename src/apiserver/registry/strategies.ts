// Per-kind strategies: upstream's defaults and validation from src/api, plus what the registry
// itself owns on create/update (status reset, pod phase and QoS class, Service IP and NodePort
// allocation, namespace phase).

import { invalid, badRequest, type FieldError } from '../../machinery/errors.js';
import type { KObject, ResourceType } from '../../api/types.js';
import { resourceKey } from '../../api/types.js';
import { defaulters, podQOSClass } from '../../api/defaults/index.js';
import { validators, normalizeSecret, secretDataError } from '../../api/validation/index.js';
import { validateStatus } from '../../api/validation/status.js';
import { isDeepStrictEqual } from 'node:util';
import type { Strategy } from './strategy.js';
import type { IPAllocator, PortAllocator } from './ipallocator.js';
import { csrStrategy } from '../certificates/strategy.js';
import { apiServiceStrategy } from '../aggregator/strategy.js';
import { crdStrategy } from '../../apiextensions/strategy.js';
import { deepCopyJSON } from '../../machinery/deepcopy.js';

export interface StrategyDeps {
  serviceIPs: IPAllocator;
  nodePorts: PortAllocator;
}

/** kinds whose status is written by their owner on create (a kubelet registering its Node) */
const KEEP_STATUS_ON_CREATE = new Set(['/nodes']);

export function strategyFor(type: ResourceType, deps: StrategyDeps): Strategy {
  const key = resourceKey(type.group, type.resource);
  const defaulter = defaulters[key];
  const validator = validators[key];
  const base: Strategy = {
    defaults(obj) { defaulter?.(obj); },
    prepareForCreate(obj) {
      // upstream resets status on create (it serializes as {})
      if (type.statusSubresource && !KEEP_STATUS_ON_CREATE.has(key)) obj.status = {};
    },
    prepareForUpdate() {},
    validate(obj, old) { return [...(validator ? validator(obj, old) : []), ...validateStatus(key, obj)]; },
    afterDelete() {},
  };
  switch (key) {
    case '/pods':
      return {
        ...base,
        prepareForCreate(obj) {
          obj.status = { phase: 'Pending', qosClass: podQOSClass((obj.spec ?? {}) as Record<string, unknown>) };
        },
      };
    case '/namespaces':
      return {
        ...base,
        prepareForCreate(obj) { obj.status = { phase: 'Active' }; },
        prepareForUpdate(obj, old, ctx) {
          // spec.finalizers change only through /finalize (upstream namespaceStrategy)
          if (ctx.subresource !== 'finalize') {
            const spec = (obj.spec ??= {}) as Record<string, unknown>;
            const oldFin = (old.spec as { finalizers?: unknown } | undefined)?.finalizers;
            if (oldFin === undefined) delete spec.finalizers; else spec.finalizers = deepCopyJSON(oldFin);
          }
        },
        deletePending(obj) {
          const fin = (obj.spec as { finalizers?: string[] } | undefined)?.finalizers ?? [];
          if (fin.length === 0) return false;
          obj.status = { ...(obj.status as object ?? {}), phase: 'Terminating' };
          return true;
        },
      };
    case '/persistentvolumes':
    case '/persistentvolumeclaims':
      return { ...base, prepareForCreate(obj) { obj.status = { phase: 'Pending' }; } };
    case '/services':
      return serviceStrategy(base, deps);
    case 'apiextensions.k8s.io/customresourcedefinitions':
      return crdStrategy(base);
    case 'apiregistration.k8s.io/apiservices':
      return apiServiceStrategy(base);
    case 'certificates.k8s.io/certificatesigningrequests':
      return csrStrategy(base);
    case '/secrets':
      // stringData is a write-only convenience: merged into data (base64) as upstream's conversion does
      return {
        ...base,
        defaults(obj) {
          normalizeSecret(obj);
          const bad = secretDataError(obj);
          if (bad) throw badRequest(bad);
          base.defaults(obj);
        },
      };
    case 'discovery.k8s.io/endpointslices':
      return endpointSliceStrategy(base);
    case 'apps/daemonsets':
      return daemonSetStrategy(base);
    case 'apps/deployments':
      return {
        ...base,
        // annotations are copied to the ReplicaSets, so their change is a new generation too (upstream)
        prepareForUpdate(obj, old, ctx) {
          const g = old.metadata?.generation ?? 1;
          if (ctx.subresource === 'status' || obj.metadata!.generation !== g) return;
          if (!isDeepStrictEqual(obj.metadata?.annotations ?? {}, old.metadata?.annotations ?? {})) obj.metadata!.generation = g + 1;
        },
      };
    default:
      return base;
  }
}

const withoutMeta = (o: KObject) => { const { metadata: _m, apiVersion: _a, kind: _k, ...rest } = o; return rest; };

/** EndpointSlices have no spec, yet upstream counts any change beyond metadata as a new generation. */
function endpointSliceStrategy(base: Strategy): Strategy {
  return {
    ...base,
    prepareForCreate(obj, ctx) { void base.prepareForCreate(obj, ctx); obj.metadata!.generation = 1; },
    prepareForUpdate(obj, old) {
      const g = old.metadata?.generation ?? 1;
      obj.metadata!.generation = isDeepStrictEqual(withoutMeta(obj), withoutMeta(old)) ? g : g + 1;
    },
  };
}

export const TEMPLATE_GENERATION = 'deprecated.daemonset.template.generation';

/**
 * DaemonSets carry spec.templateGeneration in apps/v1 as an annotation: 1 on create, kept on
 * updates, +1 whenever the pod template changes (upstream daemonSetStrategy); the daemonset
 * controller labels pods with it.
 */
function daemonSetStrategy(base: Strategy): Strategy {
  const spec = (o: KObject) => (o.spec ?? {}) as { template?: unknown };
  return {
    ...base,
    prepareForCreate(obj, ctx) {
      void base.prepareForCreate(obj, ctx);
      obj.metadata!.annotations = { ...(obj.metadata!.annotations ?? {}), [TEMPLATE_GENERATION]: '1' };
    },
    prepareForUpdate(obj, old, ctx) {
      const prev = Number(old.metadata?.annotations?.[TEMPLATE_GENERATION] ?? '0') || 0;
      const changed = ctx.subresource !== 'status' && !isDeepStrictEqual(spec(obj).template, spec(old).template);
      const next = changed ? prev + 1 : prev;
      const ann = { ...(obj.metadata!.annotations ?? {}) };
      if (next > 0) ann[TEMPLATE_GENERATION] = String(next); else delete ann[TEMPLATE_GENERATION];
      obj.metadata!.annotations = ann;
    },
  };
}

interface ServicePort { nodePort?: number; port?: number; name?: string }
interface ServiceSpec { type?: string; clusterIP?: string; clusterIPs?: string[]; ports?: ServicePort[] }

function serviceStrategy(base: Strategy, deps: StrategyDeps): Strategy {
  const needsNodePorts = (s: ServiceSpec) => s.type === 'NodePort' || s.type === 'LoadBalancer';
  return {
    ...base,
    prepareForCreate(obj, ctx) {
      obj.status = { loadBalancer: {} };
      const spec = (obj.spec ??= {}) as ServiceSpec;
      const name = obj.metadata?.name ?? '';
      const errs: FieldError[] = [];
      const ips: string[] = [];
      const ports: number[] = [];
      if (spec.type !== 'ExternalName') {
        const requested = spec.clusterIP || spec.clusterIPs?.[0] || '';
        if (requested === 'None') {
          spec.clusterIP = 'None'; spec.clusterIPs = ['None'];
        } else if (requested) {
          if (!ctx.dryRun) {
            try { deps.serviceIPs.allocate(requested); ips.push(requested); } catch (e) {
              errs.push({ type: 'FieldValueInvalid', field: 'spec.clusterIPs', message: `Invalid value: ${JSON.stringify([requested])}: ${(e as Error).message}` });
            }
          }
          spec.clusterIP = requested; spec.clusterIPs = [requested];
        } else {
          const ip = ctx.dryRun ? '' : deps.serviceIPs.allocateNext();
          if (ip) { spec.clusterIP = ip; spec.clusterIPs = [ip]; ips.push(ip); }
        }
      } else {
        delete spec.clusterIP; delete spec.clusterIPs;
      }
      if (needsNodePorts(spec) && !ctx.dryRun) {
        for (const [i, p] of (spec.ports ?? []).entries()) {
          if (p.nodePort) {
            try { deps.nodePorts.allocate(p.nodePort); ports.push(p.nodePort); } catch (e) {
              errs.push({ type: 'FieldValueInvalid', field: `spec.ports[${i}].nodePort`, message: `Invalid value: ${p.nodePort}: ${(e as Error).message}` });
            }
          } else { p.nodePort = deps.nodePorts.allocateNext(); ports.push(p.nodePort); }
        }
      }
      if (errs.length) {
        // give back only what this call allocated; the conflicting values belong to other Services
        for (const ip of ips) deps.serviceIPs.release(ip);
        for (const p of ports) deps.nodePorts.release(p);
        throw invalid('Service', '', name, errs);
      }
    },
    prepareForUpdate(obj, old) {
      const spec = (obj.spec ??= {}) as ServiceSpec;
      const os = (old.spec ?? {}) as ServiceSpec;
      // upstream copies allocated values a client left out (kubectl replace of an edited object)
      if (!spec.clusterIP && os.clusterIP && spec.type !== 'ExternalName') spec.clusterIP = os.clusterIP;
      if ((!spec.clusterIPs || spec.clusterIPs.length === 0) && os.clusterIPs && spec.type !== 'ExternalName') spec.clusterIPs = os.clusterIPs;
      if (spec.clusterIP && spec.clusterIP !== os.clusterIP && os.clusterIP) {
        throw invalid('Service', '', obj.metadata?.name ?? '', [{ type: 'FieldValueInvalid', field: 'spec.clusterIPs[0]',
          message: `Invalid value: ${JSON.stringify(spec.clusterIP)}: may not change once set` }]);
      }
      if (needsNodePorts(spec)) {
        const oldPorts = new Map((os.ports ?? []).map((p) => [`${p.name ?? ''}/${p.port}`, p.nodePort]));
        for (const p of spec.ports ?? []) {
          if (!p.nodePort) {
            const prev = oldPorts.get(`${p.name ?? ''}/${p.port}`);
            p.nodePort = prev ?? deps.nodePorts.allocateNext();
          }
        }
      }
      obj.status = old.status ?? { loadBalancer: {} };
    },
    afterDelete(obj) { releaseService(obj, deps); },
  };
}

function releaseService(obj: KObject, deps: StrategyDeps): void {
  const spec = (obj.spec ?? {}) as ServiceSpec;
  if (spec.clusterIP && spec.clusterIP !== 'None') deps.serviceIPs.release(spec.clusterIP);
  for (const p of spec.ports ?? []) if (p.nodePort) deps.nodePorts.release(p.nodePort);
}

/** rebuild allocator state from the stored Services */
export function markServiceAllocations(services: Iterable<KObject>, deps: StrategyDeps): void {
  for (const s of services) {
    const spec = (s.spec ?? {}) as ServiceSpec;
    if (spec.clusterIP && spec.clusterIP !== 'None') deps.serviceIPs.markUsed(spec.clusterIP);
    for (const p of spec.ports ?? []) if (p.nodePort) deps.nodePorts.markUsed(p.nodePort);
  }
}


