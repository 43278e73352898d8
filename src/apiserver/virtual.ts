// Resources and subresources that are not stored objects: reviews (TokenReview,
// SubjectAccessReview, …) answered by computation, and subresources with their own logic
// (serviceaccounts/token). They are listed in discovery and OpenAPI like every other resource.
import type { ResourceType } from '../api/types.js';
import type { RequestContext } from './http/types.js';

/** Handles one request to a virtual resource or subresource; writes the response itself. */
export type VirtualHandler = (ctx: RequestContext) => Promise<void>;

/** A create-only resource with no storage, as upstream's review APIs. */
export function reviewType(group: string, version: string, kind: string, resource: string, namespaced = false): ResourceType {
  const pkg = group === '' ? 'core' : group.split('.')[0];
  return {
    group, version, kind, listKind: `${kind}List`, resource, singular: kind.toLowerCase(), shortNames: [], categories: [],
    namespaced, verbs: ['create'], subresources: [], statusSubresource: false, generationOnSpec: false,
    fieldSelectors: {}, definition: `io.k8s.api.${pkg}.${version}.${kind}`,
  };
}
