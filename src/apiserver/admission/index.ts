// The admission chain: plugins run in order, all mutating (admit) phases first, then — after the
// object is validated — all validating phases, as upstream's admission.Interface chain does.
import type { AdmissionPlugin, ReinvocationContext } from '../chain.js';
import type { ResourceType } from '../../api/types.js';
import type { UserInfo } from '../http/types.js';
import type { Admission } from '../registry/store.js';

export function admissionFor(plugins: AdmissionPlugin[], type: ResourceType, subresource: string,
  namespace: string, name: string, user: UserInfo, dryRun: boolean, warnings?: string[],
  annotate?: (key: string, value: string) => void): Admission | undefined {
  if (plugins.length === 0) return undefined;
  const attrs = (operation: 'CREATE' | 'UPDATE' | 'DELETE', obj: unknown, old: unknown, reinvocation?: ReinvocationContext) => ({
    operation, type, subresource, namespace,
    name: name || ((obj as { metadata?: { name?: string } } | undefined)?.metadata?.name ?? ''),
    object: obj as never, oldObject: old as never, user, dryRun, warnings, annotate, reinvocation,
  });
  return {
    async admit(op, obj, old) {
      const reinvocation: ReinvocationContext = { isReinvoke: false, shouldReinvoke: false, values: new Map() };
      for (const p of plugins) if (p.admit) await p.admit(attrs(op, obj, old, reinvocation));
      // upstream's reinvoker: one more pass of every mutating plugin (in-tree ones are idempotent;
      // webhooks decide themselves which of them run again)
      if (!reinvocation.shouldReinvoke) return;
      reinvocation.isReinvoke = true;
      for (const p of plugins) if (p.admit) await p.admit(attrs(op, obj, old, reinvocation));
    },
    async validate(op, obj, old) {
      for (const p of plugins) if (p.validate) await p.validate(attrs(op, obj, old));
    },
  };
}
