// Table columns for flowcontrol.apiserver.k8s.io (upstream printers.go printFlowSchema and
// printPriorityLevelConfiguration).
import type { Printer } from '../types.js';
import { ageColumn, ageOf, arr, col, get, nameColumn, nameOf, str } from './util.js';

export const flowSchemaPrinter: Printer = {
  columns: [
    nameColumn(),
    col('PriorityLevel', 'string', 'The name of the priority level the matching requests are assigned to.'),
    col('MatchingPrecedence', 'string', 'The precedence of this FlowSchema: lower values are matched first.'),
    col('DistinguisherMethod', 'string', 'How flows are told apart: ByUser, ByNamespace, or * when not at all.'),
    ageColumn(),
    col('MissingPL', 'string', 'Whether the referenced priority level is missing (the Dangling condition).'),
  ],
  cells: (o, now) => {
    const dangling = arr(o, 'status.conditions').find((c) => c.type === 'Dangling');
    return [
      nameOf(o), str(o, 'spec.priorityLevelConfiguration.name'), String(get(o, 'spec.matchingPrecedence') ?? ''),
      str(o, 'spec.distinguisherMethod.type') || '*', ageOf(o, now), dangling ? String(dangling.status) : '?',
    ];
  },
};

export const priorityLevelConfigurationPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Type', 'string', 'Exempt or Limited.'),
    col('NominalConcurrencyShares', 'string', 'The share of the server\'s concurrency this level is entitled to.'),
    col('Queues', 'string', 'The number of queues of this level.'),
    col('HandSize', 'string', 'The number of queues a flow is shuffle-sharded to.'),
    col('QueueLengthLimit', 'string', 'The most requests waiting in one queue.'),
    ageColumn(),
  ],
  cells: (o, now) => {
    const limited = get(o, 'spec.limited');
    const q = get(o, 'spec.limited.limitResponse.queuing');
    const v = (p: string) => String(get(o, p) ?? '');
    return [
      nameOf(o), str(o, 'spec.type'), limited ? v('spec.limited.nominalConcurrencyShares') : '<none>',
      q ? v('spec.limited.limitResponse.queuing.queues') : '<none>', q ? v('spec.limited.limitResponse.queuing.handSize') : '<none>',
      q ? v('spec.limited.limitResponse.queuing.queueLengthLimit') : '<none>', ageOf(o, now),
    ];
  },
};
