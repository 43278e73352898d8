// Validation of flowcontrol.apiserver.k8s.io/v1 objects (upstream apis/flowcontrol/validation),
// the parts that keep a configuration usable: precedence range, a priority level reference,
// rules with subjects and at least one kind of rule, and sane queuing parameters.
import { field, type FieldError } from '../../machinery/errors.js';
import { list, obj, str, type Obj } from './util.js';

const SUBJECT_KINDS = ['ServiceAccount', 'Group', 'User'];

export function validateFlowSchema(o: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj(o.spec);
  const prec = Number(spec.matchingPrecedence ?? 1000);
  if (!Number.isInteger(prec) || prec < 1 || prec > 10000) errs.push(field.invalid('spec.matchingPrecedence', prec, 'must be between 1 and 10000, inclusive'));
  if (!str(obj(spec.priorityLevelConfiguration).name)) errs.push(field.required('spec.priorityLevelConfiguration.name', 'must reference a priority level'));
  const dm = spec.distinguisherMethod;
  if (dm !== undefined && dm !== null && !['ByUser', 'ByNamespace'].includes(str(obj(dm).type))) {
    errs.push(field.notSupported('spec.distinguisherMethod.type', obj(dm).type, ['ByNamespace', 'ByUser']));
  }
  list(spec.rules).forEach((r, i) => {
    const rule = obj(r);
    const p = `spec.rules[${i}]`;
    const subjects = list(rule.subjects);
    if (!subjects.length) errs.push(field.required(`${p}.subjects`, 'subjects must contain at least one value'));
    subjects.forEach((s, j) => {
      const kind = str(obj(s).kind);
      if (!SUBJECT_KINDS.includes(kind)) errs.push(field.notSupported(`${p}.subjects[${j}].kind`, kind, SUBJECT_KINDS));
    });
    if (!list(rule.resourceRules).length && !list(rule.nonResourceRules).length) {
      errs.push(field.required(p, 'at least one of resourceRules and nonResourceRules has to be non-empty'));
    }
    list(rule.resourceRules).forEach((rr, j) => {
      const x = obj(rr);
      const q = `${p}.resourceRules[${j}]`;
      if (!list(x.verbs).length) errs.push(field.required(`${q}.verbs`, 'verbs must contain at least one value'));
      if (!list(x.apiGroups).length) errs.push(field.required(`${q}.apiGroups`, 'resource rules must supply at least one api group'));
      if (!list(x.resources).length) errs.push(field.required(`${q}.resources`, 'resource rules must supply at least one resource'));
      if (!list(x.namespaces).length && !x.clusterScope) errs.push(field.required(`${q}.namespaces`, 'resource rules that are not cluster scoped must supply at least one namespace'));
    });
    list(rule.nonResourceRules).forEach((nr, j) => {
      const x = obj(nr);
      const q = `${p}.nonResourceRules[${j}]`;
      if (!list(x.verbs).length) errs.push(field.required(`${q}.verbs`, 'verbs must contain at least one value'));
      if (!list(x.nonResourceURLs).length) errs.push(field.required(`${q}.nonResourceURLs`, 'nonResourceURLs must contain at least one value'));
    });
  });
  return errs;
}

export function validatePriorityLevelConfiguration(o: Obj): FieldError[] {
  const errs: FieldError[] = [];
  const spec = obj(o.spec);
  const type = str(spec.type);
  if (!['Exempt', 'Limited'].includes(type)) return [field.notSupported('spec.type', spec.type, ['Exempt', 'Limited'])];
  if (type === 'Limited') {
    if (!spec.limited) errs.push(field.required('spec.limited', 'must not be empty when type is Limited'));
    if (spec.exempt) errs.push(field.forbidden('spec.exempt', 'must be nil if the type is Limited'));
    const l = obj(spec.limited);
    const ncs = Number(l.nominalConcurrencyShares ?? 30);
    if (!Number.isInteger(ncs) || ncs < 0) errs.push(field.invalid('spec.limited.nominalConcurrencyShares', ncs, 'must be a non-negative integer'));
    const lp = Number(l.lendablePercent ?? 0);
    if (lp < 0 || lp > 100) errs.push(field.invalid('spec.limited.lendablePercent', lp, 'must be between 0 and 100, inclusive'));
    const lr = obj(l.limitResponse);
    const lrType = str(lr.type);
    if (!['Queue', 'Reject'].includes(lrType)) errs.push(field.notSupported('spec.limited.limitResponse.type', lr.type, ['Queue', 'Reject']));
    if (lrType === 'Queue') {
      const q = obj(lr.queuing);
      const queues = Number(q.queues ?? 64), hand = Number(q.handSize ?? 8), qll = Number(q.queueLengthLimit ?? 50);
      const p = 'spec.limited.limitResponse.queuing';
      if (!(queues > 0)) errs.push(field.invalid(`${p}.queues`, queues, 'must be positive'));
      if (!(qll > 0)) errs.push(field.invalid(`${p}.queueLengthLimit`, qll, 'must be positive'));
      if (!(hand > 0)) errs.push(field.invalid(`${p}.handSize`, hand, 'must be positive'));
      else if (hand > queues) errs.push(field.invalid(`${p}.handSize`, hand, `should not be greater than queues (${queues})`));
    } else if (lrType === 'Reject' && lr.queuing) {
      errs.push(field.forbidden('spec.limited.limitResponse.queuing', 'must be nil if limited.limitResponse.type is not Limited'));
    }
  } else {
    if (spec.limited) errs.push(field.forbidden('spec.limited', 'must be nil if the type is not Limited'));
  }
  return errs;
}
