/**
 * Method response: the last change to the response before it leaves. For HTTP APIs this applies
 * the integration's `responseParameters` for the backend status (`overwrite:statuscode`,
 * `overwrite|append|remove:header.NAME`, values from `$response.header.x`, `$response.body.x`,
 * `$context.*`, `$stageVariables.*`). REST method responses need no work here: the integration
 * response already produced the declared status and headers.
 * Reads/writes: ctx.response.
 * AWS docs: "Transform API requests and responses for HTTP APIs in API Gateway".
 */
import type { Stage, StageBuildInput } from '../pipeline.js';
import type { RequestContext } from '../context.js';
import { compileHttpApiValue } from '../parameters/http-api-mapping.js';

type ResponseStep = (ctx: RequestContext) => void;

export function methodResponseStage({ route, api }: StageBuildInput): Stage | null {
  const byStatus = route.integration.responseParameters;
  if (api.protocol !== 'HTTP' || Object.keys(byStatus).length === 0) return null;
  const compiled = new Map<number, ResponseStep[]>();
  for (const [status, mapping] of Object.entries(byStatus)) {
    const steps: ResponseStep[] = [];
    for (const [key, expression] of Object.entries(mapping)) steps.push(compileStep(key, responseExpression(expression)));
    compiled.set(Number(status), steps);
  }
  return (ctx) => {
    const steps = compiled.get(ctx.response!.statusCode);
    if (steps !== undefined) for (const step of steps) step(ctx);
  };
}

/** `$response.header.x` / `$response.body.x` read the backend's response; the rest is request-side. */
function responseExpression(expression: string): (ctx: RequestContext) => string {
  const responseToken = /\$\{?response\.(header|body)(?:\.([A-Za-z0-9_.\-]+))?\}?/g;
  if (!responseToken.test(expression)) return compileHttpApiValue(expression);
  const rest = compileHttpApiValue(expression.replace(responseToken, '\u0000'));
  const readers: ((ctx: RequestContext) => string)[] = [];
  for (const match of expression.matchAll(responseToken)) {
    const [, kind, name] = match;
    if (kind === 'header') readers.push((ctx) => ctx.endpointResponse?.headers.getJoined(name ?? '') ?? '');
    else
      readers.push((ctx) => {
        const body = ctx.endpointResponse?.body.toString('utf8') ?? '';
        if (name === undefined) return body;
        try {
          let value: unknown = JSON.parse(body);
          for (const key of name.split('.')) value = (value as Record<string, unknown> | null)?.[key];
          return value === undefined || value === null ? '' : typeof value === 'string' ? value : JSON.stringify(value);
        } catch {
          return '';
        }
      });
  }
  return (ctx) => {
    let i = 0;
    return rest(ctx).replace(/\u0000/g, () => readers[i++]!(ctx));
  };
}

function compileStep(key: string, read: (ctx: RequestContext) => string): ResponseStep {
  if (key === 'overwrite:statuscode') {
    return (ctx) => {
      const status = Number(read(ctx));
      if (Number.isInteger(status) && status >= 100 && status <= 599) ctx.response!.statusCode = status;
    };
  }
  const match = /^(overwrite|append|remove):header\.(.+)$/.exec(key);
  if (match === null) throw new Error(`responseParameters: ${key} is not overwrite:statuscode or {overwrite|append|remove}:header.NAME`);
  const [, action, name] = match as unknown as [string, string, string];
  if (action === 'remove') return (ctx) => ctx.response!.headers.delete(name);
  if (action === 'append') return (ctx) => ctx.response!.headers.append(name, read(ctx));
  return (ctx) => ctx.response!.headers.set(name, read(ctx));
}
