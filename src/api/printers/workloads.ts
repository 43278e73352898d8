// apps and batch workloads, pod templates, and what scales or protects them (HPA, PDB).

import type { KObject, Printer } from '../types.js';
import { humanDuration, parseTime, translateTimestampSince } from './duration.js';
import { formatLabels, formatLabelSelector, selectorString } from './labels.js';
import {
  ageColumn, ageOf, arr, bool, col, condition, containersColumn, get, imagesColumn, int, layoutContainerCells,
  formatQuantity, nameColumn, nameOf, optInt, printBoolPtr, str, type Obj,
} from './util.js';

const containersOf = (o: unknown, templatePath: string) => layoutContainerCells(arr(o, `${templatePath}.spec.containers`));

export const deploymentPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Ready', 'string', 'Number of the pod with ready state'),
    col('Up-to-date', 'string', 'Total number of non-terminated pods targeted by this deployment that have the desired template spec.'),
    col('Available', 'string', 'Total number of available pods (ready for at least minReadySeconds) targeted by this deployment.'),
    ageColumn(), containersColumn(), imagesColumn(),
    col('Selector', 'string', 'Label selector for pods. Existing ReplicaSets whose pods are selected by this will be the ones affected by this deployment.', 1),
  ],
  cells(o, now) {
    const [names, images] = containersOf(o, 'spec.template');
    const sel = selectorString(get(o, 'spec.selector'));
    return [nameOf(o), `${int(o, 'status.readyReplicas')}/${int(o, 'spec.replicas')}`, int(o, 'status.updatedReplicas'),
      int(o, 'status.availableReplicas'), ageOf(o, now), names, images, sel === undefined ? '<invalid>' : sel];
  },
};

function replicaColumns(kind: string) {
  return [
    nameColumn(),
    col('Desired', 'integer', `Number of desired pods (spec.replicas of the ${kind}).`),
    col('Current', 'integer', 'The most recently observed number of replicas.'),
    col('Ready', 'integer', 'The number of ready replicas.'),
    ageColumn(), containersColumn(), imagesColumn(),
    col('Selector', 'string', 'Label query over pods that should match the replica count.', 1),
  ];
}

export const replicaSetPrinter: Printer = {
  columns: replicaColumns('ReplicaSet'),
  cells(o, now) {
    const [names, images] = containersOf(o, 'spec.template');
    return [nameOf(o), int(o, 'spec.replicas'), int(o, 'status.replicas'), int(o, 'status.readyReplicas'), ageOf(o, now),
      names, images, formatLabelSelector(get(o, 'spec.selector'))];
  },
};

export const replicationControllerPrinter: Printer = {
  columns: replicaColumns('ReplicationController'),
  cells(o, now) {
    const [names, images] = containersOf(o, 'spec.template');
    // an RC's selector is a plain label map
    return [nameOf(o), int(o, 'spec.replicas'), int(o, 'status.replicas'), int(o, 'status.readyReplicas'), ageOf(o, now),
      names, images, formatLabels(get(o, 'spec.selector'))];
  },
};

export const statefulSetPrinter: Printer = {
  columns: [nameColumn(), col('Ready', 'string', 'Number of the pod with ready state'), ageColumn(), containersColumn(), imagesColumn()],
  cells(o, now) {
    const [names, images] = containersOf(o, 'spec.template');
    return [nameOf(o), `${int(o, 'status.readyReplicas')}/${int(o, 'spec.replicas')}`, ageOf(o, now), names, images];
  },
};

export const daemonSetPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Desired', 'integer', 'The total number of nodes that should be running the daemon pod.'),
    col('Current', 'integer', 'The number of nodes running at least one daemon pod that are supposed to.'),
    col('Ready', 'integer', 'The number of nodes that should be running the daemon pod and have one or more of it running and ready.'),
    col('Up-to-date', 'integer', 'The total number of nodes running the updated daemon pod.'),
    col('Available', 'integer', 'The number of nodes running the daemon pod available (ready for at least minReadySeconds).'),
    col('Node Selector', 'string', 'Labels a node must have for the pod to be scheduled on it.'),
    ageColumn(), containersColumn(), imagesColumn(),
    col('Selector', 'string', 'A label query over pods that are managed by the daemon set.', 1),
  ],
  cells(o, now) {
    const [names, images] = containersOf(o, 'spec.template');
    return [nameOf(o), int(o, 'status.desiredNumberScheduled'), int(o, 'status.currentNumberScheduled'),
      int(o, 'status.numberReady'), int(o, 'status.updatedNumberScheduled'), int(o, 'status.numberAvailable'),
      formatLabels(get(o, 'spec.template.spec.nodeSelector')), ageOf(o, now), names, images,
      formatLabelSelector(get(o, 'spec.selector'))];
  },
};

/** a job condition of this type, and whether it is True (the first of the type decides) */
const jobCondition = (o: unknown, type: string) => condition(o, type)?.status === 'True';

