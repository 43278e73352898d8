// The schema registry's vocabulary: one ResourceType per served resource. Discovery, OpenAPI,
// defaulting, validation, patching, Table output and field selectors all read from it
// (DESIGN.md §2.4), so a kind is described once.

import type { FieldError } from '../machinery/errors.js';

/** A Kubernetes object as it travels through the server: plain JSON. */
export interface KObject {
  apiVersion?: string;
  kind?: string;
  metadata?: ObjectMeta;
  [key: string]: unknown;
}

export interface OwnerReference {
  apiVersion: string; kind: string; name: string; uid: string;
  controller?: boolean; blockOwnerDeletion?: boolean;
}

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  uid?: string;
  resourceVersion?: string;
  generation?: number;
  creationTimestamp?: string;
  deletionTimestamp?: string;
  deletionGracePeriodSeconds?: number;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  ownerReferences?: OwnerReference[];
  finalizers?: string[];
  managedFields?: unknown[];
  selfLink?: string;
  [key: string]: unknown;
}

/** meta/v1 TableColumnDefinition */
export interface TableColumn {
  name: string;
  type: 'string' | 'integer' | 'number' | 'boolean' | 'date';
  format: string;
  description: string;
  /** 0 = always shown; 1 = only with -o wide */
  priority: number;
}

export interface Printer {
  columns: TableColumn[];
  /** one row's cells, in column order (NAME first) */
  cells(obj: KObject, now: number): unknown[];
}

export type Validator = (obj: KObject, old?: KObject) => FieldError[];
export type Defaulter = (obj: KObject) => void;

export interface ResourceType {
  group: string;            // '' for core
  version: string;
  kind: string;
  listKind: string;
  resource: string;         // plural, lower case
  singular: string;
  shortNames: string[];
  categories: string[];
  namespaced: boolean;
  verbs: string[];
  /** subresources served: 'status', 'scale', 'binding', 'eviction', 'log', … */
  subresources: string[];
  /** true when writes to the main resource must not change .status (status has its own subresource) */
  statusSubresource: boolean;
  /** metadata.generation bumps on changes outside metadata and status */
  generationOnSpec: boolean;
  /** extra field-selector fields beyond metadata.name / metadata.namespace */
  fieldSelectors: Record<string, (obj: KObject) => string>;
  /** the OpenAPI definition name, e.g. io.k8s.api.apps.v1.Deployment */
  definition: string;
  /** set for custom resources (CRDs), whose behaviour comes from the CRD instead of the per-kind tables */
  custom?: CustomResourceHooks;
}

/** What a custom resource version brings that built-in kinds take from src/api tables and schemas. */
export interface CustomResourceHooks {
  /** Table output from additionalPrinterColumns */
  printer: Printer;
  /** drops fields the structural schema does not specify; returns their paths (for fieldValidation) */
  pruneUnknown(obj: KObject): string[];
}

export function apiVersionOf(t: { group: string; version: string }): string {
  return t.group ? `${t.group}/${t.version}` : t.version;
}

/** key used by per-kind tables (defaulters, validators, printers): "apps/deployments", "/pods" */
export function resourceKey(group: string, resource: string): string {
  return `${group}/${resource}`;
}
