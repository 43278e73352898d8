// Converting one kind between served versions and its storage version (several API versions of a
// resource share one stored form, e.g. events v1 / events.k8s.io/v1, autoscaling v1 / v2).
import type { KObject } from '../types.js';

export interface Converter {
  /** served version → storage version */
  toStorage(obj: KObject): KObject;
  /** storage version → served version */
  fromStorage(obj: KObject): KObject;
}
