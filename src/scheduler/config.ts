// KubeSchedulerConfiguration (kubescheduler.config.k8s.io/v1): profiles with their schedulerName,
// plugins enabled/disabled per extension point (multiPoint and specific points), plugin weights,
// pluginConfig args and percentageOfNodesToScore. Errors name the field as upstream validation does.
import { parse as parseYAML } from 'yaml';
import type { NodeResourcesBalancedAllocationArgs, NodeResourcesFitArgs } from './plugins/noderesources.js';

export const EXTENSION_POINTS = ['queueSort', 'preEnqueue', 'preFilter', 'filter', 'postFilter', 'preScore', 'score', 'reserve', 'permit', 'preBind', 'bind', 'postBind'] as const;
export type ExtensionPoint = typeof EXTENSION_POINTS[number];

export interface PluginRef { name: string; weight?: number }
export interface PluginSet { enabled?: PluginRef[]; disabled?: PluginRef[] }
export interface Profile {
  schedulerName: string;
  percentageOfNodesToScore?: number;
  plugins: Partial<Record<ExtensionPoint | 'multiPoint', PluginSet>>;
  pluginConfig: { name: string; args?: Record<string, unknown> }[];
}
export interface SchedulerConfig { percentageOfNodesToScore?: number; profiles: Profile[] }

export const DEFAULT_SCHEDULER_NAME = 'default-scheduler';

/** upstream's default multiPoint set, in order, with default score weights */
export const DEFAULT_PLUGINS: PluginRef[] = [
  { name: 'SchedulingGates' }, { name: 'PrioritySort' }, { name: 'NodeUnschedulable' }, { name: 'NodeName' },
  { name: 'TaintToleration', weight: 3 }, { name: 'NodeAffinity', weight: 2 }, { name: 'NodePorts' },
  { name: 'NodeResourcesFit', weight: 1 }, { name: 'VolumeRestrictions' }, { name: 'NodeVolumeLimits' },
  { name: 'VolumeBinding' }, { name: 'VolumeZone' }, { name: 'PodTopologySpread', weight: 2 },
  { name: 'InterPodAffinity', weight: 2 }, { name: 'DefaultPreemption' }, { name: 'NodeResourcesBalancedAllocation', weight: 1 },
  { name: 'ImageLocality', weight: 1 }, { name: 'DefaultBinder' },
];

export class ConfigError extends Error {}

function checkRange(path: string, v: unknown): number | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > 100) throw new ConfigError(`${path}: Invalid value: ${JSON.stringify(v)}: not in valid range [0-100]`);
  return v;
}

function pluginSet(path: string, raw: unknown): PluginSet {
  if (raw === undefined || raw === null) return {};
  if (typeof raw !== 'object') throw new ConfigError(`${path}: Invalid value: must be an object`);
  const out: PluginSet = {};
  for (const k of ['enabled', 'disabled'] as const) {
    const list = (raw as Record<string, unknown>)[k];
    if (list === undefined || list === null) continue;
    if (!Array.isArray(list)) throw new ConfigError(`${path}.${k}: Invalid value: must be a list`);
    out[k] = list.map((p, i) => {
      const name = (p as PluginRef)?.name;
      if (typeof name !== 'string' || !name) throw new ConfigError(`${path}.${k}[${i}].name: Required value`);
      const weight = (p as PluginRef).weight;
      if (weight !== undefined && (!Number.isInteger(weight) || weight < 0)) throw new ConfigError(`${path}.${k}[${i}].weight: Invalid value: ${JSON.stringify(weight)}: must be a non-negative integer`);
      return { name, weight };
    });
  }
  return out;
}

