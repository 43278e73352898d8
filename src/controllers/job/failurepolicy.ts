// podFailurePolicy and successPolicy matching (upstream pod_failure_policy.go, success_policy.go).
import { parseIndexes } from './indexes.js';
import type { ContainerStatus, JobPod, PodFailurePolicyRule, SuccessPolicyRule } from './types.js';

export interface PolicyMatch {
  /** the FailJob message, when a FailJob rule matched */
  failJobMessage?: string;
  /** whether the failure counts towards backoffLimit / the index's limit */
  countFailed: boolean;
  action?: PodFailurePolicyRule['action'];
}

function matchingContainer(statuses: ContainerStatus[] | undefined, req: NonNullable<PodFailurePolicyRule['onExitCodes']>): ContainerStatus | undefined {
  for (const cs of statuses ?? []) {
    if (req.containerName && req.containerName !== cs.name) continue;
    const code = cs.state?.terminated?.exitCode;
    if (code === undefined || code === 0) continue;
    const listed = req.values.includes(code);
    if (req.operator === 'In' ? listed : !listed) return cs;
  }
  return undefined;
}

/** matchPodFailurePolicy: the first rule matching the failed pod decides; no match counts the failure. */
export function matchPodFailurePolicy(rules: PodFailurePolicyRule[], pod: JobPod): PolicyMatch {
  for (let i = 0; i < rules.length; i++) {
    const rule = rules[i];
    if (rule.onExitCodes) {
      const cs = matchingContainer(pod.status?.containerStatuses, rule.onExitCodes)
        ?? matchingContainer(pod.status?.initContainerStatuses, rule.onExitCodes);
      if (!cs) continue;
      if (rule.action === 'FailJob') {
        return { countFailed: true, action: 'FailJob', failJobMessage:
          `Container ${cs.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${cs.state?.terminated?.exitCode} matching FailJob rule at index ${i}` };
      }
      return { countFailed: rule.action !== 'Ignore', action: rule.action };
    }
    if (rule.onPodConditions) {
      const cond = (pod.status?.conditions ?? []).find((c) => rule.onPodConditions!.some((p) => p.type === c.type && (p.status ?? 'True') === c.status));
      if (!cond) continue;
      if (rule.action === 'FailJob') {
        return { countFailed: true, action: 'FailJob', failJobMessage:
          `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${cond.type} matching FailJob rule at index ${i}` };
      }
      return { countFailed: rule.action !== 'Ignore', action: rule.action };
    }
  }
  return { countFailed: true };
}

/**
 * matchSuccessPolicy: the index of the first rule the succeeded indexes satisfy, or undefined.
 * A rule with succeededIndexes needs all of them (or succeededCount of them); one with only
 * succeededCount needs that many succeeded indexes overall.
 */
export function matchSuccessPolicy(rules: SuccessPolicyRule[], completions: number, succeeded: Set<number>): number | undefined {
  for (let i = 0; i < rules.length; i++) {
    const r = rules[i];
    if (r.succeededIndexes !== undefined) {
      const want = parseIndexes(r.succeededIndexes, completions);
      let have = 0;
      for (const x of want) if (succeeded.has(x)) have++;
      if (r.succeededCount !== undefined ? have >= r.succeededCount : want.size > 0 && have === want.size) return i;
    } else if (r.succeededCount !== undefined && succeeded.size >= r.succeededCount) {
      return i;
    }
  }
  return undefined;
}
