// autoscaling/v1 HorizontalPodAutoscaler ↔ autoscaling/v2 (the storage form). v1 only knows a CPU
// utilization target; whatever else a v2 object holds rides in annotations so it survives a v1
// round trip, as upstream does.
import type { KObject } from '../types.js';
import type { Converter } from './types.js';

const METRICS = 'autoscaling.alpha.kubernetes.io/metrics';
const CURRENT_METRICS = 'autoscaling.alpha.kubernetes.io/current-metrics';
const CONDITIONS = 'autoscaling.alpha.kubernetes.io/conditions';
const BEHAVIOR = 'autoscaling.alpha.kubernetes.io/behavior';

type Obj = Record<string, unknown>;
interface Metric { type?: string; resource?: { name?: string; target?: { type?: string; averageUtilization?: number }; current?: { averageUtilization?: number } } }

const isCPUUtil = (m: Metric) => m.type === 'Resource' && m.resource?.name === 'cpu' && m.resource.target?.type === 'Utilization';

function withAnnotations(obj: KObject, set: Record<string, string | undefined>): KObject['metadata'] {
  const ann: Record<string, string> = { ...(obj.metadata?.annotations ?? {}) };
  for (const [k, v] of Object.entries(set)) { if (v === undefined) delete ann[k]; else ann[k] = v; }
  const meta = { ...obj.metadata };
  if (Object.keys(ann).length) meta.annotations = ann; else delete meta.annotations;
  return meta;
}

export const hpaV1Converter: Converter = {
  toStorage(v1: KObject): KObject {
    const spec = (v1.spec ?? {}) as Obj;
    const status = v1.status as Obj | undefined;
    const ann = v1.metadata?.annotations ?? {};
    const extra: Metric[] = ann[METRICS] ? JSON.parse(ann[METRICS]) : [];
    const metrics: Metric[] = [];
    if (typeof spec.targetCPUUtilizationPercentage === 'number') {
      metrics.push({ type: 'Resource', resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: spec.targetCPUUtilizationPercentage } } });
    }
    metrics.push(...extra.filter((m) => !isCPUUtil(m)));
    const v2spec: Obj = { scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas };
    if (spec.minReplicas !== undefined) v2spec.minReplicas = spec.minReplicas;
    if (metrics.length) v2spec.metrics = metrics;
    if (ann[BEHAVIOR]) v2spec.behavior = JSON.parse(ann[BEHAVIOR]);
    const out: KObject = {
      apiVersion: 'autoscaling/v2', kind: 'HorizontalPodAutoscaler',
      metadata: withAnnotations(v1, { [METRICS]: undefined, [CURRENT_METRICS]: undefined, [CONDITIONS]: undefined, [BEHAVIOR]: undefined }),
      spec: v2spec,
    };
    if (status) {
      const st: Obj = {};
      for (const k of ['observedGeneration', 'lastScaleTime', 'currentReplicas', 'desiredReplicas']) if (status[k] !== undefined) st[k] = status[k];
      const cur: Metric[] = ann[CURRENT_METRICS] ? JSON.parse(ann[CURRENT_METRICS]) : [];
      if (typeof status.currentCPUUtilizationPercentage === 'number' && !cur.some((m) => m.type === 'Resource' && m.resource?.name === 'cpu')) {
        cur.unshift({ type: 'Resource', resource: { name: 'cpu', current: { averageUtilization: status.currentCPUUtilizationPercentage } } });
      }
      if (cur.length) st.currentMetrics = cur;
      if (ann[CONDITIONS]) st.conditions = JSON.parse(ann[CONDITIONS]);
      out.status = st;
    }
    return out;
  },
  fromStorage(v2: KObject): KObject {
    const spec = (v2.spec ?? {}) as Obj;
    const status = v2.status as Obj | undefined;
    const metrics = (spec.metrics ?? []) as Metric[];
    const cpu = metrics.find(isCPUUtil);
    const others = metrics.filter((m) => !isCPUUtil(m));
    const v1spec: Obj = { scaleTargetRef: spec.scaleTargetRef, maxReplicas: spec.maxReplicas };
    if (spec.minReplicas !== undefined) v1spec.minReplicas = spec.minReplicas;
    if (cpu) v1spec.targetCPUUtilizationPercentage = cpu.resource!.target!.averageUtilization;
    const set: Record<string, string | undefined> = {
      [METRICS]: others.length ? JSON.stringify(others) : undefined,
      [BEHAVIOR]: spec.behavior ? JSON.stringify(spec.behavior) : undefined,
    };
    const out: KObject = { apiVersion: 'autoscaling/v1', kind: 'HorizontalPodAutoscaler', metadata: v2.metadata, spec: v1spec };
    if (status) {
      const st: Obj = {};
      for (const k of ['observedGeneration', 'lastScaleTime', 'currentReplicas', 'desiredReplicas']) if (status[k] !== undefined) st[k] = status[k];
      if (st.currentReplicas === undefined) st.currentReplicas = 0;
      if (st.desiredReplicas === undefined) st.desiredReplicas = 0;
      const cur = (status.currentMetrics ?? []) as Metric[];
      const cpuCur = cur.find((m) => m.type === 'Resource' && m.resource?.name === 'cpu');
      if (cpuCur?.resource?.current?.averageUtilization !== undefined) st.currentCPUUtilizationPercentage = cpuCur.resource.current.averageUtilization;
      const rest = cur.filter((m) => m !== cpuCur);
      if (rest.length) set[CURRENT_METRICS] = JSON.stringify(rest);
      if (Array.isArray(status.conditions) && status.conditions.length) set[CONDITIONS] = JSON.stringify(status.conditions);
      out.status = st;
    }
    out.metadata = withAnnotations(out, set);
    return out;
  },
};
