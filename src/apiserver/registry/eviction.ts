// The pods/eviction subresource (upstream pkg/registry/core/pod/storage/eviction.go): a delete that
// honours PodDisruptionBudgets. Pods that are already disrupted (pending, finished, terminating) go
// at once; a pod covered by one budget is deleted only after the budget's disruptionsAllowed was
// decremented (a conditional status write, so two evictions never spend the same disruption);
// otherwise the client gets 429 and retries (kubectl drain does). Before the delete, the pod gets a
// DisruptionTarget condition saying why it goes.
import { StatusError, badRequest, conflict, invalid } from '../../machinery/errors.js';
import { selectorFromLabelSelectorOrThrow, type LabelSelectorSpec } from '../../machinery/labels/selector.js';
import type { KObject } from '../../api/types.js';
import type { ServedResource } from '../apis.js';
import type { RequestContext } from '../http/types.js';
import { readBody, decodeObject } from '../http/body.js';
import { writeJSON } from '../http/respond.js';
import { gracePeriodFor } from '../handlers/graceful.js';
import { nowTimestamp, type DeleteOptions } from './store.js';
import { deepCopyJSON } from '../../machinery/deepcopy.js';

/** upstream MaxDisruptedPodSize: evictions the controller has not confirmed yet, per budget */
export const MAX_DISRUPTED_POD_SIZE = 2000;
/** upstream EvictionsRetry: 20 steps of 500 ms for conflicts on the pod */
const RETRY_STEPS = 20;
const RETRY_MS = 500;

const EVICTION_VERSIONS = ['policy/v1', 'policy/v1beta1'];
const VIOLATES = "Cannot evict pod as it would violate the pod's disruption budget.";

interface PodCondition { type: string; status: string; reason?: string; message?: string; lastProbeTime?: string | null; lastTransitionTime?: string }
interface Pod extends KObject {
  status?: { phase?: string; conditions?: PodCondition[] };
}
interface PDB extends KObject {
  spec?: { selector?: LabelSelectorSpec | null; unhealthyPodEvictionPolicy?: string };
  status?: {
    observedGeneration?: number; disruptionsAllowed?: number; currentHealthy?: number; desiredHealthy?: number;
    expectedPods?: number; disruptedPods?: Record<string, string>;
    conditions?: { type: string; status: string; reason?: string; message?: string; observedGeneration?: number; lastTransitionTime?: string }[];
  };
}

/** The 429 for a budget the controller has not caught up with (createTooManyRequestsError). */
export function budgetProcessingError(pdbName: string): StatusError {
  return new StatusError(429, 'TooManyRequests', VIOLATES, {
    causes: [{ reason: 'DisruptionBudget', message: `The disruption budget ${pdbName} is still being processed by the server.` }],
    retryAfterSeconds: 10,
  });
}

function forbiddenBudget(pdbName: string, why: string): StatusError {
  return new StatusError(403, 'Forbidden', `poddisruptionbudget.policy "${pdbName}" is forbidden: ${why}`,
    { name: pdbName, group: 'policy', kind: 'poddisruptionbudget' });
}

/**
 * checkAndDecrement on a copy of `pdb`: throws the 429/403 upstream answers when the budget allows
 * no disruption, else returns the budget with one disruption spent and the pod recorded.
 */
export function checkAndDecrement(pdb: PDB, podName: string, now: number, dryRun: boolean): PDB {
  const name = String(pdb.metadata?.name);
  const st = pdb.status ?? {};
  if ((st.observedGeneration ?? 0) < (pdb.metadata?.generation ?? 0)) throw budgetProcessingError(name);
  const allowed = st.disruptionsAllowed ?? 0;
  if (allowed < 0) throw forbiddenBudget(name, 'pdb disruptions allowed is negative');
  if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw forbiddenBudget(name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw new StatusError(429, 'TooManyRequests', VIOLATES, {
      causes: [{ reason: 'DisruptionBudget',
        message: `The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently` }],
    });
  }
  const next = deepCopyJSON(pdb);
  const ns = (next.status ??= {});
  ns.disruptionsAllowed = allowed - 1;
  if (ns.disruptionsAllowed === 0) {
    // pdbhelper.UpdateDisruptionAllowedCondition
    const conds = (ns.conditions ??= []);
    const c = conds.find((x) => x.type === 'DisruptionAllowed');
    const want = { type: 'DisruptionAllowed', status: 'False', reason: 'InsufficientPods', message: '', observedGeneration: ns.observedGeneration };
    if (!c) conds.push({ ...want, lastTransitionTime: nowTimestamp(now) });
    else {
      if (c.status !== 'False') c.lastTransitionTime = nowTimestamp(now);
      Object.assign(c, want);
    }
  }
  if (!dryRun) ns.disruptedPods = { ...(ns.disruptedPods ?? {}), [podName]: nowTimestamp(now) };
  return next;
}

