// The ValidatingAdmissionPolicy admission plugin (upstream policy/validating dispatcher): for every
// policy (by name) that matches the request, every binding of it (by name) that matches too, and
// every param the binding selects, the policy is evaluated; failed validations act as the binding's
// validationActions say — Deny refuses the request, Warn adds a Warning header, Audit records the
// `validation.policy.admission.k8s.io/validation_failure` audit annotation. Configuration errors
// (unknown paramKind, missing params with Deny) refuse the request unless failurePolicy is Ignore.
// The first denial decides the answer: `<resource> "<name>" is forbidden: ValidatingAdmissionPolicy
// '<p>' with binding '<b>' denied request: <message>`, with the validation's reason and its code.

import { StatusError, qualifiedResource, type StatusReason } from '../../../machinery/errors.js';
import type { KObject, ResourceType } from '../../../api/types.js';
import type { AdmissionAttributes, AdmissionPlugin } from '../../chain.js';
import type { ServedVersion } from '../webhook/dispatcher.js';
import { admissionRequest } from '../webhook/review.js';
import { isExemptAdmissionConfigurationResource } from '../webhook/rules.js';
import { compilePolicy, validate, type Decision } from './evaluator.js';
import { matchResources } from './matching.js';
import { collectParams, ConfigurationError, type ParamSource } from './params.js';
import { PolicyRequest } from './request.js';
import type { Binding, ParamKind, Policy } from './types.js';

export const VALIDATING_POLICY_PLUGIN_NAME = 'ValidatingAdmissionPolicy';
export const VALIDATION_FAILURE_ANNOTATION = 'validation.policy.admission.k8s.io/validation_failure';
const MAX_AUDIT_VALUE = 10 * 1024;

export interface PolicyDeps {
  /** every ValidatingAdmissionPolicy and binding, from the server's cache (current with acknowledged writes) */
  policies(): Promise<{ policies: Policy[]; bindings: Binding[] }> | { policies: Policy[]; bindings: Binding[] };
  namespace(name: string): KObject | undefined;
  /** the served versions of the request's resource (sharing its storage) */
  versions(type: ResourceType): ServedVersion[];
  /** where objects of a paramKind are read; undefined when no served resource has that kind */
  paramSource(kind: ParamKind): ParamSource | undefined;
}

interface Denial { policy: string; binding?: string; message: string; reason?: string }

const byName = (x: KObject, y: KObject) => ((x.metadata?.name ?? '') < (y.metadata?.name ?? '') ? -1 : (x.metadata?.name ?? '') > (y.metadata?.name ?? '') ? 1 : 0);

function reasonToCode(reason: string): number {
  switch (reason) {
    case 'Forbidden': return 403;
    case 'Unauthorized': return 401;
    case 'RequestEntityTooLarge': return 413;
    default: return 422;
  }
}

function denialError(r: PolicyRequest, d: Denial): StatusError {
  const message = d.binding !== undefined
    ? `ValidatingAdmissionPolicy '${d.policy}' with binding '${d.binding}' denied request: ${d.message}`
    : `ValidatingAdmissionPolicy '${d.policy}' denied request: ${d.message}`;
  const { group, resource } = r.a.type;
  const name = r.displayName;
  const reason = d.reason || 'Invalid';
  return new StatusError(reasonToCode(reason), reason as StatusReason,
    `${qualifiedResource(group, resource)} "${name}" is forbidden: ${message}`,
    { name, group: group || undefined, kind: resource, causes: [{ message }] });
}

