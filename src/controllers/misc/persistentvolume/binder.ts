// The PersistentVolume binder (upstream's pkg/controller/volume/persistentvolume, "persistentvolume-binder"
// in --controllers): binds claims to volumes and keeps both phases right. One queue of claims and one of
// volumes, each with one worker as upstream, plus a full resync every --pvclaimbinder-sync-period.
//  - an unbound claim gets the best matching volume (match.ts) — volume written first (claimRef and
//    bound-by-controller), then its phase, then the claim (volumeName, bind-completed) and its status;
//    with no match: WaitForFirstConsumer/WaitForPodScheduled events for delayed binding, the external
//    provisioner hand-off (storage-provisioner annotations, ExternalProvisioning event) for a class, or
//    FailedBinding; a claim naming a volume is bound to it when it fits (VolumeMismatch otherwise);
//  - a bound claim whose volume disappeared or went to another claim becomes Lost;
//  - a volume whose claim is gone becomes Released and its reclaim policy runs (Retain keeps it;
//    Delete waits for the external deleter of provisioned volumes, deletes hostPath /tmp volumes, else Failed).
// Writes are remembered until the informer catches up, as upstream's storeVolumeUpdate/storeClaimUpdate.
import { APIError, type RESTClient } from '../../../client/rest.js';
import { olderRV, type Obj, type SharedInformer, type SharedInformerFactory } from '../../../client/informer.js';
import { RateLimitingQueue } from '../../../client/workqueue.js';
import { runWorkers } from '../../common/worker.js';
import type { Controller } from '../../manager/context.js';
import type { EventRecorder } from '../../manager/events.js';
import { checkVolumeSatisfyClaim, findBestMatchForClaim } from './match.js';
import {
  ANN_BETA_DEFAULT_CLASS, ANN_BETA_STORAGE_PROVISIONER, ANN_BIND_COMPLETED, ANN_BOUND_BY_CONTROLLER, ANN_DEFAULT_CLASS,
  ANN_DYNAMICALLY_PROVISIONED, ANN_SELECTED_NODE, ANN_STORAGE_PROVISIONER, claimClass, claimKey, claimRefKey, hasAnnotation,
  isVolumeBoundToClaim, type PersistentVolume, type PersistentVolumeClaim, type StorageClass,
} from './types.js';

const PV_PATH = '/api/v1/persistentvolumes';
const PVC_PATH = '/api/v1/persistentvolumeclaims';
const SC_PATH = '/apis/storage.k8s.io/v1/storageclasses';
const POD_PATH = '/api/v1/pods';

interface Pod { metadata: { name: string; namespace: string }; spec?: { nodeName?: string; volumes?: { name: string; persistentVolumeClaim?: { claimName: string }; ephemeral?: unknown }[] }; status?: { phase?: string } }

export interface BinderOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  /** --pvclaimbinder-sync-period in ms (upstream 15 s) */
  syncPeriodMs?: number;
  now?: () => Date;
}

const clone = <T>(o: T): T => structuredClone(o);
const isoNow = (d: Date) => d.toISOString().replace(/\.\d+Z$/, 'Z');

