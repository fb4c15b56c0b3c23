/**
 * Gateway responses: what the client gets when the chain fails. Each type has AWS's default
 * status and `{"message":$context.error.messageString}` body; an API may override a type or the
 * DEFAULT_4XX / DEFAULT_5XX family (which then applies to every unspecified type of that family).
 * AWS docs: "Gateway responses in API Gateway", "Set up gateway response customization in OpenAPI".
 */
import type { Api, GatewayResponseOverride } from '../../definitions/model.js';
import { GATEWAY_RESPONSE_DEFAULTS, type GatewayError, type GatewayResponseType } from '../../core/errors.js';
import { HeaderList } from '../../core/header-list.js';
import type { InvocationResponse, RequestContext } from '../context.js';
import { compileTemplate, type CompiledTemplate } from '../mapping/vtl/index.js';
import { compileSource, type SourceReader } from '../parameters/sources.js';
import { renderTemplate, selectResponseTemplate } from '../request/templates.js';

interface CompiledOverride {
  status: number | undefined;
  headers: [string, SourceReader][];
  templates: Map<string, CompiledTemplate>;
}

const DEFAULT_TEMPLATE = compileTemplate('{"message":$context.error.messageString}');

export class GatewayResponses {
  readonly #overrides: Map<string, CompiledOverride>;

  constructor(overrides: Map<string, CompiledOverride>) {
    this.#overrides = overrides;
  }

  /** The response for `error`, with its override (or its family's) applied. */
  render(ctx: RequestContext, error: GatewayError): InvocationResponse {
    ctx.error = error;
    ctx.invalidateContextVariables();
    const override = this.#overrides.get(error.type) ?? this.#overrides.get(error.family);
    const familyStatus = this.#overrides.get(error.family)?.status;
    const statusCode = this.#overrides.get(error.type)?.status ?? familyStatus ?? error.status;

    const headers = new HeaderList();
    headers.set('Content-Type', 'application/json');
    if (ctx.api.protocol === 'REST') headers.set('x-amzn-ErrorType', error.errorType);
    let template = DEFAULT_TEMPLATE;
    let contentType = 'application/json';
    if (override !== undefined) {
      for (const [name, read] of override.headers) {
        const value = read(ctx);
        if (value !== undefined) headers.set(name, Array.isArray(value) ? value.join(',') : value);
      }
      const selected = selectResponseTemplate(override.templates, ctx.request.headers.get('accept'));
      if (selected !== null) {
        [contentType, template] = selected;
        headers.set('Content-Type', contentType);
      }
    }
    const body = Buffer.from(renderTemplate(template, ctx, ''), 'utf8');
    return { statusCode, headers, body };
  }
}

export function compileGatewayResponses(api: Api): GatewayResponses {
  const overrides = new Map<string, CompiledOverride>();
  for (const [type, override] of Object.entries(api.gatewayResponses)) {
    if (!(type in GATEWAY_RESPONSE_DEFAULTS)) throw new Error(`unknown gateway response type ${type}`);
    overrides.set(type as GatewayResponseType, compileOverride(type, override));
  }
  return new GatewayResponses(overrides);
}

function compileOverride(type: string, override: GatewayResponseOverride): CompiledOverride {
  const headers: [string, SourceReader][] = [];
  for (const [target, source] of Object.entries(override.responseParameters)) {
    const name = /^gatewayresponse\.header\.(.+)$/.exec(target)?.[1];
    if (name === undefined) throw new Error(`${type}: response parameter ${target} must be gatewayresponse.header.NAME`);
    headers.push([name, compileSource(source)]);
  }
  const templates = new Map<string, CompiledTemplate>();
  for (const [contentType, source] of Object.entries(override.responseTemplates)) templates.set(contentType, compileTemplate(source));
  let status: number | undefined;
  if (override.statusCode !== undefined) {
    status = Number(override.statusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599) throw new Error(`${type}: invalid statusCode ${override.statusCode}`);
  }
  return { status, headers, templates };
}