export function newValidatingAdmissionPolicyPlugin(deps: PolicyDeps): AdmissionPlugin {
  return {
    name: VALIDATING_POLICY_PLUGIN_NAME,
    async validate(a: AdmissionAttributes) {
      if (a.operation === 'CONNECT' || isExemptAdmissionConfigurationResource(a.type.group, a.type.resource)) return;
      const { policies, bindings } = await deps.policies();
      if (policies.length === 0 || bindings.length === 0) return;
      const bound = new Map<string, Binding[]>();
      for (const b of bindings) {
        const p = b.spec?.policyName;
        if (p) bound.set(p, [...(bound.get(p) ?? []), b]);
      }
      const r = new PolicyRequest(a, deps.versions(a.type), deps.namespace);
      const denials: Denial[] = [];
      for (const policy of [...policies].sort(byName)) {
        const pname = policy.metadata?.name ?? '';
        const its = bound.get(pname);
        if (!its) continue;
        const failurePolicy = policy.spec?.failurePolicy === 'Ignore' ? 'Ignore' : 'Fail';
        const configError = (err: unknown, binding?: string) => {
          if (failurePolicy === 'Ignore') return;
          const what = binding === undefined ? 'policy' : 'binding';
          denials.push({ policy: pname, binding, message: `failed to configure ${what}: ${(err as Error).message}` });
        };
        let version: ServedVersion | undefined;
        try { version = matchResources(policy.spec?.matchConstraints ?? {}, r); } catch { continue; }
        if (!version) continue;
        const kind = policy.spec?.paramKind;
        const source = kind ? deps.paramSource(kind) : undefined;
        if (kind && !source) { configError(new Error(`failed to find resource referenced by paramKind: '${kind.apiVersion}, Kind=${kind.kind}'`)); continue; }
        const compiled = compilePolicy(policy);
        const { object, oldObject } = r.versioned(version);
        const request = admissionRequest({
          uid: '', kind: r.gvk(version), resource: r.gvr(version), subResource: a.subresource,
          requestKind: r.gvk(r.requestVersion), requestResource: r.gvr(r.requestVersion), requestSubResource: a.subresource,
          name: a.name, namespace: r.namespace, operation: a.operation, user: a.user, dryRun: a.dryRun,
        });
        delete request.object; delete request.oldObject; delete request.uid;
        const annotations = new Map<string, string[]>();
        for (const binding of [...its].sort(byName)) {
          const bname = binding.metadata?.name ?? '';
          const bspec = binding.spec;
          if (bspec?.matchResources) {
            let m;
            try { m = matchResources(bspec.matchResources, r); } catch (e) { configError(e, bname); continue; }
            if (!m) continue;
          }
          let params;
          try { params = collectParams(kind, source, bspec?.paramRef, a.namespace); } catch (e) {
            if (e instanceof ConfigurationError) { configError(e, bname); continue; }
            throw e;
          }
          if (params.length === 0) continue;
          const namespaceObject = r.namespaceObject() ?? null;
          for (const params1 of params) {
            const result = validate(compiled, { object, oldObject, request, params: params1, namespaceObject });
            result.decisions.forEach((d, i) => act(d, i, pname, bname, bspec?.validationActions ?? [], a, denials));
            for (const an of result.auditAnnotations) {
              if (an.action === 'publish') {
                const v = an.value!.slice(0, MAX_AUDIT_VALUE);
                const list = annotations.get(an.key) ?? [];
                if (!list.includes(v)) list.push(v);
                annotations.set(an.key, list);
              } else if (an.action === 'error') {
                denials.push({ policy: pname, binding: bname, message: an.error! });
              }
            }
          }
        }
        for (const [k, vs] of annotations) a.annotate?.(`${pname}/${k}`, vs.join(', '));
      }
      if (denials.length) throw denialError(r, denials[0]);
    },
  };
}

function act(d: Decision, index: number, policy: string, binding: string, actions: string[], a: AdmissionAttributes, denials: Denial[]): void {
  if (d.action !== 'deny') return;
  for (const action of actions) {
    if (action === 'Deny') denials.push({ policy, binding, message: d.message, reason: d.reason });
    else if (action === 'Warn') a.warnings?.push(`Validation failed for ValidatingAdmissionPolicy '${policy}' with binding '${binding}': ${d.message}`);
    else if (action === 'Audit') {
      a.annotate?.(VALIDATION_FAILURE_ANNOTATION, JSON.stringify([{ message: d.message, policy, binding, expressionIndex: index, validationActions: actions }]));
    }
  }
}
