// One admission request as the policies see it: its namespace (a namespace's own name for requests
// on a namespace, as upstream's RequestInfo gives), the served versions of its resource for
// matchPolicy Equivalent, and the object converted into the version a policy matched, once per version.

import type { KObject } from '../../../api/types.js';
import { notFound } from '../../../machinery/errors.js';
import type { AdmissionAttributes } from '../../chain.js';
import { AdmissionRequestView, type ServedVersion } from '../request.js';

export class PolicyRequest extends AdmissionRequestView {
  private readonly converted = new Map<ServedVersion, { object: KObject | null; oldObject: KObject | null }>();
  private nsLabels?: Record<string, string>;

  constructor(a: AdmissionAttributes, versions: ServedVersion[],
    private readonly lookupNamespace: (name: string) => KObject | undefined) {
    super(a, versions);
  }

  /** the name upstream's admission.NewForbidden shows: the request's, else the object's name or generateName */
  get displayName(): string {
    if (this.a.name) return this.a.name;
    const m = this.a.object?.metadata;
    return m?.name || m?.generateName || 'Unknown';
  }

  /** object and oldObject in version v (null when absent, as CEL sees them) */
  versioned(v: ServedVersion): { object: KObject | null; oldObject: KObject | null } {
    let c = this.converted.get(v);
    if (!c) {
      const conv = (o: KObject | undefined) => (o ? (v.convert && (!this.a.subresource || this.a.subresource === 'status') ? v.convert.fromStorage(o) : o) : null);
      c = { object: conv(this.a.object), oldObject: conv(this.a.oldObject) };
      this.converted.set(v, c);
    }
    return c;
  }

  /** the labels namespaceSelector is checked against; throws 404 when the namespace does not exist */
  namespaceLabels(): Record<string, string> {
    if (this.nsLabels) return this.nsLabels;
    const a = this.a;
    if (this.isNamespace && !a.subresource && (a.operation === 'CREATE' || a.operation === 'UPDATE')) {
      this.nsLabels = a.object?.metadata?.labels ?? {};
    } else {
      const ns = this.lookupNamespace(this.namespace);
      if (!ns) throw notFound('', 'namespaces', this.namespace);
      this.nsLabels = ns.metadata?.labels ?? {};
    }
    return this.nsLabels;
  }

  /**
   * `namespaceObject` (none for cluster-scoped requests and namespaces themselves): as upstream's
   * CreateNamespaceObject, spec, status and the metadata fields a policy may look at (no managedFields,
   * owners or finalizers)
   */
  namespaceObject(): KObject | undefined {
    if (this.isNamespace || !this.a.namespace) return undefined;
    const ns = this.lookupNamespace(this.a.namespace);
    if (!ns) throw notFound('', 'namespaces', this.a.namespace);
    const m = ns.metadata ?? {};
    const meta: Record<string, unknown> = {};
    for (const k of ['name', 'generateName', 'namespace', 'uid', 'resourceVersion', 'generation', 'creationTimestamp',
      'deletionTimestamp', 'deletionGracePeriodSeconds', 'labels', 'annotations'] as const) {
      if ((m as Record<string, unknown>)[k] !== undefined) meta[k] = (m as Record<string, unknown>)[k];
    }
    return { spec: ns.spec ?? {}, status: ns.status ?? {}, metadata: meta } as KObject;
  }
}
