// Which protobuf message carries a given apiVersion/kind. Messages live in packages named after the
// Go package of the API group (k8s.io.api.apps.v1.Deployment), which is not always the group's name.

export const META_PACKAGE = 'k8s.io.apimachinery.pkg.apis.meta';

/** Go package name of an API group, as in k8s.io/api/<pkg>/<version>. */
export function packageOfGroup(group: string): string {
  if (group === '') return 'core';
  if (group === 'rbac.authorization.k8s.io') return 'rbac';
  if (group === 'internal.apiserver.k8s.io') return 'apiserverinternal';
  return group.split('.')[0];
}

/** Kinds every group version serves from meta/v1 (client-go sends DeleteOptions as e.g. apps/v1). */
const META_KINDS_IN_EVERY_GROUP = new Set([
  'DeleteOptions', 'CreateOptions', 'UpdateOptions', 'PatchOptions', 'GetOptions', 'ListOptions', 'Status', 'WatchEvent',
]);

export function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const i = apiVersion.indexOf('/');
  return i < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, i), version: apiVersion.slice(i + 1) };
}

/** Fully qualified message names to try, best first. */
export function messageCandidates(apiVersion: string, kind: string): string[] {
  const { group, version } = splitApiVersion(apiVersion);
  if (!version || !/^[A-Za-z0-9]+$/.test(version) || !/^[A-Za-z][A-Za-z0-9]*$/.test(kind)) return [];
  if (group === 'meta.k8s.io') return [`${META_PACKAGE}.${version}.${kind}`];
  const pkg = packageOfGroup(group);
  const out = [`k8s.io.api.${pkg}.${version}.${kind}`];
  if (group === 'metrics.k8s.io') out.push(`k8s.io.metrics.pkg.apis.metrics.${version}.${kind}`);
  if (META_KINDS_IN_EVERY_GROUP.has(kind)) out.push(`${META_PACKAGE}.v1.${kind}`);
  return out;
}
