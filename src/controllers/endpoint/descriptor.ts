// How the controller manager starts the endpoints, endpointslice and endpointslice-mirroring
// controllers, with upstream's flags and defaults.
import type { Controller, ControllerContext, ControllerDescriptor } from '../manager/context.js';
import { parseDuration } from '../../sim/duration.js';
import { EndpointsController } from './controller.js';
import { DEFAULT_MAX_ENDPOINTS_PER_SLICE, EndpointSliceController } from '../endpointslice/controller.js';
import { EndpointSliceMirroringController } from '../endpointslicemirroring/controller.js';
import { DEFAULT_MAX_ENDPOINTS_PER_SUBSET } from '../endpointslicemirroring/reconciler.js';

interface EndpointsLike {
  name: string;
  /** the worker-count flag (default 5) and its help */
  syncs: [flag: string, help: string];
  /** the size-cap flag, if any: a number passed to start */
  max?: { flag: string; default: number; help: string };
  /** the updates batching period flag (default 0s) and its help: passed to start in milliseconds */
  batch: [flag: string, help: string];
  start(ctx: ControllerContext, batchPeriodMs: number, max: number): Controller;
}

/** all three have the same flags: concurrent syncs, an optional size cap, an updates batching period */
function endpointsLike(d: EndpointsLike): ControllerDescriptor {
  const { max } = d;
  return {
    name: d.name,
    flags: [
      { name: d.syncs[0], type: 'number', default: 5, help: d.syncs[1] },
      ...(max ? [{ name: max.flag, type: 'number' as const, default: max.default, help: max.help }] : []),
      { name: d.batch[0], type: 'string', default: '0s', help: d.batch[1] },
    ],
    workersFlag: d.syncs[0],
    start: (ctx) => d.start(ctx, parseDuration(String(ctx.flags[d.batch[0]] ?? '0s')),
      max ? Number(ctx.flags[max.flag] ?? max.default) : 0),
  };
}

export const descriptors: ControllerDescriptor[] = [
  endpointsLike({
    name: 'endpoints-controller',
    syncs: ['concurrent-endpoint-syncs', 'number of endpoint syncing operations done concurrently'],
    batch: ['endpoint-updates-batch-period', 'length of endpoint updates batching period'],
    start: (ctx, batchPeriodMs) => new EndpointsController(ctx.client, ctx.factory, {
      recorder: ctx.recorder('endpoint-controller'), log: ctx.log, batchPeriodMs,
    }),
  }),
  endpointsLike({
    name: 'endpointslice-controller',
    syncs: ['concurrent-service-endpoint-syncs', 'number of service endpoint syncing operations done concurrently'],
    max: { flag: 'max-endpoints-per-slice', default: DEFAULT_MAX_ENDPOINTS_PER_SLICE, help: 'maximum number of endpoints added to an EndpointSlice' },
    batch: ['endpointslice-updates-batch-period', 'length of endpoint slice updates batching period'],
    start: (ctx, batchPeriodMs, max) => new EndpointSliceController(ctx.client, ctx.factory, {
      recorder: ctx.recorder('endpoint-slice-controller'), log: ctx.log, maxEndpointsPerSlice: max, batchPeriodMs,
    }),
  }),
  endpointsLike({
    name: 'endpointslice-mirroring-controller',
    syncs: ['mirroring-concurrent-service-endpoint-syncs', 'number of service endpoint syncing operations done concurrently by the mirroring controller'],
    max: { flag: 'mirroring-max-endpoints-per-subset', default: DEFAULT_MAX_ENDPOINTS_PER_SUBSET, help: 'maximum number of endpoints added to an EndpointSlice per EndpointSubset' },
    batch: ['mirroring-endpointslice-updates-batch-period', 'length of mirroring EndpointSlice updates batching period'],
    start: (ctx, batchPeriodMs, max) => new EndpointSliceMirroringController(ctx.client, ctx.factory, {
      recorder: ctx.recorder('endpoint-slice-mirroring-controller'), log: ctx.log, maxEndpointsPerSubset: max, batchPeriodMs,
    }),
  }),
];
