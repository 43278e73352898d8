// MutatingAdmissionWebhook: matching webhooks run one after another in configuration-name order;
// each sees the object as the previous ones left it, and its JSONPatch is applied in turn. A webhook
// that changed the object asks for a second pass of the mutating chain, in which only webhooks with
// reinvocationPolicy IfNeeded that ran before a change are called again (upstream's reinvocation).

import type { AdmissionAttributes, AdmissionPlugin } from '../../chain.js';
import { StatusError, internalError } from '../../../machinery/errors.js';
import { callHook, hooksOf, recordResponse, RequestView, sameObject, shouldCallHook, type WebhookDeps } from './dispatcher.js';
import { CallingWebhookError, toStatusErr } from './errors.js';
import { isExemptAdmissionConfigurationResource } from './rules.js';
import { applyPatch, decodePatch } from './patch.js';

export const MUTATING_PLUGIN_NAME = 'MutatingAdmissionWebhook';

/** upstream webhookReinvokeContext, kept across the two passes of one request */
interface ReinvokeState {
  lastOutput?: unknown;
  previouslyInvoked: Set<string>;
  reinvoke: Set<string>;
}

function requireReinvokingPrevious(s: ReinvokeState): void {
  for (const uid of s.previouslyInvoked) s.reinvoke.add(uid);
  s.previouslyInvoked.clear();
}

export function newMutatingWebhookPlugin(deps: WebhookDeps): AdmissionPlugin {
  return {
    name: MUTATING_PLUGIN_NAME,
    async admit(a: AdmissionAttributes) {
      if (isExemptAdmissionConfigurationResource(a.type.group, a.type.resource)) return;
      const hooks = await hooksOf(deps);
      if (hooks.length === 0) return;
      const rc = a.reinvocation ?? { isReinvoke: false, shouldReinvoke: false, values: new Map() };
      let state = rc.values.get(MUTATING_PLUGIN_NAME) as ReinvokeState | undefined;
      if (!state) { state = { previouslyInvoked: new Set(), reinvoke: new Set() }; rc.values.set(MUTATING_PLUGIN_NAME, state); }
      // in-tree plugins changed the object since the webhooks last saw it: every IfNeeded webhook runs again
      if (rc.isReinvoke && !sameObject(state.lastOutput, a.object)) requireReinvokingPrevious(state);
      try {
        await dispatch(a, deps, hooks, rc, state);
      } finally {
        state.lastOutput = a.object === undefined ? undefined : structuredClone(a.object);
      }
    },
  };
}

async function dispatch(a: AdmissionAttributes, deps: WebhookDeps, hooks: Awaited<ReturnType<typeof hooksOf>>,
  rc: NonNullable<AdmissionAttributes['reinvocation']>, state: ReinvokeState): Promise<void> {
  const r = new RequestView(a, deps);
  const round = rc.isReinvoke ? 1 : 0;
  for (let i = 0; i < hooks.length; i++) {
    const inv = await shouldCallHook(hooks[i], r);
    if (!inv) continue;
    const h = inv.accessor.hook;
    // a webhook not called in the first pass is never called for the first time in the second
    if (rc.isReinvoke && !state.reinvoke.has(inv.accessor.uid)) continue;
    let changed = false;
    let err: unknown;
    try {
      const res = await callHook(inv, r, true);
      recordResponse(r, h, res);
      if (!res.allowed) throw toStatusErr(h.name, res.result);
      if (res.patch) {
        let ops;
        try { ops = decodePatch(res.patch); } catch (e) {
          throw new CallingWebhookError(h.name, `received undecodable patch in webhook response: ${(e as Error).message}`);
        }
        if (ops.length > 0) {
          if (res.patchType !== 'JSONPatch') throw new CallingWebhookError(h.name, `unsupported patch type "${res.patchType}"`);
          const { object } = r.versioned(inv.version);
          if (!object) throw internalError(new Error(`admission webhook "${h.name}" attempted to modify the object, which is not supported for this operation`));
          let patched;
          try { patched = applyPatch(object, ops); } catch (e) { throw internalError(e); }
          changed = !sameObject(object, patched);
          if (changed) r.replaceObject(inv.version, patched);
        }
      }
      a.annotate?.(`mutation.webhook.admission.k8s.io/round_${round}_index_${i}`,
        JSON.stringify({ configuration: inv.accessor.configurationName, webhook: h.name, mutated: changed }));
    } catch (e) {
      err = e;
    }
    if (changed) { requireReinvokingPrevious(state); rc.shouldReinvoke = true; }
    if (h.reinvocationPolicy === 'IfNeeded') state.previouslyInvoked.add(inv.accessor.uid);
    if (err === undefined) continue;
    if (err instanceof CallingWebhookError) {
      if (h.failurePolicy === 'Ignore') {
        a.annotate?.(`failed-open.mutation.webhook.admission.k8s.io/round_${round}_index_${i}`, h.name);
        continue;
      }
      throw err.toStatus();
    }
    if (err instanceof StatusError) throw err;
    throw internalError(err);
  }
}
