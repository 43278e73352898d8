// Storage object in-use protection (upstream's pvcprotection and pvprotection controllers). Claims and
// volumes carry the kubernetes.io/pvc-protection / kubernetes.io/pv-protection finalizer (admission adds
// it on create; these controllers add it to objects that lack it). Once deletion is requested the
// finalizer is removed only when the object is unused: a claim when no scheduled pod names it (checked
// in the pod cache, then with a live pod list, since the cache may lag), a volume when it is not Bound.
import type { RESTClient } from '../../../client/rest.js';
import type { Obj, SharedInformer, SharedInformerFactory } from '../../../client/informer.js';
import { RateLimitingQueue } from '../../../client/workqueue.js';
import { runWorkers } from '../../common/worker.js';
import type { Controller } from '../../manager/context.js';
import { claimKey, type PersistentVolume, type PersistentVolumeClaim } from './types.js';

export const PVC_PROTECTION_FINALIZER = 'kubernetes.io/pvc-protection';
export const PV_PROTECTION_FINALIZER = 'kubernetes.io/pv-protection';

interface Pod {
  metadata: { name: string; namespace: string; uid?: string; deletionTimestamp?: string; deletionGracePeriodSeconds?: number };
  spec?: { nodeName?: string; volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }[] };
  status?: { phase?: string };
}

type Protected = { metadata: { deletionTimestamp?: string; finalizers?: string[] } };

export const isDeletionCandidate = (o: Protected, f: string): boolean => !!o.metadata.deletionTimestamp && (o.metadata.finalizers ?? []).includes(f);
export const needToAddFinalizer = (o: Protected, f: string): boolean => !o.metadata.deletionTimestamp && !(o.metadata.finalizers ?? []).includes(f);

/** the claim names a pod's volumes refer to (generic ephemeral volumes: "<pod>-<volume>") */
export function podClaimNames(pod: Pod): string[] {
  return (pod.spec?.volumes ?? []).flatMap((v) => v.persistentVolumeClaim ? [v.persistentVolumeClaim.claimName]
    : v.ephemeral ? [`${pod.metadata.name}-${v.name}`] : []);
}

/** a pod done with by the kubelet, or force-deleted: it no longer holds an ephemeral claim */
const podIsShutDown = (p: Pod): boolean => !!p.metadata.deletionTimestamp && p.metadata.deletionGracePeriodSeconds === 0;
const podIsTerminated = (p: Pod): boolean => p.status?.phase === 'Succeeded' || p.status?.phase === 'Failed';

/** podUsesPVC: only scheduled pods count — the kubelet refuses to start one whose claim is being deleted */
export function podUsesPVC(pod: Pod, claimName: string): boolean {
  if (!pod.spec?.nodeName) return false;
  return (pod.spec.volumes ?? []).some((v) => v.persistentVolumeClaim?.claimName === claimName
    || (!podIsShutDown(pod) && v.ephemeral != null && `${pod.metadata.name}-${v.name}` === claimName));
}

