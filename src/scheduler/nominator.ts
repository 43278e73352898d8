// Pods nominated to nodes by preemption (upstream PodNominator): their requests count as taken on
// the nominated node for pods of lower or equal priority until they bind or give the node up.
import { podKey, type Pod } from './types.js';

export class Nominator {
  private readonly byNode = new Map<string, Map<string, Pod>>();
  private readonly nodeOf = new Map<string, string>();

  /** Nominate `pod` to `node` (replacing any earlier nomination). */
  add(pod: Pod, node: string): void {
    this.delete(pod);
    if (!node) return;
    const key = podKey(pod);
    let pods = this.byNode.get(node);
    if (!pods) this.byNode.set(node, (pods = new Map()));
    pods.set(key, pod);
    this.nodeOf.set(key, node);
  }

  /**
   * A pending pod changed: follow status.nominatedNodeName, but keep a nomination made in memory
   * when the update does not carry it yet (the status patch may still be in flight, as upstream).
   */
  update(pod: Pod): void {
    const node = pod.status?.nominatedNodeName || this.nodeOf.get(podKey(pod));
    if (node) this.add(pod, node);
  }

  delete(pod: Pod): void {
    const key = podKey(pod);
    const node = this.nodeOf.get(key);
    if (node === undefined) return;
    this.nodeOf.delete(key);
    const pods = this.byNode.get(node);
    pods?.delete(key);
    if (pods?.size === 0) this.byNode.delete(node);
  }

  nominatedNodeFor(pod: Pod): string | undefined { return this.nodeOf.get(podKey(pod)); }

  /** are any pods nominated to the node? (asked per node per cycle, so no copy) */
  has(node: string): boolean { return this.byNode.has(node); }

  nominatedPodsForNode(node: string): Pod[] {
    const pods = this.byNode.get(node);
    return pods ? [...pods.values()] : [];
  }
}
