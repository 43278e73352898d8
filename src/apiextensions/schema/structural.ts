// Structural schema rules (upstream apiextensions-apiserver pkg/apiserver/schema/validation.go):
// every field and array item has a type outside value validations, value validations
// (allOf/anyOf/oneOf/not) only restrict and never introduce fields, metadata at the root may only
// restrict name and generateName, and the Kubernetes extensions are consistent. Errors carry the
// CRD field path given by the caller (spec.versions[0].schema.openAPIV3Schema) and upstream's words.

import { field, fieldErrorText, type FieldError } from '../../machinery/errors.js';
import { additionalOf, itemsOf, type JSONSchemaProps } from './types.js';

type Level = 'root' | 'item' | 'field';

export function validateStructural(s: JSONSchemaProps, path: string): FieldError[] {
  const errs = [...invariants(s, 'root', path), ...completeness(s, path)];
  // upstream sorts by the error text, so the order is stable
  return errs.sort((a, b) => (fieldErrorText(a) < fieldErrorText(b) ? -1 : 1));
}

const key = (path: string, k: string) => `${path}.properties[${k}]`;

function isIntOrStringAnyOf(list: JSONSchemaProps[] | undefined): boolean {
  return !!list && list.length === 2 && list[0].type === 'integer' && list[1].type === 'string'
    && Object.keys(list[0]).length === 1 && Object.keys(list[1]).length === 1;
}

function invariants(s: JSONSchemaProps, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const items = itemsOf(s);
  if (s.type === 'array' && !items) errs.push(field.required(`${path}.items`, 'must be specified'));
  if (items) errs.push(...invariants(items, 'item', `${path}.items`));
  for (const [k, v] of Object.entries(s.properties ?? {})) errs.push(...invariants(v, 'field', key(path, k)));
  if (s.additionalProperties !== undefined && s.additionalProperties !== false) {
    if (lvl === 'root') errs.push(field.forbidden(`${path}.additionalProperties`, 'must not be used at the root'));
    const ap = additionalOf(s);
    if (ap) errs.push(...invariants(ap, 'field', `${path}.additionalProperties`));
  }
  const ios = s['x-kubernetes-int-or-string'] === true;
  const puf = s['x-kubernetes-preserve-unknown-fields'] === true;
  const emb = s['x-kubernetes-embedded-resource'] === true;
  if (ios && puf) errs.push(field.invalid(`${path}.x-kubernetes-preserve-unknown-fields`, true, 'must be false if x-kubernetes-int-or-string is true'));
  if (ios && emb) errs.push(field.invalid(`${path}.x-kubernetes-embedded-resource`, true, 'must be false if x-kubernetes-int-or-string is true'));

  const skipAnyOf = isIntOrStringAnyOf(s.anyOf);
  const skipFirstAllOfAnyOf = !!s.allOf?.length && isIntOrStringAnyOf(s.allOf[0].anyOf);
  errs.push(...valueValidation(s, skipAnyOf, skipFirstAllOfAnyOf, lvl, path));

  const checkMetadata = lvl === 'root' || emb;
  if (emb && s.type !== 'object') {
    if (!s.type) errs.push(field.required(`${path}.type`, 'must be object if x-kubernetes-embedded-resource is true'));
    else errs.push(field.invalid(`${path}.type`, s.type, 'must be object if x-kubernetes-embedded-resource is true'));
  } else if (!s.type && !ios && !puf) {
    errs.push(field.required(`${path}.type`, lvl === 'root' ? 'must not be empty at the root'
      : lvl === 'item' ? 'must not be empty for specified array items' : 'must not be empty for specified object fields'));
  }
  if (emb && s.additionalProperties !== undefined && s.additionalProperties !== false) {
    errs.push(field.forbidden(`${path}.additionalProperties`, 'must not be used if x-kubernetes-embedded-resource is set'));
  }
  if (lvl === 'root' && s.type && s.type !== 'object') errs.push(field.invalid(`${path}.type`, s.type, 'must be object at the root'));
  const props = s.properties ?? {};
  if (checkMetadata && props.kind && props.kind.type !== 'string') {
    errs.push(field.invalid(`${key(path, 'kind')}.type`, props.kind.type ?? '', 'must be string'));
  }
  if (checkMetadata && props.apiVersion && props.apiVersion.type !== 'string') {
    errs.push(field.invalid(`${key(path, 'apiVersion')}.type`, props.apiVersion.type ?? '', 'must be string'));
  }
  if (props.metadata) {
    const m = props.metadata, mp = key(path, 'metadata');
    if (checkMetadata && m.type !== 'object') errs.push(field.invalid(`${mp}.type`, m.type ?? '', 'must be object'));
    if (lvl === 'root') {
      const names = Object.keys(m.properties ?? {});
      const onlyNames = names.every((n) => n === 'name' || n === 'generateName');
      const rest = Object.keys(m).filter((k) => !['type', 'default', 'properties'].includes(k));
      if (!onlyNames || rest.length) {
        errs.push(field.forbidden(mp, 'must not specify anything other than name and generateName, but metadata is implicitly specified'));
      }
    }
  }
  if (emb && !puf && Object.keys(props).length === 0) {
    errs.push(field.required(`${path}.properties`, 'must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields'));
  }
  return errs;
}

