// A datastore wrapper that times every call into etcd_request_duration_seconds (operation and the
// resource the key belongs to), so /metrics shows storage latency as kube-apiserver does.
import type { Backend } from '../../storage/interface.js';
import type { APIServerMetrics } from '../metrics.js';

const TIMED = new Set(['get', 'range', 'create', 'update', 'delete']);
const OPERATION: Record<string, string> = { get: 'get', range: 'listWithCount', create: 'create', update: 'update', delete: 'delete' };

/** "/registry/pods/ns/name" → "pods" (upstream labels by object type) */
function typeOf(key: unknown): string {
  return typeof key === 'string' ? (key.split('/')[2] ?? '') : '';
}

export function instrumentBackend(backend: Backend, metrics: APIServerMetrics): Backend {
  return new Proxy(backend, {
    get(target, prop, receiver) {
      const v = Reflect.get(target, prop, receiver) as unknown;
      if (typeof prop !== 'string' || !TIMED.has(prop) || typeof v !== 'function') {
        return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
      }
      const fn = v as (...a: unknown[]) => Promise<unknown>;
      return (...args: unknown[]) => metrics.timeStorage(OPERATION[prop], typeOf(args[0]), () => fn.apply(target, args));
    },
  });
}
