// audit.k8s.io/v1 Policy: decoding and validation with upstream's wording
// (k8s.io/apiserver/pkg/audit/policy reader + apis/audit/validation), and rule evaluation in order
// (policy checker): the first rule that matches decides the level and stages to omit.
import { readFile } from 'node:fs/promises';
import { parse as parseYAML } from 'yaml';
import { field, fieldErrorText, type FieldError } from '../../machinery/errors.js';
import { isDNS1123Subdomain } from '../../machinery/validation.js';
import type { UserInfo } from '../http/types.js';

export type Level = 'None' | 'Metadata' | 'Request' | 'RequestResponse';
export type Stage = 'RequestReceived' | 'ResponseStarted' | 'ResponseComplete' | 'Panic';

export const LEVELS: readonly Level[] = ['None', 'Metadata', 'Request', 'RequestResponse'];
export const STAGES: readonly Stage[] = ['RequestReceived', 'ResponseStarted', 'ResponseComplete', 'Panic'];

export interface GroupResources {
  group?: string;
  resources?: string[];
  resourceNames?: string[];
}

export interface PolicyRule {
  level: Level;
  users?: string[];
  userGroups?: string[];
  verbs?: string[];
  resources?: GroupResources[];
  namespaces?: string[];
  nonResourceURLs?: string[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

export interface Policy {
  apiVersion: 'audit.k8s.io/v1';
  kind: 'Policy';
  rules: PolicyRule[];
  omitStages?: Stage[];
  omitManagedFields?: boolean;
}

/** What the policy decides for one request (upstream RequestAuditConfig). */
export interface RequestAuditConfig {
  level: Level;
  omitStages: ReadonlySet<Stage>;
  omitManagedFields: boolean;
}

/** The request attributes rules match on (a subset of authorizer.Attributes). */
export interface PolicyAttributes {
  user?: UserInfo;
  verb: string;
  isResourceRequest: boolean;
  path: string;
  apiGroup: string;
  namespace: string;
  resource: string;
  subresource: string;
  name: string;
}

export function levelAtLeast(level: Level, min: Level): boolean {
  return LEVELS.indexOf(level) >= LEVELS.indexOf(min);
}

// ---- decoding ----

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'object') return 'object';
  // Go's encoding/json names
  return typeof v === 'boolean' ? 'bool' : typeof v;
}

function typeError(v: unknown, path: string, goType: string): Error {
  return new Error(`json: cannot unmarshal ${jsonType(v)} into Go struct field ${path} of type ${goType}`);
}

function stringList(v: unknown, path: string): string[] | undefined {
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw typeError(v, path, '[]string');
  return v.map((s) => {
    if (typeof s !== 'string') throw typeError(s, path, 'string');
    return s;
  });
}

function bool(v: unknown, path: string): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'boolean') throw typeError(v, path, 'bool');
  return v;
}

function obj(v: unknown, path: string, goType: string): Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) throw typeError(v, path, goType);
  return v as Record<string, unknown>;
}

function decodeRule(raw: unknown): PolicyRule {
  const r = obj(raw, 'Policy.rules', 'v1.PolicyRule');
  if (r.level !== undefined && r.level !== null && typeof r.level !== 'string') throw typeError(r.level, 'PolicyRule.rules.level', 'v1.Level');
  const rule: PolicyRule = { level: (r.level ?? '') as Level };
  const users = stringList(r.users, 'PolicyRule.rules.users');
  const userGroups = stringList(r.userGroups, 'PolicyRule.rules.userGroups');
  const verbs = stringList(r.verbs, 'PolicyRule.rules.verbs');
  const namespaces = stringList(r.namespaces, 'PolicyRule.rules.namespaces');
  const nonResourceURLs = stringList(r.nonResourceURLs, 'PolicyRule.rules.nonResourceURLs');
  const omitStages = stringList(r.omitStages, 'PolicyRule.rules.omitStages') as Stage[] | undefined;
  const omitManagedFields = bool(r.omitManagedFields, 'PolicyRule.rules.omitManagedFields');
  if (users) rule.users = users;
  if (userGroups) rule.userGroups = userGroups;
  if (verbs) rule.verbs = verbs;
  if (namespaces) rule.namespaces = namespaces;
  if (nonResourceURLs) rule.nonResourceURLs = nonResourceURLs;
  if (omitStages) rule.omitStages = omitStages;
  if (omitManagedFields !== undefined) rule.omitManagedFields = omitManagedFields;
  if (r.resources !== undefined && r.resources !== null) {
    if (!Array.isArray(r.resources)) throw typeError(r.resources, 'PolicyRule.rules.resources', '[]v1.GroupResources');
    rule.resources = r.resources.map((g) => {
      const o = obj(g, 'PolicyRule.rules.resources', 'v1.GroupResources');
      if (o.group !== undefined && o.group !== null && typeof o.group !== 'string') throw typeError(o.group, 'GroupResources.rules.resources.group', 'string');
      const gr: GroupResources = { group: (o.group as string | undefined) ?? '' };
      const res = stringList(o.resources, 'GroupResources.rules.resources.resources');
      const names = stringList(o.resourceNames, 'GroupResources.rules.resources.resourceNames');
      if (res) gr.resources = res;
      if (names) gr.resourceNames = names;
      return gr;
    });
  }
  return rule;
}

