// Authorization: --authorization-mode as upstream (a comma list tried in order; the first allow or
// deny decides; when none decides the request is forbidden with their reasons), the
// authorization.k8s.io review APIs, the bootstrap RBAC policy and ClusterRole aggregation.
import type { AuthorizationAttributes, Authorizer, Decision } from '../chain.js';
import type { UserInfo } from '../http/types.js';
import { decodeObject, readBody } from '../http/body.js';
import { writeJSON } from '../http/respond.js';
import { reviewType } from '../virtual.js';
import { StatusError } from '../../machinery/errors.js';
import type { KObject } from '../../api/types.js';
import { RBACAuthorizer, type Lookup } from './rbac/authorizer.js';
import { NodeAuthorizer, nodeIdentity } from './node.js';
import { EscalationChecker, escalationAdmission } from './escalation.js';
import { clusterRoleBindings, clusterRoles, namespaceRoleBindings, namespaceRoles } from './bootstrappolicy.js';
import { startAggregation, type ClusterRoleStore } from './aggregation.js';
import {
  GROUP, localSubjectAccessReview, selfSubjectAccessReview, selfSubjectRulesReview, subjectAccessReview,
  type Review, type RuleResolver,
} from './reviews.js';

export interface AuthzDeps {
  /** read access to the watch cache (roles, bindings, pods, nodes …) */
  lookup: Lookup;
}

export const SUPPORTED_MODES = ['AlwaysAllow', 'AlwaysDeny', 'Node', 'RBAC'];

/** The composed authorizer; also resolves rules (SelfSubjectRulesReview) and knows its RBAC part. */
export class UnionAuthorizer implements Authorizer {
  constructor(readonly authorizers: (Authorizer & Partial<RuleResolver>)[], readonly rbac?: RBACAuthorizer) {}

  async authorize(a: AuthorizationAttributes): Promise<{ decision: Decision; reason?: string }> {
    const reasons: string[] = [];
    for (const z of this.authorizers) {
      const d = await z.authorize(a);
      if (d.decision === 'allow' || d.decision === 'deny') return d;
      if (d.reason) reasons.push(d.reason);
    }
    return { decision: 'noOpinion', reason: reasons.join('\n') };
  }

  get resolvers(): RuleResolver[] {
    return this.authorizers.filter((z): z is Authorizer & RuleResolver => typeof z.rulesFor === 'function');
  }
}

const alwaysAllow: Authorizer & RuleResolver = {
  authorize: () => ({ decision: 'allow' }),
  rulesFor: () => ({ rules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }, { verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false, errors: [] }),
};
const alwaysDeny: Authorizer & RuleResolver = {
  authorize: () => ({ decision: 'noOpinion', reason: 'Everything is forbidden.' }),
  rulesFor: () => ({ rules: [], incomplete: false, errors: [] }),
};
/** upstream puts this first whenever a real authorizer runs: system:masters may do anything */
const privilegedGroups: Authorizer = {
  authorize: (a) => ((a.user.groups ?? []).includes('system:masters') ? { decision: 'allow' } : { decision: 'noOpinion' }),
};

export function buildAuthorizer(modes: string[], deps: AuthzDeps): UnionAuthorizer {
  if (modes.length === 0) throw new Error('at least one authorization-mode must be passed');
  const seen = new Set<string>();
  const list: (Authorizer & Partial<RuleResolver>)[] = [];
  let rbac: RBACAuthorizer | undefined;
  if (!modes.every((m) => m === 'AlwaysAllow')) list.push(privilegedGroups);
  for (const m of modes) {
    if (seen.has(m)) throw new Error(`authorization-mode ${JSON.stringify(m)} has mode specified more than once`);
    seen.add(m);
    switch (m) {
      case 'AlwaysAllow': list.push(alwaysAllow); break;
      case 'AlwaysDeny': list.push(alwaysDeny); break;
      case 'Node': {
        const node = new NodeAuthorizer(deps.lookup);
        list.push(Object.assign(node, {
          // upstream: a node's permissions cannot be enumerated
          rulesFor: (u: UserInfo) => (nodeIdentity(u).isNode
            ? { rules: [], incomplete: true, errors: ['node authorizer does not support user rule resolution'] }
            : { rules: [], incomplete: false, errors: [] }),
        }));
        break;
      }
      case 'RBAC': {
        rbac = new RBACAuthorizer(deps.lookup);
        const r = rbac;
        list.push(Object.assign(r, {
          rulesFor: (u: UserInfo, ns: string) => ({ ...RBACAuthorizer.prototype.rulesFor.call(r, u, ns), incomplete: false }),
        }));
        break;
      }
      default:
        throw new Error(`unknown authorization mode ${JSON.stringify(m)} specified (supported: ${SUPPORTED_MODES.join(', ')})`);
    }
  }
  return new UnionAuthorizer(list, rbac);
}

