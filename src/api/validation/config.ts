// ConfigMap and Secret validation, and the Secret decoding helpers the server needs before it
// validates (base64 check with Go's error text; stringData merged into data as upstream's conversion does).

import { field, type FieldError } from '../../machinery/errors.js';
import { isConfigMapKey } from '../../machinery/validation.js';
import { deepEqual } from '../../machinery/validation.js';
import { isObj, obj, str, type Obj } from './util.js';

export const MAX_SECRET_SIZE = 1024 * 1024;

function keyErrors(map: Obj, path: string): FieldError[] {
  const errs: FieldError[] = [];
  for (const key of Object.keys(map)) for (const m of isConfigMapKey(key)) errs.push(field.invalid(`${path}[${key}]`, key, m));
  return errs;
}

function immutableData(n: Obj, o: Obj, keys: string[]): FieldError[] {
  if (o.immutable !== true) return [];
  const errs: FieldError[] = [];
  if (n.immutable !== true) errs.push(field.forbidden('immutable', 'field is immutable when `immutable` is set'));
  for (const k of keys) {
    if (!deepEqual(n[k] ?? {}, o[k] ?? {})) errs.push(field.forbidden(k, 'field is immutable when `immutable` is set'));
  }
  return errs;
}

export function validateConfigMap(o: Obj, old?: Obj): FieldError[] {
  const data = obj(o.data);
  const binary = obj(o.binaryData);
  const errs = [...keyErrors(data, 'data'), ...keyErrors(binary, 'binaryData')];
  let total = 0;
  for (const [k, v] of Object.entries(data)) {
    if (k in binary) errs.push(field.invalid(`data[${k}]`, k, 'duplicate of key present in binaryData'));
    total += Buffer.byteLength(str(v));
  }
  for (const [k, v] of Object.entries(binary)) {
    if (k in data) errs.push(field.invalid(`binaryData[${k}]`, k, 'duplicate of key present in data'));
    total += Buffer.from(str(v), 'base64').length;
  }
  if (total > MAX_SECRET_SIZE) errs.push(field.tooLong('', MAX_SECRET_SIZE));
  if (old) errs.push(...immutableData(o, old, ['data', 'binaryData']));
  return errs;
}

/** Go's base64.StdEncoding error for s ("illegal base64 data at input byte N"), or undefined */
export function base64Error(s: string): string | undefined {
  const chars: { c: string; at: number }[] = [];
  for (let i = 0; i < s.length; i++) if (s[i] !== '\r' && s[i] !== '\n') chars.push({ c: s[i], at: i });
  for (let q = 0; q < chars.length; q += 4) {
    const quantum = chars.slice(q, q + 4);
    for (let j = 0; j < quantum.length; j++) {
      const { c, at } = quantum[j];
      if (c === '=') {
        // padding is only legal in the last two places of the final quantum
        const rest = quantum.slice(j);
        const ok = j >= 2 && q + 4 >= chars.length && quantum.length === 4 && rest.every((r) => r.c === '=');
        if (!ok) return `illegal base64 data at input byte ${at}`;
        break;
      }
      if (!/[A-Za-z0-9+/]/.test(c)) return `illegal base64 data at input byte ${at}`;
    }
    if (quantum.length < 4) return `illegal base64 data at input byte ${quantum[0].at}`;
  }
  return undefined;
}

/** the decode error for a Secret's data (upstream answers 400 with it), or undefined */
export function secretDataError(secret: Obj): string | undefined {
  if (!isObj(secret.data)) return undefined;
  for (const v of Object.values(secret.data)) {
    if (typeof v !== 'string') return 'json: cannot unmarshal into Go struct field Secret.data of type []uint8';
    const e = base64Error(v);
    if (e) return e;
  }
  return undefined;
}

/** fold stringData into data (base64), as upstream's v1 conversion does; stringData wins */
export function normalizeSecret(secret: Obj): void {
  if (!isObj(secret.stringData)) { delete secret.stringData; return; }
  const data = isObj(secret.data) ? secret.data : {};
  for (const [k, v] of Object.entries(secret.stringData)) data[k] = Buffer.from(str(v), 'utf8').toString('base64');
  secret.data = data;
  delete secret.stringData;
}

const byteLen = (v: unknown): number => Buffer.from(str(v), 'base64').length;

export function validateSecret(o: Obj, old?: Obj): FieldError[] {
  const data = obj(o.data);
  const errs = keyErrors(data, 'data');
  const total = Object.values(data).reduce((n: number, v) => n + byteLen(v), 0);
  if (total > MAX_SECRET_SIZE) errs.push(field.tooLong('data', MAX_SECRET_SIZE));
  const has = (k: string) => k in data;
  const type = str(o.type);
  switch (type) {
    case 'kubernetes.io/service-account-token': {
      const ann = obj(obj(o.metadata).annotations);
      if (!str(ann['kubernetes.io/service-account.name'])) {
        errs.push(field.required('metadata.annotations[kubernetes.io/service-account.name]'));
      }
      break;
    }
    case 'kubernetes.io/dockercfg':
    case 'kubernetes.io/dockerconfigjson': {
      const key = type === 'kubernetes.io/dockercfg' ? '.dockercfg' : '.dockerconfigjson';
      if (!has(key)) { errs.push(field.required(`data[${key}]`)); break; }
      try {
        const parsed = JSON.parse(Buffer.from(str(data[key]), 'base64').toString('utf8'));
        if (!isObj(parsed)) throw new Error('json: cannot unmarshal into Go value of type map[string]interface {}');
      } catch (e) {
        errs.push(field.invalid(`data[${key}]`, '<secret contents redacted>', (e as Error).message));
      }
      break;
    }
    case 'kubernetes.io/basic-auth':
      if (!has('username') && !has('password')) errs.push(field.required('data[username]'), field.required('data[password]'));
      break;
    case 'kubernetes.io/ssh-auth':
      if (byteLen(data['ssh-privatekey']) === 0) errs.push(field.required('data[ssh-privatekey]'));
      break;
    case 'kubernetes.io/tls':
      if (!has('tls.crt')) errs.push(field.required('data[tls.crt]'));
      if (!has('tls.key')) errs.push(field.required('data[tls.key]'));
      break;
    default:
  }
  if (old) {
    if (str(old.type) !== type) errs.push(field.invalid('type', type, 'field is immutable'));
    errs.push(...immutableData(o, old, ['data']));
  }
  return errs;
}