function isPodReady(p: Pod): boolean {
  return (p.status?.conditions ?? []).some((c) => c.type === 'Ready' && c.status === 'True');
}

/** canIgnorePDB: the pod is no (more) disruption to count */
function canIgnorePDB(p: Pod): boolean {
  const phase = p.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(p.metadata?.deletionTimestamp);
}

/** shouldEnforceResourceVersion: anything not finished or terminating could become ready meanwhile */
function shouldEnforceResourceVersion(p: Pod): boolean {
  const phase = p.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || p.metadata?.deletionTimestamp);
}

const rvUnset = (o: DeleteOptions) => o.preconditions?.resourceVersion === undefined;
const withRV = (o: DeleteOptions, rv: string | undefined): DeleteOptions => ({ ...o, preconditions: { ...(o.preconditions ?? {}), resourceVersion: rv } });
const isConflict = (err: unknown) => err instanceof StatusError && err.code === 409;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Budgets in the pod's namespace selecting it; invalid or empty selectors select nothing (getPodDisruptionBudgets). */
export function budgetsFor(pod: Pod, budgets: PDB[]): PDB[] {
  return budgets.filter((pdb) => {
    if (pdb.metadata?.namespace !== pod.metadata?.namespace) return false;
    try {
      const sel = selectorFromLabelSelectorOrThrow(pdb.spec?.selector);
      return !sel.isEmpty() && sel.matches(pod.metadata?.labels);
    } catch { return false; }
  });
}

/** The Eviction's type meta: policy/v1 or policy/v1beta1 Eviction (AcceptsGroupVersion). */
function checkEvictionTypeMeta(ev: KObject): void {
  const av = ev.apiVersion === undefined || ev.apiVersion === '' ? 'policy/v1' : String(ev.apiVersion);
  const kind = ev.kind === undefined || ev.kind === '' ? 'Eviction' : String(ev.kind);
  if (kind !== 'Eviction') {
    const version = av.includes('/') ? av.split('/')[1] : av;
    throw badRequest(`${kind} in version "${version}" cannot be handled as a Eviction: no kind "${kind}" is registered for version "${av}" in scheme "pkg/api/legacyscheme/scheme.go:30"`);
  }
  if (!EVICTION_VERSIONS.includes(av)) {
    throw badRequest(`the API version in the data (${av}) does not match the expected API version (policy/v1)`);
  }
  if (ev.metadata !== undefined && (ev.metadata === null || typeof ev.metadata !== 'object' || Array.isArray(ev.metadata))) {
    throw badRequest('Eviction in version "v1" cannot be handled as a Eviction: json: cannot unmarshal metadata into Go struct field Eviction.metadata of type v1.ObjectMeta');
  }
}

/** CreateOptions.dryRun, validated as the other write verbs do. */
function dryRunQuery(q: URLSearchParams): string[] {
  const all = q.getAll('dryRun');
  if (all.some((v) => v !== 'All')) {
    throw invalid('CreateOptions', 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'dryRun',
      message: `Unsupported value: []string{${all.map((v) => JSON.stringify(v)).join(', ')}}: supported values: "All"` }]);
  }
  return all;
}

