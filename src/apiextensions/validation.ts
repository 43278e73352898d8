// Validation of CustomResourceDefinitions as upstream's apiextensions validation: names, group,
// scope, versions (exactly one storage version, unique DNS-1035 names), structural schemas with
// valid defaults and CEL rules, subresources, printer columns, selectable fields and conversion.

import { field, type FieldError } from '../machinery/errors.js';
import { isDNS1035Label, isDNS1123Subdomain, nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../machinery/validation.js';
import type { KObject } from '../api/types.js';
import type { CRD, CRDVersion, CRDSpec } from './crd.js';
import { compileRules, validateStructural, validateValue, type JSONSchemaProps } from './schema/index.js';
import { additionalOf, itemsOf } from './schema/types.js';
import { parseSimplePath } from './jsonpath.js';

const COLUMN_TYPES = ['boolean', 'date', 'integer', 'number', 'string'];

export function validateCRD(obj: KObject, old?: KObject): FieldError[] {
  const crd = obj as CRD;
  const errs: FieldError[] = [];
  errs.push(...(old ? validateObjectMetaUpdate(obj.metadata, old.metadata) : []));
  errs.push(...validateObjectMeta(obj.metadata, { namespaced: false, nameFn: nameIsDNSSubdomain }));
  const spec = (crd.spec ?? {}) as CRDSpec;
  const names = spec.names ?? {};
  if (names.plural && spec.group && obj.metadata?.name !== `${names.plural}.${spec.group}`) {
    errs.push(field.invalid('metadata.name', obj.metadata?.name ?? '', 'must be spec.names.plural+"."+spec.group'));
  }
  if (!spec.group) errs.push(field.required('spec.group'));
  else {
    for (const m of isDNS1123Subdomain(spec.group)) errs.push(field.invalid('spec.group', spec.group, m));
    if (spec.group.split('.').length < 2) errs.push(field.invalid('spec.group', spec.group, 'should be a domain with at least one dot'));
  }
  if (!spec.scope) errs.push(field.required('spec.scope'));
  else if (spec.scope !== 'Namespaced' && spec.scope !== 'Cluster') errs.push(field.notSupported('spec.scope', spec.scope, ['Cluster', 'Namespaced']));
  errs.push(...validateNames(names, 'spec.names'));
  errs.push(...validateVersions(spec));
  errs.push(...validateConversion(spec));
  if (spec.preserveUnknownFields === true) {
    errs.push(field.invalid('spec.preserveUnknownFields', true, 'cannot set to true, set x-kubernetes-preserve-unknown-fields to true in spec.versions[*].schema instead'));
  }
  if (old) {
    const o = (old as CRD).spec ?? {};
    if (o.scope && spec.scope !== o.scope) errs.push(field.invalid('spec.scope', spec.scope, 'field is immutable'));
    if (o.group && spec.group !== o.group) errs.push(field.invalid('spec.group', spec.group, 'field is immutable'));
    // removing a version that objects may still be stored in is refused
    const stored = (old as CRD).status?.storedVersions ?? [];
    for (const v of stored) {
      if (!(spec.versions ?? []).some((x) => x.name === v)) {
        errs.push(field.invalid('status.storedVersions[0]', v, 'must appear in spec.versions'));
      }
    }
  }
  return errs;
}

function validateNames(n: CRDSpec['names'], path: string): FieldError[] {
  const errs: FieldError[] = [];
  const lowerDNS = (v: string | undefined, f: string, required: boolean) => {
    if (!v) { if (required) errs.push(field.required(`${path}.${f}`)); return; }
    for (const m of isDNS1035Label(v)) errs.push(field.invalid(`${path}.${f}`, v, m));
  };
  lowerDNS(n.plural, 'plural', true);
  lowerDNS(n.singular, 'singular', false);
  const kindRe = /^[A-Za-z][A-Za-z0-9]*$/;
  if (!n.kind) errs.push(field.required(`${path}.kind`));
  else if (!kindRe.test(n.kind)) errs.push(field.invalid(`${path}.kind`, n.kind, 'must match [A-Za-z][A-Za-z0-9]*'));
  if (n.listKind !== undefined) {
    if (!kindRe.test(n.listKind)) errs.push(field.invalid(`${path}.listKind`, n.listKind, 'must match [A-Za-z][A-Za-z0-9]*'));
    if (n.listKind === n.kind) errs.push(field.invalid(`${path}.listKind`, n.listKind, 'kind and listKind may not be the same'));
  }
  (n.shortNames ?? []).forEach((s, i) => { for (const m of isDNS1035Label(s)) errs.push(field.invalid(`${path}.shortNames[${i}]`, s, m)); });
  (n.categories ?? []).forEach((s, i) => { for (const m of isDNS1035Label(s)) errs.push(field.invalid(`${path}.categories[${i}]`, s, m)); });
  return errs;
}

function validateVersions(spec: CRDSpec): FieldError[] {
  const errs: FieldError[] = [];
  const vs = spec.versions ?? [];
  if (!Array.isArray(vs) || vs.length === 0) return [field.required('spec.versions', 'must have exactly one version marked as storage version')];
  const seen = new Set<string>();
  let storage = 0, served = 0;
  vs.forEach((v, i) => {
    const p = `spec.versions[${i}]`;
    if (!v.name) errs.push(field.required(`${p}.name`));
    else for (const m of isDNS1035Label(v.name)) errs.push(field.invalid(`${p}.name`, v.name, m));
    if (v.name && seen.has(v.name)) errs.push(field.invalid('spec.versions', vs.map((x) => x.name), 'must contain unique version names'));
    seen.add(v.name);
    if (v.storage) storage++;
    if (v.served) served++;
    errs.push(...validateVersion(v, p, spec));
  });
  if (storage !== 1) errs.push(field.invalid('spec.versions', '', 'must have exactly one version marked as storage version'));
  if (served === 0) errs.push(field.invalid('spec.versions', '', 'must have at least one served version'));
  return errs;
}

function validateVersion(v: CRDVersion, p: string, spec: CRDSpec): FieldError[] {
  const errs: FieldError[] = [];
  const s = v.schema?.openAPIV3Schema;
  const sp = `${p}.schema.openAPIV3Schema`;
  if (!s) errs.push(field.required(sp, 'schemas are required'));
  else {
    errs.push(...validateSchemaShape(s, sp));
    const structural = validateStructural(s, sp);
    errs.push(...structural);
    if (!structural.length) {
      errs.push(...validateDefaults(s, sp));
      errs.push(...compileRules(s, sp));
    }
  }
  const scale = v.subresources?.scale;
  if (scale) {
    const sc = `${p}.subresources.scale`;
    if (!scale.specReplicasPath) errs.push(field.required(`${sc}.specReplicasPath`));
    else if (!scale.specReplicasPath.startsWith('.spec.') || !parseSimplePath(scale.specReplicasPath)) {
      errs.push(field.invalid(`${sc}.specReplicasPath`, scale.specReplicasPath, 'should be a json path under .spec'));
    }
    if (!scale.statusReplicasPath) errs.push(field.required(`${sc}.statusReplicasPath`));
    else if (!scale.statusReplicasPath.startsWith('.status.') || !parseSimplePath(scale.statusReplicasPath)) {
      errs.push(field.invalid(`${sc}.statusReplicasPath`, scale.statusReplicasPath, 'should be a json path under .status'));
    }
    if (scale.labelSelectorPath && (!/^\.(spec|status)\./.test(scale.labelSelectorPath) || !parseSimplePath(scale.labelSelectorPath))) {
      errs.push(field.invalid(`${sc}.labelSelectorPath`, scale.labelSelectorPath, 'should be a json path under either .spec or .status'));
    }
  }
  (v.additionalPrinterColumns ?? []).forEach((c, i) => {
    const cp = `${p}.additionalPrinterColumns[${i}]`;
    if (!c.name) errs.push(field.required(`${cp}.name`));
    if (!c.type) errs.push(field.required(`${cp}.type`));
    else if (!COLUMN_TYPES.includes(c.type)) errs.push(field.notSupported(`${cp}.type`, c.type, COLUMN_TYPES));
    if (c.format && !['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password'].includes(c.format)) {
      errs.push(field.notSupported(`${cp}.format`, c.format, ['int32', 'int64', 'float', 'double', 'byte', 'date', 'date-time', 'password']));
    }
    if (!c.jsonPath) errs.push(field.required(`${cp}.JSONPath`));
  });
  const sel = v.selectableFields ?? [];
  if (sel.length > 8) errs.push(field.tooMany(`${p}.selectableFields`, sel.length, 8));
  sel.forEach((f, i) => {
    const fp = `${p}.selectableFields[${i}].jsonPath`;
    if (!f.jsonPath) { errs.push(field.required(fp)); return; }
    const segs = parseSimplePath(f.jsonPath);
    if (!segs) { errs.push(field.invalid(fp, f.jsonPath, 'must be a simple json path')); return; }
    let node: JSONSchemaProps | undefined = s;
    for (const seg of segs) node = node?.properties?.[seg];
    if (s && !node) errs.push(field.invalid(fp, f.jsonPath, 'is an invalid path: does not refer to a valid field'));
    else if (node && !['string', 'integer', 'boolean'].includes(node.type ?? '')) {
      errs.push(field.invalid(fp, f.jsonPath, 'selectable field type must be one of: boolean, integer, string'));
    }
    if (f.jsonPath === '.metadata.name' || f.jsonPath === '.metadata.namespace') errs.push(field.invalid(fp, f.jsonPath, 'must not select metadata.name or metadata.namespace'));
  });
  void spec;
  return errs;
}

/** JSON Schema keywords CRDs do not support, as upstream rejects them */
function validateSchemaShape(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const walk = (n: JSONSchemaProps, p: string) => {
    if (n.$ref !== undefined) errs.push(field.forbidden(`${p}.$ref`, '$ref is not supported'));
    if (n.definitions !== undefined) errs.push(field.forbidden(`${p}.definitions`, 'definitions are not supported'));
    if (n.dependencies !== undefined) errs.push(field.forbidden(`${p}.dependencies`, 'dependencies are not supported'));
    if (n.patternProperties !== undefined) errs.push(field.forbidden(`${p}.patternProperties`, 'patternProperties is not supported'));
    if (n.additionalItems !== undefined) errs.push(field.forbidden(`${p}.additionalItems`, 'additionalItems cannot be set to false'));
    if (n.uniqueItems === true) errs.push(field.forbidden(`${p}.uniqueItems`, 'uniqueItems cannot be set to true since the runtime complexity becomes quadratic'));
    if (Array.isArray(n.items)) errs.push(field.forbidden(`${p}.items`, 'items must be a schema object and not an array'));
    if (n.properties && n.additionalProperties !== undefined && n.additionalProperties !== false) {
      errs.push(field.forbidden(`${p}.additionalProperties`, 'additionalProperties and properties are mutual exclusive'));
    }
    const lt = n['x-kubernetes-list-type'];
    if (lt !== undefined) {
      if (!['atomic', 'set', 'map'].includes(lt)) errs.push(field.notSupported(`${p}.x-kubernetes-list-type`, lt, ['atomic', 'set', 'map']));
      if (n.type !== 'array') errs.push(field.invalid(`${p}.type`, n.type ?? '', 'must be array if x-kubernetes-list-type is specified'));
      const it = itemsOf(n);
      if (lt === 'map') {
        const keys = n['x-kubernetes-list-map-keys'] ?? [];
        if (!keys.length) errs.push(field.required(`${p}.x-kubernetes-list-map-keys`, 'must not be empty if x-kubernetes-list-type is map'));
        if (it && it.type !== 'object') errs.push(field.invalid(`${p}.items.type`, it.type ?? '', 'must be object for an array of list-type map'));
        keys.forEach((k, i) => {
          const ks = it?.properties?.[k];
          if (!ks) errs.push(field.invalid(`${p}.x-kubernetes-list-map-keys[${i}]`, k, 'entries must all be names of item properties'));
          else if (!(it?.required ?? []).includes(k) && ks.default === undefined) {
            errs.push(field.required(`${p}.items.properties[${k}]`, 'this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property'));
          }
        });
      } else if (lt === 'set' && it && it.type === 'object' && it['x-kubernetes-map-type'] !== 'atomic') {
        errs.push(field.invalid(`${p}.items.x-kubernetes-map-type`, it['x-kubernetes-map-type'] ?? null, 'must be atomic as item of a list with x-kubernetes-list-type=set'));
      }
    } else if (n['x-kubernetes-list-map-keys']?.length) {
      errs.push(field.required(`${p}.x-kubernetes-list-type`, 'must be map if x-kubernetes-list-map-keys is non-empty'));
    }
    for (const [k, c] of Object.entries(n.properties ?? {})) walk(c, `${p}.properties[${k}]`);
    const it = itemsOf(n); if (it) walk(it, `${p}.items`);
    const ap = additionalOf(n); if (ap) walk(ap, `${p}.additionalProperties`);
  };
  walk(s, path);
  return errs;
}

/** Defaults must validate against their own schema (upstream: "...default: Invalid value: ..."). */
function validateDefaults(s: JSONSchemaProps, path: string): FieldError[] {
  const errs: FieldError[] = [];
  const walk = (n: JSONSchemaProps, p: string, depth: number) => {
    if (n.default !== undefined) {
      if (depth === 1 && p.endsWith('.properties[metadata]')) errs.push(field.forbidden(`${p}.default`, 'must not be set for metadata'));
      for (const e of validateValue(n.default, n, '')) {
        errs.push({ ...e, field: e.field === '.' ? `${p}.default` : `${p}.default.${e.field}` });
      }
    }
    for (const [k, c] of Object.entries(n.properties ?? {})) walk(c, `${p}.properties[${k}]`, depth + 1);
    const it = itemsOf(n); if (it) walk(it, `${p}.items`, depth + 1);
    const ap = additionalOf(n); if (ap) walk(ap, `${p}.additionalProperties`, depth + 1);
  };
  walk(s, path, 0);
  return errs;
}

function validateConversion(spec: CRDSpec): FieldError[] {
  const c = spec.conversion;
  if (!c) return [];
  const errs: FieldError[] = [];
  if (c.strategy === 'None') {
    if (c.webhook !== undefined) errs.push(field.forbidden('spec.conversion.webhook', 'should be empty when strategy is None'));
  } else if (c.strategy === 'Webhook') {
    const w = c.webhook;
    if (!w) return [field.required('spec.conversion.webhook', 'required when strategy is set to Webhook')];
    const cc = w.clientConfig;
    if (!cc) errs.push(field.required('spec.conversion.webhook.clientConfig', 'required when strategy is set to Webhook'));
    else {
      const p = 'spec.conversion.webhook.clientConfig';
      if (!!cc.url === !!cc.service) errs.push(field.required(p, 'exactly one of url or service is required'));
      if (cc.url) {
        let u: URL | undefined;
        try { u = new URL(cc.url); } catch { errs.push(field.invalid(`${p}.url`, cc.url, 'host must be specified')); }
        if (u && u.protocol !== 'https:') errs.push(field.invalid(`${p}.url`, cc.url, "'https' is the only allowed URL scheme"));
        if (u && (u.username || u.password)) errs.push(field.invalid(`${p}.url`, cc.url, 'user information is not permitted in the URL'));
        if (u && (u.hash || u.search)) errs.push(field.invalid(`${p}.url`, cc.url, 'fragments and query parameters are not permitted in the URL'));
      }
      if (cc.service) {
        if (!cc.service.name) errs.push(field.required(`${p}.service.name`, 'service name is required'));
        if (!cc.service.namespace) errs.push(field.required(`${p}.service.namespace`, 'service namespace is required'));
        if (cc.service.port !== undefined && (cc.service.port < 1 || cc.service.port > 65535)) {
          errs.push(field.invalid(`${p}.service.port`, cc.service.port, 'port is not valid: must be between 1 and 65535, inclusive'));
        }
      }
    }
    const rv = w.conversionReviewVersions ?? [];
    if (!rv.length) errs.push(field.required('spec.conversion.webhook.conversionReviewVersions', 'must include at least one of v1, v1beta1'));
    else if (!rv.some((v) => v === 'v1' || v === 'v1beta1')) {
      errs.push(field.invalid('spec.conversion.webhook.conversionReviewVersions', rv, 'must include at least one of v1, v1beta1'));
    }
  } else {
    errs.push(field.notSupported('spec.conversion.strategy', c.strategy, ['None', 'Webhook']));
  }
  return errs;
}
