// rbac.authorization.k8s.io validation: rules, roleRef, subjects.

import { field, type FieldError } from '../../machinery/errors.js';
import { isDNS1123Subdomain, isValidPathSegmentName, nameIsDNSLabel } from '../../machinery/validation.js';
import { deepEqual } from '../../machinery/validation.js';
import { invalidRaw, isSet, list, obj, str, validateLabelSelector, type Obj } from './util.js';

const RBAC_GROUP = 'rbac.authorization.k8s.io';

function validateRules(o: Obj, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  list(o.rules).forEach((r, i) => {
    const rule = obj(r);
    const p = `rules[${i}]`;
    if (list(rule.verbs).length === 0) errs.push(field.required(`${p}.verbs`, 'verbs must contain at least one value'));
    if (list(rule.nonResourceURLs).length > 0) {
      if (namespaced) errs.push(field.invalid(`${p}.nonResourceURLs`, rule.nonResourceURLs, 'namespaced rules cannot apply to non-resource URLs'));
      if (list(rule.apiGroups).length || list(rule.resources).length || list(rule.resourceNames).length) {
        errs.push(field.invalid(`${p}.nonResourceURLs`, rule.nonResourceURLs, 'rules cannot apply to both regular resources and non-resource URLs'));
      }
      return;
    }
    if (list(rule.apiGroups).length === 0) errs.push(field.required(`${p}.apiGroups`, 'resource rules must supply at least one api group'));
    if (list(rule.resources).length === 0) errs.push(field.required(`${p}.resources`, 'resource rules must supply at least one resource'));
  });
  return errs;
}

export const validateRole = (o: Obj): FieldError[] => validateRules(o, true);

export function validateClusterRole(o: Obj): FieldError[] {
  const errs = validateRules(o, false);
  if (isSet(o.aggregationRule)) {
    const sels = list(obj(o.aggregationRule).clusterRoleSelectors);
    if (sels.length === 0) errs.push(field.required('aggregationRule.clusterRoleSelectors', 'at least one clusterRoleSelector required if aggregationRule is non-nil'));
    sels.forEach((s, i) => errs.push(...validateLabelSelector(s, `aggregationRule.clusterRoleSelectors[${i}]`)));
  }
  return errs;
}

function goRoleRef(r: Obj): string {
  return `rbac.RoleRef{APIGroup:${JSON.stringify(str(r.apiGroup))}, Kind:${JSON.stringify(str(r.kind))}, Name:${JSON.stringify(str(r.name))}}`;
}

function validateBinding(o: Obj, old: Obj | undefined, namespaced: boolean): FieldError[] {
  const errs: FieldError[] = [];
  const ref = obj(o.roleRef);
  if (str(ref.apiGroup) !== RBAC_GROUP) errs.push(field.notSupported('roleRef.apiGroup', str(ref.apiGroup), [RBAC_GROUP]));
  const kinds = namespaced ? ['Role', 'ClusterRole'] : ['ClusterRole'];
  if (!kinds.includes(str(ref.kind))) errs.push(field.notSupported('roleRef.kind', str(ref.kind), kinds));
  const name = str(ref.name);
  if (!name) errs.push(field.required('roleRef.name'));
  else errs.push(...isValidPathSegmentName(name).map((m) => field.invalid('roleRef.name', name, m)));
  list(o.subjects).forEach((s, i) => {
    const sub = obj(s);
    const p = `subjects[${i}]`;
    const sname = str(sub.name);
    if (!sname) errs.push(field.required(`${p}.name`));
    switch (sub.kind) {
      case 'ServiceAccount':
        if (sname) errs.push(...isDNS1123Subdomain(sname).map((m) => field.invalid(`${p}.name`, sname, m)));
        if (str(sub.apiGroup) !== '') errs.push(field.notSupported(`${p}.apiGroup`, str(sub.apiGroup), ['']));
        if (!namespaced && !str(sub.namespace)) errs.push(field.required(`${p}.namespace`));
        break;
      case 'User': case 'Group':
        if (str(sub.apiGroup) !== RBAC_GROUP) errs.push(field.notSupported(`${p}.apiGroup`, str(sub.apiGroup), [RBAC_GROUP]));
        break;
      default:
        errs.push(field.notSupported(`${p}.kind`, str(sub.kind), ['ServiceAccount', 'User', 'Group']));
    }
    if (str(sub.namespace)) errs.push(...nameIsDNSLabel(str(sub.namespace), false).map((m) => field.invalid(`${p}.namespace`, str(sub.namespace), m)));
  });
  if (old && !deepEqual(o.roleRef, old.roleRef)) errs.push(invalidRaw('roleRef', goRoleRef(ref), 'cannot change roleRef'));
  return errs;
}

export const validateRoleBinding = (o: Obj, old?: Obj): FieldError[] => validateBinding(o, old, true);
export const validateClusterRoleBinding = (o: Obj, old?: Obj): FieldError[] => validateBinding(o, old, false);
