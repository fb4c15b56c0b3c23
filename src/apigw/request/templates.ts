/**
 * Choosing and rendering mapping templates: request templates by the request's Content-Type
 * (with passthrough behaviour), response templates by Accept, and the variables a template sees.
 * AWS docs: "Mapping templates for REST APIs" and "Method request data passthrough behaviors".
 */
import type { PassthroughBehavior } from '../../definitions/model.js';
import type { RequestContext } from '../context.js';
import { TemplateVariables, type CompiledTemplate } from '../mapping/vtl/index.js';
import { inputVariable, utilVariable } from '../mapping/template-variables.js';
import { acceptedTypes, baseMediaType } from './media-types.js';

/** Content type assumed when the client sends none (AWS: application/json). */
export const DEFAULT_CONTENT_TYPE = 'application/json';

export type RequestTemplateChoice =
  | { kind: 'template'; contentType: string; template: CompiledTemplate }
  | { kind: 'passthrough' }
  | { kind: 'unsupported' };

/**
 * WHEN_NO_MATCH passes unmatched content types through; WHEN_NO_TEMPLATES passes through only
 * when no template is defined at all; NEVER rejects unmatched types. Rejection is a 415.
 */
export function selectRequestTemplate(
  templates: ReadonlyMap<string, CompiledTemplate>,
  contentType: string | undefined,
  behavior: PassthroughBehavior,
): RequestTemplateChoice {
  const type = baseMediaType(contentType) ?? DEFAULT_CONTENT_TYPE;
  const template = templates.get(type);
  if (template !== undefined) return { kind: 'template', contentType: type, template };
  if (behavior === 'WHEN_NO_MATCH') return { kind: 'passthrough' };
  if (behavior === 'WHEN_NO_TEMPLATES' && templates.size === 0) return { kind: 'passthrough' };
  return { kind: 'unsupported' };
}

/** The template for the first Accept type that has one, else application/json, else the first defined. */
export function selectResponseTemplate(
  templates: ReadonlyMap<string, CompiledTemplate>,
  accept: string | undefined,
): [string, CompiledTemplate] | null {
  if (templates.size === 0) return null;
  for (const type of acceptedTypes(accept)) {
    const template = templates.get(type);
    if (template !== undefined) return [type, template];
  }
  const json = templates.get(DEFAULT_CONTENT_TYPE);
  if (json !== undefined) return [DEFAULT_CONTENT_TYPE, json];
  return templates.entries().next().value as [string, CompiledTemplate];
}

/** Renders with `$input` over `payload`, `$input.params()` over the method request, `$context`, `$stageVariables`, `$util`. */
export function renderTemplate(template: CompiledTemplate, ctx: RequestContext, payload: string): string {
  return template.render(new RequestTemplateVariables(ctx, payload));
}

/** The variables of one render; `$input` and `$context` are built only if the template uses them. */
class RequestTemplateVariables extends TemplateVariables {
  #input: unknown = null;

  constructor(
    private readonly ctx: RequestContext,
    private readonly payload: string,
  ) {
    super();
  }

  variable(name: string): unknown {
    switch (name) {
      case 'input':
        return (this.#input ??= inputVariable({ body: this.payload, params: new MethodRequestParams(this.ctx) }));
      case 'util':
        return utilVariable;
      case 'context':
        return this.ctx.contextVariables();
      case 'stageVariables':
        return this.ctx.stage.variables;
      default:
        return undefined;
    }
  }
}

/** `$input.params()` over the method request; the query and header maps are built only if a template reads them. */
class MethodRequestParams {
  #querystring: Record<string, string> | null = null;
  #header: Record<string, string> | null = null;

  constructor(private readonly ctx: RequestContext) {}

  get path(): Record<string, string> {
    return this.ctx.pathParameters;
  }

  get querystring(): Record<string, string> {
    if (this.#querystring === null) {
      const querystring: Record<string, string> = {};
      for (const [name, values] of this.ctx.request.query) querystring[name] = values[values.length - 1]!;
      this.#querystring = querystring;
    }
    return this.#querystring;
  }

  get header(): Record<string, string> {
    return (this.#header ??= this.ctx.request.headers.toSingleValueObject());
  }
}

/** Compiles a content-type -> source map, keyed by lower-case base media type. */
export function compileTemplates(
  sources: Record<string, string>,
  compile: (source: string) => CompiledTemplate,
): Map<string, CompiledTemplate> {
  const out = new Map<string, CompiledTemplate>();
  for (const [contentType, source] of Object.entries(sources)) out.set(baseMediaType(contentType) ?? contentType, compile(source));
  return out;
}
