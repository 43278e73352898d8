// flowcontrol.apiserver.k8s.io/v1 shapes API Priority and Fairness reads.
export interface Subject {
  kind: 'User' | 'Group' | 'ServiceAccount';
  user?: { name: string };
  group?: { name: string };
  serviceAccount?: { namespace: string; name: string };
}
export interface ResourcePolicyRule { verbs: string[]; apiGroups: string[]; resources: string[]; clusterScope?: boolean; namespaces?: string[] }
export interface NonResourcePolicyRule { verbs: string[]; nonResourceURLs: string[] }
export interface PolicyRulesWithSubjects { subjects: Subject[]; resourceRules?: ResourcePolicyRule[]; nonResourceRules?: NonResourcePolicyRule[] }

export interface FlowSchema {
  apiVersion?: string; kind?: string;
  metadata: { name: string; uid?: string; annotations?: Record<string, string>; resourceVersion?: string };
  spec: {
    priorityLevelConfiguration: { name: string };
    matchingPrecedence?: number;
    distinguisherMethod?: { type: 'ByUser' | 'ByNamespace' } | null;
    rules?: PolicyRulesWithSubjects[];
  };
  status?: { conditions?: { type: string; status: string; reason?: string; message?: string; lastTransitionTime?: string }[] };
}

export interface QueuingConfiguration { queues?: number; handSize?: number; queueLengthLimit?: number }
export interface PriorityLevelConfiguration {
  apiVersion?: string; kind?: string;
  metadata: { name: string; uid?: string; annotations?: Record<string, string>; resourceVersion?: string };
  spec: {
    type: 'Exempt' | 'Limited';
    limited?: {
      nominalConcurrencyShares?: number; lendablePercent?: number; borrowingLimitPercent?: number | null;
      limitResponse?: { type: 'Queue' | 'Reject'; queuing?: QueuingConfiguration };
    };
    exempt?: { nominalConcurrencyShares?: number; lendablePercent?: number };
  };
  status?: { conditions?: unknown[] };
}
