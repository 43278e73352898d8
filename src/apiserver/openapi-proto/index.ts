// /openapi/v2 as protobuf (gnostic openapi.v2.Document), for clients that ask for
// application/com.github.proto-openapi.spec.v2[@.]v1.0+protobuf — kubectl 1.27/1.28 apply and explain.
// The message definitions are extracted from kubectl at build time (scripts/gen-gnostic.mjs); without
// them gnosticAvailable() is false and the server keeps answering such requests with 406.

import { gnosticRoot } from './descriptor.js';
import { GnosticEncoder } from './encode.js';

export { negotiateOpenAPIv2, OPENAPI_V2_PROTOBUF, type OpenAPIv2Format } from './accept.js';

let encoder: { root: object; encoder: GnosticEncoder } | undefined;

/** Whether the gnostic descriptor was extracted and loads. */
export function gnosticAvailable(): boolean {
  return gnosticRoot() !== null;
}

/** The Swagger 2.0 document encoded as openapi.v2.Document. Throws when gnostic is not available. */
export function encodeOpenAPIv2(doc: object): Uint8Array {
  const root = gnosticRoot();
  if (!root) throw new Error('openapi-proto: gnostic descriptor not available (run node scripts/gen-gnostic.mjs)');
  if (!encoder || encoder.root !== root) encoder = { root, encoder: new GnosticEncoder(root) };
  return encoder.encoder.encode(doc);
}
