// Admission plugins that enforce policy: LimitRanger, ResourceQuota, PodSecurity.
import type { PluginFactory } from './plugins.js';
import { limitRanger } from './policy/limitranger.js';
import { resourceQuota } from './policy/resourcequota.js';
import { podSecurity } from './policy/podsecurity.js';

export const policyPlugins: Record<string, PluginFactory> = {
  LimitRanger: limitRanger,
  ResourceQuota: resourceQuota,
  PodSecurity: podSecurity,
};
