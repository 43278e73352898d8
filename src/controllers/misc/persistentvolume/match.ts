// Which PersistentVolume a claim gets (upstream's persistentVolumeOrderedIndex.findByClaim and the
// storage helpers' FindMatchingVolume): volumes are grouped by their set of access modes; the groups
// that hold every mode the claim asks for are tried fewest-modes first, and in a group a volume
// pre-bound to the claim wins, else the smallest Available one of the claim's class, size, volume
// mode and selector. With WaitForFirstConsumer only pre-bound volumes match (the scheduler binds).
import { compareQuantities, tryParseQuantity } from '../../../machinery/quantity.js';
import { selectorFromLabelSelectorOrThrow } from '../../../machinery/labels/selector.js';
import { claimClass, claimKey, isVolumeBoundToClaim, volumeClass, type PersistentVolume, type PersistentVolumeClaim } from './types.js';

const modesKey = (modes: string[] | undefined): string => [...new Set(modes ?? [])].sort().join(',');

/** every access-mode set among `volumes` that contains all of `wanted`, fewest modes first */
export function allPossibleMatchingAccessModes(volumes: PersistentVolume[], wanted: string[] | undefined): string[][] {
  const sets = new Map<string, string[]>();
  for (const v of volumes) {
    const k = modesKey(v.spec.accessModes);
    if (!sets.has(k)) sets.set(k, k ? k.split(',') : []);
  }
  const need = wanted ?? [];
  return [...sets.values()].filter((modes) => need.every((m) => modes.includes(m))).sort((a, b) => a.length - b.length);
}

/** volumeMode mismatch: an unset mode means Filesystem on both sides */
export function volumeModeMismatches(c: PersistentVolumeClaim, v: PersistentVolume): boolean {
  return (c.spec.volumeMode ?? 'Filesystem') !== (v.spec.volumeMode ?? 'Filesystem');
}

const storageOf = (v: PersistentVolume): string => v.spec.capacity?.storage ?? '0';

/** FindMatchingVolume over one group of volumes (controller path: no node) */
export function findMatchingVolume(claim: PersistentVolumeClaim, volumes: PersistentVolume[], delayBinding: boolean): PersistentVolume | undefined {
  const requested = claim.spec.resources?.requests?.storage ?? '0';
  const wantedClass = claimClass(claim);
  let selector;
  if (claim.spec.selector) {
    try { selector = selectorFromLabelSelectorOrThrow(claim.spec.selector); } catch (e) {
      throw new Error(`error creating internal label selector for claim: ${claimKey(claim)}: ${(e as Error).message}`);
    }
  }
  let smallest: PersistentVolume | undefined;
  for (const v of volumes) {
    if (v.spec.claimRef && !isVolumeBoundToClaim(v, claim)) continue;
    if (!tryParseQuantity(storageOf(v)) || compareQuantities(storageOf(v), requested) < 0) continue;
    if (volumeModeMismatches(claim, v)) continue;
    if (v.metadata.deletionTimestamp) continue;
    if (isVolumeBoundToClaim(v, claim)) return v;
    if (delayBinding) continue;
    if (v.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(v.metadata.labels)) continue;
    if (volumeClass(v) !== wantedClass) continue;
    if (!smallest || compareQuantities(storageOf(smallest), storageOf(v)) > 0) smallest = v;
  }
  return smallest;
}

/** findBestMatchForClaim: the access-mode groups in order, the first group with a match wins */
export function findBestMatchForClaim(claim: PersistentVolumeClaim, volumes: PersistentVolume[], delayBinding: boolean): PersistentVolume | undefined {
  for (const modes of allPossibleMatchingAccessModes(volumes, claim.spec.accessModes)) {
    const k = modes.join(',');
    const group = volumes.filter((v) => modesKey(v.spec.accessModes) === k);
    const best = findMatchingVolume(claim, group, delayBinding);
    if (best) return best;
  }
  return undefined;
}

/**
 * checkVolumeSatisfyClaim: why a volume the claim names cannot serve it (upstream's messages), or
 * undefined when it can.
 */
export function checkVolumeSatisfyClaim(v: PersistentVolume, c: PersistentVolumeClaim): string | undefined {
  const requested = c.spec.resources?.requests?.storage ?? '0';
  if (v.metadata.deletionTimestamp) return `the volume is marked for deletion ${JSON.stringify(v.metadata.name)}`;
  if (compareQuantities(storageOf(v), requested) < 0) return 'requested PV is too small';
  if (volumeClass(v) !== claimClass(c)) return 'storageClassName does not match';
  if (volumeModeMismatches(c, v)) return 'incompatible volumeMode';
  const have = v.spec.accessModes ?? [];
  if (!(c.spec.accessModes ?? []).every((m) => have.includes(m))) return 'incompatible accessMode';
  return undefined;
}
