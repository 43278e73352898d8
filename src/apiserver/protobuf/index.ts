// Protobuf request bodies (Content-Type: application/vnd.kubernetes.protobuf), decoded into the same
// JSON object the JSON path would have received. Descriptors are loaded on the first protobuf request.

import { StatusError } from '../../machinery/errors.js';
import { ProtobufCodec, PROTOBUF_CONTENT_TYPE } from './codec.js';
import { descriptorPath, descriptorsPresent, loadSchema } from './descriptors.js';

export { ProtobufCodec, PROTOBUF_CONTENT_TYPE, PROTOBUF_MAGIC } from './codec.js';

let codec: ProtobufCodec | null | undefined;
let loadError: string | undefined;

function unavailable(): StatusError {
  const why = loadError
    ?? `no protobuf descriptors at ${descriptorPath()} (the build found no kubectl binary to extract them from)`;
  return new StatusError(415, 'UnsupportedMediaType',
    'the body of the request was in an unknown format - accepted media types include: application/json, application/yaml',
    { causes: [{ message: `content type "${PROTOBUF_CONTENT_TYPE}" is not supported by this server: ${why}` }] });
}

function defaultCodec(): ProtobufCodec | null {
  if (codec === undefined) {
    try {
      const schema = loadSchema();
      codec = schema ? new ProtobufCodec(schema) : null;
    } catch (e) {
      codec = null;
      loadError = `protobuf descriptors at ${descriptorPath()} are unusable: ${e instanceof Error ? e.message : String(e)}`;
    }
  }
  return codec;
}

/** Whether protobuf bodies can be decoded (cheap: does not load the descriptors). */
export function protobufAvailable(): boolean {
  if (codec !== undefined) return codec !== null;
  return descriptorsPresent();
}

/**
 * Decodes a k8s\0-prefixed protobuf body into its JSON form with kind and apiVersion set from the
 * envelope. Throws StatusError 400 for a bad envelope, unknown kind or malformed message, and 415
 * when this server has no descriptors.
 */
export function decodeProtobufObject(body: Uint8Array): Record<string, unknown> {
  const c = defaultCodec();
  if (!c) throw unavailable();
  return c.decode(body);
}

/** Forget the loaded descriptors (tests that point KUMO_PROTOBUF_DESCRIPTORS elsewhere). */
export function resetProtobufForTests(): void {
  codec = undefined;
  loadError = undefined;
}
