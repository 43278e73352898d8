// EncryptionConfiguration (apiserver.config.k8s.io/v1): parsing and validation, with upstream's
// field paths and messages so an operator's mistake reads the same as with kube-apiserver.

import { parse as parseYAML } from 'yaml';
import { field, fieldErrorText, type FieldError } from '../../machinery/errors.js';

export interface EncryptionKey { name: string; secret: string }

export interface ProviderConfiguration {
  aescbc?: { keys?: EncryptionKey[] };
  aesgcm?: { keys?: EncryptionKey[] };
  secretbox?: { keys?: EncryptionKey[] };
  identity?: Record<string, never>;
  kms?: Record<string, unknown>;
}

export interface ResourceConfiguration {
  resources: string[];
  providers: ProviderConfiguration[];
}

export interface EncryptionConfiguration {
  apiVersion: string;
  kind: string;
  resources: ResourceConfiguration[];
}

export const API_VERSION = 'apiserver.config.k8s.io/v1';
export const KIND = 'EncryptionConfiguration';

const AES_KEY_SIZES = [16, 24, 32];
const SECRETBOX_KEY_SIZES = [32];
const PROVIDER_NAMES = ['kms', 'aesgcm', 'aescbc', 'secretbox', 'identity'] as const;

export class EncryptionConfigError extends Error {}

/** Parses YAML or JSON text; throws EncryptionConfigError with every validation error. */
export function parseEncryptionConfig(text: string, source = 'encryption provider configuration'): EncryptionConfiguration {
  if (!text.trim()) throw new EncryptionConfigError(`encryption provider configuration file "${source}" is empty`);
  let doc: unknown;
  try {
    doc = parseYAML(text);
  } catch (err) {
    throw new EncryptionConfigError(`error while parsing file: ${(err as Error).message}`);
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) {
    throw new EncryptionConfigError('error while parsing file: expected an EncryptionConfiguration object');
  }
  const obj = doc as Record<string, unknown>;
  if (obj.kind !== KIND || obj.apiVersion !== API_VERSION) {
    throw new EncryptionConfigError(`error while parsing file: no kind "${String(obj.kind ?? '')}" is registered for version "${String(obj.apiVersion ?? '')}"` +
      ` (expected apiVersion ${API_VERSION}, kind ${KIND})`);
  }
  const errs = validateEncryptionConfig(obj);
  if (errs.length) {
    const list = errs.map(fieldErrorText);
    throw new EncryptionConfigError(`error while parsing file: ${list.length === 1 ? list[0] : `[${list.join(', ')}]`}`);
  }
  return obj as unknown as EncryptionConfiguration;
}

export function validateEncryptionConfig(c: Record<string, unknown>): FieldError[] {
  const errs: FieldError[] = [];
  const resources = c.resources;
  if (!Array.isArray(resources) || resources.length === 0) {
    return [field.required('resources', 'at least one resources is required')];
  }
  resources.forEach((raw, i) => {
    const rc = (raw ?? {}) as Record<string, unknown>;
    const r = `resources[${i}].resources`;
    const p = `resources[${i}].providers`;
    const names = Array.isArray(rc.resources) ? rc.resources.map(String) : [];
    if (names.length === 0) errs.push(field.required(r, `at least one ${r} is required`));
    errs.push(...validateResourceOverlap(names, r), ...validateResourceNames(names, r));
    const providers = Array.isArray(rc.providers) ? rc.providers : [];
    if (providers.length === 0) errs.push(field.required(p, `at least one ${p} is required`));
    providers.forEach((prov, j) => {
      const path = `${p}[${j}]`;
      const pc = (prov ?? {}) as Record<string, unknown>;
      const found = PROVIDER_NAMES.filter((n) => pc[n] !== undefined && pc[n] !== null);
      if (found.length === 0) {
        errs.push(field.invalid(path, pc, 'provider does not contain any of the expected providers: KMS, AESGCM, AESCBC, Secretbox, Identity'));
        return;
      }
      if (found.length > 1) {
        errs.push(field.invalid(path, pc, 'more than one provider specified in a single element, should split into different list elements'));
        return;
      }
      const kind = found[0];
      if (kind === 'kms') {
        errs.push(field.invalid(`${path}.kms`, 'kms', 'KMS providers are not supported by Kumo'));
      } else if (kind === 'aesgcm' || kind === 'aescbc' || kind === 'secretbox') {
        const keys = (pc[kind] as { keys?: unknown }).keys;
        errs.push(...validateKeys(keys, `${path}.${kind}.keys`, kind === 'secretbox' ? SECRETBOX_KEY_SIZES : AES_KEY_SIZES));
      }
    });
  });
  return errs;
}

