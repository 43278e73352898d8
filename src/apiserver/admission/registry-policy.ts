// Admission plugins that enforce policy: LimitRanger, ResourceQuota, PodSecurity.
import type { PluginFactory } from './plugins.js';

export const policyPlugins: Record<string, PluginFactory> = {};
