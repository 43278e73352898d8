// ClusterRole aggregation (upstream clusterroleaggregation controller): a ClusterRole with an
// aggregationRule gets as rules the union of the rules of every other ClusterRole its selectors
// match. Runs inside the server over the watch cache; a change to any ClusterRole schedules a pass.
import type { KObject } from '../../api/types.js';
import { selectorFromLabelSelectorOrThrow, type LabelSelectorSpec } from '../../machinery/labels/selector.js';
import type { PolicyRule } from './rbac/rules.js';

interface ClusterRole extends KObject {
  rules?: PolicyRule[] | null;
  aggregationRule?: { clusterRoleSelectors?: LabelSelectorSpec[] };
}

/** The rules an aggregated ClusterRole should hold, or undefined when it has no aggregationRule. */
export function aggregatedRules(target: ClusterRole, all: Iterable<ClusterRole>): PolicyRule[] | undefined {
  const selectors = target.aggregationRule?.clusterRoleSelectors;
  if (!selectors) return undefined;
  const matched = new Map<string, ClusterRole>();
  for (const spec of selectors) {
    let sel;
    try { sel = selectorFromLabelSelectorOrThrow(spec); } catch { continue; }
    for (const r of all) {
      const name = r.metadata?.name ?? '';
      if (name === target.metadata?.name) continue;
      if (sel.matches(r.metadata?.labels as Record<string, string> | undefined)) matched.set(name, r);
    }
  }
  const out: PolicyRule[] = [];
  const seen = new Set<string>();
  for (const name of [...matched.keys()].sort()) {
    for (const rule of matched.get(name)!.rules ?? []) {
      const k = JSON.stringify(rule);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(rule);
    }
  }
  return out;
}

export interface ClusterRoleStore {
  cache: { objects: Map<string, { obj: KObject }>; listeners: Set<(ev: never) => void> };
  update(namespace: string, name: string, fn: (cur: KObject) => KObject, opts: { dryRun: boolean }): Promise<unknown>;
}

/** One pass: write every aggregated role whose rules differ. Returns how many were written. */
export async function aggregateOnce(store: ClusterRoleStore): Promise<number> {
  const all = [...store.cache.objects.values()].map((c) => c.obj as ClusterRole);
  let written = 0;
  for (const role of all) {
    const want = aggregatedRules(role, all);
    if (!want) continue;
    if (JSON.stringify(role.rules ?? []) === JSON.stringify(want)) continue;
    try {
      await store.update('', role.metadata!.name!, (cur) => ({ ...cur, rules: want }), { dryRun: false });
      written++;
    } catch (err) {
      console.error(`clusterrole aggregation of ${role.metadata?.name} failed: ${(err as Error).message}`);
    }
  }
  return written;
}

/** Keep aggregated roles current: a pass now, and one after every burst of ClusterRole changes. */
export function startAggregation(store: ClusterRoleStore): { stop(): void; settled(): Promise<void> } {
  let scheduled = false;
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const run = () => {
    scheduled = false;
    if (stopped) return;
    running = running.then(async () => { await aggregateOnce(store); });
  };
  const schedule = () => {
    if (scheduled || stopped) return;
    scheduled = true;
    setImmediate(run);
  };
  store.cache.listeners.add(schedule);
  run();
  return {
    stop() { stopped = true; store.cache.listeners.delete(schedule); },
    /** resolves once no pass is pending or running (aggregation writes feed back through the cache) */
    async settled() {
      for (let i = 0; i < 20; i++) {
        await running;
        await new Promise((r) => setTimeout(r, 20));
        if (!scheduled) { await running; return; }
      }
    },
  };
}
