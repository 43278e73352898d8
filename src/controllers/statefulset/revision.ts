// A StatefulSet's revisions (upstream getPatch / newRevision / ApplyRevision): a revision's data is
// the strategic-merge patch `{"spec":{"template":{…,"$patch":"replace"}}}`, which `kubectl rollout
// undo` applies to the set as is; applying a revision locally just swaps the template.
import { newControllerRevision, type ControllerRevision } from '../history/index.js';
import { STATEFULSET_GVK } from './identity.js';
import type { PodTemplate, StatefulSet } from './types.js';

export function getPatch(set: StatefulSet): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...structuredClone(set.spec.template ?? {}), $patch: 'replace' } } };
}

/** newRevision: the set's template as revision `revision`, carrying the set's annotations (change-cause). */
export function newRevision(set: StatefulSet, revision: number, collisionCount: number): ControllerRevision {
  const cr = newControllerRevision({ ...STATEFULSET_GVK, metadata: set.metadata }, set.spec.template?.metadata?.labels,
    getPatch(set), revision, collisionCount);
  cr.metadata.annotations = { ...(set.metadata.annotations ?? {}) };
  return cr;
}

/** ApplyRevision: a copy of the set whose template is the revision's. */
export function applyRevision(set: StatefulSet, revision: ControllerRevision): StatefulSet {
  const data = revision.data as { spec?: { template?: Record<string, unknown> } } | undefined;
  const clone = structuredClone(set);
  if (data?.spec?.template) {
    const { $patch: _directive, ...template } = data.spec.template;
    clone.spec.template = structuredClone(template) as PodTemplate;
  }
  return clone;
}