/** Parses and validates a configuration file's text; an empty text gives the default profile. */
export function parseSchedulerConfig(text: string): SchedulerConfig {
  let doc: Record<string, unknown>;
  try { doc = (parseYAML(text) ?? {}) as Record<string, unknown>; } catch (err) { throw new ConfigError(`could not parse configuration: ${(err as Error).message}`); }
  if (typeof doc !== 'object' || Array.isArray(doc)) throw new ConfigError('configuration must be a KubeSchedulerConfiguration object');
  if (doc.kind !== undefined && doc.kind !== 'KubeSchedulerConfiguration') throw new ConfigError(`no kind "${String(doc.kind)}" is registered for version "${String(doc.apiVersion)}"`);
  if (doc.apiVersion !== undefined && doc.apiVersion !== 'kubescheduler.config.k8s.io/v1') throw new ConfigError(`no kind "KubeSchedulerConfiguration" is registered for version "${String(doc.apiVersion)}"`);
  const cfg: SchedulerConfig = { percentageOfNodesToScore: checkRange('percentageOfNodesToScore', doc.percentageOfNodesToScore), profiles: [] };
  const rawProfiles = (doc.profiles ?? [{}]) as unknown[];
  if (!Array.isArray(rawProfiles)) throw new ConfigError('profiles: Invalid value: must be a list');
  const names = new Set<string>();
  rawProfiles.forEach((rp, i) => {
    const p = (rp ?? {}) as Record<string, unknown>;
    const path = `profiles[${i}]`;
    const schedulerName = (p.schedulerName as string | undefined) ?? DEFAULT_SCHEDULER_NAME;
    if (typeof schedulerName !== 'string' || !schedulerName) throw new ConfigError(`${path}.schedulerName: Required value`);
    if (names.has(schedulerName)) throw new ConfigError(`${path}.schedulerName: Duplicate value: "${schedulerName}"`);
    names.add(schedulerName);
    const plugins: Profile['plugins'] = {};
    const rawPlugins = (p.plugins ?? {}) as Record<string, unknown>;
    for (const [k, v] of Object.entries(rawPlugins)) {
      if (k !== 'multiPoint' && !(EXTENSION_POINTS as readonly string[]).includes(k)) throw new ConfigError(`${path}.plugins: unknown extension point "${k}"`);
      plugins[k as ExtensionPoint] = pluginSet(`${path}.plugins.${k}`, v);
    }
    const pluginConfig = ((p.pluginConfig ?? []) as { name: string; args?: Record<string, unknown> }[]);
    if (!Array.isArray(pluginConfig)) throw new ConfigError(`${path}.pluginConfig: Invalid value: must be a list`);
    const seen = new Set<string>();
    pluginConfig.forEach((pc, j) => {
      if (!pc?.name) throw new ConfigError(`${path}.pluginConfig[${j}].name: Required value`);
      if (seen.has(pc.name)) throw new ConfigError(`${path}.pluginConfig[${j}]: Duplicate value: "${pc.name}"`);
      seen.add(pc.name);
      validateArgs(`${path}.pluginConfig[${j}].args`, pc.name, pc.args ?? {});
    });
    cfg.profiles.push({ schedulerName, percentageOfNodesToScore: checkRange(`${path}.percentageOfNodesToScore`, p.percentageOfNodesToScore), plugins, pluginConfig });
  });
  return cfg;
}

function validateResources(path: string, resources: unknown): void {
  if (resources === undefined) return;
  if (!Array.isArray(resources)) throw new ConfigError(`${path}: Invalid value: must be a list`);
  const seen = new Set<string>();
  resources.forEach((r: { name?: string; weight?: number }, i) => {
    if (!r?.name) throw new ConfigError(`${path}[${i}].name: Required value`);
    if (seen.has(r.name)) throw new ConfigError(`${path}[${i}].name: Duplicate value: "${r.name}"`);
    seen.add(r.name);
    if (!Number.isInteger(r.weight) || r.weight! < 1 || r.weight! > 100) {
      throw new ConfigError(`${path}[${i}].weight: Invalid value: ${JSON.stringify(r.weight ?? 0)}: resource weight of ${r.name} should be in the range [1, 100]`);
    }
  });
}

const STRATEGIES = ['LeastAllocated', 'MostAllocated', 'RequestedToCapacityRatio'];

