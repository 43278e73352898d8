// What plugins look up besides nodes and pods: namespace labels (InterPodAffinity's
// namespaceSelector) and the selectors of the services and workloads that own a pod
// (PodTopologySpread's default constraints, upstream helper.DefaultSelector). Kept from
// reflectors; only the fields needed are stored.
import type { RESTClient } from '../client/rest.js';
import { reflect } from '../client/reflector.js';
import { LabelSelector, selectorFromLabelSelectorOrThrow, selectorFromSet } from '../machinery/labels/selector.js';
import type { Cache } from './nodeinfo.js';
import type { LabelSelectorSpec, Pod } from './types.js';
import { VolumeListers } from './volumes.js';

interface Obj { metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: Record<string, unknown> }

export class Listers {
  /** namespace → its labels */
  readonly namespaces = new Map<string, Record<string, string>>();
  /** namespace → service name → spec.selector (services without a selector are not kept) */
  readonly services = new Map<string, Map<string, Record<string, string>>>();
  /** "Kind/namespace/name" → selector, for ReplicationController, ReplicaSet and StatefulSet */
  readonly workloads = new Map<string, LabelSelector>();
  /** claims, volumes, storage classes and CSINodes for the volume plugins */
  readonly volumes = new VolumeListers();

  onNamespace(type: string, o: Obj): void {
    if (type === 'DELETED') this.namespaces.delete(o.metadata.name);
    else this.namespaces.set(o.metadata.name, o.metadata.labels ?? {});
  }

  onService(type: string, o: Obj): void {
    const ns = o.metadata.namespace ?? '';
    let m = this.services.get(ns);
    const sel = o.spec?.selector as Record<string, string> | undefined;
    if (type === 'DELETED' || !sel) { m?.delete(o.metadata.name); return; }
    if (!m) this.services.set(ns, (m = new Map()));
    m.set(o.metadata.name, sel);
  }

  onWorkload(kind: string, type: string, o: Obj): void {
    const key = `${kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
    if (type === 'DELETED') { this.workloads.delete(key); return; }
    try {
      const sel = kind === 'ReplicationController'
        ? selectorFromSet(o.spec?.selector as Record<string, string> | undefined)
        : selectorFromLabelSelectorOrThrow(o.spec?.selector as LabelSelectorSpec | undefined);
      this.workloads.set(key, sel);
    } catch { this.workloads.delete(key); }
  }

  /**
   * upstream helper.DefaultSelector: the merged selectors of the services selecting the pod, plus
   * the selector of its controlling ReplicationController, ReplicaSet or StatefulSet.
   */
  defaultSelector(pod: Pod): LabelSelector {
    const labels = pod.metadata.labels ?? {};
    const merged: Record<string, string> = {};
    for (const sel of this.services.get(pod.metadata.namespace ?? '')?.values() ?? []) {
      if (selectorFromSet(sel).matches(labels)) Object.assign(merged, sel);
    }
    let selector = selectorFromSet(merged);
    const owner = (pod.metadata.ownerReferences ?? []).find((r) => r.controller);
    if (!owner) return selector;
    const kind = owner.apiVersion === 'v1' && owner.kind === 'ReplicationController' ? owner.kind
      : owner.apiVersion === 'apps/v1' && (owner.kind === 'ReplicaSet' || owner.kind === 'StatefulSet') ? owner.kind : '';
    const w = kind ? this.workloads.get(`${kind}/${pod.metadata.namespace ?? ''}/${owner.name}`) : undefined;
    if (w && !w.matchesNothing()) selector = selector.add(...w.requirements());
    return selector;
  }

  /** Starts the reflectors; resolves once each has listed. Returns their stop functions. */
  async start(client: RESTClient, log?: (m: string) => void): Promise<(() => void)[]> {
    const rs = await Promise.all([
      reflect(client, '/api/v1/namespaces', (t, o) => this.onNamespace(t, o as unknown as Obj), { log }),
      reflect(client, '/api/v1/services', (t, o) => this.onService(t, o as unknown as Obj), { log }),
      reflect(client, '/api/v1/replicationcontrollers', (t, o) => this.onWorkload('ReplicationController', t, o as unknown as Obj), { log }),
      reflect(client, '/apis/apps/v1/replicasets', (t, o) => this.onWorkload('ReplicaSet', t, o as unknown as Obj), { log }),
      reflect(client, '/apis/apps/v1/statefulsets', (t, o) => this.onWorkload('StatefulSet', t, o as unknown as Obj), { log }),
    ]);
    const vs = await this.volumes.start(client, log);
    return [...rs.map((r) => () => r.stop()), ...vs];
  }
}

/** What plugins share with the scheduler (upstream framework.Handle, the parts Kumo needs). */
export interface Handle { cache: Cache; listers: Listers }
