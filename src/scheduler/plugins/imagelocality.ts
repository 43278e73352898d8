// ImageLocality (upstream plugins/imagelocality): nodes that already have the pod's container
// images score higher, by image size scaled with how widely the image is spread over the cluster
// (so one node holding a popular image does not attract every pod), clamped between 23 MB and
// 1000 MB per container.
import type { Handle } from '../listers.js';
import type { NodeInfo } from '../nodeinfo.js';
import { MAX_NODE_SCORE, type CycleState, type Pod, type ScorePlugin } from '../types.js';

const MB = 1024 * 1024;
export const MIN_THRESHOLD = 23 * MB;
export const MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** upstream normalizedImageName: an image without a tag means ":latest" (digests keep their '@') */
export function normalizedImageName(name: string): string {
  if (name.lastIndexOf(':') <= name.lastIndexOf('/')) return `${name}:latest`;
  return name;
}

/** upstream calculatePriority: the summed scores mapped linearly from [min, max × containers] onto [0, 100] */
export function calculatePriority(sum: number, numContainers: number): number {
  const maxThreshold = MAX_CONTAINER_THRESHOLD * numContainers;
  const s = sum < MIN_THRESHOLD ? MIN_THRESHOLD : sum > maxThreshold ? maxThreshold : sum;
  return Math.trunc((MAX_NODE_SCORE * (s - MIN_THRESHOLD)) / (maxThreshold - MIN_THRESHOLD));
}

/** upstream scaledImageScore: size × (nodes having the image / all nodes), truncated */
export const scaledImageScore = (size: number, numNodes: number, totalNodes: number): number =>
  Math.trunc(size * (numNodes / totalNodes));

export class ImageLocality implements ScorePlugin {
  readonly name = 'ImageLocality';
  constructor(private readonly h: Handle) {}

  score(_s: CycleState, pod: Pod, node: NodeInfo): number {
    if (node.imageSizes.size === 0) return calculatePriority(0, (pod.spec.initContainers?.length ?? 0) + (pod.spec.containers?.length ?? 0));
    const containers = [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])];
    const total = this.h.cache.nodes().length;
    let sum = 0;
    for (const c of containers) {
      const image = c.image;
      if (!image) continue;
      const name = normalizedImageName(image);
      const size = node.imageSizes.get(name);
      if (size !== undefined) sum += scaledImageScore(size, this.h.cache.imageNumNodes(name), total);
    }
    return calculatePriority(sum, containers.length);
  }
}
