// What both webhook plugins share (upstream admission/plugin/webhook/generic): the webhooks of every
// configuration in name order, the decision whether a webhook applies to a request (rules with
// matchPolicy Equivalent, namespaceSelector, objectSelector, matchConditions), the version of the
// object it is shown, and one call with its answer checked.

import { randomUUID } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import type { KObject, ResourceType } from '../../../api/types.js';
import { StatusError, internalError, notFound, qualifiedResource } from '../../../machinery/errors.js';
import { LabelSelector, selectorFromLabelSelector } from '../../../machinery/labels/selector.js';
import type { AdmissionAttributes } from '../../chain.js';
import { AdmissionRequestView, type ServedVersion } from '../request.js';
import { ruleMatches } from './rules.js';
import { evaluateConditions } from './conditions.js';
import { admissionRequest, admissionReview, decodeReview, reviewVersion, verifyResponse, type VerifiedResponse } from './review.js';
import { httpStatusError, post, targetOf, type ServiceResolver } from './client.js';
import { CallingWebhookError, dryRunUnsupported } from './errors.js';
import type { Webhook } from './types.js';

export type { ServedVersion } from '../request.js';

export interface WebhookDeps {
  /** every configuration of the plugin's kind (Mutating/ValidatingWebhookConfiguration), from the server's cache */
  configurations(): Promise<KObject[]> | KObject[];
  /** a namespace from the server's cache */
  namespace(name: string): Promise<KObject | undefined> | KObject | undefined;
  /** the served versions of the request's resource (sharing its storage); the request's own must be among them */
  versions(type: ResourceType): ServedVersion[];
  resolveService: ServiceResolver;
  /** re-default an object (storage version) after a webhook patched it, as upstream's decoder does */
  defaults?(type: ResourceType, obj: KObject): void;
}

/** a webhook of a configuration, with what is parsed once per configuration version */
export interface HookAccessor {
  /** upstream's webhook UID: configuration/name/index */
  uid: string;
  configurationName: string;
  hook: Webhook;
  namespaceSelector: LabelSelector;
  objectSelector: LabelSelector;
}

const parsed = new WeakMap<KObject, HookAccessor[]>();

/** an absent selector selects everything (the API defaults it to {}); an unparsable one (refused by validation) nothing */
function selectorOf(s: Webhook['namespaceSelector']): LabelSelector {
  try { return selectorFromLabelSelector((s ?? {}) as never); } catch { return LabelSelector.nothing(); }
}

function accessorsOf(config: KObject): HookAccessor[] {
  let a = parsed.get(config);
  if (!a) {
    const name = config.metadata?.name ?? '';
    const hooks = Array.isArray(config.webhooks) ? config.webhooks as Webhook[] : [];
    a = hooks.map((hook, i) => ({
      uid: `${name}/${hook.name}/${i}`, configurationName: name, hook,
      namespaceSelector: selectorOf(hook.namespaceSelector),
      objectSelector: selectorOf(hook.objectSelector),
    }));
    parsed.set(config, a);
  }
  return a;
}

/** every webhook of every configuration, configurations sorted by name (upstream's order) */
export async function hooksOf(deps: WebhookDeps): Promise<HookAccessor[]> {
  const configs = [...await deps.configurations()];
  if (configs.length === 0) return [];
  configs.sort((x, y) => ((x.metadata?.name ?? '') < (y.metadata?.name ?? '') ? -1 : 1));
  return configs.flatMap(accessorsOf);
}

/** the request as the webhooks see it: built once per admission call */
export class RequestView extends AdmissionRequestView {
  private readonly converted = new Map<ServedVersion, { object?: KObject; oldObject?: KObject }>();

  constructor(a: AdmissionAttributes, readonly deps: WebhookDeps) {
    super(a, deps.versions(a.type));
  }

  /** the object and old object in a version (converted from storage, once per version until the object changes) */
  versioned(v: ServedVersion): { object?: KObject; oldObject?: KObject } {
    let c = this.converted.get(v);
    if (!c) {
      const conv = (o: KObject | undefined) => (o && v.convert ? v.convert.fromStorage(o) : o);
      c = { object: conv(this.a.object), oldObject: conv(this.a.oldObject) };
      this.converted.set(v, c);
    }
    return c;
  }

  /** a webhook changed the object (seen in version v): write it back into the request's object, in storage form */
  replaceObject(v: ServedVersion, patched: KObject): void {
    const stored = v.convert ? v.convert.toStorage(patched) : patched;
    this.deps.defaults?.(this.a.type, stored);
    const target = this.a.object!;
    for (const k of Object.keys(target)) delete target[k];
    Object.assign(target, stored);
    this.converted.clear();
  }

  options(): KObject {
    const kind = this.a.operation === 'CREATE' ? 'CreateOptions' : this.a.operation === 'UPDATE' ? 'UpdateOptions' : 'DeleteOptions';
    const o: KObject = { kind, apiVersion: 'meta.k8s.io/v1' };
    if (this.a.dryRun) o.dryRun = ['All'];
    return o;
  }
}

export interface Invocation { accessor: HookAccessor; version: ServedVersion }

async function namespaceLabels(r: RequestView): Promise<Record<string, string> | undefined> {
  const a = r.a;
  if (a.type.group === '' && a.type.resource === 'namespaces' && !a.subresource && (a.operation === 'CREATE' || a.operation === 'UPDATE')) {
    return a.object?.metadata?.labels ?? {};
  }
  const ns = await r.deps.namespace(r.namespace);
  if (!ns) throw notFound('', 'namespaces', r.namespace);
  return ns.metadata?.labels ?? {};
}

