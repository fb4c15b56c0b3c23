/**
 * Validate: the method's request validator — required parameters (missing or blank counts as
 * missing) and the body against the model for its content type.
 * Reads: ctx.request, ctx.pathParameters. Throws BAD_REQUEST_PARAMETERS / BAD_REQUEST_BODY.
 * AWS docs: "Request validation for REST APIs in API Gateway" ("Missing required request
 * parameters: [q1]", "Invalid request body").
 */
import { GatewayError } from '../../core/errors.js';
import type { Stage, StageBuildInput } from '../pipeline.js';
import { ModelValidators, validationErrorString } from '../validation/models.js';
import { baseMediaType } from '../request/media-types.js';
import { DEFAULT_CONTENT_TYPE } from '../request/templates.js';

/** Validators per API definition, so models compile once however many routes use them. */
const modelsByApi = new WeakMap<object, ModelValidators>();

export function validateStage({ route, api }: StageBuildInput): Stage | null {
  if (api.protocol !== 'REST' || route.requestValidator === undefined) return null;
  const validator = api.definition.requestValidators[route.requestValidator];
  if (validator === undefined) throw new Error(`request validator ${JSON.stringify(route.requestValidator)} is not defined`);

  const required: { kind: 'path' | 'querystring' | 'header'; name: string }[] = [];
  if (validator.validateRequestParameters) {
    for (const kind of ['path', 'querystring', 'header'] as const) {
      for (const [name, isRequired] of Object.entries(route.requestParameters[kind])) if (isRequired) required.push({ kind, name });
    }
  }
  const bodyModels = new Map<string, string>();
  if (validator.validateRequestBody) {
    let models = modelsByApi.get(api.definition);
    if (models === undefined) modelsByApi.set(api.definition, (models = new ModelValidators(api.definition.models)));
    for (const [contentType, modelName] of Object.entries(route.requestModels)) {
      if (modelName === 'Empty') continue;
      if (!models.has(modelName)) throw new Error(`request model ${JSON.stringify(modelName)} is not defined`);
      models.get(modelName);
      bodyModels.set(baseMediaType(contentType) ?? contentType, modelName);
    }
    if (bodyModels.size > 0) {
      const validators = models;
      return (ctx) => {
        checkParameters(ctx, required);
        const type = baseMediaType(ctx.request.headers.get('content-type')) ?? DEFAULT_CONTENT_TYPE;
        const modelName = bodyModels.get(type) ?? bodyModels.get('$default');
        if (modelName === undefined) return;
        let payload: unknown;
        try {
          payload = JSON.parse(ctx.request.body.toString('utf8'));
        } catch {
          throw new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', { validationErrorString: '[Invalid JSON payload]' });
        }
        const validate = validators.get(modelName);
        if (!validate(payload)) {
          throw new GatewayError('BAD_REQUEST_BODY', 'Invalid request body', { validationErrorString: validationErrorString(validate.errors) });
        }
      };
    }
  }
  if (required.length === 0) return null;
  return (ctx) => checkParameters(ctx, required);
}

function checkParameters(
  ctx: Parameters<Stage>[0],
  required: { kind: 'path' | 'querystring' | 'header'; name: string }[],
): void {
  if (required.length === 0) return;
  const missing: string[] = [];
  for (const { kind, name } of required) {
    let value: string | undefined;
    if (kind === 'path') value = ctx.pathParameters[name];
    else if (kind === 'querystring') value = ctx.request.query.get(name)?.at(-1);
    else value = ctx.request.headers.get(name);
    if (value === undefined || value.trim() === '') missing.push(name);
  }
  if (missing.length > 0) {
    const message = `Missing required request parameters: [${missing.join(', ')}]`;
    throw new GatewayError('BAD_REQUEST_PARAMETERS', message, { validationErrorString: message });
  }
}
