// The disruption controller (upstream pkg/controller/disruption): keeps every PodDisruptionBudget's
// status current — expected pods (from the owners' scale for percentages and maxUnavailable),
// desired and current healthy pods, disruptionsAllowed and the DisruptionAllowed condition — which
// the API server's pods/eviction spends. Evictions recorded in status.disruptedPods count as gone
// until the pod is terminating or two minutes passed. A budget whose status cannot be computed is
// "failed safe" to zero disruptions. A second queue resets DisruptionTarget conditions that an
// eviction or preemption left on pods that were never deleted.
import { APIError, type RESTClient } from '../../client/rest.js';
import { metaKey, type SharedInformer, type SharedInformerFactory } from '../../client/informer.js';
import { RateLimitingQueue } from '../../client/workqueue.js';
import { selectorFromLabelSelectorOrThrow } from '../../machinery/labels/selector.js';
import { runWorkers } from '../common/worker.js';
import type { EventRecorder } from '../manager/events.js';
import type { Pod } from '../replicaset/pods.js';
import {
  buildDisruptedPodMap, countHealthyPods, expectedPodCount, failSafeStatus, goSelectorString, needsScale, nextStatus,
  setStatusCondition, staleDisruptionWait, STALE_POD_DISRUPTION_TIMEOUT_MS, type Condition, type PDB, type PDBStatus,
} from './budget.js';
import { expectedScale, OwnerScales } from './finders.js';

const PDB_PATH = '/apis/policy/v1/poddisruptionbudgets';
const PODS_PATH = '/api/v1/pods';

export interface DisruptionControllerOptions {
  recorder: EventRecorder;
  log?: (m: string) => void;
  now?: () => number;
  /** how long a DisruptionTarget condition may sit on a live pod before it is reset (tests shorten it) */
  stalePodDisruptionTimeoutMs?: number;
}

export class DisruptionController {
  readonly name = 'disruption';
  readonly queue = new RateLimitingQueue('disruption');
  readonly staleQueue = new RateLimitingQueue('stale_pod_disruption');
  readonly queues = [this.queue, this.staleQueue];
  private readonly pdbInformer: SharedInformer<PDB>;
  private readonly podInformer: SharedInformer<Pod>;
  private readonly scales: OwnerScales;
  private readonly log: (m: string) => void;
  private readonly now: () => number;
  private readonly staleTimeout: number;

  constructor(private readonly client: RESTClient, factory: SharedInformerFactory, private readonly opts: DisruptionControllerOptions) {
    this.log = opts.log ?? (() => {});
    this.now = opts.now ?? Date.now;
    this.staleTimeout = opts.stalePodDisruptionTimeoutMs ?? STALE_POD_DISRUPTION_TIMEOUT_MS;
    this.pdbInformer = factory.forPath<PDB>(PDB_PATH);
    this.podInformer = factory.forPath<Pod>(PODS_PATH);
    this.scales = new OwnerScales(client, {
      rc: factory.forPath('/api/v1/replicationcontrollers'),
      rs: factory.forPath('/apis/apps/v1/replicasets'),
      deployments: factory.forPath('/apis/apps/v1/deployments'),
      statefulsets: factory.forPath('/apis/apps/v1/statefulsets'),
    }, this.now);
    this.pdbInformer.addEventHandler({
      add: (pdb) => this.queue.add(metaKey(pdb)),
      update: (_o, pdb) => this.queue.add(metaKey(pdb)),
      delete: (pdb) => this.queue.add(metaKey(pdb)),
    });
    this.podInformer.addEventHandler({
      add: (p) => this.podChanged(p, true),
      update: (_o, p) => this.podChanged(p, true),
      delete: (p) => this.podChanged(p, false),
    });
  }

  private podChanged(p: Pod, checkStale: boolean): void {
    const pdb = this.pdbForPod(p);
    if (pdb) this.queue.add(metaKey(pdb));
    if (!checkStale) return;
    const wait = staleDisruptionWait(p, this.now(), this.staleTimeout);
    if (wait !== undefined) this.staleQueue.addAfter(metaKey(p), wait);
  }

  private record(o: PDB | Pod, kind: 'PodDisruptionBudget' | 'Pod', type: 'Normal' | 'Warning', reason: string, message: string): void {
    this.opts.recorder.event({ ...o, apiVersion: kind === 'Pod' ? 'v1' : 'policy/v1', kind }, type, reason, message);
  }

  /** Budgets in the pod's namespace selecting it (GetPodPodDisruptionBudgets); empty selectors select nothing. */
  budgetsForPod(p: Pod): PDB[] {
    if (!p.metadata.labels || Object.keys(p.metadata.labels).length === 0) return [];
    return this.pdbInformer.store.byIndex('namespace', p.metadata.namespace ?? '').filter((pdb) => {
      try {
        const sel = selectorFromLabelSelectorOrThrow(pdb.spec?.selector);
        return !sel.isEmpty() && sel.matches(p.metadata.labels);
      } catch { return false; }
    }).sort((a, b) => String(a.metadata.name).localeCompare(String(b.metadata.name)));
  }

  /** getPdbForPod: the first budget when several match, with upstream's warning on the pod. */
  private pdbForPod(p: Pod): PDB | undefined {
    const pdbs = this.budgetsForPod(p);
    if (pdbs.length > 1) {
      const msg = `Pod ${JSON.stringify(p.metadata.namespace)}/${JSON.stringify(p.metadata.name)} matches multiple PodDisruptionBudgets.  Chose ${JSON.stringify(pdbs[0].metadata.name)} arbitrarily.`;
      this.log(msg);
      this.record(p, 'Pod', 'Warning', 'MultiplePodDisruptionBudgets', msg);
    }
    return pdbs[0];
  }

