// admissionregistration.k8s.io/v1 ValidatingAdmissionPolicy and ValidatingAdmissionPolicyBinding as
// the plugin reads them (defaults applied by the API on write: matchPolicy Equivalent, selectors {}).

import type { KObject } from '../../../api/types.js';
import type { LabelSelectorJSON, MatchCondition, RuleWithOperations } from '../webhook/types.js';

export interface NamedRuleWithOperations extends RuleWithOperations { resourceNames?: string[] }

export interface MatchResources {
  namespaceSelector?: LabelSelectorJSON;
  objectSelector?: LabelSelectorJSON;
  resourceRules?: NamedRuleWithOperations[];
  excludeResourceRules?: NamedRuleWithOperations[];
  matchPolicy?: 'Exact' | 'Equivalent';
}

export interface Validation { expression: string; message?: string; messageExpression?: string; reason?: string }
export interface AuditAnnotation { key: string; valueExpression: string }
export interface Variable { name: string; expression: string }
export interface ParamKind { apiVersion: string; kind: string }

export interface PolicySpec {
  paramKind?: ParamKind;
  matchConstraints?: MatchResources;
  validations?: Validation[];
  failurePolicy?: 'Fail' | 'Ignore';
  auditAnnotations?: AuditAnnotation[];
  matchConditions?: MatchCondition[];
  variables?: Variable[];
}

export interface ParamRef {
  name?: string;
  namespace?: string;
  selector?: LabelSelectorJSON;
  parameterNotFoundAction?: 'Allow' | 'Deny';
}

export interface BindingSpec {
  policyName: string;
  paramRef?: ParamRef;
  matchResources?: MatchResources;
  validationActions?: ('Deny' | 'Warn' | 'Audit')[];
}

export type Policy = KObject & { spec?: PolicySpec };
export type Binding = KObject & { spec?: BindingSpec };
