// admissionregistration.k8s.io/v1 defaults (SetDefaults_* in k8s.io/kubernetes/pkg/apis/admissionregistration/v1):
// every webhook fails closed after 10s, matches equivalent versions, selects everything, and
// mutating webhooks are not reinvoked; rules cover every scope; service ports are 443.

import { child, isObj, items, setDefault, type Obj } from './util.js';

function defaultWebhook(w: Obj, mutating: boolean): void {
  setDefault(w, 'failurePolicy', 'Fail');
  setDefault(w, 'matchPolicy', 'Equivalent');
  if (!isObj(w.namespaceSelector)) w.namespaceSelector = {};
  if (!isObj(w.objectSelector)) w.objectSelector = {};
  setDefault(w, 'timeoutSeconds', 10);
  if (mutating) setDefault(w, 'reinvocationPolicy', 'Never');
  for (const r of items(w, 'rules')) setDefault(r, 'scope', '*');
  const cc = isObj(w.clientConfig) ? w.clientConfig : undefined;
  if (cc && isObj(cc.service)) setDefault(cc.service, 'port', 443);
}

export function defaultMutatingWebhookConfiguration(obj: Obj): void {
  for (const w of items(obj, 'webhooks')) defaultWebhook(w, true);
}

export function defaultValidatingWebhookConfiguration(obj: Obj): void {
  for (const w of items(obj, 'webhooks')) defaultWebhook(w, false);
}

function defaultMatchResources(m: Obj): void {
  if (!isObj(m.namespaceSelector)) m.namespaceSelector = {};
  if (!isObj(m.objectSelector)) m.objectSelector = {};
  setDefault(m, 'matchPolicy', 'Equivalent');
  for (const key of ['resourceRules', 'excludeResourceRules']) for (const r of items(m, key)) setDefault(r, 'scope', '*');
}

export function defaultValidatingAdmissionPolicy(obj: Obj): void {
  const spec = child(obj, 'spec');
  setDefault(spec, 'failurePolicy', 'Fail');
  if (isObj(spec.matchConstraints)) defaultMatchResources(spec.matchConstraints);
}

export function defaultValidatingAdmissionPolicyBinding(obj: Obj): void {
  const spec = child(obj, 'spec');
  if (isObj(spec.matchResources)) defaultMatchResources(spec.matchResources);
}
