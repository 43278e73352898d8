// Swagger 2.0 JSON → gnostic openapi.v2.Document, the protobuf form of /openapi/v2 that kubectl ≤ 1.28
// asks for. The conversion follows gnostic's compiler (which upstream runs over the served JSON):
// object keys map to the snake_case proto field of the same name, "x-…" keys become vendor_extension
// entries holding the value as YAML text, string-keyed maps become repeated Named* pairs in document
// order, and the oneof wrappers pick their branch as gnostic does (parameter "in", "$ref", "type").
// It is driven by the reflected message types, so fields the .proto has are never missed.

import { stringify } from 'yaml';
import type * as PB from 'protobufjs';

type JsonObject = Record<string, unknown>;

const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** gnostic keeps arbitrary values (vendor extensions, default, enum, example) as their YAML text. */
export function anyYAML(value: unknown): string {
  return stringify(value, { lineWidth: 0 });
}

/** JSON property name → proto field name: "$ref" → "_ref", "operationId" → "operation_id". */
export function fieldName(key: string): string {
  if (key === '$ref') return '_ref';
  return key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}

const RESPONSE_CODE = /^([0-9]{3})$|^(default)$/;

const NON_BODY_BRANCH: Record<string, string> = {
  header: 'header_parameter_sub_schema',
  formData: 'form_data_parameter_sub_schema',
  query: 'query_parameter_sub_schema',
  path: 'path_parameter_sub_schema',
};

const OAUTH2_BRANCH: Record<string, string> = {
  implicit: 'oauth2_implicit_security',
  password: 'oauth2_password_security',
  application: 'oauth2_application_security',
  accessCode: 'oauth2_access_code_security',
};

export class GnosticEncoder {
  private readonly document: PB.Type;

  constructor(private readonly root: PB.Root) {
    this.document = root.lookupType('openapi.v2.Document');
  }

  /** The Document message (as a plain protobufjs object) for a Swagger 2.0 JSON document. */
  toMessage(doc: object): JsonObject {
    return this.message(this.document, doc);
  }

  encode(doc: object): Uint8Array {
    return this.document.encode(this.toMessage(doc)).finish();
  }

  private type(name: string): PB.Type {
    return this.root.lookupType(`openapi.v2.${name}`);
  }

  /** A value for a message-typed field, with the special shapes of gnostic's wrapper messages. */
  private message(type: PB.Type, v: unknown): JsonObject {
    const f = (name: string) => type.fields[name].resolvedType as PB.Type;
    switch (type.name) {
      case 'Any':
        return { yaml: anyYAML(v) };
      case 'TypeItem':
        return { value: (Array.isArray(v) ? v : [v]).map(scalarString) };
      case 'StringArray':
        return { value: Array.isArray(v) ? v.map(scalarString) : [] };
      case 'ItemsItem':
        return { schema: (Array.isArray(v) ? v : [v]).map((s) => this.message(f('schema'), s)) };
      case 'AdditionalPropertiesItem':
        return typeof v === 'boolean' ? { boolean: v } : { schema: this.message(f('schema'), v) };
      case 'Parameter':
        return isObject(v) && v.in === 'body'
          ? { body_parameter: this.message(f('body_parameter'), v) }
          : { non_body_parameter: this.message(f('non_body_parameter'), v) };
      case 'NonBodyParameter': {
        const branch = NON_BODY_BRANCH[String(isObject(v) ? v.in : '')] ?? NON_BODY_BRANCH.query;
        return { [branch]: this.message(f(branch), v) };
      }
      case 'ParametersItem':
        return isObject(v) && '$ref' in v
          ? { json_reference: this.message(f('json_reference'), v) }
          : { parameter: this.message(f('parameter'), v) };
      case 'ResponseValue':
        return isObject(v) && '$ref' in v
          ? { json_reference: this.message(f('json_reference'), v) }
          : { response: this.message(f('response'), v) };
      case 'SchemaItem':
        return isObject(v) && v.type === 'file'
          ? { file_schema: this.message(f('file_schema'), v) }
          : { schema: this.message(f('schema'), v) };
      case 'SecurityDefinitionsItem': {
        const o = isObject(v) ? v : {};
        const branch = o.type === 'basic' ? 'basic_authentication_security'
          : o.type === 'oauth2' ? OAUTH2_BRANCH[String(o.flow)] ?? 'oauth2_implicit_security'
            : 'api_key_security';
        return { [branch]: this.message(f(branch), v) };
      }
      case 'Paths':
        return this.keyed(type, v, 'path', (k) => k.startsWith('/'));
      case 'Responses':
        return this.keyed(type, v, 'response_code', (k) => RESPONSE_CODE.test(k));
    }
    const extra = type.fields.additional_properties;
    if (extra && extra.repeated && Object.keys(type.fields).length === 1) {
      // a map (Definitions, Properties, SecurityRequirement, …): every key becomes a Named* pair
      return { additional_properties: this.pairs(extra.resolvedType as PB.Type, v) };
    }
    return this.fields(type, v);
  }

