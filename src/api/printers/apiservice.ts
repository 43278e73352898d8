// APIService table (kube-aggregator's ConvertToTable): NAME, SERVICE ("Local" or namespace/name),
// AVAILABLE ("True", or the status with its reason: "False (MissingEndpoints)"), AGE.
import type { Printer } from '../types.js';
import { ageColumn, ageOf, col, condition, nameColumn, nameOf, str } from './util.js';

export const apiServicePrinter: Printer = {
  columns: [
    nameColumn(),
    col('Service', 'string', 'The reference to the service that hosts this API endpoint.'),
    col('Available', 'string', 'Whether this service is available.'),
    ageColumn(),
  ],
  cells(o, now) {
    const svc = (o.spec as { service?: { namespace?: string; name?: string } | null } | undefined)?.service;
    const service = svc ? `${svc.namespace ?? ''}/${svc.name ?? ''}` : 'Local';
    const c = condition(o, 'Available');
    let available = 'Unknown';
    if (c) {
      const status = str(c, 'status');
      const reason = str(c, 'reason');
      available = status === 'True' || !reason ? status : `${status} (${reason})`;
    }
    return [nameOf(o), service, available, ageOf(o, now)];
  },
};
