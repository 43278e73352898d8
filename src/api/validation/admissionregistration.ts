// admissionregistration.k8s.io/v1 validation, after k8s.io/kubernetes/pkg/apis/admissionregistration/validation:
// webhook names are fully qualified and unique, rules are well formed, sideEffects is None or
// NoneOnDryRun, admissionReviewVersions names v1 or v1beta1, clientConfig has exactly one of url
// (https, no user/query/fragment) and service, timeouts are 1–30s, matchConditions compile.
// ValidatingAdmissionPolicy and its binding get their required fields and enums checked.

import { admissionCompileError, type AdmissionVariables } from '../../machinery/cel.js';
import { field, type FieldError } from '../../machinery/errors.js';
import { isDNS1035Label, isDNS1123Subdomain, isQualifiedName, isValidPortNum } from '../../machinery/validation.js';
import { invalidRaw, isObj, isSet, list, obj, str, validateLabelSelector, type Obj } from './util.js';

const goStrings = (type: string, v: unknown[]) => `[]${type}{${v.map((x) => JSON.stringify(str(x))).join(', ')}}`;

/** upstream utilvalidation.IsFullyQualifiedName */
function fullyQualifiedName(path: string, name: unknown): FieldError[] {
  const n = str(name);
  if (n === '') return [field.required(path)];
  const errs = isDNS1123Subdomain(n);
  if (errs.length) return [field.invalid(path, n, errs.join(','))];
  if (n.split('.').length < 3) return [field.invalid(path, n, 'should be a domain with at least three segments separated by dots')];
  return [];
}

