// The NamespaceDeletion* status conditions the namespace controller keeps while a namespace is stuck
// terminating (upstream namespaceConditionUpdater): each type is set True with a reason while its
// problem lasts and reset to its "ok" False variant afterwards, so `kubectl describe ns` shows why.

export interface NamespaceCondition { type: string; status: string; lastTransitionTime?: string; reason?: string; message?: string }

export const CONDITION_TYPES = [
  'NamespaceDeletionDiscoveryFailure',
  'NamespaceDeletionGroupVersionParsingFailure',
  'NamespaceDeletionContentFailure',
  'NamespaceContentRemaining',
  'NamespaceFinalizersRemaining',
] as const;

const OK: Record<string, { reason: string; message: string }> = {
  NamespaceDeletionDiscoveryFailure: { reason: 'ResourcesDiscovered', message: 'All resources successfully discovered' },
  NamespaceDeletionGroupVersionParsingFailure: { reason: 'ParsedGroupVersions', message: 'All legacy kube types successfully parsed' },
  NamespaceDeletionContentFailure: { reason: 'ContentDeleted', message: 'All content successfully deleted, may be waiting on finalization' },
  NamespaceContentRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
  NamespaceFinalizersRemaining: { reason: 'ContentRemoved', message: 'All content successfully removed' },
};

/** Remaining content after a deletion pass: instances per "resource.group", and per finalizer. */
export interface ContentTotals { remaining: Map<string, number>; finalizers: Map<string, number> }

export class NamespaceConditionUpdater {
  private readonly conditions: NamespaceCondition[] = [];
  private readonly deleteErrors: string[] = [];

  constructor(private readonly now: () => string = () => new Date().toISOString().replace(/\.\d+Z$/, 'Z')) {}

  /** discovery failed, in part (message already "unable to retrieve the complete list of server APIs: …") or whole */
  discoveryFailed(message: string, failingGroups?: number): void {
    this.conditions.push({
      type: 'NamespaceDeletionDiscoveryFailure', status: 'True', lastTransitionTime: this.now(), reason: 'DiscoveryFailed',
      message: failingGroups !== undefined ? `Discovery failed for some groups, ${failingGroups} failing: ${message}` : message,
    });
  }

  groupVersionParsingFailed(message: string): void {
    this.conditions.push({ type: 'NamespaceDeletionGroupVersionParsingFailure', status: 'True', lastTransitionTime: this.now(), reason: 'GroupVersionParsingFailed', message });
  }

  deleteContentFailed(message: string): void { this.deleteErrors.push(message); }

  contentTotals(t: ContentTotals): void {
    const res = [...t.remaining].filter(([, n]) => n > 0).map(([gr, n]) => `${gr} has ${n} resource instances`).sort();
    if (res.length > 0) {
      this.conditions.push({ type: 'NamespaceContentRemaining', status: 'True', lastTransitionTime: this.now(), reason: 'SomeResourcesRemain',
        message: `Some resources are remaining: ${res.join(', ')}` });
    }
    const fin = [...t.finalizers].filter(([, n]) => n > 0).map(([f, n]) => `${f} in ${n} resource instances`).sort();
    if (fin.length > 0) {
      // upstream's reason really is spelled "SomeFinalizerRemain"
      this.conditions.push({ type: 'NamespaceFinalizersRemaining', status: 'True', lastTransitionTime: this.now(), reason: 'SomeFinalizerRemain',
        message: `Some finalizers are remaining: ${fin.join(', ')}` });
    }
  }

  /** Applies the collected conditions to `status.conditions` in place; true when anything changed. */
  update(status: { conditions?: NamespaceCondition[] }): boolean {
    if (this.deleteErrors.length > 0 && !this.conditions.some((c) => c.type === 'NamespaceDeletionContentFailure')) {
      const msgs = [...this.deleteErrors].sort();
      this.conditions.push({ type: 'NamespaceDeletionContentFailure', status: 'True', lastTransitionTime: this.now(), reason: 'ContentDeletionFailed',
        message: `Failed to delete all resource types, ${msgs.length} remaining: ${msgs.join(', ')}` });
    }
    let changed = false;
    status.conditions ??= [];
    for (const type of CONDITION_TYPES) {
      const want = this.conditions.find((c) => c.type === type)
        ?? { type, status: 'False', lastTransitionTime: this.now(), reason: OK[type].reason, message: OK[type].message };
      const old = status.conditions.find((c) => c.type === type);
      if (!old) {
        status.conditions.push({ ...want });
        changed = true;
      } else if (old.status !== want.status || old.reason !== want.reason || old.message !== want.message) {
        if (old.status !== want.status) old.lastTransitionTime = this.now();
        old.status = want.status;
        old.reason = want.reason;
        old.message = want.message;
        changed = true;
      }
    }
    return changed;
  }
}
