// Audit: --audit-policy-file and --audit-log-path as upstream. STUB until the audit work lands.
import type { AuditRecord } from '../chain.js';
import type { RequestInfo } from '../requestinfo.js';
import type { UserInfo } from '../http/types.js';

export interface AuditOptions {
  policyFile?: string;
  logPath?: string;
  maxSizeMB?: number;
  maxBackups?: number;
  maxAgeDays?: number;
}

export interface AuditRequest {
  info: RequestInfo;
  user: UserInfo;
  method: string;
  uri: string;
  sourceIPs: string[];
  userAgent?: string;
}

export interface Auditor {
  begin(r: AuditRequest): AuditRecord & { end(code: number): void };
  close(): Promise<void>;
}

export async function buildAuditor(opts: AuditOptions): Promise<Auditor | undefined> {
  if (!opts.policyFile && !opts.logPath) return undefined;
  throw new Error('audit logging is not implemented yet');
}
