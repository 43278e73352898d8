// Defaults for flowcontrol.apiserver.k8s.io/v1 (upstream apis/flowcontrol/v1/defaults.go).
import type { Obj } from './util.js';

const o = (v: unknown): Obj => (v && typeof v === 'object' ? v as Obj : {});

export function defaultFlowSchema(fs: Obj): void {
  const spec = o(fs.spec);
  fs.spec = spec;
  if (spec.matchingPrecedence === undefined || spec.matchingPrecedence === 0) spec.matchingPrecedence = 1000;
}

export function defaultPriorityLevelConfiguration(pl: Obj): void {
  const spec = o(pl.spec);
  pl.spec = spec;
  if (spec.exempt) {
    const e = o(spec.exempt);
    e.nominalConcurrencyShares ??= 0;
    e.lendablePercent ??= 0;
  }
  if (spec.limited) {
    const l = o(spec.limited);
    l.nominalConcurrencyShares ??= 30;
    l.lendablePercent ??= 0;
    const lr = o(l.limitResponse);
    l.limitResponse = lr;
    if (lr.type === 'Queue' || lr.queuing) {
      const q = o(lr.queuing);
      lr.queuing = q;
      q.queues ??= 64;
      q.handSize ??= 8;
      q.queueLengthLimit ??= 50;
    }
  }
}