/** STATUS of a job: Complete, Failed, Terminating, Suspended, FailureTarget or Running */
export function jobStatus(o: KObject): string {
  if (jobCondition(o, 'Complete')) return 'Complete';
  if (jobCondition(o, 'Failed')) return 'Failed';
  if (parseTime(o.metadata?.deletionTimestamp) !== undefined) return 'Terminating';
  if (jobCondition(o, 'Suspended')) return 'Suspended';
  if (jobCondition(o, 'FailureTarget')) return 'FailureTarget';
  return 'Running';
}

export function jobCompletions(o: KObject): string {
  const succeeded = int(o, 'status.succeeded');
  const completions = optInt(o, 'spec.completions');
  if (completions !== undefined) return `${succeeded}/${completions}`;
  const parallelism = optInt(o, 'spec.parallelism') ?? 0;
  return parallelism > 1 ? `${succeeded}/1 of ${parallelism}` : `${succeeded}/1`;
}

export function jobDuration(o: KObject, now: number): string {
  const start = parseTime(get(o, 'status.startTime'));
  if (start === undefined) return '';
  const end = parseTime(get(o, 'status.completionTime'));
  return humanDuration((end ?? now) - start);
}

export const jobPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Status', 'string', 'Status of the job.'),
    col('Completions', 'string', 'The number of pods which reached phase Succeeded.'),
    col('Duration', 'string', 'Time required to complete the job.'),
    ageColumn(), containersColumn(), imagesColumn(),
    col('Selector', 'string', 'A label query over pods that should match the pod count.', 1),
  ],
  cells(o, now) {
    const [names, images] = containersOf(o, 'spec.template');
    return [nameOf(o), jobStatus(o), jobCompletions(o), jobDuration(o, now), ageOf(o, now), names, images,
      formatLabelSelector(get(o, 'spec.selector'))];
  },
};

export const cronJobPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Schedule', 'string', 'The schedule in Cron format.'),
    col('Timezone', 'string', 'The time zone name for the given schedule.'),
    col('Suspend', 'boolean', 'Whether the controller suspends subsequent executions.'),
    col('Active', 'integer', 'A list of pointers to currently running jobs.'),
    col('Last Schedule', 'string', 'Information when was the last time the job was successfully scheduled.'),
    ageColumn(), containersColumn(), imagesColumn(),
    col('Selector', 'string', 'A label query over pods that should match the pod count.', 1),
  ],
  cells(o, now) {
    const [names, images] = containersOf(o, 'spec.jobTemplate.spec.template');
    const last = get(o, 'status.lastScheduleTime');
    const tz = get(o, 'spec.timeZone');
    return [nameOf(o), str(o, 'spec.schedule'), typeof tz === 'string' ? tz : '<none>',
      printBoolPtr(bool(o, 'spec.suspend')), arr(o, 'status.active').length,
      last === undefined || last === null ? '<none>' : translateTimestampSince(last, now), ageOf(o, now), names, images,
      formatLabelSelector(get(o, 'spec.jobTemplate.spec.selector'))];
  },
};

export const podTemplatePrinter: Printer = {
  columns: [
    nameColumn(), containersColumn(0), imagesColumn(0),
    col('Pod Labels', 'string', 'The labels for the pod template.'),
  ],
  cells(o) {
    const [names, images] = containersOf(o, 'template');
    return [nameOf(o), names, images, formatLabels(get(o, 'template.metadata.labels'))];
  },
};

/** "<group-lowercased kind>/name" of the controlling owner, e.g. "daemonset.apps/fluentd" */
function controllerName(o: KObject): string {
  const ref = arr(o, 'metadata.ownerReferences').find((r) => r.controller === true);
  if (!ref) return '<none>';
  const apiVersion = str(ref, 'apiVersion');
  const group = apiVersion.includes('/') ? apiVersion.split('/')[0] : '';
  const kind = str(ref, 'kind');
  if (kind === '' && group === '') return str(ref, 'name');
  return `${(group ? `${kind}.${group}` : kind).toLowerCase()}/${str(ref, 'name')}`;
}

export const controllerRevisionPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Controller', 'string', 'Controller of the object'),
    col('Revision', 'string', 'Revision indicates the revision of the state represented by Data.'),
    ageColumn(),
  ],
  cells(o, now) {
    return [nameOf(o), controllerName(o), int(o, 'revision'), ageOf(o, now)];
  },
};

const intOrString = (v: unknown) => (typeof v === 'number' ? String(Math.trunc(v)) : typeof v === 'string' ? v : undefined);