function valueValidation(s: JSONSchemaProps, skipAnyOf: boolean, skipFirstAllOfAnyOf: boolean, lvl: Level, path: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!skipAnyOf) (s.anyOf ?? []).forEach((v, i) => errs.push(...nested(v, false, lvl, `${path}.anyOf[${i}]`)));
  (s.allOf ?? []).forEach((v, i) => errs.push(...nested(v, skipFirstAllOfAnyOf && i === 0, lvl, `${path}.allOf[${i}]`)));
  (s.oneOf ?? []).forEach((v, i) => errs.push(...nested(v, false, lvl, `${path}.oneOf[${i}]`)));
  if (s.not) errs.push(...nested(s.not, false, lvl, `${path}.not`));
  if (s.pattern !== undefined) {
    try { new RegExp(s.pattern, 'u'); } catch (e) {
      errs.push(field.invalid(`${path}.pattern`, s.pattern, `must be a valid regular expression, but isn't: ${(e as Error).message}`));
    }
  }
  return errs;
}

/** a schema under allOf/anyOf/oneOf/not: value validations only */
function nested(v: JSONSchemaProps, skipAnyOf: boolean, lvl: Level, path: string): FieldError[] {
  const errs = valueValidation(v, skipAnyOf, false, lvl, path);
  const items = itemsOf(v);
  if (items) errs.push(...nested(items, false, lvl, `${path}.items`));
  for (const [k, p] of Object.entries(v.properties ?? {})) errs.push(...nested(p, false, 'field', key(path, k)));
  const forbid = (f: string, msg: string) => errs.push(field.forbidden(`${path}.${f}`, msg));
  if (v.type) forbid('type', 'must be empty to be structural');
  if (v.additionalProperties !== undefined) forbid('additionalProperties', 'must be undefined to be structural');
  if (v.default !== undefined) forbid('default', 'must be undefined to be structural');
  if (v.title) forbid('title', 'must be empty to be structural');
  if (v.description) forbid('description', 'must be empty to be structural');
  if (v.nullable) forbid('nullable', 'must be false to be structural');
  if (v.externalDocs !== undefined) forbid('externalDocs', 'must be undefined to be structural');
  if (v['x-kubernetes-preserve-unknown-fields']) forbid('x-kubernetes-preserve-unknown-fields', 'must be false to be structural');
  if (v['x-kubernetes-embedded-resource']) forbid('x-kubernetes-embedded-resource', 'must be false to be structural');
  if (v['x-kubernetes-int-or-string']) forbid('x-kubernetes-int-or-string', 'must be false to be structural');
  if (v['x-kubernetes-list-map-keys']?.length) forbid('x-kubernetes-list-map-keys', 'must be empty to be structural');
  if (v['x-kubernetes-list-type'] !== undefined) forbid('x-kubernetes-list-type', 'must be undefined to be structural');
  if (v['x-kubernetes-map-type'] !== undefined) forbid('x-kubernetes-map-type', 'must be undefined to be structural');
  if (v['x-kubernetes-validations']?.length) forbid('x-kubernetes-validations', 'must be empty to be structural');
  if (v.properties?.metadata) errs.push(field.forbidden(key(path, 'metadata'), 'must not be specified in a nested context'));
  return errs;
}

/** Every field or item named in a value validation must also be specified in the structural part. */
function completeness(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const walk = (node: JSONSchemaProps, p: string) => {
    const check = (v: JSONSchemaProps, vp: string) => errs.push(...nestedCompleteness(v, node, p, vp));
    (node.allOf ?? []).forEach((v, i) => check(v, `${p}.allOf[${i}]`));
    if (!isIntOrStringAnyOf(node.anyOf)) (node.anyOf ?? []).forEach((v, i) => check(v, `${p}.anyOf[${i}]`));
    (node.oneOf ?? []).forEach((v, i) => check(v, `${p}.oneOf[${i}]`));
    if (node.not) check(node.not, `${p}.not`);
    for (const [k, c] of Object.entries(node.properties ?? {})) walk(c, key(p, k));
    const it = itemsOf(node); if (it) walk(it, `${p}.items`);
    const ap = additionalOf(node); if (ap) walk(ap, `${p}.additionalProperties`);
  };
  walk(s, path);
  return errs;
}

function nestedCompleteness(v: JSONSchemaProps, s: JSONSchemaProps | undefined, sPath: string, vPath: string): FieldError[] {
  const errs: FieldError[] = [];
  if (!s) return [field.required(sPath, `because it is defined in ${vPath}`)];
  for (const [k, p] of Object.entries(v.properties ?? {})) {
    const sp = s.properties?.[k] ?? additionalOf(s);
    errs.push(...nestedCompleteness(p, sp, sp === s.properties?.[k] ? key(sPath, k) : `${sPath}.additionalProperties`, key(vPath, k)));
  }
  const vi = itemsOf(v);
  if (vi) errs.push(...nestedCompleteness(vi, itemsOf(s), `${sPath}.items`, `${vPath}.items`));
  for (const [list, name] of [[v.allOf, 'allOf'], [v.anyOf, 'anyOf'], [v.oneOf, 'oneOf']] as const) {
    (list ?? []).forEach((x, i) => errs.push(...nestedCompleteness(x, s, sPath, `${vPath}.${name}[${i}]`)));
  }
  if (v.not) errs.push(...nestedCompleteness(v.not, s, sPath, `${vPath}.not`));
  return errs;
}
