// The CRD store's strategy (upstream customresourcedefinition strategy + REST.Delete): status starts
// with the storage version in storedVersions, a new storage version is appended on update, and the
// first DELETE adds the customresourcecleanup finalizer with a Terminating condition so the
// controller removes every custom resource before the CRD goes.

import type { Strategy } from '../apiserver/registry/strategy.js';
import { nowTimestamp } from '../apiserver/registry/store.js';
import { CLEANUP_FINALIZER, setCondition, storageVersion, type CRD, type CRDStatus } from './crd.js';
import { validateCRD } from './validation.js';

export function crdStrategy(base: Strategy): Strategy {
  return {
    ...base,
    defaults(obj) {
      // upstream's v1 defaulting: singular and listKind from kind, conversion None, webhook port 443
      const spec = obj.spec as CRD['spec'] | undefined;
      if (!spec || typeof spec !== 'object') return;
      const n = spec.names;
      if (n && typeof n === 'object' && n.kind) {
        n.singular ||= n.kind.toLowerCase();
        n.listKind ||= `${n.kind}List`;
      }
      spec.conversion ??= { strategy: 'None' };
      const svc = spec.conversion.webhook?.clientConfig?.service;
      if (svc) svc.port ??= 443;
    },
    prepareForCreate(obj) {
      const sv = storageVersion(obj as CRD);
      obj.status = { storedVersions: sv ? [sv] : [] };
    },
    prepareForUpdate(obj, old, ctx) {
      if (ctx.subresource === 'status') return;
      const sv = storageVersion(obj as CRD);
      const status = ((obj.status ??= structuredClone(old.status ?? {})) as CRDStatus);
      const stored = (status.storedVersions ??= []);
      if (sv && !stored.includes(sv)) stored.push(sv);
    },
    validate(obj, old) { return validateCRD(obj, old); },
    deletePending(obj) {
      const meta = obj.metadata!;
      if (meta.deletionTimestamp) return false;
      const fin = (meta.finalizers ??= []);
      if (!fin.includes(CLEANUP_FINALIZER)) fin.push(CLEANUP_FINALIZER);
      setCondition((obj.status ??= {}) as CRDStatus, {
        type: 'Terminating', status: 'True', reason: 'InstanceDeletionPending',
        message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
      }, nowTimestamp());
      return true;
    },
  };
}