export class PVCProtectionController implements Controller {
  readonly name = 'pvc-protection';
  readonly queue = new RateLimitingQueue('pvcprotection');
  readonly queues = [this.queue];
  private readonly claims: SharedInformer<PersistentVolumeClaim & Obj>;
  private readonly pods: SharedInformer<Pod & Obj>;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly log: (m: string) => void = () => {}) {
    this.claims = factory.forPath('/api/v1/persistentvolumeclaims');
    this.pods = factory.forPath('/api/v1/pods');
    this.pods.addIndexer('pvc-protection', (p) => podClaimNames(p).map((n) => `${p.metadata.namespace}/${n}`));
    const onClaim = (c: PersistentVolumeClaim) => {
      if (needToAddFinalizer(c, PVC_PROTECTION_FINALIZER) || isDeletionCandidate(c, PVC_PROTECTION_FINALIZER)) this.queue.add(claimKey(c));
    };
    this.claims.addEventHandler({ add: onClaim, update: (_o, c) => onClaim(c) });
    this.pods.addEventHandler({
      add: (p) => this.enqueueClaims(p, false),
      update: (o, p) => {
        this.enqueueClaims(p, false);
        if (o.metadata.uid !== p.metadata.uid) this.enqueueClaims(o, true);
      },
      delete: (p) => this.enqueueClaims(p, true),
    });
  }

  /** only pods that may free a claim matter: deleted, finished or never scheduled */
  private enqueueClaims(pod: Pod, deleted: boolean): void {
    if (!deleted && !podIsTerminated(pod) && pod.spec?.nodeName) return;
    for (const n of podClaimNames(pod)) this.queue.add(`${pod.metadata.namespace}/${n}`);
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (k) => this.sync(k), (k, e) => this.log(`pvc-protection: PVC ${k} failed with: ${e.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  async sync(key: string): Promise<void> {
    const pvc = this.claims.store.get(key);
    if (!pvc) return;
    if (isDeletionCandidate(pvc, PVC_PROTECTION_FINALIZER)) {
      if (!(await this.isBeingUsed(pvc))) {
        await this.write(pvc, (pvc.metadata.finalizers ?? []).filter((f) => f !== PVC_PROTECTION_FINALIZER));
        return;
      }
      this.log(`pvc-protection: keeping PVC ${key} because it is being used`);
    }
    if (needToAddFinalizer(pvc, PVC_PROTECTION_FINALIZER)) await this.write(pvc, [...(pvc.metadata.finalizers ?? []), PVC_PROTECTION_FINALIZER]);
  }

  private async isBeingUsed(pvc: PersistentVolumeClaim): Promise<boolean> {
    if (this.pods.store.byIndex('pvc-protection', claimKey(pvc)).some((p) => podUsesPVC(p, pvc.metadata.name))) return true;
    // the cache may not have a new pod yet: be sure with a live list before letting the claim go
    const list = await this.client.request<{ items?: Pod[] }>('GET', `/api/v1/namespaces/${encodeURIComponent(pvc.metadata.namespace)}/pods`);
    return (list.items ?? []).some((p) => podUsesPVC(p, pvc.metadata.name));
  }

  private async write(pvc: PersistentVolumeClaim, finalizers: string[]): Promise<void> {
    await this.client.request('PUT', `/api/v1/namespaces/${encodeURIComponent(pvc.metadata.namespace)}/persistentvolumeclaims/${encodeURIComponent(pvc.metadata.name)}`,
      { ...pvc, apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { ...pvc.metadata, finalizers } });
  }
}

export class PVProtectionController implements Controller {
  readonly name = 'pv-protection';
  readonly queue = new RateLimitingQueue('pvprotection');
  readonly queues = [this.queue];
  private readonly volumes: SharedInformer<PersistentVolume & Obj>;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly log: (m: string) => void = () => {}) {
    this.volumes = factory.forPath('/api/v1/persistentvolumes');
    const onVolume = (v: PersistentVolume) => {
      if (needToAddFinalizer(v, PV_PROTECTION_FINALIZER) || isDeletionCandidate(v, PV_PROTECTION_FINALIZER)) this.queue.add(v.metadata.name);
    };
    this.volumes.addEventHandler({ add: onVolume, update: (_o, v) => onVolume(v) });
  }

  run(workers: number): Promise<void> {
    return runWorkers(this.queue, workers, (k) => this.sync(k), (k, e) => this.log(`pv-protection: PV ${k} failed with: ${e.message}`));
  }

  stop(): void { this.queue.shutDown(); }

  async sync(name: string): Promise<void> {
    const pv = this.volumes.store.get(name);
    if (!pv) return;
    if (isDeletionCandidate(pv, PV_PROTECTION_FINALIZER)) {
      if (pv.status?.phase !== 'Bound') {
        await this.write(pv, (pv.metadata.finalizers ?? []).filter((f) => f !== PV_PROTECTION_FINALIZER));
        return;
      }
      this.log(`pv-protection: keeping PV ${name} because it is being used`);
    }
    if (needToAddFinalizer(pv, PV_PROTECTION_FINALIZER)) await this.write(pv, [...(pv.metadata.finalizers ?? []), PV_PROTECTION_FINALIZER]);
  }

  private async write(pv: PersistentVolume, finalizers: string[]): Promise<void> {
    await this.client.request('PUT', `/api/v1/persistentvolumes/${encodeURIComponent(pv.metadata.name)}`,
      { ...pv, apiVersion: 'v1', kind: 'PersistentVolume', metadata: { ...pv.metadata, finalizers } });
  }
}
