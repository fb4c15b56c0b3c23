/**
 * An API's models compiled for request validation: JSON Schema draft 4 (what API Gateway models
 * are), cross-model `$ref`s resolved whatever way they are written (`#/definitions/X`,
 * `#/components/schemas/X`, or the `https://apigateway.amazonaws.com/restapis/{id}/models/X` URL).
 * Each model compiles once per API, on first use at deployment time.
 * AWS docs: "Data models for REST APIs", "Request validation for REST APIs".
 */
import AjvDraft04Module from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { JsonSchema } from '../../definitions/model.js';

const ROOT_ID = 'gatehouse:models';

// ajv-draft-04 is CommonJS: under NodeNext its class is the module's default export.
const AjvDraft04 = AjvDraft04Module.default;

export class ModelValidators {
  readonly #ajv: InstanceType<typeof AjvDraft04Module.default>;
  readonly #models: Record<string, JsonSchema>;
  readonly #compiled = new Map<string, ValidateFunction>();

  constructor(models: Record<string, JsonSchema>) {
    this.#models = models;
    this.#ajv = new AjvDraft04({ strict: false, allErrors: true, validateFormats: false, verbose: true });
    const definitions: Record<string, JsonSchema> = {};
    for (const [name, schema] of Object.entries(models)) definitions[name] = rewriteRefs(schema) as JsonSchema;
    this.#ajv.addSchema({ id: ROOT_ID, definitions }, ROOT_ID);
  }

  has(name: string): boolean {
    return Object.hasOwn(this.#models, name);
  }

  /** The validator of a model; throws when the schema itself is invalid. */
  get(name: string): ValidateFunction {
    let validate = this.#compiled.get(name);
    if (validate === undefined) {
      validate = this.#ajv.compile({ $ref: `${ROOT_ID}#/definitions/${escapePointer(name)}` });
      this.#compiled.set(name, validate);
    }
    return validate;
  }
}

function escapePointer(name: string): string {
  return name.replace(/~/g, '~0').replace(/\//g, '~1');
}

/** Points every model reference at the shared definitions document; drops `$schema` (draft 4 is assumed). */
function rewriteRefs(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  const out: Record<string, unknown> = {};
  for (const [key, child] of Object.entries(value)) {
    if (key === '$schema') continue;
    if (key === '$ref' && typeof child === 'string') {
      const name = /(?:#\/definitions\/|#\/components\/schemas\/|\/models\/)([^/]+)$/.exec(child)?.[1];
      out[key] = name === undefined ? child : `${ROOT_ID}#/definitions/${name}`;
      continue;
    }
    out[key] = rewriteRefs(child);
  }
  return out;
}

/**
 * Ajv errors in the wording of API Gateway's validator (`$context.error.validationErrorString`),
 * e.g. `[object has missing required properties (["b"])]`.
 */
export function validationErrorString(errors: ErrorObject[] | null | undefined): string {
  if (errors === null || errors === undefined) return '[]';
  const messages: string[] = [];
  const missing = new Map<string, string[]>();
  for (const error of errors) {
    const params = error.params as Record<string, unknown>;
    switch (error.keyword) {
      case 'required': {
        const list = missing.get(error.instancePath) ?? [];
        list.push(String(params['missingProperty']));
        missing.set(error.instancePath, list);
        break;
      }
      case 'type': {
        const allowed = String(params['type']).split(',');
        messages.push(`instance type (${typeName(error.data)}) does not match any allowed primitive type (allowed: ${JSON.stringify(allowed)})`);
        break;
      }
      case 'enum':
        messages.push(`instance value (${JSON.stringify(error.data)}) not found in enum (possible values: ${JSON.stringify(params['allowedValues'])})`);
        break;
      case 'minimum':
      case 'maximum':
        messages.push(`numeric instance is ${error.keyword === 'minimum' ? 'lower than the required minimum' : 'greater than the required maximum'} (${error.keyword}: ${String(params['limit'])}, found: ${String(error.data)})`);
        break;
      case 'minLength':
      case 'maxLength':
        messages.push(`string "${String(error.data)}" is too ${error.keyword === 'minLength' ? 'short' : 'long'} (length: ${String(error.data).length}, ${error.keyword === 'minLength' ? 'required minimum' : 'maximum allowed'}: ${String(params['limit'])})`);
        break;
      case 'pattern':
        messages.push(`ECMA 262 regex "${String(params['pattern'])}" does not match input string "${String(error.data)}"`);
        break;
      case 'additionalProperties':
        messages.push(`object instance has properties which are not allowed by the schema: ${JSON.stringify([params['additionalProperty']])}`);
        break;
      default:
        messages.push(error.message ?? error.keyword);
    }
  }
  for (const names of missing.values()) messages.unshift(`object has missing required properties (${JSON.stringify(names.sort())})`);
  return `[${messages.join(', ')}]`;
}

function typeName(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}
