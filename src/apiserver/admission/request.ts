// What the webhook and ValidatingAdmissionPolicy plugins both derive from an admission request: the
// served version it came in, its namespace as upstream's RequestInfo gives it, and the group/version/
// resource and kind shown for one served version (matchPolicy Equivalent tries each).

import type { ResourceType } from '../../api/types.js';
import type { Converter } from '../../api/conversion/index.js';
import type { AdmissionAttributes } from '../chain.js';
import type { RuleSubject } from './webhook/rules.js';
import type { GroupVersionKind, GroupVersionResource } from './webhook/types.js';

/** one served version of a resource, with its conversion from the storage version (none: it is the storage version) */
export interface ServedVersion { type: ResourceType; convert?: Converter }

/** an admission request seen through the served versions of its resource */
export class AdmissionRequestView {
  readonly requestVersion: ServedVersion;
  /** whether the request is on a namespace itself */
  readonly isNamespace: boolean;
  /** '' for cluster-scoped; a namespace's own name for requests on an existing namespace (as upstream's RequestInfo) */
  readonly namespace: string;

  constructor(readonly a: AdmissionAttributes, readonly versions: ServedVersion[]) {
    this.requestVersion = versions.find((v) => v.type === a.type) ?? { type: a.type };
    this.isNamespace = a.type.group === '' && a.type.resource === 'namespaces';
    this.namespace = this.isNamespace ? (a.operation === 'CREATE' ? '' : a.name) : a.namespace;
  }

  gvr(v: ServedVersion): GroupVersionResource { return { group: v.type.group, version: v.type.version, resource: v.type.resource }; }

  gvk(v: ServedVersion): GroupVersionKind {
    // subresources with their own kind (scale, eviction, binding) carry it on the object
    const o = this.a.object ?? this.a.oldObject;
    if (this.a.subresource && this.a.subresource !== 'status' && o?.kind && o.kind !== v.type.kind) {
      const av = String(o.apiVersion ?? '');
      const slash = av.indexOf('/');
      return { group: slash < 0 ? '' : av.slice(0, slash), version: slash < 0 ? av : av.slice(slash + 1), kind: o.kind };
    }
    return { group: v.type.group, version: v.type.version, kind: v.type.kind };
  }

  /** what rules (operations, apiGroups, apiVersions, resources, scope) are matched against in version v */
  subject(v: ServedVersion): RuleSubject {
    return {
      operation: this.a.operation, group: v.type.group, version: v.type.version, resource: v.type.resource,
      subresource: this.a.subresource, namespace: this.namespace,
    };
  }
}
