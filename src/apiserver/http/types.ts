// The request/response types the handlers see. Node's http2 compatibility API gives the same
// shape for HTTP/2 and HTTP/1.1 requests, so every handler works on both.
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { RequestInfo } from '../requestinfo.js';
import type { AuditRecord } from '../chain.js';
import type { Admission } from '../registry/store.js';

export type Req = Http2ServerRequest;
export type Res = Http2ServerResponse;

export interface UserInfo {
  name: string;
  uid?: string;
  groups: string[];
  extra?: Record<string, string[]>;
}

export interface RequestContext {
  req: Req;
  res: Res;
  url: URL;
  query: URLSearchParams;
  info: RequestInfo;
  user: UserInfo;
  /** Warning headers for the response */
  warnings: string[];
  /** the audit record of this request, when auditing is on */
  audit?: AuditRecord;
  /** the admission chain for this request's writes (set for resource requests) */
  admission?: Admission;
}