type Server = import('../server.js').APIServer;

async function readReview(ctx: import('../http/types.js').RequestContext, kind: string): Promise<Review> {
  const body = await readBody(ctx.req);
  const obj = decodeObject(body, ctx.req.headers['content-type'], kind) as Review;
  if (obj.kind && obj.kind !== kind) throw new StatusError(400, 'BadRequest', `the API version in the data (${obj.apiVersion}) does not match the expected API version (${GROUP}/v1) or kind (${obj.kind}) does not match ${kind}`);
  ctx.audit?.setRequestObject(obj);
  return obj;
}

function reply(ctx: import('../http/types.js').RequestContext, out: Review): void {
  ctx.audit?.setResponseObject(out);
  writeJSON(ctx.res, 201, out);
}

/**
 * Serve authorization.k8s.io (SubjectAccessReview, SelfSubjectAccessReview,
 * LocalSubjectAccessReview, SelfSubjectRulesReview); with RBAC, install the escalation check.
 */
export function registerAuthorizationAPIs(server: Server): void {
  const configured = server.config.authorizer;
  const authorizer: Authorizer = configured ?? alwaysAllow;
  const resolvers: RuleResolver[] = configured instanceof UnionAuthorizer ? configured.resolvers : configured ? [] : [alwaysAllow];
  const r = server.registry;
  r.addVirtual(reviewType(GROUP, 'v1', 'SubjectAccessReview', 'subjectaccessreviews'), async (ctx) =>
    reply(ctx, await subjectAccessReview(authorizer, await readReview(ctx, 'SubjectAccessReview'))));
  r.addVirtual(reviewType(GROUP, 'v1', 'SelfSubjectAccessReview', 'selfsubjectaccessreviews'), async (ctx) =>
    reply(ctx, await selfSubjectAccessReview(authorizer, await readReview(ctx, 'SelfSubjectAccessReview'), ctx.user)));
  r.addVirtual(reviewType(GROUP, 'v1', 'LocalSubjectAccessReview', 'localsubjectaccessreviews', true), async (ctx) =>
    reply(ctx, await localSubjectAccessReview(authorizer, await readReview(ctx, 'LocalSubjectAccessReview'), ctx.info.namespace)));
  r.addVirtual(reviewType(GROUP, 'v1', 'SelfSubjectRulesReview', 'selfsubjectrulesreviews'), async (ctx) =>
    reply(ctx, selfSubjectRulesReview(resolvers, await readReview(ctx, 'SelfSubjectRulesReview'), ctx.user)));
  if (configured instanceof UnionAuthorizer && configured.rbac) {
    const checker = new EscalationChecker({ rbac: configured.rbac, authorizer: configured });
    server.config.admissionPlugins = [...(server.config.admissionPlugins ?? []), escalationAdmission(checker)];
  }
}

/**
 * Create the bootstrap ClusterRoles and ClusterRoleBindings that are missing (upstream reconciles
 * autoupdate roles too; Kumo only adds what is absent so edits survive restarts) and start aggregation.
 */
/** The bootstrap Roles and RoleBindings in kube-system and kube-public (after those namespaces exist). */
export async function ensureNamespacedBootstrapPolicy(server: Server): Promise<void> {
  for (const [resource, objs] of [['roles', namespaceRoles()], ['rolebindings', namespaceRoleBindings()]] as const) {
    const sr = server.lookup('rbac.authorization.k8s.io', 'v1', resource)!;
    for (const o of objs) {
      const ns = o.metadata!.namespace!;
      if (sr.store.cache.objects.has(sr.store.key(ns, o.metadata!.name!))) continue;
      try {
        await sr.store.create(structuredClone(o), ns, { dryRun: false });
      } catch (err) {
        if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
      }
    }
  }
}

export async function ensureBootstrapPolicy(server: Server): Promise<{ stop(): void; settled(): Promise<void> }> {
  const put = async (resource: string, objs: KObject[]) => {
    const sr = server.lookup('rbac.authorization.k8s.io', 'v1', resource)!;
    for (const o of objs) {
      if (sr.store.cache.objects.has(sr.store.key('', o.metadata!.name!))) continue;
      try {
        await sr.store.create(structuredClone(o), '', { dryRun: false });
      } catch (err) {
        if (!(err instanceof StatusError && err.reason === 'AlreadyExists')) throw err;
      }
    }
  };
  await put('clusterroles', clusterRoles());
  await put('clusterrolebindings', clusterRoleBindings());

  const crs = server.lookup('rbac.authorization.k8s.io', 'v1', 'clusterroles')!;
  const agg = startAggregation(crs.store as unknown as ClusterRoleStore);
  await agg.settled();
  return agg;
}
