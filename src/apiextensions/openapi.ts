// OpenAPI definitions of served CRD versions, named as upstream (com.example.stable.v1.CronTab) and
// laid beside the built-in definitions, so /openapi/v2 and /openapi/v3 (and with them kubectl explain
// and kubectl's client-side validation) describe custom resources. v2 cannot express nullable or
// the junctors, so those are left out there as upstream does; v3 documents are built from the same
// definitions by the generic document builder.

import type { OpenAPIv2Schema } from '../api/schema/definitions.js';
import type { CRD, CRDVersion } from './crd.js';
import { definitionName, schemaOf } from './resource.js';
import type { JSONSchemaProps } from './schema/index.js';

const META = 'io.k8s.apimachinery.pkg.apis.meta.v1';
const API_VERSION_DOC = 'APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources';
const KIND_DOC = 'Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds';

const DROPPED = new Set(['nullable', 'allOf', 'anyOf', 'oneOf', 'not', 'x-kubernetes-validations', 'x-kubernetes-int-or-string', 'example', 'externalDocs']);

function toV2(s: JSONSchemaProps): OpenAPIv2Schema {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(s)) {
    if (DROPPED.has(k)) continue;
    if (k === 'properties') {
      const props: Record<string, OpenAPIv2Schema> = {};
      for (const [pk, pv] of Object.entries(v as Record<string, JSONSchemaProps>)) props[pk] = toV2(pv);
      out.properties = props;
    } else if (k === 'items' && v && typeof v === 'object' && !Array.isArray(v)) out.items = toV2(v as JSONSchemaProps);
    else if (k === 'additionalProperties' && v && typeof v === 'object') out.additionalProperties = toV2(v as JSONSchemaProps);
    else out[k] = v;
  }
  if (s['x-kubernetes-int-or-string']) { out['x-kubernetes-int-or-string'] = true; out.format = 'int-or-string'; delete out.type; }
  return out as OpenAPIv2Schema;
}

/** The object and list definitions of one served version. */
export function definitionsFor(crd: CRD, v: CRDVersion): Record<string, OpenAPIv2Schema> {
  const { group } = crd.spec;
  const kind = crd.status?.acceptedNames?.kind ?? crd.spec.names.kind!;
  const listKind = crd.status?.acceptedNames?.listKind ?? crd.spec.names.listKind ?? `${kind}List`;
  const name = definitionName(group, v.name, kind);
  const root = toV2(schemaOf(v)) as Record<string, unknown>;
  const props = { ...((root.properties as Record<string, OpenAPIv2Schema> | undefined) ?? {}) };
  props.apiVersion = { type: 'string', description: API_VERSION_DOC };
  props.kind = { type: 'string', description: KIND_DOC };
  props.metadata = { $ref: `#/definitions/${META}.ObjectMeta`, description: "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata" };
  const def = { ...root, type: 'object', properties: props, 'x-kubernetes-group-version-kind': [{ group, kind, version: v.name }] } as OpenAPIv2Schema;
  const list: OpenAPIv2Schema = {
    type: 'object', description: `${listKind} is a list of ${kind}`, required: ['items'],
    properties: {
      apiVersion: { type: 'string', description: API_VERSION_DOC },
      items: { type: 'array', description: `List of ${crd.spec.names.plural}. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md`, items: { $ref: `#/definitions/${name}` } },
      kind: { type: 'string', description: KIND_DOC },
      metadata: { $ref: `#/definitions/${META}.ListMeta`, description: 'Standard list metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds' },
    },
    'x-kubernetes-group-version-kind': [{ group, kind: listKind, version: v.name }],
  };
  return { [name]: def, [`${name}List`]: list };
}
