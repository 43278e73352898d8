// How the controller manager starts the storage, certificate, node-TTL and bootstrap-token
// controllers of this folder (one descriptor each, upstream names and flags).
import type { ControllerDescriptor } from '../manager/context.js';
import { PersistentVolumeController } from './persistentvolume/binder.js';
import { PVCProtectionController, PVProtectionController } from './persistentvolume/protection.js';
import { CSRApprovingController } from './certificates/csrapproving.js';
import { CSRCleanerController } from './certificates/csrcleaner.js';
import { TTLController } from './ttl/ttl.js';
import { TokenCleaner } from './bootstrap/tokencleaner.js';
import { BootstrapSigner } from './bootstrap/bootstrapsigner.js';
import { ServedByAPIServer } from './served.js';
import { goDurationMs } from '../nodelifecycle/descriptor.js';

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'persistentvolume-binder-controller',
    flags: [{ name: 'pvclaimbinder-sync-period', type: 'string', default: '15s', help: 'the period for syncing persistent volumes and persistent volume claims' }],
    start: (ctx) => new PersistentVolumeController(ctx.client, ctx.factory, {
      recorder: ctx.recorder('persistentvolume-controller'), log: ctx.log,
      syncPeriodMs: goDurationMs(ctx.flags['pvclaimbinder-sync-period'] ?? '15s', 'pvclaimbinder-sync-period'),
    }),
  },
  {
    name: 'persistentvolumeclaim-protection-controller',
    start: (ctx) => new PVCProtectionController(ctx.client, ctx.factory, ctx.log),
  },
  {
    name: 'persistentvolume-protection-controller',
    start: (ctx) => new PVProtectionController(ctx.client, ctx.factory, ctx.log),
  },
  {
    name: 'certificatesigningrequest-approving-controller',
    start: (ctx) => new CSRApprovingController(ctx.client, ctx.factory, ctx.log),
  },
  {
    name: 'certificatesigningrequest-cleaner-controller',
    start: (ctx) => new CSRCleanerController(ctx.client, ctx.factory, ctx.log),
  },
  {
    name: 'ttl-controller',
    // upstream runs it with 5 workers and no flag
    start: (ctx) => {
      const c = new TTLController(ctx.client, ctx.factory, ctx.log);
      return { name: c.name, queues: c.queues, run: () => c.run(5), stop: () => c.stop() };
    },
  },
  {
    name: 'token-cleaner-controller',
    start: (ctx) => new TokenCleaner(ctx.client, ctx.factory, ctx.log),
  },
  {
    name: 'bootstrap-signer-controller',
    start: (ctx) => new BootstrapSigner(ctx.client, ctx.factory, ctx.log),
  },
  {
    name: 'clusterrole-aggregation-controller',
    flags: [{ name: 'concurrent-clusterrole-aggregation-syncs', type: 'number', default: 5, help: 'number of ClusterRoles synced concurrently (served by the API server in Kumo)' }],
    start: (ctx) => new ServedByAPIServer('clusterrole-aggregation', 'ClusterRole aggregation in the RBAC authorizer', ctx.debug),
  },
  {
    name: 'resourcequota-controller',
    flags: [
      { name: 'concurrent-resource-quota-syncs', type: 'number', default: 5, help: 'number of ResourceQuotas synced concurrently (served by the API server in Kumo)' },
      { name: 'resource-quota-sync-period', type: 'string', default: '5m0s', help: 'the period for syncing quota usage status in the system (served by the API server in Kumo)' },
    ],
    start: (ctx) => new ServedByAPIServer('resourcequota', 'usage recalculation beside the ResourceQuota admission plugin', ctx.debug),
  },
];
