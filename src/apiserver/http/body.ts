// Reading and decoding request bodies: a size limit as upstream (3 MiB → 413), JSON or YAML.
import { parse as yamlParse } from 'yaml';
import { StatusError, badRequest, unsupportedMediaType } from '../../machinery/errors.js';
import { goSyntaxMessage } from '../../machinery/patch/decode.js';
import type { Req } from './types.js';
import { decodeProtobufObject } from '../protobuf/index.js';

export const MAX_BODY_BYTES = 3 * 1024 * 1024;

export function readBody(req: Req, limit = MAX_BODY_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length'] ?? '0');
    if (declared > limit) {
      req.resume();
      reject(tooLarge(limit));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (c: Buffer) => {
      if (failed) return;
      size += c.length;
      if (size > limit) {
        failed = true;
        reject(tooLarge(limit));
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => { if (!failed) resolve(Buffer.concat(chunks)); });
    req.on('error', (e) => { if (!failed) { failed = true; reject(e); } });
  });
}

function tooLarge(limit: number): StatusError {
  return new StatusError(413, 'RequestEntityTooLarge', `Request entity too large: limit is ${limit}`);
}

/** the media type without parameters, lower-cased */
export function mediaType(header: string | undefined): string {
  return (header ?? '').split(';')[0].trim().toLowerCase();
}

export const BODY_TYPES = ['application/json', 'application/yaml', 'application/vnd.kubernetes.protobuf'];

const TYPE_META_GO = 'struct { APIVersion string "json:\\"apiVersion,omitempty\\""; Kind string "json:\\"kind,omitempty\\"" }';

/**
 * Decode a JSON, YAML or protobuf object body (create/update), failing as upstream's decoder does:
 * `the object provided is unrecognized (must be of type ConfigMap): couldn't get version/kind; …`.
 */
export function decodeObject(body: Buffer, contentType: string | undefined, kind = 'object'): Record<string, unknown> {
  const mt = mediaType(contentType) || 'application/json';
  const unrecognized = (why: string) => badRequest(`the object provided is unrecognized (must be of type ${kind}): ${why}`);
  let value: unknown;
  if (mt === 'application/json') {
    const text = body.toString('utf8');
    try {
      value = JSON.parse(text);
    } catch (err) {
      throw unrecognized(`couldn't get version/kind; json parse error: ${goSyntaxMessage(text, err)}`);
    }
  } else if (mt === 'application/vnd.kubernetes.protobuf') {
    // kubectl 1.32+ and client-go components send typed bodies as protobuf
    value = decodeProtobufObject(body);
  } else if (mt === 'application/yaml' || mt === 'application/x-yaml' || mt === 'text/yaml') {
    try {
      value = yamlParse(body.toString('utf8'));
    } catch (err) {
      throw unrecognized(`error converting YAML to JSON: yaml: ${(err as Error).message.split('\n')[0]}`);
    }
    if (value === undefined || value === null) value = {};
  } else {
    throw unsupportedMediaType(mt, BODY_TYPES);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    const t = Array.isArray(value) ? 'array' : value === null ? 'null' : typeof value === 'boolean' ? 'bool' : typeof value;
    throw unrecognized(`couldn't get version/kind; json parse error: json: cannot unmarshal ${t} into Go value of type ${TYPE_META_GO}`);
  }
  return value as Record<string, unknown>;
}

export function parseJSON(body: Buffer): unknown {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (err) {
    throw badRequest(goSyntaxMessage(text, err));
  }
}
