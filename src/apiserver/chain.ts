// The request chain's plug points, in upstream's order: authentication → audit → authorization →
// (handler: decode → mutating admission → validation → validating admission → storage).
// Each stage is an interface here so authenticators, authorizers, admission plugins and the
// audit backend live in their own folders and are composed by the server.

import type { TLSSocket } from 'node:tls';
import type { KObject, ResourceType } from '../api/types.js';
import type { Req, UserInfo } from './http/types.js';
import type { RequestInfo } from './requestinfo.js';

/**
 * One way of proving identity. Return undefined when the request carries no credential of this
 * kind; throw a 401 StatusError when it carries an invalid one (upstream: a bad token is a 401,
 * never a fall-through to anonymous).
 */
export interface Authenticator {
  authenticate(req: Req, socket: TLSSocket): Promise<UserInfo | undefined> | UserInfo | undefined;
}

/** upstream authorizer.Attributes: who, and what the request is (RequestInfo's fields) */
export type AuthorizationAttributes = Pick<RequestInfo,
  'verb' | 'isResourceRequest' | 'path' | 'apiGroup' | 'apiVersion' | 'namespace' | 'resource' | 'subresource' | 'name'>
  & { user: UserInfo };

export type Decision = 'allow' | 'deny' | 'noOpinion';

export interface Authorizer {
  authorize(a: AuthorizationAttributes): Promise<{ decision: Decision; reason?: string }> | { decision: Decision; reason?: string };
}

export function attributesOf(info: RequestInfo, user: UserInfo): AuthorizationAttributes {
  return {
    user, verb: info.verb, isResourceRequest: info.isResourceRequest, path: info.path,
    apiGroup: info.apiGroup, apiVersion: info.apiVersion, namespace: info.namespace,
    resource: info.resource, subresource: info.subresource, name: info.name,
  };
}

/** upstream admission.Attributes */
export interface AdmissionAttributes {
  operation: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  type: ResourceType;
  subresource: string;
  namespace: string;
  name: string;
  /** the object being written (mutable in admit); undefined for DELETE */
  object?: KObject;
  oldObject?: KObject;
  user: UserInfo;
  dryRun: boolean;
  /** Warning headers for the response (e.g. PodSecurity warn mode); plugins push, the handler sends */
  warnings?: string[];
  /** audit annotations of this request (e.g. PodSecurity audit-mode violations), when auditing is on */
  annotate?: (key: string, value: string) => void;
  /** shared by every plugin's admit in one request; a mutating webhook asks here for a second pass */
  reinvocation?: ReinvocationContext;
}

/**
 * upstream admission.ReinvocationContext: when a mutating webhook changed the object and an earlier
 * webhook asked to be reinvoked (reinvocationPolicy IfNeeded), every mutating plugin runs once more.
 */
export interface ReinvocationContext {
  /** true during the second pass */
  isReinvoke: boolean;
  /** set by a plugin during the first pass to request the second */
  shouldReinvoke: boolean;
  /** plugin-private state kept across both passes, by plugin name */
  values: Map<string, unknown>;
}

export interface AdmissionPlugin {
  readonly name: string;
  /** mutating phase: may change attrs.object; throw a StatusError to reject */
  admit?(a: AdmissionAttributes): Promise<void> | void;
  /** validating phase: must not change anything; throw a StatusError to reject */
  validate?(a: AdmissionAttributes): Promise<void> | void;
}

/** What the audit backend sees of one request (audit.k8s.io/v1 Event is built from this). */
export interface AuditRecord {
  /** the decoded request object, for Request / RequestResponse levels */
  setRequestObject(obj: unknown): void;
  /** the object answered, for RequestResponse level */
  setResponseObject(obj: unknown): void;
  /** an audit annotation (key → value) on this request's event */
  annotate?(key: string, value: string): void;
}
