// Admission plugins about namespaces, service accounts, nodes, scheduling and storage.
import type { PluginFactory } from './plugins.js';

export const corePlugins: Record<string, PluginFactory> = {};
