// The CustomResourceDefinition object (apiextensions.k8s.io/v1) as plain JSON, and small helpers
// shared by validation, the controller and the served resources.

import type { KObject } from '../api/types.js';
import type { JSONSchemaProps } from './schema/index.js';

export const CLEANUP_FINALIZER = 'customresourcecleanup.apiextensions.k8s.io';

export interface CRDNames {
  plural?: string; singular?: string; kind?: string; listKind?: string; shortNames?: string[]; categories?: string[];
}

export interface PrinterColumn {
  name: string; type: string; format?: string; description?: string; priority?: number; jsonPath: string;
}

export interface ScaleSubresource { specReplicasPath: string; statusReplicasPath: string; labelSelectorPath?: string }

export interface CRDVersion {
  name: string;
  served: boolean;
  storage: boolean;
  deprecated?: boolean;
  deprecationWarning?: string;
  schema?: { openAPIV3Schema?: JSONSchemaProps };
  subresources?: { status?: object; scale?: ScaleSubresource };
  additionalPrinterColumns?: PrinterColumn[];
  selectableFields?: { jsonPath: string }[];
}

export interface WebhookClientConfig {
  url?: string;
  service?: { namespace: string; name: string; path?: string; port?: number };
  caBundle?: string;
}

export interface CRDSpec {
  group: string;
  names: CRDNames;
  scope: 'Namespaced' | 'Cluster';
  versions: CRDVersion[];
  conversion?: { strategy: 'None' | 'Webhook'; webhook?: { clientConfig?: WebhookClientConfig; conversionReviewVersions?: string[] } };
  preserveUnknownFields?: boolean;
}

export interface CRDCondition { type: string; status: 'True' | 'False' | 'Unknown'; lastTransitionTime?: string; reason?: string; message?: string }

export interface CRDStatus { conditions?: CRDCondition[]; acceptedNames?: CRDNames; storedVersions?: string[] }

export interface CRD extends KObject { spec: CRDSpec; status?: CRDStatus }

export function storageVersion(crd: CRD): string | undefined {
  return crd.spec.versions?.find((v) => v.storage)?.name;
}

export function condition(crd: CRD, type: string): CRDCondition | undefined {
  return crd.status?.conditions?.find((c) => c.type === type);
}

export function isEstablished(crd: CRD): boolean {
  return condition(crd, 'Established')?.status === 'True';
}

/** Sets a condition, keeping lastTransitionTime when the status did not change (upstream SetCRDCondition). */
export function setCondition(status: CRDStatus, c: CRDCondition, now: string): void {
  const list = (status.conditions ??= []);
  const i = list.findIndex((x) => x.type === c.type);
  const next = { ...c, lastTransitionTime: now };
  if (i < 0) { list.push(next); return; }
  if (list[i].status === c.status) next.lastTransitionTime = list[i].lastTransitionTime ?? now;
  list[i] = next;
}