  /** Upstream runs one worker per queue whatever the manager asks. */
  run(_workers?: number): Promise<void> {
    const onError = (what: string) => (key: string, err: Error) => this.log(`${what} ${JSON.stringify(key)}: ${err.message}`);
    return Promise.all([
      runWorkers(this.queue, 1, (k) => this.sync(k), onError('Error syncing PodDisruptionBudget, requeuing')),
      runWorkers(this.staleQueue, 1, (k) => this.syncStalePodDisruption(k), onError('error syncing Pod to clear DisruptionTarget condition, requeueing')),
    ]).then(() => undefined);
  }

  stop(): void { this.queue.shutDown(); this.staleQueue.shutDown(); }

  /** One reconcile of the budget `key`; a conflict is retried as is, any other failure fails safe. */
  async sync(key: string): Promise<void> {
    const pdb = this.pdbInformer.store.get(key);
    if (!pdb) return;
    try {
      await this.trySync(pdb);
    } catch (err) {
      if (err instanceof APIError && err.code === 409) throw err;
      this.log(`Failed to sync PDB ${key}: ${(err as Error).message}`);
      await this.writeStatus(pdb, failSafeStatus(pdb, err as Error, this.now()));
    }
  }

  private podsForPdb(pdb: PDB): Pod[] {
    const sel = selectorFromLabelSelectorOrThrow(pdb.spec?.selector);
    return this.podInformer.store.byIndex('namespace', pdb.metadata.namespace ?? '').filter((p) => sel.matches(p.metadata.labels));
  }

  private async trySync(pdb: PDB): Promise<void> {
    let pods: Pod[];
    try {
      pods = this.podsForPdb(pdb);
    } catch (err) {
      this.record(pdb, 'PodDisruptionBudget', 'Warning', 'NoPods', `Failed to get pods: ${(err as Error).message}`);
      throw err;
    }
    if (pods.length === 0) this.record(pdb, 'PodDisruptionBudget', 'Normal', 'NoPods', 'No matching pods found');

    let counts: { expectedCount: number; desiredHealthy: number };
    let unmanagedPods: string[] = [];
    try {
      let scale = 0;
      if (needsScale(pdb)) ({ expectedCount: scale, unmanagedPods } = await expectedScale(pods, (ref, ns) => this.scales.find(ref, ns)));
      counts = expectedPodCount(pdb, pods.length, scale);
    } catch (err) {
      this.record(pdb, 'PodDisruptionBudget', 'Warning', 'CalculateExpectedPodCountFailed',
        `Failed to calculate the number of expected pods: ${(err as Error).message}`);
      throw err;
    }
    if (unmanagedPods.length > 0) {
      this.record(pdb, 'PodDisruptionBudget', 'Warning', 'UnmanagedPods',
        `Pods selected by this PodDisruptionBudget (selector: ${goSelectorString(pdb.spec?.selector)}) were found to be unmanaged. `
        + 'As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. '
        + 'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.');
    }

    const now = this.now();
    const { disruptedPods, recheckAt, notDeleted } = buildDisruptedPodMap(pods, pdb, now);
    for (const p of notDeleted) {
      this.log(`pod ${metaKey(p)} was expected to be deleted but it wasn't, updating PDB ${metaKey(pdb)}`);
      // upstream names the budget's namespace twice here
      this.record(p, 'Pod', 'Warning', 'NotDeleted',
        `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.namespace} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthyPods(pods, disruptedPods, now);
    const next = nextStatus(pdb, currentHealthy, counts.desiredHealthy, counts.expectedCount, disruptedPods, now);
    if (next) await this.writeStatus(pdb, next);
    if (recheckAt !== undefined) this.queue.addAfter(metaKey(pdb), Math.max(0, recheckAt - now));
  }

  /** UpdateStatus with the cached resourceVersion: a conflict means a newer budget is on its way. */
  private async writeStatus(pdb: PDB, status: PDBStatus): Promise<void> {
    const path = `/apis/policy/v1/namespaces/${pdb.metadata.namespace}/poddisruptionbudgets/${pdb.metadata.name}/status`;
    await this.client.request('PUT', path, { ...pdb, apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', status });
  }

  /** Resets a DisruptionTarget=True condition left on a pod that is still not being deleted. */
  async syncStalePodDisruption(key: string): Promise<void> {
    const pod = this.podInformer.store.get(key);
    if (!pod) return;
    const wait = staleDisruptionWait(pod, this.now(), this.staleTimeout);
    if (wait === undefined) return;
    if (wait > 0) { this.staleQueue.addAfter(key, wait); return; }
    const conds = (pod.status?.conditions ?? []) as Condition[];
    const old = conds.find((c) => c.type === 'DisruptionTarget');
    // UpdatePodCondition with only type and status: reason and message are cleared
    const next = setStatusCondition(conds, { type: 'DisruptionTarget', status: 'False' }, this.now())
      .map((c) => (c.type === 'DisruptionTarget' ? { type: c.type, status: c.status, lastProbeTime: null, lastTransitionTime: c.lastTransitionTime } : c));
    if (old?.status === 'False') return;
    const path = `/api/v1/namespaces/${pod.metadata.namespace}/pods/${pod.metadata.name}/status`;
    await this.client.request('PUT', path, { ...pod, apiVersion: 'v1', kind: 'Pod', status: { ...pod.status, conditions: next } });
    this.log(`Reset stale DisruptionTarget condition to False for pod ${key}`);
  }
}