function validateResources(resources: unknown[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (resources.length === 0) errs.push(field.required(path));
  const wildSub = new Set<string>();
  const wildRes = new Set<string>();
  let doubleWild = false; let singleWild = false; let plain = false;
  resources.forEach((r, i) => {
    const rs = str(r);
    if (rs === '') { errs.push(field.required(`${path}[${i}]`)); return; }
    if (rs === '*/*') doubleWild = true;
    if (rs === '*') singleWild = true;
    const slash = rs.indexOf('/');
    if (slash < 0) { plain = rs !== '*'; return; }
    const res = rs.slice(0, slash); const sub = rs.slice(slash + 1);
    if (wildSub.has(res)) errs.push(field.invalid(`${path}[${i}]`, rs, `if '${res}/*' is present, must not specify ${rs}`));
    if (wildRes.has(sub)) errs.push(field.invalid(`${path}[${i}]`, rs, `if '*/${sub}' is present, must not specify ${rs}`));
    if (sub === '*') wildSub.add(res);
    if (res === '*') wildRes.add(sub);
  });
  if (resources.length > 1 && doubleWild) errs.push(invalidRaw(path, goStrings('string', resources), "if '*/*' is present, must not specify other resources"));
  if (singleWild && plain) errs.push(invalidRaw(path, goStrings('string', resources), "if '*' is present, must not specify other resources without subresources"));
  return errs;
}

const OPERATIONS = ['*', 'CONNECT', 'CREATE', 'DELETE', 'UPDATE'];
const SCOPES = ['*', 'Cluster', 'Namespaced'];

function validateRule(r: Obj, path: string, withOperations: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (withOperations) {
    const ops = list(r.operations);
    if (ops.length === 0) errs.push(field.required(`${path}.operations`));
    if (ops.length > 1 && ops.includes('*')) {
      errs.push(invalidRaw(`${path}.operations`, goStrings('admissionregistration.OperationType', ops), "if '*' is present, must not specify other operations"));
    }
    ops.forEach((o, i) => { if (!OPERATIONS.includes(str(o))) errs.push(field.notSupported(`${path}.operations[${i}]`, str(o), OPERATIONS)); });
  }
  const groups = list(r.apiGroups);
  if (groups.length === 0) errs.push(field.required(`${path}.apiGroups`));
  if (groups.length > 1 && groups.includes('*')) errs.push(invalidRaw(`${path}.apiGroups`, goStrings('string', groups), "if '*' is present, must not specify other API groups"));
  const versions = list(r.apiVersions);
  if (versions.length === 0) errs.push(field.required(`${path}.apiVersions`));
  if (versions.length > 1 && versions.includes('*')) errs.push(invalidRaw(`${path}.apiVersions`, goStrings('string', versions), "if '*' is present, must not specify other API versions"));
  versions.forEach((v, i) => { if (str(v) === '') errs.push(field.required(`${path}.apiVersions[${i}]`)); });
  errs.push(...validateResources(list(r.resources), `${path}.resources`));
  if (isSet(r.scope) && !SCOPES.includes(str(r.scope))) errs.push(field.notSupported(`${path}.scope`, str(r.scope), SCOPES));
  return errs;
}

const REVIEW_VERSIONS = ['v1', 'v1beta1'];

function validateAdmissionReviewVersions(v: unknown, path: string): FieldError[] {
  const versions = list(v);
  if (versions.length === 0) return [field.required(path, `must specify one of ${REVIEW_VERSIONS.join(', ')}`)];
  const errs: FieldError[] = [];
  const seen = new Set<string>();
  let accepted = false;
  versions.forEach((x, i) => {
    const s = str(x);
    if (seen.has(s)) { errs.push(field.invalid(`${path}[${i}]`, s, 'duplicate version')); return; }
    seen.add(s);
    for (const e of isDNS1035Label(s)) errs.push(field.invalid(`${path}[${i}]`, s, e));
    if (REVIEW_VERSIONS.includes(s)) accepted = true;
  });
  if (!accepted) errs.push(invalidRaw(path, goStrings('string', versions), `must include at least one of ${REVIEW_VERSIONS.join(', ')}`));
  return errs;
}

/** upstream webhook.ValidateWebhookURL with forceHttps */
export function validateWebhookURL(path: string, url: string): FieldError[] {
  const form = '; desired format: https://host[/path]';
  let u: URL;
  try { u = new URL(url); } catch (e) { return [field.required(path, `url must be a valid URL: ${(e as Error).message}${form}`)]; }
  const errs: FieldError[] = [];
  const scheme = u.protocol.replace(/:$/, '');
  if (scheme !== 'https') errs.push(field.invalid(path, scheme, `'https' is the only allowed URL scheme${form}`));
  if (!u.host) errs.push(field.invalid(path, u.host, `host must be provided${form}`));
  if (u.username || u.password) errs.push(field.invalid(path, u.password ? `${u.username}:${u.password}` : u.username, 'user information is not permitted in the URL'));
  if (u.hash) errs.push(field.invalid(path, u.hash.slice(1), 'fragments are not permitted in the URL'));
  if (u.search) errs.push(field.invalid(path, u.search.slice(1), 'query parameters are not permitted in the URL'));
  return errs;
}

/** upstream webhook.ValidateWebhookService */
export function validateWebhookService(path: string, svc: Obj): FieldError[] {
  const errs: FieldError[] = [];
  if (!str(svc.name)) errs.push(field.required(`${path}.name`, 'service name is required'));
  if (!str(svc.namespace)) errs.push(field.required(`${path}.namespace`, 'service namespace is required'));
  const port = typeof svc.port === 'number' ? svc.port : 443;
  const pe = isValidPortNum(port);
  if (pe.length) errs.push(field.invalid(`${path}.port`, port, `port is not valid: ${pe.join(', ')}`));
  if (!isSet(svc.path)) return errs;
  const p = str(svc.path);
  if (p === '/' || p === '') return errs;
  if (p === '//') return [...errs, field.invalid(`${path}.path`, p, 'segment[0] may not be empty')];
  if (!p.startsWith('/')) errs.push(field.invalid(`${path}.path`, p, "must start with a '/'"));
  let check = p.slice(1);
  if (check.endsWith('/')) check = check.slice(0, -1);
  check.split('/').forEach((step, i) => {
    if (step === '') { errs.push(field.invalid(`${path}.path`, p, `segment[${i}] may not be empty`)); return; }
    for (const f of isDNS1123Subdomain(step)) errs.push(field.invalid(`${path}.path`, p, `segment[${i}]: ${f}`));
  });
  return errs;
}

/** a CEL expression's compile error in upstream's wording, or undefined (the variables it may use, the type it must give) */
export function celCompileError(expr: string, vars: AdmissionVariables = {}, returnType: 'bool' | 'string' | undefined = 'bool'): string | undefined {
  return admissionCompileError(expr, vars, returnType);
}

function validateMatchConditions(v: unknown, path: string, vars: AdmissionVariables = {}): FieldError[] {
  const conds = list(v);
  const errs: FieldError[] = [];
  if (conds.length > 64) errs.push(field.tooMany(path, conds.length, 64));
  const names = new Set<string>();
  conds.forEach((c, i) => {
    const mc = obj(c);
    const p = `${path}[${i}]`;
    const expr = str(mc.expression).trim();
    if (expr === '') errs.push(field.required(`${p}.expression`));
    else {
      const ce = celCompileError(expr, vars);
      if (ce) errs.push(field.invalid(`${p}.expression`, expr, ce));
    }
    const name = str(mc.name);
    if (name === '') errs.push(field.required(`${p}.name`));
    else {
      for (const e of isQualifiedName(name)) errs.push(field.invalid(`${p}.name`, name, e));
      if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name)); else names.add(name);
    }
  });
  return errs;
}

