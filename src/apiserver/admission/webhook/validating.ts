// ValidatingAdmissionWebhook: every matching webhook is called at once; the request is refused by
// the first refusal (in webhook order), a failed call counting as one unless failurePolicy is Ignore.

import type { AdmissionAttributes, AdmissionPlugin } from '../../chain.js';
import { StatusError, internalError } from '../../../machinery/errors.js';
import { callHook, hooksOf, recordResponse, RequestView, shouldCallHook, type Invocation, type WebhookDeps } from './dispatcher.js';
import { CallingWebhookError, toStatusErr } from './errors.js';
import { isExemptAdmissionConfigurationResource } from './rules.js';

export const VALIDATING_PLUGIN_NAME = 'ValidatingAdmissionWebhook';

export function newValidatingWebhookPlugin(deps: WebhookDeps): AdmissionPlugin {
  return {
    name: VALIDATING_PLUGIN_NAME,
    async validate(a: AdmissionAttributes) {
      if (isExemptAdmissionConfigurationResource(a.type.group, a.type.resource)) return;
      const hooks = await hooksOf(deps);
      if (hooks.length === 0) return;
      const r = new RequestView(a, deps);
      const relevant: { inv: Invocation; index: number }[] = [];
      for (let i = 0; i < hooks.length; i++) {
        const inv = await shouldCallHook(hooks[i], r);
        if (inv) relevant.push({ inv, index: i });
      }
      if (relevant.length === 0) return;
      const outcomes = await Promise.all(relevant.map(async ({ inv, index }): Promise<StatusError | undefined> => {
        const h = inv.accessor.hook;
        try {
          const res = await callHook(inv, r, false);
          recordResponse(r, h, res);
          return res.allowed ? undefined : toStatusErr(h.name, res.result);
        } catch (e) {
          if (e instanceof CallingWebhookError) {
            if (h.failurePolicy === 'Ignore') {
              a.annotate?.(`failed-open.validating.webhook.admission.k8s.io/round_0_index_${index}`, h.name);
              return undefined;
            }
            return e.toStatus();
          }
          return e instanceof StatusError ? e : internalError(e);
        }
      }));
      const refusal = outcomes.find((o) => o !== undefined);
      if (refusal) throw refusal;
    },
  };
}