  /** Messages holding named entries selected by key (paths, response codes) plus vendor extensions. */
  private keyed(type: PB.Type, v: unknown, field: string, selected: (key: string) => boolean): JsonObject {
    const o = isObject(v) ? v : {};
    const named: JsonObject = {};
    const rest: JsonObject = {};
    for (const [k, val] of Object.entries(o)) {
      if (selected(k)) named[k] = val;
      else if (k.startsWith('x-')) rest[k] = val;
    }
    return {
      [field]: this.pairs(type.fields[field].resolvedType as PB.Type, named),
      vendor_extension: this.vendorExtensions(rest),
    };
  }

  /** { name, value } pairs of a Named* message, in document order. */
  private pairs(named: PB.Type, v: unknown): JsonObject[] {
    const value = named.fields.value;
    return Object.entries(isObject(v) ? v : {}).map(([name, val]) => ({ name, value: this.element(value, val) }));
  }

  private vendorExtensions(o: JsonObject): JsonObject[] {
    return Object.entries(o)
      .filter(([k]) => k.startsWith('x-'))
      .map(([name, val]) => ({ name, value: { yaml: anyYAML(val) } }));
  }

  /** A plain message: each known key to its field, "x-" keys to vendor_extension, others dropped. */
  private fields(type: PB.Type, v: unknown): JsonObject {
    const o = isObject(v) ? v : {};
    const out: JsonObject = {};
    for (const [k, val] of Object.entries(o)) {
      if (val === null || val === undefined || k.startsWith('x-')) continue;
      const field = type.fields[fieldName(k)];
      if (!field || field.name === 'vendor_extension') continue;
      if (field.repeated) {
        if (Array.isArray(val)) out[field.name] = val.map((e) => this.element(field, e));
      } else {
        const e = this.element(field, val);
        if (e !== undefined) out[field.name] = e;
      }
    }
    if (type.fields.vendor_extension) {
      const ext = this.vendorExtensions(o);
      if (ext.length) out.vendor_extension = ext;
    }
    return out;
  }

  /** One value of a field: a nested message, or a scalar coerced to the field's proto type. */
  private element(field: PB.Field, v: unknown): unknown {
    if (field.resolvedType && 'fields' in field.resolvedType) return this.message(field.resolvedType as PB.Type, v);
    switch (field.type) {
      case 'string':
        return scalarString(v);
      case 'bool':
        return typeof v === 'boolean' ? v : v === 'true';
      case 'double':
      case 'float':
        return typeof v === 'number' ? v : Number(v) || 0;
      case 'int64':
      case 'int32':
        return typeof v === 'number' ? Math.trunc(v) : Math.trunc(Number(v)) || 0;
      default:
        return v;
    }
  }
}

function scalarString(v: unknown): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return '';
}
