// Cluster plumbing kinds: RBAC bindings, priority and runtime classes, certificate signing
// requests, leases.

import type { KObject, Printer } from '../types.js';
import { humanDuration } from './duration.js';
import { ageColumn, ageOf, arr, bool, col, get, int, nameColumn, nameOf, str } from './util.js';

/** users, groups and service accounts ("ns/name") of a binding's subjects */
export function subjectsStrings(o: KObject): { users: string[]; groups: string[]; serviceAccounts: string[] } {
  const users: string[] = [];
  const groups: string[] = [];
  const serviceAccounts: string[] = [];
  for (const s of arr(o, 'subjects')) {
    if (s.kind === 'ServiceAccount') serviceAccounts.push(`${str(s, 'namespace')}/${str(s, 'name')}`);
    else if (s.kind === 'User') users.push(str(s, 'name'));
    else if (s.kind === 'Group') groups.push(str(s, 'name'));
  }
  return { users, groups, serviceAccounts };
}

function bindingPrinter(kind: string): Printer {
  return {
    columns: [
      nameColumn(),
      col('Role', 'string', 'The Role or ClusterRole this binding grants, as Kind/name.'),
      ageColumn(),
      col('Users', 'string', `Users in the ${kind}`, 1),
      col('Groups', 'string', `Groups in the ${kind}`, 1),
      col('ServiceAccounts', 'string', `ServiceAccounts in the ${kind}`, 1),
    ],
    cells(o, now) {
      const s = subjectsStrings(o);
      return [nameOf(o), `${str(o, 'roleRef.kind')}/${str(o, 'roleRef.name')}`, ageOf(o, now),
        s.users.join(', '), s.groups.join(', '), s.serviceAccounts.join(', ')];
    },
  };
}

export const roleBindingPrinter = bindingPrinter('roleBinding');
export const clusterRoleBindingPrinter = bindingPrinter('clusterRoleBinding');

export const priorityClassPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Value', 'integer', 'The priority pods of this class receive.'),
    col('Global-Default', 'boolean', 'Whether this is the priority of pods that name no priority class.'),
    ageColumn(),
    col('PreemptionPolicy', 'string', 'Whether pods of this class may preempt lower-priority pods (PreemptLowerPriority or Never).'),
  ],
  cells: (o, now) => [nameOf(o), int(o, 'value'), bool(o, 'globalDefault') ?? false, ageOf(o, now), str(o, 'preemptionPolicy')],
};

export const runtimeClassPrinter: Printer = {
  columns: [nameColumn(), col('Handler', 'string', 'The CRI handler that runs pods of this class.'), ageColumn()],
  cells: (o, now) => [nameOf(o), str(o, 'handler'), ageOf(o, now)],
};

/** CONDITION: Denied / Approved / Pending, then ",Failed" and ",Issued" */
export function csrCondition(o: KObject): string {
  const types = new Set(arr(o, 'status.conditions').map((c) => c.type));
  let status = types.has('Denied') ? 'Denied' : types.has('Approved') ? 'Approved' : 'Pending';
  if (types.has('Failed')) status += ',Failed';
  if (str(o, 'status.certificate').length > 0) status += ',Issued';
  return status;
}

export const certificateSigningRequestPrinter: Printer = {
  columns: [
    nameColumn(),
    ageColumn(),
    col('SignerName', 'string', 'The requested signer.'),
    col('Requestor', 'string', 'The user that created the request.'),
    col('RequestedDuration', 'string', 'The requested validity duration of the issued certificate.'),
    col('Condition', 'string', 'Approval and issuance state of the request.'),
  ],
  cells(o, now) {
    const exp = get(o, 'spec.expirationSeconds');
    return [nameOf(o), ageOf(o, now), str(o, 'spec.signerName') || '<none>', str(o, 'spec.username'),
      typeof exp === 'number' ? humanDuration(exp * 1000) : '<none>', csrCondition(o)];
  },
};

export const leasePrinter: Printer = {
  columns: [nameColumn(), col('Holder', 'string', 'The identity of the holder of the lease.'), ageColumn()],
  cells: (o, now) => [nameOf(o), str(o, 'spec.holderIdentity'), ageOf(o, now)],
};
