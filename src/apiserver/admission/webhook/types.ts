// admissionregistration.k8s.io/v1 webhook shapes as the dispatchers read them (defaults applied by
// the API on write: failurePolicy Fail, matchPolicy Equivalent, timeoutSeconds 10, …).

export interface RuleWithOperations {
  operations?: string[];
  apiGroups?: string[];
  apiVersions?: string[];
  resources?: string[];
  scope?: string;
}

export interface ServiceReference { namespace: string; name: string; path?: string; port?: number }

export interface WebhookClientConfig {
  url?: string;
  service?: ServiceReference;
  /** base64 PEM CA bundle that signed the webhook's serving certificate */
  caBundle?: string;
}

export interface MatchCondition { name: string; expression: string }

export interface LabelSelectorJSON {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export interface Webhook {
  name: string;
  clientConfig: WebhookClientConfig;
  rules?: RuleWithOperations[];
  failurePolicy?: 'Fail' | 'Ignore';
  matchPolicy?: 'Exact' | 'Equivalent';
  namespaceSelector?: LabelSelectorJSON;
  objectSelector?: LabelSelectorJSON;
  sideEffects?: string;
  timeoutSeconds?: number;
  admissionReviewVersions?: string[];
  /** mutating webhooks only */
  reinvocationPolicy?: 'Never' | 'IfNeeded';
  matchConditions?: MatchCondition[];
}

export interface GroupVersionKind { group: string; version: string; kind: string }
export interface GroupVersionResource { group: string; version: string; resource: string }
