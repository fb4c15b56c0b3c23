/**
 * What the protect modules share: the method ARN a request is authorized against, identity source
 * readers, the AWS error bodies of authorization failures, and sync-or-async chaining.
 * AWS docs: "Control access to an API with IAM permissions" (execute-api ARN format), "Input to an
 * API Gateway Lambda authorizer" (identity sources), "Gateway response types".
 */
import { GatewayError } from '../../core/errors.js';
import type { RequestContext } from '../context.js';
import { compileSource } from '../parameters/sources.js';
import type { MaybePromise } from './state.js';

export type Step = (ctx: RequestContext) => void | Promise<void>;

/**
 * `arn:aws:execute-api:{region}:{account}:{apiId}/{stage}/{METHOD}/{path}` with the path as called
 * (not the resource template), which is what Lambda authorizer policies and resource policies match.
 */
export function methodArn(ctx: RequestContext): string {
  const api = ctx.api;
  return `arn:aws:execute-api:${api.region}:${api.accountId}:${api.id}/${ctx.stage.name}/${ctx.request.method}${ctx.request.path}`;
}

/** Reads one identity source; undefined or '' means the client did not send it. */
export type IdentityReader = (ctx: RequestContext) => string | undefined;

/**
 * REST spells sources `method.request.header.X`, `method.request.querystring.X`, `stageVariables.X`,
 * `context.X`; HTTP APIs `$request.header.X`, `$request.querystring.X`, `$stageVariables.X`, `$context.X`.
 */
export function compileIdentitySource(expression: string): IdentityReader {
  const expr = expression.trim();
  const rest = expr
    .replace(/^\$request\.header\./, 'method.request.header.')
    .replace(/^\$request\.querystring\./, 'method.request.querystring.')
    .replace(/^\$request\.path\./, 'method.request.path.')
    .replace(/^\$stageVariables\./, 'stageVariables.')
    .replace(/^\$context\./, 'context.');
  if (!/^(method\.request\.(header|querystring|path|multivalueheader|multivaluequerystring)\.|stageVariables\.|context\.)./.test(rest)) {
    throw new Error(`unsupported identity source ${JSON.stringify(expression)}`);
  }
  const read = compileSource(rest);
  return (ctx) => {
    const value = read(ctx);
    if (Array.isArray(value)) return value.length === 0 ? undefined : value.join(',');
    return value;
  };
}

/** AWS answers 401 {"message":"Unauthorized"} whenever a token or identity source is missing or rejected. */
export function unauthorized(): GatewayError {
  return new GatewayError('UNAUTHORIZED');
}

/**
 * A Lambda authorizer that fails (throws anything but "Unauthorized", answers nonsense, or cannot
 * be reached): REST answers 500 `{"message": null}` with AuthorizerConfigurationException, as recorded
 * in auth0-samples/jwt-rsa-aws-custom-authorizer PR #6 and aws/chalice #670; HTTP APIs answer 500
 * Internal Server Error ("Working with AWS Lambda authorizers for HTTP APIs", Troubleshooting).
 */
export function authorizerConfigurationError(protocol: 'REST' | 'HTTP', cause?: unknown): GatewayError {
  if (protocol === 'HTTP') return new GatewayError('AUTHORIZER_CONFIGURATION_ERROR', 'Internal Server Error', { cause });
  const error = new GatewayError('AUTHORIZER_CONFIGURATION_ERROR', undefined, { cause });
  // The error table carries string messages; AWS sends a JSON null here, which the default
  // template `{"message":$context.error.messageString}` renders from a null message.
  Object.defineProperty(error, 'message', { value: null, enumerable: false, writable: true, configurable: true });
  return error;
}

/** Messages of the 403s, as listed by the AWS knowledge center article "api-gateway-403-error-lambda-authorizer". */
export const DENY_MESSAGES = {
  authorizerExplicit: 'User is not authorized to access this resource with an explicit deny',
  authorizerImplicit: 'User is not authorized to access this resource',
  resourcePolicy: (caller: string, arn: string, explicit: boolean) =>
    `User: ${caller} is not authorized to perform: execute-api:Invoke on resource: ${arn}${explicit ? ' with an explicit deny' : ''}`,
} as const;

export function accessDenied(message: string): GatewayError {
  return new GatewayError('ACCESS_DENIED', message);
}

/** Runs `next` on a value that may still be pending, without a promise when it is not. */
export function then<T, R>(value: MaybePromise<T>, next: (value: T) => R | Promise<R>): R | Promise<R> {
  return value instanceof Promise ? value.then(next) : next(value);
}

/** Steps in order, synchronously until one returns a promise (like the pipeline itself). */
export function sequence(steps: readonly Step[]): Step | null {
  if (steps.length === 0) return null;
  if (steps.length === 1) return steps[0]!;
  return (ctx) => runFrom(steps, ctx, 0);
}

function runFrom(steps: readonly Step[], ctx: RequestContext, start: number): void | Promise<void> {
  for (let i = start; i < steps.length; i++) {
    const result = steps[i]!(ctx);
    if (result !== undefined) return result.then(() => runFrom(steps, ctx, i + 1));
  }
}