const FAILURE_POLICIES = ['Fail', 'Ignore'];
const MATCH_POLICIES = ['Equivalent', 'Exact'];
const SIDE_EFFECTS = ['None', 'NoneOnDryRun'];
const ALL_SIDE_EFFECTS = ['None', 'NoneOnDryRun', 'Some', 'Unknown'];
const REINVOCATION = ['IfNeeded', 'Never'];

function validateWebhook(w: Obj, path: string, mutating: boolean, sideEffects: string[]): FieldError[] {
  const errs = fullyQualifiedName(`${path}.name`, w.name);
  list(w.rules).forEach((r, i) => errs.push(...validateRule(obj(r), `${path}.rules[${i}]`, true)));
  if (isSet(w.failurePolicy) && !FAILURE_POLICIES.includes(str(w.failurePolicy))) errs.push(field.notSupported(`${path}.failurePolicy`, str(w.failurePolicy), FAILURE_POLICIES));
  if (isSet(w.matchPolicy) && !MATCH_POLICIES.includes(str(w.matchPolicy))) errs.push(field.notSupported(`${path}.matchPolicy`, str(w.matchPolicy), MATCH_POLICIES));
  if (!isSet(w.sideEffects)) errs.push(field.required(`${path}.sideEffects`, `must specify one of ${sideEffects.join(', ')}`));
  else if (!sideEffects.includes(str(w.sideEffects))) errs.push(field.notSupported(`${path}.sideEffects`, str(w.sideEffects), sideEffects));
  if (typeof w.timeoutSeconds === 'number' && (w.timeoutSeconds > 30 || w.timeoutSeconds < 1)) {
    errs.push(field.invalid(`${path}.timeoutSeconds`, w.timeoutSeconds, 'the timeout value must be between 1 and 30 seconds'));
  }
  if (isSet(w.namespaceSelector)) errs.push(...validateLabelSelector(w.namespaceSelector, `${path}.namespaceSelector`));
  if (isSet(w.objectSelector)) errs.push(...validateLabelSelector(w.objectSelector, `${path}.objectSelector`));
  if (mutating && isSet(w.reinvocationPolicy) && !REINVOCATION.includes(str(w.reinvocationPolicy))) {
    errs.push(field.notSupported(`${path}.reinvocationPolicy`, str(w.reinvocationPolicy), REINVOCATION));
  }
  const cc = obj(w.clientConfig);
  if (isSet(cc.url) === isSet(cc.service)) errs.push(field.required(`${path}.clientConfig`, 'exactly one of url or service is required'));
  else if (isSet(cc.url)) errs.push(...validateWebhookURL(`${path}.clientConfig.url`, str(cc.url)));
  else errs.push(...validateWebhookService(`${path}.clientConfig.service`, obj(cc.service)));
  errs.push(...validateMatchConditions(w.matchConditions, `${path}.matchConditions`));
  return errs;
}