const labelsOf = (o: KObject | undefined) => o?.metadata?.labels ?? {};

/**
 * upstream ShouldCallHook: undefined when the webhook does not apply; throws the StatusError that
 * refuses the request when deciding failed (a missing namespace, a failing matchCondition).
 */
export async function shouldCallHook(acc: HookAccessor, r: RequestView): Promise<Invocation | undefined> {
  const h = acc.hook;
  const a = r.a;
  // namespaceSelector: cluster-scoped objects (other than namespaces) are never excluded by it
  let nsErr: StatusError | undefined;
  const isNamespace = a.type.group === '' && a.type.resource === 'namespaces';
  if ((r.namespace !== '' || isNamespace) && !acc.namespaceSelector.isEmpty()) {
    try {
      const labels = await namespaceLabels(r);
      if (!acc.namespaceSelector.matches(labels ?? {})) return undefined;
    } catch (e) {
      nsErr = e instanceof StatusError ? e : internalError(e);
    }
  }
  if (!acc.objectSelector.isEmpty()
    && !acc.objectSelector.matches(labelsOf(a.object)) && !(a.oldObject && acc.objectSelector.matches(labelsOf(a.oldObject)))) {
    return undefined;
  }
  let version: ServedVersion | undefined;
  const rules = h.rules ?? [];
  if (rules.some((rule) => ruleMatches(rule, r.subject(r.requestVersion)))) version = r.requestVersion;
  if (!version && h.matchPolicy !== 'Exact') {
    outer: for (const rule of rules) {
      for (const v of r.versions) {
        if (v === r.requestVersion) continue;
        if (ruleMatches(rule, r.subject(v))) { version = v; break outer; }
      }
    }
  }
  if (!version) return undefined;
  if (nsErr) throw nsErr;
  if (h.matchConditions?.length) {
    const { object, oldObject } = r.versioned(version);
    const request = admissionRequest(reviewInput(r, { accessor: acc, version }, ''));
    const m = evaluateConditions(h.matchConditions, { object: object ?? null, oldObject: oldObject ?? null, request }, h.failurePolicy);
    if ('error' in m) {
      throw new StatusError(403, 'Forbidden', `${qualifiedResource(a.type.group, a.type.resource)} "${a.name}" is forbidden: ${m.error}`,
        { name: a.name, group: a.type.group || undefined, kind: a.type.resource });
    }
    if (!m.matches) return undefined;
  }
  return { accessor: acc, version };
}

function reviewInput(r: RequestView, inv: Invocation, uid: string) {
  const { object, oldObject } = r.versioned(inv.version);
  return {
    uid, kind: r.gvk(inv.version), resource: r.gvr(inv.version), subResource: r.a.subresource,
    requestKind: r.gvk(r.requestVersion), requestResource: r.gvr(r.requestVersion), requestSubResource: r.a.subresource,
    name: r.a.name, namespace: r.namespace, operation: r.a.operation, user: r.a.user,
    object, oldObject, dryRun: r.a.dryRun, options: r.options(),
  };
}

/**
 * Call one webhook. Resolves with its verified answer; rejects with a CallingWebhookError (subject
 * to failurePolicy) or a StatusError (always refuses: dry run on a webhook with side effects).
 */
export async function callHook(inv: Invocation, r: RequestView, mutating: boolean): Promise<VerifiedResponse> {
  const h = inv.accessor.hook;
  if (r.a.dryRun && h.sideEffects !== 'None' && h.sideEffects !== 'NoneOnDryRun') {
    if (h.sideEffects === undefined) throw new CallingWebhookError(h.name, 'Webhook SideEffects is nil');
    throw dryRunUnsupported(h.name);
  }
  const version = reviewVersion(h.admissionReviewVersions);
  if (!version) throw new CallingWebhookError(h.name, 'could not create admission objects: webhook does not accept known AdmissionReview versions (v1, v1beta1)');
  const uid = randomUUID();
  const body = JSON.stringify(admissionReview(version, admissionRequest(reviewInput(r, inv, uid))));
  const target = targetOf(h.clientConfig ?? {}, r.deps.resolveService);
  if ('error' in target) throw new CallingWebhookError(h.name, `failed to call webhook: ${target.error}`);
  let reply;
  try {
    reply = await post(target, h.clientConfig?.caBundle, body, h.timeoutSeconds ?? 10);
  } catch (e) {
    throw new CallingWebhookError(h.name, `failed to call webhook: ${(e as Error).message}`);
  }
  if (reply.status < 200 || reply.status > 299) throw new CallingWebhookError(h.name, `failed to call webhook: ${httpStatusError(reply)}`);
  let review;
  try { review = decodeReview(reply.body); } catch (e) {
    throw new CallingWebhookError(h.name, `failed to call webhook: ${(e as Error).message}`);
  }
  try {
    return verifyResponse(uid, version, mutating, review);
  } catch (e) {
    throw new CallingWebhookError(h.name, `received invalid webhook response: ${(e as Error).message}`);
  }
}

/** audit annotations a webhook returned, under "<webhook name>/<key>" */
export function recordResponse(r: RequestView, h: Webhook, res: VerifiedResponse): void {
  for (const [k, v] of Object.entries(res.auditAnnotations)) r.a.annotate?.(`${h.name}/${k}`, String(v));
  if (res.warnings.length && r.a.warnings) r.a.warnings.push(...res.warnings);
}

export const sameObject = (x: unknown, y: unknown) => isDeepStrictEqual(x, y);
