// ObjectMeta validation with the name rule of each kind (most are DNS-1123 subdomains; namespaces
// are labels, services DNS-1035 labels, RBAC objects path segments).
import type { FieldError } from '../../machinery/errors.js';
import {
  validateObjectMeta, validateObjectMetaUpdate, nameIsDNSSubdomain, nameIsDNSLabel, nameIsDNS1035Label,
  nameIsPathSegment, type NameFn,
} from '../../machinery/validation.js';
import type { KObject, ResourceType } from '../../api/types.js';

const NAME_RULES: Record<string, NameFn> = {
  '/namespaces': nameIsDNSLabel,
  '/services': nameIsDNS1035Label,
  'rbac.authorization.k8s.io/roles': nameIsPathSegment,
  'rbac.authorization.k8s.io/rolebindings': nameIsPathSegment,
  'rbac.authorization.k8s.io/clusterroles': nameIsPathSegment,
  'rbac.authorization.k8s.io/clusterrolebindings': nameIsPathSegment,
};

export function validateMeta(obj: KObject, type: ResourceType): FieldError[] {
  return validateObjectMeta(obj.metadata, {
    namespaced: type.namespaced,
    nameFn: NAME_RULES[`${type.group}/${type.resource}`] ?? nameIsDNSSubdomain,
  });
}

export function validateMetaUpdate(obj: KObject, old: KObject): FieldError[] {
  return validateObjectMetaUpdate(obj.metadata, old.metadata);
}