function webhookConfiguration(mutating: boolean) {
  return (o: Obj, old?: Obj): FieldError[] => {
    const errs: FieldError[] = [];
    // an update may keep what an older server accepted (upstream relaxes these checks on update when the old object had them)
    const oldHooks = old ? list(old.webhooks).map(obj) : undefined;
    const oldUnique = !oldHooks || new Set(oldHooks.map((h) => str(h.name))).size === oldHooks.length;
    const sideEffects = oldHooks?.some((x) => !SIDE_EFFECTS.includes(str(x.sideEffects))) ? ALL_SIDE_EFFECTS : SIDE_EFFECTS;
    const names = new Set<string>();
    list(o.webhooks).forEach((h, i) => {
      const w = obj(h);
      const p = `webhooks[${i}]`;
      errs.push(...validateWebhook(w, p, mutating, sideEffects),
        ...validateAdmissionReviewVersions(w.admissionReviewVersions, `${p}.admissionReviewVersions`));
      const name = str(w.name);
      if (name && oldUnique) {
        if (names.has(name)) errs.push(field.duplicate(`${p}.name`, name)); else names.add(name);
      }
    });
    return errs;
  };
}

export const validateMutatingWebhookConfiguration = webhookConfiguration(true);
export const validateValidatingWebhookConfiguration = webhookConfiguration(false);

function validateMatchResources(m: Obj, path: string, requireRules: boolean): FieldError[] {
  const errs: FieldError[] = [];
  if (isSet(m.namespaceSelector)) errs.push(...validateLabelSelector(m.namespaceSelector, `${path}.namespaceSelector`));
  if (isSet(m.objectSelector)) errs.push(...validateLabelSelector(m.objectSelector, `${path}.objectSelector`));
  if (isSet(m.matchPolicy) && !MATCH_POLICIES.includes(str(m.matchPolicy))) errs.push(field.notSupported(`${path}.matchPolicy`, str(m.matchPolicy), MATCH_POLICIES));
  const rules = list(m.resourceRules);
  if (requireRules && rules.length === 0) errs.push(field.required(`${path}.resourceRules`));
  rules.forEach((r, i) => errs.push(...validateRule(obj(r), `${path}.resourceRules[${i}]`, true)));
  list(m.excludeResourceRules).forEach((r, i) => errs.push(...validateRule(obj(r), `${path}.excludeResourceRules[${i}]`, true)));
  return errs;
}