/** Decodes and validates a Policy document (YAML or JSON). Errors carry upstream's wording. */
export function parsePolicy(text: string): Policy {
  let doc: Json;
  try {
    doc = parseYAML(text) as Json;
  } catch (err) {
    throw new Error(`failed decoding: error converting YAML to JSON: yaml: ${(err as Error).message.split('\n')[0]}`);
  }
  const compact = JSON.stringify(doc ?? {});
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new Error(`failed decoding: couldn't get version/kind; json parse error: json: cannot unmarshal ${jsonType(doc)} into Go value of type struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }`);
  }
  if (typeof doc.kind !== 'string' || doc.kind === '') throw new Error(`failed decoding: Object 'Kind' is missing in '${compact}'`);
  if (typeof doc.apiVersion !== 'string' || doc.apiVersion === '') throw new Error(`failed decoding: Object 'apiVersion' is missing in '${compact}'`);
  if (doc.apiVersion !== 'audit.k8s.io/v1' || doc.kind !== 'Policy') {
    throw new Error(`failed decoding: no kind "${doc.kind}" is registered for version "${doc.apiVersion}" in scheme "k8s.io/apiserver/pkg/audit/scheme.go"`);
  }
  let policy: Policy;
  try {
    const rules = doc.rules === undefined || doc.rules === null ? [] : doc.rules;
    if (!Array.isArray(rules)) throw typeError(rules, 'Policy.rules', '[]v1.PolicyRule');
    policy = { apiVersion: 'audit.k8s.io/v1', kind: 'Policy', rules: rules.map(decodeRule) };
    const omitStages = stringList(doc.omitStages, 'Policy.omitStages') as Stage[] | undefined;
    const omitManagedFields = bool(doc.omitManagedFields, 'Policy.omitManagedFields');
    if (omitStages) policy.omitStages = omitStages;
    if (omitManagedFields !== undefined) policy.omitManagedFields = omitManagedFields;
  } catch (err) {
    throw new Error(`failed decoding: ${(err as Error).message}`);
  }
  const errs = validatePolicy(policy);
  if (errs.length) {
    const list = errs.map(fieldErrorText);
    throw new Error(list.length === 1 ? list[0] : `[${list.join(', ')}]`);
  }
  if (policy.rules.length === 0) throw new Error('loaded illegal policy with 0 rules');
  return policy;
}

/** upstream LoadPolicyFromFile, wrapped as the apiserver options wrap it */
export async function loadPolicyFile(path: string): Promise<Policy> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new Error(`loading audit policy file: failed to read file path "${path}": ${(err as Error).message}`);
  }
  try {
    return parsePolicy(text);
  } catch (err) {
    throw new Error(`loading audit policy file: ${(err as Error).message}: from file ${path}`);
  }
}

// ---- validation (apis/audit/validation) ----

function goStrings(v: string[]): string {
  return `[]string{${v.map((s) => JSON.stringify(s)).join(', ')}}`;
}

export function validatePolicy(p: Policy): FieldError[] {
  const errs: FieldError[] = [];
  // upstream validates only the rules; policy-level omitStages are trusted
  p.rules.forEach((r, i) => errs.push(...validateRule(r, `rules[${i}]`)));
  return errs;
}

