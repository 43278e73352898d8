// DefaultTolerationSeconds admission (upstream plugin/pkg/admission/defaulttolerationseconds): pods
// tolerate a not-ready or unreachable node for 300 s before eviction unless they say otherwise.
import type { AdmissionPlugin } from '../../chain.js';
import { isResource, podSpec } from './util.js';

export const NOT_READY_TAINT = 'node.kubernetes.io/not-ready';
export const UNREACHABLE_TAINT = 'node.kubernetes.io/unreachable';
export const DEFAULT_TOLERATION_SECONDS = 300;

export function newDefaultTolerationSecondsPlugin(seconds = DEFAULT_TOLERATION_SECONDS): AdmissionPlugin {
  return {
    name: 'DefaultTolerationSeconds',
    admit(a) {
      if (!isResource(a, '', 'pods') || a.subresource !== '' || !a.object) return;
      if (a.operation !== 'CREATE' && a.operation !== 'UPDATE') return;
      const spec = podSpec(a.object);
      const tolerations = spec.tolerations ?? [];
      // an empty key tolerates every taint; an empty effect tolerates every effect
      const tolerates = (key: string) => tolerations.some((t) => (!t.key || t.key === key) && (!t.effect || t.effect === 'NoExecute'));
      const add: NonNullable<typeof spec.tolerations> = [];
      for (const key of [NOT_READY_TAINT, UNREACHABLE_TAINT]) {
        if (!tolerates(key)) add.push({ key, operator: 'Exists', effect: 'NoExecute', tolerationSeconds: seconds });
      }
      if (add.length) spec.tolerations = [...tolerations, ...add];
    },
  };
}