/** The Eviction's deleteOptions with the request's dry-run pushed in (propagateDryRun). */
function deleteOptionsOf(ev: KObject, dryRun: string[]): DeleteOptions {
  const raw = ev.deleteOptions;
  if (raw === undefined || raw === null) return { dryRun };
  if (typeof raw !== 'object' || Array.isArray(raw)) {
    throw badRequest('Eviction in version "v1" cannot be handled as a Eviction: json: cannot unmarshal into Go struct field Eviction.deleteOptions of type v1.DeleteOptions');
  }
  const o = deepCopyJSON(raw) as DeleteOptions & { dryRun?: string[] };
  if (o.gracePeriodSeconds !== undefined && o.gracePeriodSeconds !== null) {
    if (typeof o.gracePeriodSeconds !== 'number' || !Number.isInteger(o.gracePeriodSeconds)) {
      throw badRequest('gracePeriodSeconds must be a non-negative integer');
    }
    // as the pod delete strategy: a negative grace period means "as soon as possible"
    if (o.gracePeriodSeconds < 0) o.gracePeriodSeconds = 1;
  } else delete o.gracePeriodSeconds;
  if (o.propagationPolicy && !['Orphan', 'Background', 'Foreground'].includes(o.propagationPolicy)) {
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'propagationPolicy',
      message: `Unsupported value: "${o.propagationPolicy}": supported values: "Foreground", "Background", "Orphan"` }]);
  }
  const mine = o.dryRun ?? [];
  if (mine.length === 0) return { ...o, dryRun };
  if (dryRun.length > 0 && JSON.stringify(dryRun) !== JSON.stringify(mine)) {
    throw new StatusError(500, 'InternalError',
      `Internal error occurred: Non-matching dry-run options in request and content: [${dryRun.join(' ')}] and [${mine.join(' ')}]`);
  }
  if (mine.some((v) => v !== 'All')) {
    throw invalid('DeleteOptions', 'meta.k8s.io', '', [{ type: 'FieldValueNotSupported', field: 'dryRun',
      message: `Unsupported value: []string{${mine.map((v) => JSON.stringify(v)).join(', ')}}: supported values: "All"` }]);
  }
  return o;
}

/** Answers POST .../pods/{name}/eviction. `pdbs` is the policy/v1 PodDisruptionBudgets resource. */
export async function evictPod(ctx: RequestContext, pods: ServedResource, pdbs: ServedResource | undefined,
  ns: string, name: string): Promise<void> {
  const ev = decodeObject(await readBody(ctx.req), ctx.req.headers['content-type'], 'Eviction') as KObject;
  checkEvictionTypeMeta(ev);
  const meta = (ev.metadata ??= {});
  if (meta.namespace && meta.namespace !== ns) {
    throw badRequest('the namespace of the provided object does not match the namespace sent on the request');
  }
  meta.namespace = ns;
  ctx.audit?.setRequestObject(ev);
  await ctx.admission?.admit('CREATE', ev, undefined);
  if (meta.name !== name) throw badRequest('name in URL does not match name in Eviction object');
  const original = deleteOptionsOf(ev, dryRunQuery(ctx.query));
  const dryRun = (original as { dryRun?: string[] }).dryRun?.includes('All') ?? false;
  await ctx.admission?.validate('CREATE', ev, undefined);

  const r = await new Eviction(pods, pdbs, ns, name, original, dryRun).run();
  if (r) return writeJSON(ctx.res, r.code, r, 'application/json');
  writeJSON(ctx.res, 201, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 }, 'application/json');
}

export type FailureStatus = { kind: 'Status'; apiVersion: 'v1'; metadata: Record<string, never>; status: 'Failure'; message: string; code: number };

/** One eviction (EvictionREST.Create after decoding): exported for tests. */
export class Eviction {
  constructor(private readonly pods: ServedResource, private readonly pdbs: ServedResource | undefined,
    private readonly ns: string, private readonly name: string, private readonly original: DeleteOptions,
    private readonly dryRun: boolean) {}

