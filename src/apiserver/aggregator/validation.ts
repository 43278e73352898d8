// APIService validation with upstream's field paths and messages (kube-aggregator
// apis/apiregistration/validation): the name must be version.group, priorities in range, and a
// local APIService (no service) may carry neither a caBundle nor insecureSkipTLSVerify.
import { field, type FieldError } from '../../machinery/errors.js';
import {
  isDNS1035Label, isDNS1123Subdomain, isValidPathSegmentName, validateObjectMeta, validateObjectMetaUpdate,
} from '../../machinery/validation.js';
import type { APIService } from './apiservice.js';

const CONDITION_STATUSES = ['True', 'False', 'Unknown'];

export function validateAPIService(a: APIService, old?: APIService): FieldError[] {
  const spec = a.spec ?? {};
  const group = spec.group ?? '';
  const version = spec.version ?? '';
  const requiredName = `${version}.${group}`;
  const nameFn = (name: string, prefix: boolean): string[] => {
    const minimal = isValidPathSegmentName(name);
    if (minimal.length) return minimal;
    void prefix; // generateName is held to the same rule, as upstream
    if (name !== requiredName) return [`must be \`spec.version+"."+spec.group\`: ${JSON.stringify(requiredName)}`];
    return [];
  };
  const errs: FieldError[] = old
    ? [...validateObjectMetaUpdate(a.metadata, old.metadata), ...nameErrors(a, nameFn)]
    : validateObjectMeta(a.metadata, { namespaced: false, nameFn });
  if (!group && version !== 'v1') {
    errs.push(field.required('spec.group', 'only v1 may have an empty group and it better be legacy kube'));
  }
  if (group) for (const m of isDNS1123Subdomain(group)) errs.push(field.invalid('spec.group', group, m));
  for (const m of isDNS1035Label(version)) errs.push(field.invalid('spec.version', version, m));
  const gpm = spec.groupPriorityMinimum ?? 0;
  if (gpm <= 0 || gpm > 20000) errs.push(field.invalid('spec.groupPriorityMinimum', gpm, 'must be positive and less than 20000'));
  const vp = spec.versionPriority ?? 0;
  if (vp <= 0 || vp > 1000) errs.push(field.invalid('spec.versionPriority', vp, 'must be positive and less than 1000'));
  const caBytes = spec.caBundle ? Buffer.from(spec.caBundle, 'base64').length : 0;
  if (!spec.service) {
    if (caBytes) errs.push(field.invalid('spec.caBundle', `${caBytes} bytes`, 'local APIServices may not have a caBundle'));
    if (spec.insecureSkipTLSVerify) errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'local APIServices may not have insecureSkipTLSVerify'));
  } else {
    if (!spec.service.namespace) errs.push(field.required('spec.service.namespace'));
    if (!spec.service.name) errs.push(field.required('spec.service.name'));
    if (spec.insecureSkipTLSVerify && caBytes) {
      errs.push(field.invalid('spec.insecureSkipTLSVerify', true, 'may not be true if caBundle is present'));
    }
  }
  errs.push(...validateConditions(a));
  return errs;
}

/** on update the name cannot change (validateObjectMetaUpdate), but must still match version.group */
function nameErrors(a: APIService, nameFn: (n: string, p: boolean) => string[]): FieldError[] {
  const name = a.metadata?.name ?? '';
  return nameFn(name, false).map((m) => field.invalid('metadata.name', name, m));
}

function validateConditions(a: APIService): FieldError[] {
  const errs: FieldError[] = [];
  (a.status?.conditions ?? []).forEach((c, i) => {
    if (!CONDITION_STATUSES.includes(c.status)) errs.push(field.notSupported(`status.conditions[${i}].status`, c.status, CONDITION_STATUSES));
  });
  return errs;
}
