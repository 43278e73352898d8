// admissionregistration.k8s.io: webhook configurations (NAME, WEBHOOKS, AGE) and
// ValidatingAdmissionPolicy / Binding, with upstream's columns.

import type { Printer } from '../types.js';
import { ageColumn, ageOf, col, count, get, nameColumn, nameOf, str } from './util.js';

export const webhookConfigurationPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Webhooks', 'integer', 'Webhooks indicates the number of webhooks registered in this configuration'),
    ageColumn(),
  ],
  cells: (o, now) => [nameOf(o), count(o, 'webhooks'), ageOf(o, now)],
};

export const validatingAdmissionPolicyPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Validations', 'integer', 'Validations indicates the number of validation rules defined in this configuration'),
    col('ParamKind', 'string', 'ParamKind specifies the kind of resources used to parameterize this policy'),
    ageColumn(),
  ],
  cells: (o, now) => {
    const pk = get(o, 'spec.paramKind');
    const paramKind = pk ? `${str(pk, 'apiVersion')}/${str(pk, 'kind')}` : '<unset>';
    return [nameOf(o), count(o, 'spec.validations'), paramKind, ageOf(o, now)];
  },
};

export const validatingAdmissionPolicyBindingPrinter: Printer = {
  columns: [
    nameColumn(),
    col('PolicyName', 'string', 'PolicyName indicates the policy definition which the policy binding binded to'),
    col('ParamRef', 'string', 'ParamRef indicates the param resource which sets the configration param'),
    ageColumn(),
  ],
  cells: (o, now) => {
    const ref = get(o, 'spec.paramRef');
    let paramRef = '<unset>';
    if (ref) {
      const name = str(ref, 'name') || '*';
      paramRef = str(ref, 'namespace') ? `${str(ref, 'namespace')}/${name}` : name;
    }
    return [nameOf(o), str(o, 'spec.policyName'), paramRef, ageOf(o, now)];
  },
};
