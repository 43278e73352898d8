// What attemptToDelete does with an object once its owners have been looked up (upstream
// attemptToDeleteItem's switch): keep it, drop the references to owners that are gone or waiting
// for their dependents, or delete it — in the foreground when an owner waits on it and it has
// dependents of its own, else with the policy its own finalizers ask for.
import { FINALIZER_DELETE_DEPENDENTS, FINALIZER_ORPHAN, type OwnerReference } from './graph.js';

export type OwnerState = 'solid' | 'dangling' | 'waitingForDependentsDeletion';
export type Propagation = 'Orphan' | 'Foreground' | 'Background';

export type Decision =
  | { action: 'none' }
  /** remove the owner references with these uids (the object has a solid owner left) */
  | { action: 'removeOwnerReferences'; uids: string[] }
  /** set blockOwnerDeletion=false on references to these owners, then delete in the foreground */
  | { action: 'unblockAndDeleteForeground'; uids: string[] }
  | { action: 'delete'; policy: Propagation };

export interface Classified { ref: OwnerReference; state: OwnerState }

export function decide(owners: Classified[], opts: { finalizers?: string[]; hasDependents: boolean; dependentDeletingDependents: boolean }): Decision {
  if (owners.length === 0) return { action: 'none' };
  const solid = owners.filter((o) => o.state === 'solid');
  const dangling = owners.filter((o) => o.state === 'dangling');
  const waiting = owners.filter((o) => o.state === 'waitingForDependentsDeletion');
  if (solid.length > 0) {
    if (dangling.length === 0 && waiting.length === 0) return { action: 'none' };
    // a live owner remains: only forget the references that no longer hold
    return { action: 'removeOwnerReferences', uids: [...dangling, ...waiting].map((o) => o.ref.uid) };
  }
  if (waiting.length > 0 && opts.hasDependents) {
    // an owner waits on this object, which has dependents: delete it in the foreground too. If one of
    // those dependents is itself deleting its dependents, there may be a cycle — stop blocking first.
    if (opts.dependentDeletingDependents) return { action: 'unblockAndDeleteForeground', uids: owners.map((o) => o.ref.uid) };
    return { action: 'delete', policy: 'Foreground' };
  }
  const f = opts.finalizers ?? [];
  if (f.includes(FINALIZER_ORPHAN)) return { action: 'delete', policy: 'Orphan' };
  if (f.includes(FINALIZER_DELETE_DEPENDENTS)) return { action: 'delete', policy: 'Foreground' };
  return { action: 'delete', policy: 'Background' };
}

/** The owner references left after dropping `uids` (the body of upstream's deleteOwnerRef patch). */
export function withoutOwners(refs: OwnerReference[], uids: string[]): OwnerReference[] {
  const drop = new Set(uids);
  return refs.filter((r) => !drop.has(r.uid));
}

/** The owner references with blockOwnerDeletion cleared for `uids` (upstream unblockOwnerReferences). */
export function unblocked(refs: OwnerReference[], uids: string[]): OwnerReference[] {
  const set = new Set(uids);
  return refs.map((r) => (set.has(r.uid) && r.blockOwnerDeletion ? { ...r, blockOwnerDeletion: false } : r));
}
