// How the controller manager starts the replicaset and replicationcontroller controllers.
import type { ControllerDescriptor } from '../manager/context.js';
import { REPLICATION_CONTROLLER, ReplicaSetController } from './controller.js';

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'replicaset-controller',
    flags: [{ name: 'concurrent-replicaset-syncs', type: 'number', default: 5, help: 'number of ReplicaSets synced concurrently' }],
    workersFlag: 'concurrent-replicaset-syncs',
    start: (ctx) => new ReplicaSetController(ctx.client, ctx.factory, { recorder: ctx.recorder('replicaset-controller'), log: ctx.log }),
  },
  {
    name: 'replicationcontroller-controller',
    flags: [{ name: 'concurrent-rc-syncs', type: 'number', default: 5, help: 'number of ReplicationControllers synced concurrently' }],
    workersFlag: 'concurrent-rc-syncs',
    start: (ctx) => new ReplicaSetController(ctx.client, ctx.factory,
      { recorder: ctx.recorder('replication-controller'), log: ctx.log, kind: REPLICATION_CONTROLLER }),
  },
];
