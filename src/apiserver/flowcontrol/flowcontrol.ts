// API Priority and Fairness (upstream k8s.io/apiserver/pkg/util/flowcontrol): every request is
// classified by the FlowSchemas (first match by precedence) into a priority level; limited levels
// share the server's concurrency (--max-requests-inflight + --max-mutating-requests-inflight) in
// proportion to their nominalConcurrencyShares and queue or reject beyond it; exempt levels are
// never limited. The configuration is read from the API server's own cache and rebuilt when a
// FlowSchema or PriorityLevelConfiguration changes.
import type { ServedResource } from '../apis.js';
import { flowDistinguisher, matchesFlowSchema, sortFlowSchemas, type RequestDigest } from './match.js';
import { QueueSet, RejectedError } from './queueset.js';
import type { FlowSchema, PriorityLevelConfiguration } from './types.js';

export { RejectedError };

export interface Seat {
  flowSchema: FlowSchema;
  priorityLevel: PriorityLevelConfiguration;
  release(): void;
}

interface Level { pl: PriorityLevelConfiguration; queueSet?: QueueSet; nominal: number }

export class FlowControl {
  private schemas: FlowSchema[] = [];
  private levels = new Map<string, Level>();
  private dirty = true;
  private readonly unlisten: (() => void)[] = [];
  /** Dangling statuses being written, so a refresh meanwhile does not write them again */
  private readonly writing = new Map<string, string>();

  constructor(private readonly flowSchemas: ServedResource, private readonly priorityLevels: ServedResource,
    readonly serverConcurrencyLimit: number, private readonly maxWaitMs = 15_000) {
    for (const sr of [flowSchemas, priorityLevels]) {
      const l = () => { this.dirty = true; };
      sr.store.cache.listeners.add(l);
      this.unlisten.push(() => sr.store.cache.listeners.delete(l));
    }
  }

  stop(): void { for (const u of this.unlisten) u(); }

  private refresh(): void {
    if (!this.dirty) return;
    this.dirty = false;
    const pls = [...this.priorityLevels.store.cache.objects.values()].map((c) => c.obj as unknown as PriorityLevelConfiguration);
    const shares = (pl: PriorityLevelConfiguration) => pl.spec.type === 'Exempt'
      ? pl.spec.exempt?.nominalConcurrencyShares ?? 0 : pl.spec.limited?.nominalConcurrencyShares ?? 30;
    const total = pls.reduce((n, pl) => n + shares(pl), 0) || 1;
    const next = new Map<string, Level>();
    for (const pl of pls) {
      const old = this.levels.get(pl.metadata.name);
      if (pl.spec.type === 'Exempt') { next.set(pl.metadata.name, { pl, nominal: 0 }); continue; }
      const nominal = Math.ceil(this.serverConcurrencyLimit * shares(pl) / total);
      const lr = pl.spec.limited?.limitResponse;
      const q = lr?.type === 'Queue' ? lr.queuing ?? {} : undefined;
      const config = {
        concurrencyLimit: nominal, queues: q ? q.queues ?? 64 : 0, handSize: q ? q.handSize ?? 8 : 0,
        queueLengthLimit: q ? q.queueLengthLimit ?? 50 : 0,
      };
      let queueSet = old?.queueSet;
      if (queueSet) queueSet.reconfigure(config); else queueSet = new QueueSet(config, this.maxWaitMs);
      next.set(pl.metadata.name, { pl, queueSet, nominal });
    }
    this.levels = next;
    const all = sortFlowSchemas([...this.flowSchemas.store.cache.objects.values()].map((c) => c.obj as unknown as FlowSchema));
    // a schema naming a level that does not exist is dangling: skipped when matching
    this.schemas = all.filter((fs) => next.has(fs.spec.priorityLevelConfiguration.name));
    for (const fs of all) this.updateDangling(fs, !next.has(fs.spec.priorityLevelConfiguration.name));
  }

  /** the Dangling condition on a FlowSchema's status, written only when it changes (upstream config controller) */
  private updateDangling(fs: FlowSchema, dangling: boolean): void {
    const status = dangling ? 'True' : 'False';
    const cur = fs.status?.conditions?.find((c) => c.type === 'Dangling');
    if (cur?.status === status || this.writing.get(fs.metadata.name) === status) return;
    this.writing.set(fs.metadata.name, status);
    const pl = fs.spec.priorityLevelConfiguration.name;
    const cond = {
      type: 'Dangling', status, lastTransitionTime: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
      reason: dangling ? 'NotFound' : 'Found',
      message: dangling ? `This FlowSchema references the PriorityLevelConfiguration object named ${JSON.stringify(pl)} but there is no such object`
        : `This FlowSchema references the PriorityLevelConfiguration object named ${JSON.stringify(pl)} and it exists`,
    };
    this.flowSchemas.store.update('', fs.metadata.name, (o) => {
      const st = ((o as { status?: FlowSchema['status'] }).status ??= {});
      st.conditions = [...(st.conditions ?? []).filter((c) => c.type !== 'Dangling'), cond];
      return o;
    }, { dryRun: false, subresource: 'status' }).catch(() => { /* changed meanwhile: the next refresh tries again */ })
      .finally(() => { this.writing.delete(fs.metadata.name); this.dirty = true; });
  }

  /** The matching FlowSchema and its level, or undefined when nothing matches (no configuration yet). */
  classify(d: RequestDigest): { fs: FlowSchema; level: Level } | undefined {
    this.refresh();
    for (const fs of this.schemas) {
      if (matchesFlowSchema(fs, d)) return { fs, level: this.levels.get(fs.spec.priorityLevelConfiguration.name)! };
    }
    return undefined;
  }

  /** Waits for a seat in the request's priority level; rejects with RejectedError when it must be refused (429). */
  async admit(d: RequestDigest): Promise<Seat | undefined> {
    const c = this.classify(d);
    if (!c) return undefined;
    const release = c.level.queueSet ? await c.level.queueSet.acquire(`${c.fs.metadata.name}/${flowDistinguisher(c.fs, d)}`) : () => {};
    return { flowSchema: c.fs, priorityLevel: c.level.pl, release };
  }

  /** per-level state for /metrics */
  snapshot(): { name: string; executing: number; waiting: number; nominal: number; dispatched: number; rejected: number }[] {
    this.refresh();
    return [...this.levels.values()].map((l) => ({
      name: l.pl.metadata.name, executing: l.queueSet?.inFlight ?? 0, waiting: l.queueSet?.waiting ?? 0, nominal: l.nominal,
      dispatched: l.queueSet?.dispatched ?? 0, rejected: l.queueSet?.rejected ?? 0,
    }));
  }
}