export const podDisruptionBudgetPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Min Available', 'string', 'The minimum number of pods that must be available.'),
    col('Max Unavailable', 'string', 'The maximum number of pods that may be unavailable.'),
    col('Allowed Disruptions', 'integer', 'Calculated number of pods that may be disrupted at this time.'),
    ageColumn(),
  ],
  cells(o, now) {
    return [nameOf(o), intOrString(get(o, 'spec.minAvailable')) ?? 'N/A', intOrString(get(o, 'spec.maxUnavailable')) ?? 'N/A',
      int(o, 'status.disruptionsAllowed'), ageOf(o, now)];
  },
};

/** Quantity.String() of an optional quantity: "<nil>" when missing, as upstream's pointer printing */
function q(v: unknown): string {
  return typeof v === 'string' || typeof v === 'number' ? formatQuantity(v) : '<nil>';
}

/**
 * autoscaling/v1 objects carry targetCPUUtilizationPercentage instead of metrics; read them as the
 * equivalent v2 cpu Resource metric, as upstream's conversion to the internal type does.
 */
function hpaMetrics(o: KObject): { specs: Obj[]; statuses: Obj[] } {
  const specs = arr(o, 'spec.metrics');
  const statuses = arr(o, 'status.currentMetrics');
  const target = optInt(o, 'spec.targetCPUUtilizationPercentage');
  if (specs.length === 0 && target !== undefined) {
    const current = optInt(o, 'status.currentCPUUtilizationPercentage');
    return {
      specs: [{ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: target } } }],
      statuses: current === undefined ? [] : [{ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: current } } }],
    };
  }
  return { specs, statuses };
}

/** TARGETS: "cpu: 30%/80%", "<unknown>/100 (avg)", at most two then " + N more..." */
export function formatHPAMetrics(specs: Obj[], statuses: Obj[]): string {
  if (specs.length === 0) return '<none>';
  const list: string[] = [];
  for (let i = 0; i < specs.length; i++) {
    const spec = specs[i];
    const status = statuses[i];
    const statusOf = (field: string) => (status && get(status, field) !== undefined && get(status, field) !== null ? get(status, field) : undefined);
    switch (spec.type) {
      case 'External':
      case 'Object': {
        const field = spec.type === 'External' ? 'external' : 'object';
        const st = statusOf(field);
        if (get(spec, `${field}.target.averageValue`) !== undefined) {
          const cur = st && get(st, 'current.averageValue') !== undefined ? q(get(st, 'current.averageValue')) : '<unknown>';
          list.push(`${cur}/${q(get(spec, `${field}.target.averageValue`))} (avg)`);
        } else {
          const cur = st ? q(get(st, 'current.value')) : '<unknown>';
          list.push(`${cur}/${q(get(spec, `${field}.target.value`))}`);
        }
        break;
      }
      case 'Pods': {
        const st = statusOf('pods');
        const cur = st ? q(get(st, 'current.averageValue')) : '<unknown>';
        list.push(`${cur}/${q(get(spec, 'pods.target.averageValue'))}`);
        break;
      }
      case 'Resource':
      case 'ContainerResource': {
        const field = spec.type === 'Resource' ? 'resource' : 'containerResource';
        const st = statusOf(field);
        const name = str(spec, `${field}.name`);
        if (get(spec, `${field}.target.averageValue`) !== undefined) {
          const cur = st ? q(get(st, 'current.averageValue')) : '<unknown>';
          list.push(`${name}: ${cur}/${q(get(spec, `${field}.target.averageValue`))}`);
        } else {
          const curUtil = st ? optInt(st, 'current.averageUtilization') : undefined;
          const targetUtil = optInt(spec, `${field}.target.averageUtilization`);
          const cur = curUtil === undefined ? '<unknown>' : `${curUtil}%`;
          list.push(`${name}: ${cur}/${targetUtil === undefined ? '<auto>' : `${targetUtil}%`}`);
        }
        break;
      }
      default:
        list.push('<unknown type>');
    }
  }
  const max = 2;
  if (list.length > max) return `${list.slice(0, max).join(', ')} + ${list.length - max} more...`;
  return list.join(', ');
}

export const horizontalPodAutoscalerPrinter: Printer = {
  columns: [
    nameColumn(),
    col('Reference', 'string', 'The target resource to scale: its kind and name.'),
    col('Targets', 'string', 'The metrics used to compute the desired replica count, current/target.'),
    col('MinPods', 'string', 'The lower limit for the number of replicas.'),
    col('MaxPods', 'string', 'The upper limit for the number of replicas.'),
    col('Replicas', 'string', 'Current number of replicas of pods managed by this autoscaler.'),
    ageColumn(),
  ],
  cells(o, now) {
    const { specs, statuses } = hpaMetrics(o);
    const min = optInt(o, 'spec.minReplicas');
    return [nameOf(o), `${str(o, 'spec.scaleTargetRef.kind')}/${str(o, 'spec.scaleTargetRef.name')}`,
      formatHPAMetrics(specs, statuses), min === undefined ? '<unset>' : String(min), int(o, 'spec.maxReplicas'),
      int(o, 'status.currentReplicas'), ageOf(o, now)];
  },
};