export class PersistentVolumeController implements Controller {
  readonly name = 'persistentvolume-binder';
  readonly claimQueue = new RateLimitingQueue('claims');
  readonly volumeQueue = new RateLimitingQueue('volumes');
  readonly queues = [this.claimQueue, this.volumeQueue];
  private readonly volumes: SharedInformer<PersistentVolume & Obj>;
  private readonly claims: SharedInformer<PersistentVolumeClaim & Obj>;
  private readonly classes: SharedInformer<StorageClass & Obj>;
  private readonly pods: SharedInformer<Pod & Obj>;
  /** our own writes, newer than what the informers hold until their watch delivers them */
  private readonly writtenVolumes = new Map<string, PersistentVolume>();
  private readonly writtenClaims = new Map<string, PersistentVolumeClaim>();
  private resync?: NodeJS.Timeout;
  private readonly log: (m: string) => void;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: BinderOptions) {
    this.log = opts.log ?? (() => {});
    this.volumes = factory.forPath(PV_PATH);
    this.claims = factory.forPath(PVC_PATH);
    this.classes = factory.forPath(SC_PATH);
    this.pods = factory.forPath(POD_PATH);
    this.pods.addIndexer('pvc', (p) => (p.spec?.volumes ?? []).flatMap((v) => v.persistentVolumeClaim ? [`${p.metadata.namespace}/${v.persistentVolumeClaim.claimName}`] : []));
    this.volumes.addEventHandler({
      add: (v) => this.volumeQueue.add(v.metadata.name),
      update: (_o, v) => this.volumeQueue.add(v.metadata.name),
      delete: (v) => {
        this.writtenVolumes.delete(v.metadata.name);
        if (v.spec.claimRef) this.claimQueue.add(claimRefKey(v.spec.claimRef));
      },
    });
    this.claims.addEventHandler({
      add: (c) => this.claimQueue.add(claimKey(c)),
      update: (_o, c) => this.claimQueue.add(claimKey(c)),
      delete: (c) => {
        this.writtenClaims.delete(claimKey(c));
        if (c.spec.volumeName) this.volumeQueue.add(c.spec.volumeName);
      },
    });
  }

  run(workers: number): Promise<void> {
    const period = this.opts.syncPeriodMs ?? 15_000;
    this.resync = setInterval(() => {
      for (const c of this.claims.store.list()) this.claimQueue.add(claimKey(c));
      for (const v of this.volumes.store.list()) this.volumeQueue.add(v.metadata.name);
    }, period);
    this.resync.unref?.();
    void workers; // upstream runs exactly one claim worker and one volume worker
    return Promise.all([
      runWorkers(this.claimQueue, 1, (k) => this.syncClaimKey(k), (k, e) => this.log(`persistentvolume-binder: claim ${k}: ${e.message}`)),
      runWorkers(this.volumeQueue, 1, (k) => this.syncVolumeKey(k), (k, e) => this.log(`persistentvolume-binder: volume ${k}: ${e.message}`)),
    ]).then(() => undefined);
  }

  stop(): void {
    if (this.resync) clearInterval(this.resync);
    this.claimQueue.shutDown();
    this.volumeQueue.shutDown();
  }

  // ---- cache access preferring our newer writes ----

  private newest<T extends { metadata: { uid?: string; resourceVersion?: string } }>(cached: T | undefined, written: Map<string, T>, key: string): T | undefined {
    const mine = written.get(key);
    if (!cached) { written.delete(key); return undefined; }
    if (mine && mine.metadata.uid === cached.metadata.uid && olderRV(cached.metadata.resourceVersion, mine.metadata.resourceVersion)) return mine;
    written.delete(key);
    return cached;
  }

  getVolume(name: string): PersistentVolume | undefined { return this.newest(this.volumes.store.get(name), this.writtenVolumes, name); }
  getClaim(key: string): PersistentVolumeClaim | undefined { return this.newest(this.claims.store.get(key), this.writtenClaims, key); }
  private allVolumes(): PersistentVolume[] { return this.volumes.store.keys().map((k) => this.getVolume(k)!).filter(Boolean); }

  private event(c: PersistentVolumeClaim, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.opts.recorder.event({ ...c, apiVersion: 'v1', kind: 'PersistentVolumeClaim' } as unknown as Obj, type, reason, message);
  }

  private volumeEvent(v: PersistentVolume, type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.opts.recorder.event({ ...v, apiVersion: 'v1', kind: 'PersistentVolume' } as unknown as Obj, type, reason, message);
  }

  // ---- writes ----

  private async writeVolume(v: PersistentVolume, status = false): Promise<PersistentVolume> {
    const out = await this.client.request<PersistentVolume>('PUT', `${PV_PATH}/${encodeURIComponent(v.metadata.name)}${status ? '/status' : ''}`,
      { ...v, apiVersion: 'v1', kind: 'PersistentVolume' });
    this.writtenVolumes.set(out.metadata.name, out);
    return out;
  }

  private async writeClaim(c: PersistentVolumeClaim, status = false): Promise<PersistentVolumeClaim> {
    const out = await this.client.request<PersistentVolumeClaim>('PUT',
      `/api/v1/namespaces/${encodeURIComponent(c.metadata.namespace)}/persistentvolumeclaims/${encodeURIComponent(c.metadata.name)}${status ? '/status' : ''}`,
      { ...c, apiVersion: 'v1', kind: 'PersistentVolumeClaim' });
    this.writtenClaims.set(claimKey(out), out);
    return out;
  }

  // ---- claims ----

  async syncClaimKey(key: string): Promise<void> {
    const claim = this.getClaim(key);
    if (!claim) return;
    if (!hasAnnotation(claim.metadata, ANN_BIND_COMPLETED)) await this.syncUnboundClaim(claim);
    else await this.syncBoundClaim(claim);
  }

  private storageClass(name: string): StorageClass | undefined { return this.classes.store.get(name); }

  /** IsDelayBindingMode: the claim's class binds on first consumer */
  isDelayBindingMode(claim: PersistentVolumeClaim): boolean {
    const name = claimClass(claim);
    if (!name) return false;
    return this.storageClass(name)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  private async syncUnboundClaim(claim: PersistentVolumeClaim): Promise<void> {
    if (!claim.spec.volumeName) {
      const delayBinding = this.isDelayBindingMode(claim);
      const volume = findBestMatchForClaim(claim, this.allVolumes(), delayBinding);
      if (volume) { await this.bind(volume, claim); return; }
      if (await this.assignDefaultStorageClass(claim)) return; // the update brings the claim back
      if (delayBinding && !hasAnnotation(claim.metadata, ANN_SELECTED_NODE)) {
        this.emitEventForUnboundDelayBindingClaim(claim);
      } else if (claimClass(claim) !== '') {
        await this.provisionClaim(claim);
        return;
      } else {
        this.event(claim, 'Normal', 'FailedBinding', 'no persistent volumes available for this claim and no storage class is set');
      }
      await this.updateClaimStatus(claim, 'Pending', undefined);
      return;
    }
    const volume = this.getVolume(claim.spec.volumeName);
    if (!volume) { await this.updateClaimStatus(claim, 'Pending', undefined); return; }
    if (!volume.spec.claimRef) {
      const why = checkVolumeSatisfyClaim(volume, claim);
      if (why) {
        this.event(claim, 'Warning', 'VolumeMismatch', `Cannot bind to requested volume ${JSON.stringify(volume.metadata.name)}: ${why}`);
        await this.updateClaimStatus(claim, 'Pending', undefined);
        return;
      }
      await this.bind(volume, claim);
      return;
    }
    if (isVolumeBoundToClaim(volume, claim)) { await this.bind(volume, claim); return; }
    if (!hasAnnotation(claim.metadata, ANN_BOUND_BY_CONTROLLER)) {
      // the user asked for a volume someone else holds: wait for it
      await this.updateClaimStatus(claim, 'Pending', undefined);
      return;
    }
    throw new Error(`invalid binding of claim ${JSON.stringify(claimKey(claim))} to volume ${JSON.stringify(claim.spec.volumeName)}: volume already claimed by ${JSON.stringify(claimRefKey(volume.spec.claimRef))}`);
  }

  private emitEventForUnboundDelayBindingClaim(claim: PersistentVolumeClaim): void {
    const pods = this.pods.store.byIndex('pvc', claimKey(claim))
      .filter((p) => p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed' && !p.spec?.nodeName)
      .map((p) => p.metadata.name);
    if (pods.length === 0) this.event(claim, 'Normal', 'WaitForFirstConsumer', 'waiting for first consumer to be created before binding');
    else if (pods.length === 1) this.event(claim, 'Normal', 'WaitForPodScheduled', `waiting for pod ${pods[0]} to be scheduled`);
    else this.event(claim, 'Normal', 'WaitForPodScheduled', `waiting for pods ${pods.join(',')} to be scheduled`);
  }

  /** RetroactiveDefaultStorageClass: a claim with no class at all (not "") gets the default one */
  private async assignDefaultStorageClass(claim: PersistentVolumeClaim): Promise<boolean> {
    if (claim.spec.storageClassName != null) return false;
    const isDefault = (c: StorageClass) => c.metadata.annotations?.[ANN_DEFAULT_CLASS] === 'true' || c.metadata.annotations?.[ANN_BETA_DEFAULT_CLASS] === 'true';
    const defaults = this.classes.store.list().filter(isDefault).sort((a, b) =>
      (b.metadata.creationTimestamp ?? '').localeCompare(a.metadata.creationTimestamp ?? '') || a.metadata.name.localeCompare(b.metadata.name));
    if (defaults.length === 0) return false;
    const c = clone(claim);
    c.spec.storageClassName = defaults[0].metadata.name;
    await this.writeClaim(c);
    return true;
  }

  /** provisionClaim / provisionClaimOperationExternal: Kumo has no in-tree provisioners */
  private async provisionClaim(claim: PersistentVolumeClaim): Promise<void> {
    const className = claimClass(claim);
    const sc = this.storageClass(className);
    if (!sc) {
      this.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io ${JSON.stringify(className)} not found`);
      return;
    }
    const provisioner = sc.provisioner ?? '';
    if (provisioner.startsWith('kubernetes.io/')) {
      this.event(claim, 'Warning', 'ProvisioningFailed', `no volume plugin matched name: ${provisioner}`);
      return;
    }
    let current = claim;
    const ann = claim.metadata.annotations ?? {};
    if (ann[ANN_STORAGE_PROVISIONER] !== provisioner || ann[ANN_BETA_STORAGE_PROVISIONER] !== provisioner) {
      const c = clone(claim);
      c.metadata.annotations = { ...ann, [ANN_BETA_STORAGE_PROVISIONER]: provisioner, [ANN_STORAGE_PROVISIONER]: provisioner };
      try {
        current = await this.writeClaim(c);
      } catch (e) {
        this.event(claim, 'Warning', 'ProvisioningFailed', `Error saving claim: ${(e as Error).message}`);
        throw e;
      }
    }
    this.event(current, 'Normal', 'ExternalProvisioning', `Waiting for a volume to be created either by the external provisioner '${provisioner}' `
      + 'or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.');
  }

  private async syncBoundClaim(claim: PersistentVolumeClaim): Promise<void> {
    if (!claim.spec.volumeName) {
      await this.updateClaimStatusWithEvent(claim, 'Lost', 'Warning', 'ClaimLost', 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!');
      return;
    }
    const volume = this.getVolume(claim.spec.volumeName);
    if (!volume) {
      await this.updateClaimStatusWithEvent(claim, 'Lost', 'Warning', 'ClaimLost', 'Bound claim has lost its PersistentVolume. Data on the volume is lost!');
      return;
    }
    if (!volume.spec.claimRef || volume.spec.claimRef.uid === claim.metadata.uid) { await this.bind(volume, claim); return; }
    await this.updateClaimStatusWithEvent(claim, 'Lost', 'Warning', 'ClaimMisbound', 'Two claims are bound to the same volume, this one is bound incorrectly');
  }

  private async updateClaimStatus(claim: PersistentVolumeClaim, phase: string, volume: PersistentVolume | undefined): Promise<PersistentVolumeClaim> {
    const c = clone(claim);
    const st = (c.status ??= {});
    let dirty = false;
    if (st.phase !== phase) { st.phase = phase; dirty = true; }
    if (!volume) {
      if (st.accessModes != null) { delete st.accessModes; dirty = true; }
      if (st.capacity != null) { delete st.capacity; dirty = true; }
    } else {
      if (JSON.stringify(st.accessModes ?? null) !== JSON.stringify(volume.spec.accessModes ?? null)) { st.accessModes = volume.spec.accessModes; dirty = true; }
      if (!volume.spec.capacity?.storage) throw new Error(`PersistentVolume ${JSON.stringify(volume.metadata.name)} is without a storage capacity`);
      if (st.capacity?.storage !== volume.spec.capacity.storage) { st.capacity = volume.spec.capacity; dirty = true; }
    }
    if (!dirty) return claim;
    const out = await this.writeClaim(c, true);
    this.log(`claim ${JSON.stringify(claimKey(claim))} entered phase ${JSON.stringify(phase)}`);
    return out;
  }

  private async updateClaimStatusWithEvent(claim: PersistentVolumeClaim, phase: string, type: 'Normal' | 'Warning', reason: string, message: string): Promise<void> {
    if (claim.status?.phase === phase) return;
    const out = await this.updateClaimStatus(claim, phase, undefined);
    this.event(out, type, reason, message);
  }

  private async updateVolumePhase(volume: PersistentVolume, phase: string, message: string): Promise<PersistentVolume> {
    if (volume.status?.phase === phase) return volume;
    const v = clone(volume);
    v.status = { ...(v.status ?? {}), phase, message, lastPhaseTransitionTime: isoNow(this.opts.now?.() ?? new Date()) };
    if (!message) delete v.status.message;
    const out = await this.writeVolume(v, true);
    this.log(`volume ${JSON.stringify(volume.metadata.name)} entered phase ${JSON.stringify(phase)}`);
    return out;
  }

  private async updateVolumePhaseWithEvent(volume: PersistentVolume, phase: string, type: 'Normal' | 'Warning', reason: string, message: string): Promise<PersistentVolume> {
    if (volume.status?.phase === phase) return volume;
    const out = await this.updateVolumePhase(volume, phase, message);
    this.volumeEvent(out, type, reason, message);
    return out;
  }

  /** bind: volume (claimRef, bound-by-controller), volume phase, claim (volumeName, annotations), claim status — in this order */
  private async bind(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<void> {
    let v = await this.bindVolumeToClaim(volume, claim);
    v = await this.updateVolumePhase(v, 'Bound', '');
    const c = await this.bindClaimToVolume(claim, v);
    await this.updateClaimStatus(c, 'Bound', v);
  }

  private async bindVolumeToClaim(volume: PersistentVolume, claim: PersistentVolumeClaim): Promise<PersistentVolume> {
    const setBoundByController = !isVolumeBoundToClaim(volume, claim);
    const v = clone(volume);
    let dirty = false;
    const r = volume.spec.claimRef;
    if (!r || r.name !== claim.metadata.name || r.namespace !== claim.metadata.namespace || r.uid !== claim.metadata.uid) {
      v.spec.claimRef = { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name,
        uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion };
      dirty = true;
    }
    if (setBoundByController && !hasAnnotation(v.metadata, ANN_BOUND_BY_CONTROLLER)) {
      v.metadata.annotations = { ...(v.metadata.annotations ?? {}), [ANN_BOUND_BY_CONTROLLER]: 'yes' };
      dirty = true;
    }
    if (!dirty) return volume;
    const out = await this.writeVolume(v);
    this.log(`claim ${JSON.stringify(claimKey(claim))} bound to volume ${JSON.stringify(volume.metadata.name)}`);
    return out;
  }

  private async bindClaimToVolume(claim: PersistentVolumeClaim, volume: PersistentVolume): Promise<PersistentVolumeClaim> {
    const setBoundByController = volume.metadata.name !== claim.spec.volumeName;
    const c = clone(claim);
    let dirty = false;
    if (c.spec.volumeName !== volume.metadata.name) { c.spec.volumeName = volume.metadata.name; dirty = true; }
    const ann = (c.metadata.annotations ??= {});
    if (setBoundByController && !(ANN_BOUND_BY_CONTROLLER in ann)) { ann[ANN_BOUND_BY_CONTROLLER] = 'yes'; dirty = true; }
    if (!(ANN_BIND_COMPLETED in ann)) { ann[ANN_BIND_COMPLETED] = 'yes'; dirty = true; }
    if (!dirty) return claim;
    return this.writeClaim(c);
  }

  // ---- volumes ----

  async syncVolumeKey(name: string): Promise<void> {
    const volume = this.getVolume(name);
    if (volume) await this.syncVolume(volume);
  }

  private async syncVolume(volume: PersistentVolume): Promise<void> {
    const ref = volume.spec.claimRef;
    if (!ref) { await this.updateVolumePhase(volume, 'Available', ''); return; }
    if (!ref.uid) { await this.updateVolumePhase(volume, 'Available', ''); return; } // pre-bound; the claim sync binds
    let claim = this.getClaim(claimRefKey(ref));
    if (!claim && hasAnnotation(volume.metadata, ANN_BOUND_BY_CONTROLLER) && volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') {
      // the claim may be newer than our cache: ask the API server before releasing the volume
      try {
        claim = await this.client.request<PersistentVolumeClaim>('GET',
          `/api/v1/namespaces/${encodeURIComponent(ref.namespace ?? '')}/persistentvolumeclaims/${encodeURIComponent(ref.name ?? '')}`);
      } catch (e) {
        if (!(e instanceof APIError && e.code === 404)) throw e;
      }
    }
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined; // deleted and re-created with the same name
    if (!claim) {
      let v = volume;
      if (v.status?.phase !== 'Released' && v.status?.phase !== 'Failed') {
        this.log(`volume ${JSON.stringify(v.metadata.name)} is released and reclaim policy ${JSON.stringify(v.spec.persistentVolumeReclaimPolicy)} will be executed`);
        v = await this.updateVolumePhase(v, 'Released', '');
      }
      await this.reclaimVolume(v);
      return;
    }
    if (!claim.spec.volumeName) {
      this.claimQueue.add(claimKey(claim)); // binding not finished (or undone by a user): the claim sync fixes it
      return;
    }
    if (claim.spec.volumeName === volume.metadata.name) { await this.updateVolumePhase(volume, 'Bound', ''); return; }
    // bound to a claim that is bound elsewhere
    if (hasAnnotation(volume.metadata, ANN_DYNAMICALLY_PROVISIONED) && volume.spec.persistentVolumeReclaimPolicy === 'Delete') {
      let v = volume;
      if (v.status?.phase !== 'Released' && v.status?.phase !== 'Failed') v = await this.updateVolumePhase(v, 'Released', '');
      await this.reclaimVolume(v);
      return;
    }
    await this.unbindVolume(volume);
  }

  /** unbindVolume: a controller binding is undone entirely; a user's pre-binding keeps its name, loses the uid */
  private async unbindVolume(volume: PersistentVolume): Promise<void> {
    const v = clone(volume);
    if (hasAnnotation(volume.metadata, ANN_BOUND_BY_CONTROLLER)) {
      v.spec.claimRef = null;
      delete v.metadata.annotations![ANN_BOUND_BY_CONTROLLER];
    } else {
      v.spec.claimRef = { ...v.spec.claimRef!, uid: '' };
    }
    const out = await this.writeVolume(v);
    await this.updateVolumePhase(out, 'Available', '');
  }

  private async reclaimVolume(volume: PersistentVolume): Promise<void> {
    switch (volume.spec.persistentVolumeReclaimPolicy) {
      case 'Retain':
        return;
      case 'Recycle':
        await this.updateVolumePhaseWithEvent(volume, 'Failed', 'Warning', 'VolumeFailedRecycle', 'No recycler plugin found for the volume!');
        return;
      case 'Delete':
        await this.deleteVolumeOperation(volume);
        return;
      default:
        await this.updateVolumePhaseWithEvent(volume, 'Failed', 'Warning', 'VolumeUnknownReclaimPolicy', 'Volume has unrecognized PersistentVolumeReclaimPolicy');
    }
  }

  /**
   * deleteVolumeOperation: external provisioners delete what they provisioned; the one in-tree deleter
   * Kumo mirrors is hostPath under /tmp (whose volume object is then deleted); anything else fails.
   */
  private async deleteVolumeOperation(volume: PersistentVolume): Promise<void> {
    if (volume.status?.phase === 'Failed') return; // upstream retries the plugin lookup; ours cannot change
    const provisionedBy = volume.metadata.annotations?.[ANN_DYNAMICALLY_PROVISIONED];
    if (provisionedBy && !provisionedBy.startsWith('kubernetes.io/')) return; // the external deleter's job
    const hostPath = volume.spec.hostPath?.path;
    if (hostPath && /^\/tmp\/.+/.test(hostPath)) {
      try {
        await this.client.request('DELETE', `${PV_PATH}/${encodeURIComponent(volume.metadata.name)}`);
      } catch (e) {
        if (!(e instanceof APIError && e.code === 404)) throw e;
      }
      this.log(`volume ${JSON.stringify(volume.metadata.name)} deleted`);
      return;
    }
    const why = provisionedBy ? `no deletable volume plugin matched name: ${provisionedBy}` : 'no deletable volume plugin matched';
    await this.updateVolumePhaseWithEvent(volume, 'Failed', 'Warning', 'VolumeFailedDelete',
      `error getting deleter volume plugin for volume ${JSON.stringify(volume.metadata.name)}: ${why}`);
  }
}
