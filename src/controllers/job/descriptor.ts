// How the controller manager starts the job, cronjob and ttl-after-finished controllers.
import type { ControllerDescriptor } from '../manager/context.js';
import { CronJobController } from '../cronjob/controller.js';
import { TTLAfterFinishedController } from '../ttlafterfinished/controller.js';
import { JobController } from './controller.js';

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'job-controller',
    flags: [{ name: 'concurrent-job-syncs', type: 'number', default: 5, help: 'number of Jobs synced concurrently' }],
    workersFlag: 'concurrent-job-syncs',
    start: (ctx) => new JobController(ctx.client, ctx.factory, { recorder: ctx.recorder('job-controller'), log: ctx.log }),
  },
  {
    name: 'cronjob-controller',
    flags: [{ name: 'concurrent-cron-job-syncs', type: 'number', default: 5, help: 'number of CronJobs synced concurrently' }],
    workersFlag: 'concurrent-cron-job-syncs',
    start: (ctx) => new CronJobController(ctx.client, ctx.factory, { recorder: ctx.recorder('cronjob-controller'), log: ctx.log }),
  },
  {
    name: 'ttl-after-finished-controller',
    flags: [{ name: 'concurrent-ttl-after-finished-syncs', type: 'number', default: 5, help: 'number of TTL-after-finished workers' }],
    workersFlag: 'concurrent-ttl-after-finished-syncs',
    start: (ctx) => new TTLAfterFinishedController(ctx.client, ctx.factory, { log: ctx.log }),
  },
];
