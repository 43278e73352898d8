// Which group/resource a datastore key belongs to, and which configured entry covers it.
// Keys are /registry/<resource>/…; a segment holding a dot is an API group (upstream's layout for
// custom resources, /registry/<group>/<resource>/…).

import { builtinResources } from '../../api/resources.js';
import { parseGroupResource } from './config.js';

export interface GroupResource { group: string; resource: string }

/** storage resource name → the group of its storage version (the first served version) */
let groupByResource: Map<string, string> | undefined;

function builtinGroup(resource: string): string | undefined {
  if (!groupByResource) {
    groupByResource = new Map();
    for (const t of builtinResources) if (!groupByResource.has(t.resource)) groupByResource.set(t.resource, t.group);
  }
  return groupByResource.get(resource);
}

/** The group/resource of a datastore key; undefined for keys outside /registry/. */
export function groupResourceOfKey(key: string): GroupResource | undefined {
  if (!key.startsWith('/registry/')) return undefined;
  const parts = key.slice('/registry/'.length).split('/');
  if (parts[0].includes('.') && parts.length > 1) return { group: parts[0], resource: parts[1] };
  return { group: builtinGroup(parts[0]) ?? '', resource: parts[0] };
}

/** The cache key of a datastore key's resource: its first one or two segments. */
export function resourceSegment(key: string): string {
  const start = '/registry/'.length;
  let end = key.indexOf('/', start);
  if (end < 0) return key.slice(start);
  if (key.slice(start, end).includes('.')) {
    const next = key.indexOf('/', end + 1);
    if (next > 0) end = next;
  }
  return key.slice(start, end);
}

/**
 * Picks the entry for a group/resource as upstream: an exact `resource.group` entry, else
 * `*.group`, else `*.*`. Entries are config strings such as `secrets`, `deployments.apps`, `*.`.
 */
export function matchResource<T>(entries: Map<string, T>, gr: GroupResource): T | undefined {
  return entries.get(grString(gr)) ?? entries.get(grString({ group: gr.group, resource: '*' }))
    ?? entries.get('*.*');
}

function grString(gr: GroupResource): string {
  return gr.group ? `${gr.resource}.${gr.group}` : gr.resource === '*' ? '*.' : gr.resource;
}

/** Normalises a config entry to the form matchResource looks up (`secrets.` → `secrets`). */
export function normaliseEntry(s: string): string {
  return grString(parseGroupResource(s));
}