/** group/resource from "resource.group" (the first dot splits, as schema.ParseGroupResource). */
export function parseGroupResource(s: string): { group: string; resource: string } {
  const i = s.indexOf('.');
  return i < 0 ? { group: '', resource: s } : { group: s.slice(i + 1), resource: s.slice(0, i) };
}

function validateResourceOverlap(resources: string[], path: string): FieldError[] {
  if (resources.length < 2) return [];
  const grs = resources.map(parseGroupResource);
  let overlap = false;
  let duplicate = false;
  for (let i = 0; i < grs.length; i++) {
    for (let j = 0; j < grs.length; j++) {
      if (i === j) continue;
      const a = grs[i], b = grs[j];
      if (a.group === b.group && a.resource === b.resource) { duplicate = true; continue; }
      if (a.group === '*' && a.resource === '*') { overlap = true; continue; }
      if (a.group === b.group && (a.resource === '*' || b.resource === '*')) overlap = true;
    }
  }
  const errs: FieldError[] = [];
  if (duplicate) errs.push(field.invalid(path, resources, 'the same resource cannot be specified multiple times'));
  if (overlap) {
    errs.push(field.invalid(path, resources,
      "using overlapping resources such as 'secrets' and '*.' in the same resource list is not allowed as they will be masked"));
  }
  return errs;
}

function validateResourceNames(resources: string[], path: string): FieldError[] {
  const errs: FieldError[] = [];
  resources.forEach((res, j) => {
    const p = `${path}[${j}]`;
    const gr = parseGroupResource(res);
    if (res.toLowerCase() !== res) errs.push(field.invalid(p, res, 'resource name should not contain capital letters'));
    else if (res === '*') errs.push(field.invalid(p, res, "use '*.' to encrypt all the resources from core API group or *.* to encrypt all resources"));
    else if (['apiserveripinfo', 'serviceipallocations', 'servicenodeportallocations'].includes(res)) {
      errs.push(field.invalid(p, res, 'resources which do not have REST API/s cannot be encrypted'));
    } else if (gr.group === 'events.k8s.io') {
      errs.push(field.invalid(p, res, "'*.events.k8s.io' objects are stored using the 'events' API group in etcd. Use 'events' instead in the config file"));
    } else if (gr.group === 'extensions') {
      errs.push(field.invalid(p, res, "'extensions' group has been removed and cannot be used for encryption"));
    } else if (gr.group === '*' && gr.resource !== '*') {
      errs.push(field.invalid(p, res, 'encrypting the same resource across groups is not supported'));
    }
  });
  return errs;
}

function validateKeys(keys: unknown, path: string, sizes: number[]): FieldError[] {
  if (!Array.isArray(keys) || keys.length === 0) return [field.required(path, 'at least one keys is required')];
  const errs: FieldError[] = [];
  keys.forEach((raw, i) => {
    const k = (raw ?? {}) as Record<string, unknown>;
    const p = `${path}[${i}]`;
    if (!k.name) errs.push(field.required(`${p}.name`, 'name is a mandatory field for a key'));
    if (!k.secret) { errs.push(field.required(`${p}.secret`, 'secret is a mandatory field for a key')); return; }
    const secret = decodeBase64Strict(String(k.secret));
    if (!secret) { errs.push(field.invalid(`${p}.secret`, 'REDACTED', 'secrets must be base64 encoded')); return; }
    if (!sizes.includes(secret.length)) {
      errs.push(field.invalid(`${p}.secret`, 'REDACTED',
        `secret is not of the expected length, got ${secret.length}, expected one of [${sizes.join(' ')}]`));
    }
  });
  return errs;
}

/** Standard base64 with padding (Go's base64.StdEncoding): undefined when malformed. */
export function decodeBase64Strict(s: string): Buffer | undefined {
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*={0,2}$/.test(s)) return undefined;
  return Buffer.from(s, 'base64');
}
