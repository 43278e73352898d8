// One served version of a CRD as the API server's vocabulary: its ResourceType (names, scope,
// subresources, selectable fields, printer, decode-time pruning), the strategy of its store
// (defaults, status handling, schema + CEL validation), and the converter between the served and
// storage versions (conversion None rewrites apiVersion; defaults are applied on every read).

import type { Converter } from '../api/conversion/types.js';
import type { KObject, ResourceType } from '../api/types.js';
import { StatusError, type FieldError } from '../machinery/errors.js';
import { nameIsDNSSubdomain, validateObjectMeta, validateObjectMetaUpdate } from '../machinery/validation.js';
import type { Strategy } from '../apiserver/registry/strategy.js';
import type { CRD, CRDVersion } from './crd.js';
import { applyDefaults, prune, validateRules, validateValue, type JSONSchemaProps } from './schema/index.js';
import { customPrinter } from './printer.js';
import { getPath, parseSimplePath } from './jsonpath.js';
import type { WebhookConverter } from './webhook.js';
import { deepCopyJSON } from '../machinery/deepcopy.js';

const ALL_VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

/** OpenAPI definition name upstream gives a CR: reversed group, version, kind (com.example.stable.v1.CronTab) */
export function definitionName(group: string, version: string, kind: string): string {
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

export function schemaOf(v: CRDVersion): JSONSchemaProps {
  return v.schema?.openAPIV3Schema ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true };
}

export function customResourceType(crd: CRD, v: CRDVersion): ResourceType {
  const { group, names, scope } = crd.spec;
  const accepted = crd.status?.acceptedNames ?? names;
  const kind = accepted.kind ?? names.kind!;
  const subresources: string[] = [];
  if (v.subresources?.scale) subresources.push('scale');
  if (v.subresources?.status) subresources.push('status');
  const fieldSelectors: Record<string, (o: KObject) => string> = {};
  for (const f of v.selectableFields ?? []) {
    const segs = parseSimplePath(f.jsonPath);
    if (!segs) continue;
    fieldSelectors[segs.join('.')] = (o) => { const x = getPath(o, segs); return x === undefined || x === null ? '' : String(x); };
  }
  const schema = schemaOf(v);
  return {
    group, version: v.name, kind, listKind: accepted.listKind ?? `${kind}List`,
    resource: accepted.plural ?? names.plural!, singular: accepted.singular || kind.toLowerCase(),
    shortNames: accepted.shortNames ?? [], categories: accepted.categories ?? [],
    namespaced: scope === 'Namespaced', verbs: ALL_VERBS, subresources,
    statusSubresource: !!v.subresources?.status,
    // upstream counts every change outside metadata (and status, when it is a subresource)
    generationOnSpec: true,
    fieldSelectors,
    definition: definitionName(group, v.name, kind),
    custom: {
      printer: customPrinter(v.additionalPrinterColumns),
      pruneUnknown: (obj) => prune(obj, schema),
    },
  };
}

export interface CRStrategyDeps {
  /** true while the CRD is being deleted: creates are refused */
  terminating: () => boolean;
}

export function customResourceStrategy(crd: CRD, storage: CRDVersion, deps: CRStrategyDeps): Strategy {
  const schema = schemaOf(storage);
  const type = { kind: crd.spec.names.kind!, group: crd.spec.group };
  const namespaced = crd.spec.scope === 'Namespaced';
  return {
    defaults(obj) { applyDefaults(obj, schema); },
    prepareForCreate(obj) {
      if (deps.terminating()) {
        throw new StatusError(405, 'MethodNotAllowed', `create not allowed while custom resource definition is terminating`);
      }
      if (storage.subresources?.status) delete obj.status;
    },
    prepareForUpdate() {},
    validate(obj, old) {
      const errs: FieldError[] = old
        ? [...validateObjectMetaUpdate(obj.metadata, old.metadata), ...validateObjectMeta(obj.metadata, { namespaced, nameFn: nameIsDNSSubdomain })]
        : validateObjectMeta(obj.metadata, { namespaced, nameFn: nameIsDNSSubdomain });
      errs.push(...validateMetadataSchema(obj, schema));
      errs.push(...validateValue(obj, schema));
      if (!errs.length) errs.push(...validateRules(obj, old, schema));
      void type;
      return errs;
    },
    afterDelete() {},
  };
}

/** the schema may restrict metadata.name / generateName (string checks only) */
function validateMetadataSchema(obj: KObject, schema: JSONSchemaProps): FieldError[] {
  const ms = schema.properties?.metadata?.properties;
  if (!ms) return [];
  const errs: FieldError[] = [];
  for (const k of ['name', 'generateName'] as const) {
    const s = ms[k];
    const v = obj.metadata?.[k];
    if (s && typeof v === 'string') errs.push(...validateValue(v, s, `metadata.${k}`));
  }
  return errs;
}

/** Served ⇄ storage version. Webhook conversion calls out when the versions differ. */
export function customResourceConverter(crd: CRD, served: CRDVersion, storage: CRDVersion, webhook?: WebhookConverter): Converter {
  const g = crd.spec.group;
  const servedAV = `${g}/${served.name}`, storageAV = `${g}/${storage.name}`;
  const servedSchema = schemaOf(served), storageSchema = schemaOf(storage);
  const convert = (obj: KObject, to: string): KObject => {
    if (obj.apiVersion === to) return obj;
    if (webhook) return webhook.convert(obj, to);
    // a deep copy: fromStorage defaults the result in place, and `obj` is the watch cache's own object
    return { ...deepCopyJSON(obj), apiVersion: to };
  };
  return {
    toStorage(obj) {
      const out = convert(obj, storageAV);
      return out;
    },
    fromStorage(obj) {
      const out = convert(obj, servedAV);
      const copy = out === obj ? deepCopyJSON(obj) : out;
      applyDefaults(copy, servedSchema === storageSchema ? storageSchema : servedSchema);
      return copy;
    },
  };
}