  /** EvictionREST.Create: undefined on success, a Status for the multiple-budgets answer; throws errors. */
  async run(): Promise<FailureStatus | undefined> {
    let pod: Pod | undefined;
    // a pod that needs no budget check is deleted directly; a conflict (it changed meanwhile) retries
    for (let step = 0; ; step++) {
      pod = (await this.pods.store.get(this.ns, this.name)).obj as Pod;
      if (!canIgnorePDB(pod)) break;
      let opts = this.original;
      if (shouldEnforceResourceVersion(pod) && rvUnset(this.original)) opts = withRV(opts, pod.metadata?.resourceVersion);
      try {
        await this.addConditionAndDelete(opts);
        return undefined;
      } catch (err) {
        if (!isConflict(err) || !rvUnset(this.original) || step >= RETRY_STEPS - 1) throw err;
        await sleep(RETRY_MS * (0.9 + Math.random() * 0.2));
      }
    }

    const budgets = budgetsFor(pod, this.listBudgets());
    if (budgets.length > 1) {
      return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', code: 500,
        message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.' };
    }
    let pdbName = '';
    let unhealthyDelete = false;
    if (budgets.length === 1) {
      const pdb = budgets[0];
      pdbName = String(pdb.metadata?.name);
      // an unready pod adds nothing to currentHealthy: deleting it spends no disruption when the
      // budget is met anyway, or always under the AlwaysAllow policy
      const st = pdb.status ?? {};
      if (!isPodReady(pod) && (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow'
        || ((st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0))) {
        unhealthyDelete = true;
      } else {
        await this.spendDisruption(pdb, String(pod.metadata?.name));
      }
    }

    // the pod must not have become ready since the decision to delete it without spending a disruption
    const opts = unhealthyDelete ? withRV(this.original, pod.metadata?.resourceVersion) : this.original;
    try {
      await this.addConditionAndDelete(opts);
    } catch (err) {
      if (isConflict(err) && unhealthyDelete && rvUnset(this.original)) throw budgetProcessingError(pdbName);
      throw err;
    }
    return undefined;
  }

  private listBudgets(): PDB[] {
    if (!this.pdbs) return [];
    const store = this.pdbs.store;
    const prefix = store.listPrefix(this.ns);
    const out: PDB[] = [];
    for (const [k, c] of store.cache.objects) if (k.startsWith(prefix)) out.push(c.obj as PDB);
    return out;
  }

  /** Verify-and-decrement as one read-modify-write of the budget's status (retried on conflicts). */
  private async spendDisruption(pdb: PDB, podName: string): Promise<void> {
    const name = String(pdb.metadata?.name);
    if (this.dryRun || !this.pdbs) { checkAndDecrement(pdb, podName, Date.now(), true); return; }
    try {
      await this.pdbs.store.update(this.ns, name, (cur) => {
        const next = checkAndDecrement(cur as PDB, podName, Date.now(), false);
        delete next.metadata!.resourceVersion;
        return next;
      }, { dryRun: false, subresource: 'status' });
    } catch (err) {
      if (isConflict(err)) {
        throw new StatusError(504, 'Timeout', `Timeout: couldn't update PodDisruptionBudget "${name}" due to conflicts`, { retryAfterSeconds: 10 });
      }
      throw err;
    }
  }

  /** addConditionAndDeletePod: the DisruptionTarget condition first (not on dry runs), then the delete. */
  private async addConditionAndDelete(options: DeleteOptions): Promise<void> {
    let opts = options;
    if (!this.dryRun) {
      const r = await this.pods.store.update(this.ns, this.name, (latest) => {
        const pre = opts.preconditions;
        const m = latest.metadata ?? {};
        if (pre?.uid && pre.uid !== m.uid) {
          throw conflict('', 'Pod', this.name, `the UID in the precondition (${pre.uid}) does not match the UID in record (${m.uid}). The object might have been deleted and then recreated`);
        }
        if (pre?.resourceVersion && pre.resourceVersion !== m.resourceVersion) {
          throw conflict('', 'Pod', this.name, `the ResourceVersion in the precondition (${pre.resourceVersion}) does not match the ResourceVersion in record (${m.resourceVersion}). The object might have been modified`);
        }
        setDisruptionTarget(latest as Pod, Date.now());
        delete latest.metadata!.resourceVersion;
        return latest;
      }, { dryRun: false, subresource: 'status' });
      // we bumped the resourceVersion ourselves: the caller's precondition refers to the version before
      if (!rvUnset(opts)) opts = withRV(opts, r.obj.metadata?.resourceVersion);
    }
    const { dryRun: _d, ...deleteOpts } = opts as DeleteOptions & { dryRun?: string[] };
    await this.pods.store.delete(this.ns, this.name, deleteOpts, { dryRun: this.dryRun }, gracePeriodFor(this.pods.type));
  }
}

/** podutil.UpdatePodCondition with DisruptionTarget=True (reason EvictionByEvictionAPI). */
export function setDisruptionTarget(pod: Pod, now: number): void {
  const status = (pod.status ??= {});
  const conds = (status.conditions ??= []);
  const want = { type: 'DisruptionTarget', status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' };
  const c = conds.find((x) => x.type === 'DisruptionTarget');
  if (!c) { conds.push({ ...want, lastProbeTime: null, lastTransitionTime: nowTimestamp(now) }); return; }
  if (c.status !== want.status) c.lastTransitionTime = nowTimestamp(now);
  Object.assign(c, want);
}
