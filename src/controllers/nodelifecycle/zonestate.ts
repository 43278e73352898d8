// Zone health as the node lifecycle controller sees it (upstream ComputeZoneState and the QPS
// functions): how many nodes of a zone are not Ready decides how fast their NoExecute taints go on.
import type { NodeCondition } from './node.js';

export type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

/**
 * FullDisruption when no node of the zone is Ready, PartialDisruption when more than 2 are not
 * Ready and they are at least `unhealthyThreshold` of the zone, Normal otherwise. A missing Ready
 * condition counts as not Ready. Returns the not-Ready count with the state.
 */
export function computeZoneState(readyConditions: (NodeCondition | undefined)[], unhealthyThreshold: number): { notReady: number; state: ZoneState } {
  let ready = 0;
  let notReady = 0;
  for (const c of readyConditions) {
    if (c?.status === 'True') ready++;
    else notReady++;
  }
  if (ready === 0 && notReady > 0) return { notReady, state: 'FullDisruption' };
  if (notReady > 2 && notReady / (notReady + ready) >= unhealthyThreshold) return { notReady, state: 'PartialDisruption' };
  return { notReady, state: 'Normal' };
}

export interface EvictionRates {
  evictionQPS: number;
  secondaryEvictionQPS: number;
  largeClusterThreshold: number;
}

/** The tainting rate a zone of `zoneSize` nodes gets in `state` (upstream setLimiterInZone). */
export function zoneQPS(state: ZoneState, zoneSize: number, r: EvictionRates): number | undefined {
  switch (state) {
    case 'Normal': return r.evictionQPS;
    // ReducedQPSFunc: small clusters stop evicting altogether when a zone is partially disrupted
    case 'PartialDisruption': return zoneSize > r.largeClusterThreshold ? r.secondaryEvictionQPS : 0;
    // HealthyQPSFunc: a zone that is entirely down (but not the whole cluster) evicts at the normal rate
    case 'FullDisruption': return r.evictionQPS;
    default: return undefined;
  }
}
