// How the controller manager starts the horizontal pod autoscaler, with upstream's flags and defaults.
import type { FlagValues } from '../../cli/flags.js';
import type { ControllerDescriptor } from '../manager/context.js';
import { goDurationMs } from '../nodelifecycle/descriptor.js';
import { HorizontalController } from './controller.js';

/** A float flag (the shared parser knows only integers), with pflag's wording. */
function floatFlag(flags: FlagValues, name: string): number {
  const raw = String(flags[name]);
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new Error(`invalid argument ${JSON.stringify(raw)} for "--${name}" flag: strconv.ParseFloat: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return v;
}

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'horizontal-pod-autoscaler-controller',
    flags: [
      { name: 'concurrent-horizontal-pod-autoscaler-syncs', type: 'number', default: 5, help: 'number of horizontal pod autoscalers synced concurrently' },
      { name: 'horizontal-pod-autoscaler-sync-period', type: 'string', default: '15s', help: 'how often each HPA is evaluated' },
      { name: 'horizontal-pod-autoscaler-downscale-stabilization', type: 'string', default: '5m0s', help: 'how far back the highest recommendation is taken before scaling down' },
      { name: 'horizontal-pod-autoscaler-tolerance', type: 'string', default: '0.1', help: 'minimum change (from 1.0) of the desired-to-actual metrics ratio before scaling' },
      { name: 'horizontal-pod-autoscaler-cpu-initialization-period', type: 'string', default: '5m0s', help: 'after pod start, how long CPU samples may be skipped (pod not ready, or no full window since readiness)' },
      { name: 'horizontal-pod-autoscaler-initial-readiness-delay', type: 'string', default: '30s', help: 'after pod start, how long readiness changes still count as initial readiness' },
    ],
    workersFlag: 'concurrent-horizontal-pod-autoscaler-syncs',
    start: (ctx) => {
      const f = ctx.flags;
      const tolerance = floatFlag(f, 'horizontal-pod-autoscaler-tolerance');
      return new HorizontalController(ctx.client, ctx.factory, {
        recorder: ctx.recorder('horizontal-pod-autoscaler'),
        log: ctx.log,
        syncPeriodMs: goDurationMs(f['horizontal-pod-autoscaler-sync-period'], 'horizontal-pod-autoscaler-sync-period'),
        downscaleStabilizationMs: goDurationMs(f['horizontal-pod-autoscaler-downscale-stabilization'], 'horizontal-pod-autoscaler-downscale-stabilization'),
        tolerance,
        cpuInitializationPeriodMs: goDurationMs(f['horizontal-pod-autoscaler-cpu-initialization-period'], 'horizontal-pod-autoscaler-cpu-initialization-period'),
        initialReadinessDelayMs: goDurationMs(f['horizontal-pod-autoscaler-initial-readiness-delay'], 'horizontal-pod-autoscaler-initial-readiness-delay'),
      });
    },
  },
];