function validateRule(r: PolicyRule, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if ((r.level as string) === '') errs.push(field.required(`${path}.level`));
  else if (!LEVELS.includes(r.level)) errs.push(field.notSupported(`${path}.level`, r.level, [...LEVELS]));
  (r.nonResourceURLs ?? []).forEach((u, i) => {
    if (u === '*') return;
    const p = `${path}.nonResourceURLs[${i}]`;
    if (!u.startsWith('/')) errs.push(field.invalid(p, u, "non-resource URL rules must begin with a '/' character"));
    if (u !== '' && u.slice(0, -1).includes('*')) errs.push(field.invalid(p, u, "non-resource URL wildcards '*' must be the final character of the rule"));
  });
  for (const gr of r.resources ?? []) {
    if (gr.group) {
      const msgs = isDNS1123Subdomain(gr.group);
      if (msgs.length) errs.push(field.invalid(`${path}.resources.group`, gr.group, msgs.join(',')));
    }
    if (gr.resourceNames?.length && !gr.resources?.length) {
      errs.push({ ...field.invalid(`${path}.resources.resourceNames`, '', ''), message: `Invalid value: ${goStrings(gr.resourceNames)}: using resourceNames requires at least one resource` });
    }
  }
  (r.omitStages ?? []).forEach((s, i) => {
    if (!STAGES.includes(s)) errs.push(field.invalid(`${path}.omitStages[${i}]`, s, `allowed stages are ${STAGES.join(',')}`));
  });
  if (r.nonResourceURLs?.length && (r.resources?.length || r.namespaces?.length)) {
    errs.push({ ...field.invalid(`${path}.nonResourceURLs`, '', ''), message: `Invalid value: ${goStrings(r.nonResourceURLs)}: rules cannot apply to both regular resources and non-resource URLs` });
  }
  return errs;
}

// ---- evaluation (policy checker) ----

/** Compiles a policy into a function from request attributes to its audit config. */
export function policyEvaluator(p: Policy): (a: PolicyAttributes) => RequestAuditConfig {
  const policyOmit = new Set<Stage>(p.omitStages ?? []);
  const compiled = p.rules.map((r) => ({
    rule: r,
    config: {
      level: r.level,
      // policy-level stages are omitted for every rule
      omitStages: new Set<Stage>([...policyOmit, ...(r.omitStages ?? [])]),
      omitManagedFields: r.omitManagedFields ?? p.omitManagedFields ?? false,
    } as RequestAuditConfig,
  }));
  const fallback: RequestAuditConfig = { level: 'None', omitStages: policyOmit, omitManagedFields: p.omitManagedFields ?? false };
  return (a) => {
    for (const c of compiled) if (ruleMatches(c.rule, a)) return c.config;
    return fallback;
  };
}

export function ruleMatches(r: PolicyRule, a: PolicyAttributes): boolean {
  if (r.users?.length && (!a.user || !r.users.includes(a.user.name))) return false;
  if (r.userGroups?.length && (!a.user || !a.user.groups.some((g) => r.userGroups!.includes(g)))) return false;
  if (r.verbs?.length && !r.verbs.includes(a.verb)) return false;
  if (r.namespaces?.length || r.resources?.length) return ruleMatchesResource(r, a);
  if (r.nonResourceURLs?.length) return !a.isResourceRequest && r.nonResourceURLs.some((s) => pathMatches(a.path, s));
  return true;
}

function pathMatches(path: string, spec: string): boolean {
  if (spec === '*' || spec === path) return true;
  return spec.endsWith('*') && path.startsWith(spec.replace(/\*+$/, ''));
}

function ruleMatchesResource(r: PolicyRule, a: PolicyAttributes): boolean {
  if (!a.isResourceRequest) return false;
  // cluster-scoped requests have the empty namespace, which a rule can name as ""
  if (r.namespaces?.length && !r.namespaces.includes(a.namespace)) return false;
  if (!r.resources?.length) return true;
  const combined = a.subresource ? `${a.resource}/${a.subresource}` : a.resource;
  for (const gr of r.resources) {
    if ((gr.group ?? '') !== a.apiGroup) continue;
    if (!gr.resources?.length) return true;
    if (gr.resourceNames?.length && !gr.resourceNames.includes(a.name)) continue;
    for (const res of gr.resources) {
      if (res === combined || res === '*') return true;
      if (a.subresource && res.startsWith('*/') && res.slice(2) === a.subresource) return true;
      if (res.endsWith('/*') && res.slice(0, -2) === a.resource) return true;
    }
  }
  return false;
}