export function validateArgs(path: string, plugin: string, args: Record<string, unknown>): void {
  if (plugin === 'NodeResourcesFit') {
    const a = args as NodeResourcesFitArgs;
    const s = a.scoringStrategy;
    if (!s) return;
    const type = s.type ?? 'LeastAllocated';
    if (!STRATEGIES.includes(type)) throw new ConfigError(`${path}.scoringStrategy.type: Unsupported value: "${type}": supported values: ${STRATEGIES.map((x) => `"${x}"`).join(', ')}`);
    validateResources(`${path}.scoringStrategy.resources`, s.resources);
    if (type === 'RequestedToCapacityRatio') {
      const shape = s.requestedToCapacityRatio?.shape;
      if (!Array.isArray(shape) || shape.length === 0) throw new ConfigError(`${path}.scoringStrategy.requestedToCapacityRatio.shape: Required value: at least one point must be specified`);
      shape.forEach((pt, i) => {
        const p = `${path}.scoringStrategy.requestedToCapacityRatio.shape[${i}]`;
        if (!Number.isInteger(pt.utilization) || pt.utilization < 0 || pt.utilization > 100) throw new ConfigError(`${p}.utilization: Invalid value: ${JSON.stringify(pt.utilization)}: not in valid range [0, 100]`);
        if (i > 0 && pt.utilization <= shape[i - 1].utilization) throw new ConfigError(`${p}.utilization: Invalid value: ${pt.utilization}: utilization values must be sorted in increasing order`);
        if (!Number.isInteger(pt.score) || pt.score < 0 || pt.score > 10) throw new ConfigError(`${p}.score: Invalid value: ${JSON.stringify(pt.score)}: not in valid range [0, 10]`);
      });
    } else if (s.requestedToCapacityRatio) {
      throw new ConfigError(`${path}.scoringStrategy.requestedToCapacityRatio: Forbidden: only allowed with scoringStrategy.type RequestedToCapacityRatio`);
    }
  } else if (plugin === 'InterPodAffinity') {
    const w = args.hardPodAffinityWeight;
    if (w !== undefined && (typeof w !== 'number' || !Number.isInteger(w) || w < 0 || w > 100)) {
      throw new ConfigError(`${path}.hardPodAffinityWeight: Invalid value: ${JSON.stringify(w)}: not in valid range [0, 100]`);
    }
  } else if (plugin === 'PodTopologySpread') {
    validateSpreadArgs(path, args);
  } else if (plugin === 'VolumeBinding') {
    const t = args.bindTimeoutSeconds;
    if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 0)) {
      throw new ConfigError(`${path}.bindTimeoutSeconds: Invalid value: ${JSON.stringify(t)}: invalid BindTimeoutSeconds, should not be a negative value`);
    }
  } else if (plugin === 'NodeResourcesBalancedAllocation') {
    validateResources(`${path}.resources`, (args as NodeResourcesBalancedAllocationArgs).resources);
  }
}

/** upstream ValidatePodTopologySpreadArgs (the first error found) */
function validateSpreadArgs(path: string, args: Record<string, unknown>): void {
  const list = args.defaultConstraints ?? [];
  if (!Array.isArray(list)) throw new ConfigError(`${path}.defaultConstraints: Invalid value: must be a list`);
  const seen = new Set<string>();
  list.forEach((raw, i) => {
    const c = (raw ?? {}) as Record<string, unknown>;
    const p = `${path}.defaultConstraints[${i}]`;
    if (typeof c.maxSkew !== 'number' || !Number.isInteger(c.maxSkew) || c.maxSkew <= 0) throw new ConfigError(`${p}.maxSkew: Invalid value: ${JSON.stringify(c.maxSkew ?? 0)}: must be greater than zero`);
    if (typeof c.topologyKey !== 'string' || !c.topologyKey) throw new ConfigError(`${p}.topologyKey: Required value: can not be empty`);
    if (!c.whenUnsatisfiable) throw new ConfigError(`${p}.whenUnsatisfiable: Required value: can not be empty`);
    if (c.whenUnsatisfiable !== 'DoNotSchedule' && c.whenUnsatisfiable !== 'ScheduleAnyway') {
      throw new ConfigError(`${p}.whenUnsatisfiable: Unsupported value: ${JSON.stringify(c.whenUnsatisfiable)}: supported values: "DoNotSchedule", "ScheduleAnyway"`);
    }
    if (c.labelSelector != null) throw new ConfigError(`${p}.labelSelector: Forbidden: constraint must not define a selector, as they deduced for each pod`);
    const key = `{${c.topologyKey}, ${c.whenUnsatisfiable}}`;
    if (seen.has(key)) throw new ConfigError(`${p}: Duplicate value: "${key}"`);
    seen.add(key);
  });
  const t = args.defaultingType ?? 'System';
  if (t !== 'System' && t !== 'List') throw new ConfigError(`${path}.defaultingType: Unsupported value: ${JSON.stringify(t)}: supported values: "System", "List"`);
  if (t === 'System' && list.length > 0) throw new ConfigError(`${path}.defaultingType: Invalid value: "System": when .defaultConstraints are not empty`);
}
