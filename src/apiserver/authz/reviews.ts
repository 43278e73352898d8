// authorization.k8s.io/v1 reviews: SubjectAccessReview, LocalSubjectAccessReview,
// SelfSubjectAccessReview (ask the server's authorizer about a request) and SelfSubjectRulesReview
// (list the rules the caller holds in a namespace; what `kubectl auth can-i --list` shows).
import { badRequest, field as fe, invalid, type FieldError } from '../../machinery/errors.js';
import type { AuthorizationAttributes, Authorizer } from '../chain.js';
import type { UserInfo } from '../http/types.js';
import type { PolicyRule } from './rbac/rules.js';

export const GROUP = 'authorization.k8s.io';

interface ResourceAttributes { namespace?: string; verb?: string; group?: string; version?: string; resource?: string; subresource?: string; name?: string }
interface NonResourceAttributes { path?: string; verb?: string }
interface ReviewSpec {
  resourceAttributes?: ResourceAttributes | null;
  nonResourceAttributes?: NonResourceAttributes | null;
  user?: string; groups?: string[]; uid?: string; extra?: Record<string, string[]>;
  namespace?: string;
}
export interface Review { apiVersion?: string; kind?: string; metadata?: Record<string, unknown>; spec?: ReviewSpec; status?: unknown }

export interface RulesResult {
  rules: PolicyRule[];
  incomplete: boolean;
  errors: string[];
}
/** what an authorizer can tell about a user's rules (upstream authorizer.RuleResolver) */
export interface RuleResolver {
  rulesFor(user: UserInfo, namespace: string): RulesResult;
}

function attributes(user: UserInfo, spec: ReviewSpec): AuthorizationAttributes {
  const r = spec.resourceAttributes;
  if (r) {
    return {
      user, verb: r.verb ?? '', isResourceRequest: true, path: '', apiGroup: r.group ?? '', apiVersion: r.version ?? '',
      namespace: r.namespace ?? '', resource: r.resource ?? '', subresource: r.subresource ?? '', name: r.name ?? '',
    };
  }
  const n = spec.nonResourceAttributes ?? {};
  return {
    user, verb: n.verb ?? '', isResourceRequest: false, path: n.path ?? '', apiGroup: '', apiVersion: '',
    namespace: '', resource: '', subresource: '', name: '',
  };
}

/** exactly one of resourceAttributes / nonResourceAttributes (upstream ValidateSubjectAccessReviewSpec) */
function validateAttributes(spec: ReviewSpec): FieldError[] {
  if (spec.resourceAttributes && spec.nonResourceAttributes) {
    return [fe.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'cannot be specified in combination with resourceAttributes')];
  }
  if (!spec.resourceAttributes && !spec.nonResourceAttributes) {
    return [fe.invalid('spec.resourceAttributes', null, 'exactly one of nonResourceAttributes or resourceAttributes must be specified')];
  }
  return [];
}

async function decide(authorizer: Authorizer, a: AuthorizationAttributes): Promise<Record<string, unknown>> {
  try {
    const d = await authorizer.authorize(a);
    const status: Record<string, unknown> = { allowed: d.decision === 'allow' };
    if (d.decision === 'deny') status.denied = true;
    if (d.reason) status.reason = d.reason;
    return status;
  } catch (err) {
    return { allowed: false, evaluationError: (err as Error).message };
  }
}

function answer(kind: string, review: Review, status: unknown): Review {
  return {
    kind, apiVersion: `${GROUP}/v1`,
    metadata: { ...(review.metadata ?? {}), creationTimestamp: null },
    spec: review.spec ?? {}, status,
  };
}

export async function subjectAccessReview(authorizer: Authorizer, review: Review): Promise<Review> {
  const spec = review.spec ?? {};
  const errs = validateAttributes(spec);
  if (!spec.user && !(spec.groups?.length)) errs.push(fe.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  if (errs.length) throw invalid('SubjectAccessReview', GROUP, '', errs);
  const user: UserInfo = { name: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
  return answer('SubjectAccessReview', review, await decide(authorizer, attributes(user, spec)));
}

export async function localSubjectAccessReview(authorizer: Authorizer, review: Review, namespace: string): Promise<Review> {
  const spec = review.spec ?? {};
  const errs: FieldError[] = [];
  if (spec.nonResourceAttributes) errs.push(fe.invalid('spec.nonResourceAttributes', spec.nonResourceAttributes, 'disallowed on this kind of request'));
  else errs.push(...validateAttributes(spec));
  if (!spec.user && !(spec.groups?.length)) errs.push(fe.invalid('spec.user', spec.user ?? '', 'at least one of user or group must be specified'));
  const metaNs = (review.metadata?.namespace as string | undefined) ?? '';
  if (metaNs && spec.resourceAttributes && (spec.resourceAttributes.namespace ?? '') !== metaNs) {
    errs.push(fe.invalid('spec.resourceAttributes.namespace', spec.resourceAttributes.namespace ?? '', 'must match metadata.namespace'));
  }
  if (errs.length) throw invalid('LocalSubjectAccessReview', GROUP, '', errs);
  if ((spec.resourceAttributes?.namespace ?? '') !== namespace) {
    throw badRequest(`spec.resourceAttributes.namespace must match namespace: ${namespace}`);
  }
  const user: UserInfo = { name: spec.user ?? '', uid: spec.uid, groups: spec.groups ?? [], extra: spec.extra };
  const out = answer('LocalSubjectAccessReview', review, await decide(authorizer, attributes(user, spec)));
  out.metadata = { ...out.metadata, namespace };
  return out;
}

export async function selfSubjectAccessReview(authorizer: Authorizer, review: Review, user: UserInfo): Promise<Review> {
  const spec = review.spec ?? {};
  const errs = validateAttributes(spec);
  if (errs.length) throw invalid('SelfSubjectAccessReview', GROUP, '', errs);
  return answer('SelfSubjectAccessReview', review, await decide(authorizer, attributes(user, spec)));
}

export function selfSubjectRulesReview(resolvers: RuleResolver[], review: Review, user: UserInfo): Review {
  const namespace = review.spec?.namespace ?? '';
  const resourceRules: Record<string, unknown>[] = [];
  const nonResourceRules: Record<string, unknown>[] = [];
  let incomplete = false;
  const errors: string[] = [];
  for (const r of resolvers) {
    const res = r.rulesFor(user, namespace);
    incomplete ||= res.incomplete;
    errors.push(...res.errors);
    for (const rule of res.rules) {
      if (rule.nonResourceURLs?.length) nonResourceRules.push({ verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs });
      if (rule.resources?.length) {
        const o: Record<string, unknown> = { verbs: rule.verbs, apiGroups: rule.apiGroups ?? [], resources: rule.resources };
        if (rule.resourceNames?.length) o.resourceNames = rule.resourceNames;
        resourceRules.push(o);
      }
    }
  }
  const status: Record<string, unknown> = { resourceRules, nonResourceRules, incomplete };
  if (errors.length) status.evaluationError = errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
  return answer('SelfSubjectRulesReview', review, status);
}
