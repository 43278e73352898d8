// How the controller manager starts the node controllers: node-lifecycle, taint-eviction, node-ipam
// and the pod garbage collector, with upstream's flags and defaults (Kumo allocates node CIDRs from
// 10.244.0.0/16 by default, as a kubeadm-style cluster with a CNI would be configured).
import type { FlagValues } from '../../cli/flags.js';
import { durationMs } from '../../scheduler/command.js';
import type { Controller, ControllerDescriptor } from '../manager/context.js';
import { NodeIpamController } from '../nodeipam/controller.js';
import { PodGCController } from '../podgc/controller.js';
import { NodeLifecycleController } from './controller.js';
import { TaintEvictionController } from './tainteviction.js';

/** A float flag (the shared parser only knows integers), with pflag's error wording. */
function floatFlag(flags: FlagValues, name: string): number {
  const raw = String(flags[name]);
  const v = Number(raw);
  if (raw.trim() === '' || !Number.isFinite(v)) throw new Error(`invalid argument ${JSON.stringify(raw)} for "--${name}" flag: strconv.ParseFloat: parsing ${JSON.stringify(raw)}: invalid syntax`);
  return v;
}

/** A Go duration, compound forms too ("1m0s", as upstream prints defaults), via the shared durationMs. */
export function goDurationMs(v: unknown, flag: string): number {
  const parts = String(v).trim().match(/\d+(?:\.\d+)?(?:ms|s|m|h)/g);
  if (!parts || parts.join('') !== String(v).trim()) return durationMs(v, flag); // throws upstream's message
  return parts.reduce((sum, p) => sum + durationMs(p, flag), 0);
}

/** Nothing to run (e.g. --allocate-node-cidrs=false): a controller whose loop just waits for stop(). */
function idle(name: string): Controller {
  let release: () => void = () => {};
  const done = new Promise<void>((r) => { release = r; });
  return { name, queues: [], run: () => done, stop: () => release() };
}

export const descriptors: ControllerDescriptor[] = [
  {
    name: 'node-lifecycle-controller',
    flags: [
      { name: 'node-monitor-period', type: 'string', default: '5s', help: 'the period for syncing NodeStatus in the node lifecycle controller' },
      { name: 'node-monitor-grace-period', type: 'string', default: '50s', help: 'how long a running node may be unresponsive (no status, no Lease renewal) before it is marked unhealthy' },
      { name: 'node-startup-grace-period', type: 'string', default: '1m0s', help: 'how long a starting node may be unresponsive before it is marked unhealthy' },
      { name: 'node-eviction-rate', type: 'string', default: '0.1', help: 'nodes per second tainted for eviction when a zone is healthy' },
      { name: 'secondary-node-eviction-rate', type: 'string', default: '0.01', help: 'nodes per second tainted for eviction when a zone is unhealthy (0 for clusters not above --large-cluster-size-threshold)' },
      { name: 'large-cluster-size-threshold', type: 'number', default: 50, help: 'zones with more nodes than this use --secondary-node-eviction-rate when unhealthy' },
      { name: 'unhealthy-zone-threshold', type: 'string', default: '0.55', help: 'fraction of NotReady nodes (at least 3) at which a zone is treated as unhealthy' },
    ],
    start: (ctx) => {
      const grace = goDurationMs(ctx.flags['node-monitor-grace-period'], 'node-monitor-grace-period');
      const period = goDurationMs(ctx.flags['node-monitor-period'], 'node-monitor-period');
      if (period <= 0) throw new Error('--node-monitor-period must be greater than 0');
      return new NodeLifecycleController(ctx.client, ctx.factory, {
        recorder: ctx.recorder('node-controller'), log: ctx.log,
        nodeMonitorPeriodMs: period, nodeMonitorGracePeriodMs: grace,
        nodeStartupGracePeriodMs: goDurationMs(ctx.flags['node-startup-grace-period'], 'node-startup-grace-period'),
        evictionQPS: floatFlag(ctx.flags, 'node-eviction-rate'),
        secondaryEvictionQPS: floatFlag(ctx.flags, 'secondary-node-eviction-rate'),
        largeClusterThreshold: Number(ctx.flags['large-cluster-size-threshold']),
        unhealthyZoneThreshold: floatFlag(ctx.flags, 'unhealthy-zone-threshold'),
      });
    },
  },
  {
    name: 'taint-eviction-controller',
    start: (ctx) => new TaintEvictionController(ctx.client, ctx.factory, { recorder: ctx.recorder('taint-eviction-controller'), log: ctx.log }),
  },
  {
    name: 'node-ipam-controller',
    flags: [
      { name: 'allocate-node-cidrs', type: 'bool', default: true, help: 'allocate and set CIDRs (spec.podCIDR) for nodes' },
      { name: 'cluster-cidr', type: 'string', default: '10.244.0.0/16', help: 'CIDR range for pods in the cluster (node CIDRs are carved from it)' },
      { name: 'node-cidr-mask-size', type: 'number', default: 24, help: 'mask size of each node\'s CIDR' },
    ],
    start: (ctx) => {
      if (!ctx.flags['allocate-node-cidrs']) {
        ctx.log('node-ipam-controller: --allocate-node-cidrs is false, not allocating node CIDRs');
        return idle('node-ipam-controller');
      }
      const cidr = String(ctx.flags['cluster-cidr']).split(',')[0].trim();
      if (!cidr) throw new Error('--cluster-cidr is required when --allocate-node-cidrs is true');
      return new NodeIpamController(ctx.client, ctx.factory, {
        clusterCIDR: cidr, nodeCIDRMaskSize: Number(ctx.flags['node-cidr-mask-size']),
        recorder: ctx.recorder('cidrAllocator'), log: ctx.log,
      });
    },
  },
  {
    name: 'pod-garbage-collector-controller',
    flags: [
      { name: 'terminated-pod-gc-threshold', type: 'number', default: 12500, help: 'terminated pods that may exist before the pod garbage collector deletes them (<= 0 disables it)' },
    ],
    start: (ctx) => new PodGCController(ctx.client, ctx.factory, {
      terminatedPodThreshold: Number(ctx.flags['terminated-pod-gc-threshold']), log: ctx.log,
    }),
  },
];
