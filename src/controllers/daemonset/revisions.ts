// A DaemonSet's ControllerRevisions (upstream daemon/update.go snapshot, Match, getPatch): each
// revision stores a strategic-merge patch that puts the whole pod template back
// (`{"spec":{"template":{…,"$patch":"replace"}}}`) — exactly what `kubectl rollout undo ds/x`
// sends — is named `<ds>-<hash of template and collisionCount>`, and carries that hash as the
// `controller-revision-hash` label its pods get.
import { canonicalJSON, controllerRevisionName, hashControllerRevision, type ControllerRevision } from '../history/index.js';
import { controllerRef } from '../common/controllerref.js';
import { DAEMONSET_UNIQUE_LABEL, type DaemonSet } from './types.js';

export const DS_API_VERSION = 'apps/v1';
export const DS_KIND = 'DaemonSet';

/** getPatch: the template-restoring patch a revision stores (keys sorted, as Go re-marshals the map). */
export function revisionData(ds: DaemonSet): Record<string, unknown> {
  const template = structuredClone(ds.spec.template ?? {}) as Record<string, unknown>;
  template.$patch = 'replace';
  return JSON.parse(canonicalJSON({ spec: { template } })) as Record<string, unknown>;
}

/** Match: the revision holds this DaemonSet's current template. */
export function matchRevision(ds: DaemonSet, rev: ControllerRevision): boolean {
  return canonicalJSON(revisionData(ds)) === canonicalJSON(rev.data);
}

/** ComputeHash of the template with the collision count (absent and 0 differ, as a nil pointer does upstream). */
export function templateHash(ds: DaemonSet): string {
  return hashControllerRevision(ds.spec.template ?? {}, ds.status?.collisionCount);
}

/** snapshot's ControllerRevision body: template labels + hash, the DaemonSet's annotations, owned by it. */
export function newRevision(ds: DaemonSet, revision: number): ControllerRevision {
  const hash = templateHash(ds);
  return {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: {
      name: controllerRevisionName(String(ds.metadata.name), hash),
      namespace: ds.metadata.namespace,
      labels: { ...(ds.spec.template?.metadata?.labels ?? {}), [DAEMONSET_UNIQUE_LABEL]: hash },
      ...(ds.metadata.annotations ? { annotations: { ...ds.metadata.annotations } } : {}),
      ownerReferences: [controllerRef({ apiVersion: DS_API_VERSION, kind: DS_KIND, metadata: ds.metadata })],
    },
    data: revisionData(ds),
    revision,
  };
}
