// How the controller manager starts the endpoints, endpointslice and endpointslice-mirroring
// controllers, with upstream's flags and defaults.
import type { ControllerDescriptor } from '../manager/context.js';
import { parseDuration } from '../../sim/duration.js';
import { EndpointsController } from './controller.js';
import { DEFAULT_MAX_ENDPOINTS_PER_SLICE, EndpointSliceController } from '../endpointslice/controller.js';
import { EndpointSliceMirroringController } from '../endpointslicemirroring/controller.js';
import { DEFAULT_MAX_ENDPOINTS_PER_SUBSET } from '../endpointslicemirroring/reconciler.js';

const duration = (v: unknown): number => parseDuration(String(v ?? '0s'));

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'endpoints-controller',
    flags: [
      { name: 'concurrent-endpoint-syncs', type: 'number', default: 5, help: 'number of endpoint syncing operations done concurrently' },
      { name: 'endpoint-updates-batch-period', type: 'string', default: '0s', help: 'length of endpoint updates batching period' },
    ],
    workersFlag: 'concurrent-endpoint-syncs',
    start: (ctx) => new EndpointsController(ctx.client, ctx.factory, {
      recorder: ctx.recorder('endpoint-controller'), log: ctx.log,
      batchPeriodMs: duration(ctx.flags['endpoint-updates-batch-period']),
    }),
  },
  {
    name: 'endpointslice-controller',
    flags: [
      { name: 'concurrent-service-endpoint-syncs', type: 'number', default: 5, help: 'number of service endpoint syncing operations done concurrently' },
      { name: 'max-endpoints-per-slice', type: 'number', default: DEFAULT_MAX_ENDPOINTS_PER_SLICE, help: 'maximum number of endpoints added to an EndpointSlice' },
      { name: 'endpointslice-updates-batch-period', type: 'string', default: '0s', help: 'length of endpoint slice updates batching period' },
    ],
    workersFlag: 'concurrent-service-endpoint-syncs',
    start: (ctx) => new EndpointSliceController(ctx.client, ctx.factory, {
      recorder: ctx.recorder('endpoint-slice-controller'), log: ctx.log,
      maxEndpointsPerSlice: Number(ctx.flags['max-endpoints-per-slice'] ?? DEFAULT_MAX_ENDPOINTS_PER_SLICE),
      batchPeriodMs: duration(ctx.flags['endpointslice-updates-batch-period']),
    }),
  },
  {
    name: 'endpointslice-mirroring-controller',
    flags: [
      { name: 'mirroring-concurrent-service-endpoint-syncs', type: 'number', default: 5, help: 'number of service endpoint syncing operations done concurrently by the mirroring controller' },
      { name: 'mirroring-max-endpoints-per-subset', type: 'number', default: DEFAULT_MAX_ENDPOINTS_PER_SUBSET, help: 'maximum number of endpoints added to an EndpointSlice per EndpointSubset' },
      { name: 'mirroring-endpointslice-updates-batch-period', type: 'string', default: '0s', help: 'length of mirroring EndpointSlice updates batching period' },
    ],
    workersFlag: 'mirroring-concurrent-service-endpoint-syncs',
    start: (ctx) => new EndpointSliceMirroringController(ctx.client, ctx.factory, {
      recorder: ctx.recorder('endpoint-slice-mirroring-controller'), log: ctx.log,
      maxEndpointsPerSubset: Number(ctx.flags['mirroring-max-endpoints-per-subset'] ?? DEFAULT_MAX_ENDPOINTS_PER_SUBSET),
      batchPeriodMs: duration(ctx.flags['mirroring-endpointslice-updates-batch-period']),
    }),
  },
];