export function validateValidatingAdmissionPolicy(o: Obj): FieldError[] {
  const spec = obj(o.spec);
  const errs: FieldError[] = [];
  if (!isSet(spec.failurePolicy)) errs.push(field.required('spec.failurePolicy'));
  else if (!FAILURE_POLICIES.includes(str(spec.failurePolicy))) errs.push(field.notSupported('spec.failurePolicy', str(spec.failurePolicy), FAILURE_POLICIES));
  if (isSet(spec.paramKind)) {
    const pk = obj(spec.paramKind);
    if (!str(pk.apiVersion)) errs.push(field.required('spec.paramKind.apiVersion'));
    if (!str(pk.kind)) errs.push(field.required('spec.paramKind.kind'));
  }
  if (!isObj(spec.matchConstraints)) errs.push(field.required('spec.matchConstraints'));
  else errs.push(...validateMatchResources(spec.matchConstraints, 'spec.matchConstraints', true));
  // what the policy's expressions may use: params only with a paramKind (as upstream's compiler)
  const vars: AdmissionVariables = { params: isSet(spec.paramKind), namespaceObject: true, variables: true };
  const validations = list(spec.validations);
  const audits = list(spec.auditAnnotations);
  if (validations.length === 0 && audits.length === 0) {
    errs.push(field.required('spec.validations', 'validations or auditAnnotations must contain at least one item'));
    errs.push(field.required('spec.auditAnnotations', 'validations or auditAnnotations must contain at least one item'));
  }
  validations.forEach((v, i) => {
    const val = obj(v);
    const p = `spec.validations[${i}]`;
    const expr = str(val.expression).trim();
    if (expr === '') errs.push(field.required(`${p}.expression`));
    else { const ce = celCompileError(expr, vars); if (ce) errs.push(field.invalid(`${p}.expression`, expr, ce)); }
    if (isSet(val.messageExpression)) {
      const me = str(val.messageExpression).trim();
      if (me === '') errs.push(field.required(`${p}.messageExpression`, 'messageExpression must be non-empty if specified'));
      else { const ce = celCompileError(me, vars, 'string'); if (ce) errs.push(field.invalid(`${p}.messageExpression`, me, ce)); }
    }
    const reasons = ['Forbidden', 'Invalid', 'RequestEntityTooLarge'];
    if (isSet(val.reason) && !reasons.includes(str(val.reason))) errs.push(field.notSupported(`${p}.reason`, str(val.reason), reasons));
  });
  audits.forEach((v, i) => {
    const a = obj(v);
    const p = `spec.auditAnnotations[${i}]`;
    if (!str(a.key)) errs.push(field.required(`${p}.key`));
    const expr = str(a.valueExpression).trim();
    if (expr === '') errs.push(field.required(`${p}.valueExpression`));
    else { const ce = celCompileError(expr, vars, undefined); if (ce) errs.push(field.invalid(`${p}.valueExpression`, expr, ce)); }
  });
  errs.push(...validateMatchConditions(spec.matchConditions, 'spec.matchConditions', { params: vars.params }));
  list(spec.variables).forEach((v, i) => {
    const va = obj(v);
    if (!str(va.name)) errs.push(field.required(`spec.variables[${i}].name`));
    const expr = str(va.expression).trim();
    if (expr === '') errs.push(field.required(`spec.variables[${i}].expression`));
    else { const ce = celCompileError(expr, vars, undefined); if (ce) errs.push(field.invalid(`spec.variables[${i}].expression`, expr, ce)); }
  });
  return errs;
}

const VALIDATION_ACTIONS = ['Audit', 'Deny', 'Warn'];

export function validateValidatingAdmissionPolicyBinding(o: Obj): FieldError[] {
  const spec = obj(o.spec);
  const errs: FieldError[] = [];
  if (!str(spec.policyName)) errs.push(field.required('spec.policyName'));
  else for (const e of isDNS1123Subdomain(str(spec.policyName))) errs.push(field.invalid('spec.policyName', str(spec.policyName), e));
  if (isSet(spec.paramRef)) {
    const ref = obj(spec.paramRef);
    if (isSet(ref.name) && isSet(ref.selector)) errs.push(field.forbidden('spec.paramRef.name', 'name and selector are mutually exclusive'));
    if (!isSet(ref.name) && !isSet(ref.selector)) errs.push(field.required('spec.paramRef', 'one of name or selector must be specified'));
    const actions = ['Allow', 'Deny'];
    if (!isSet(ref.parameterNotFoundAction)) errs.push(field.required('spec.paramRef.parameterNotFoundAction'));
    else if (!actions.includes(str(ref.parameterNotFoundAction))) errs.push(field.notSupported('spec.paramRef.parameterNotFoundAction', str(ref.parameterNotFoundAction), actions));
  }
  if (isObj(spec.matchResources)) errs.push(...validateMatchResources(spec.matchResources, 'spec.matchResources', false));
  const actions = list(spec.validationActions);
  if (actions.length === 0) errs.push(field.required('spec.validationActions'));
  const seen = new Set<string>();
  actions.forEach((a, i) => {
    const s = str(a);
    if (seen.has(s)) errs.push(field.duplicate(`spec.validationActions[${i}]`, s)); else seen.add(s);
    if (!VALIDATION_ACTIONS.includes(s)) errs.push(field.notSupported(`spec.validationActions[${i}]`, s, VALIDATION_ACTIONS));
  });
  if (seen.has('Deny') && seen.has('Warn')) errs.push(field.invalid('spec.validationActions', actions, 'must not contain both Deny and Warn (repeating the same validation failure information in the API response and headers serves no purpose)'));
  return errs;
}
