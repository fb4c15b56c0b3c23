/**
 * Lambda integrations: AWS_PROXY (the request becomes a payload 1.0/2.0 event, the function's
 * answer becomes the response) and the custom `AWS` integration with Lambda (the integration
 * request body is the event; errors are selected by `errorMessage`). The function runs on the
 * gateway's Lambda invoker (local execution environments, or real Lambda when targeted).
 * AWS docs: "Lambda integrations for REST APIs", "Handle Lambda errors in API Gateway"
 * (a function error is 502 for proxy integrations), "Create AWS Lambda proxy integrations for HTTP APIs"
 * (a function error is 500 Internal Server Error).
 */
import { GatewayError } from '../../core/errors.js';
import { HeaderList } from '../../core/header-list.js';
import type { RequestContext } from '../context.js';
import type { LambdaInvoker } from '../services.js';
import type { Integration, IntegrationFactory } from './index.js';
import { integrationTimeout } from './timeout.js';
import { buildV1Event, buildV2Event } from './lambda-events.js';
import { MalformedProxyResponse, parseProxyResponse } from './lambda-response.js';
import { acceptedTypes } from '../request/media-types.js';

/** The function ARN inside `arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{arn}/invocations`, or a bare Lambda ARN. */
export function functionFromUri(uri: string): string | null {
  const path = /:lambda:path\/[^/]+\/functions\/(.+?)\/invocations$/.exec(uri);
  if (path !== null) return path[1]!;
  if (/^arn:aws[a-z-]*:lambda:/.test(uri)) return uri;
  return null;
}

export function isLambdaUri(uri: string): boolean {
  return functionFromUri(uri) !== null;
}

function requireInvoker(lambda: LambdaInvoker | null, functionRef: string): LambdaInvoker {
  if (lambda === null) throw new Error(`integration calls Lambda function ${functionRef} but no Lambda runtime is available`);
  if (!functionRef.includes('${stageVariables.') && !lambda.has(functionRef)) {
    throw new Error(`integration calls Lambda function ${functionRef}, which is not defined in the template`);
  }
  return lambda;
}

function resolveFunction(functionRef: string, ctx: RequestContext): string {
  if (!functionRef.includes('${stageVariables.')) return functionRef;
  return functionRef.replace(/\$\{stageVariables\.([A-Za-z0-9_]+)\}/g, (_w, name: string) => ctx.stage.variables[name] ?? '');
}

/**
 * Invokes within the integration timeout: past it the client gets INTEGRATION_TIMEOUT while the
 * function may still finish. A failure of the Lambda service itself (unknown function, throttled)
 * becomes `failure`.
 */
async function invokeWithin(
  ctx: RequestContext,
  services: { lambda: LambdaInvoker; log: { warn(message: string): void } },
  call: { functionName: string; payload: string | Buffer; timeoutMs: number; invocationType: 'RequestResponse' | 'Event' },
  failure: () => GatewayError,
): Promise<{ payload: Buffer; functionError?: 'Unhandled' | 'Handled' }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(integrationTimeout(ctx.api.protocol)), call.timeoutMs);
  });
  try {
    return await Promise.race([services.lambda.invoke(call.functionName, call.payload, { invocationType: call.invocationType }), timeout]);
  } catch (error) {
    if (error instanceof GatewayError) throw error;
    services.log.warn(`${ctx.requestId} invoking ${call.functionName} failed: ${(error as Error).message}`);
    throw failure();
  } finally {
    clearTimeout(timer);
  }
}

export const lambdaProxyIntegration: IntegrationFactory = ({ route, api, services }): Integration => {
  const integration = route.integration;
  const functionRef = functionFromUri(integration.uri);
  if (functionRef === null) throw new Error(`AWS_PROXY uri ${JSON.stringify(integration.uri)} does not name a Lambda function`);
  const invoker = requireInvoker(services.lambda, functionRef);
  const isRest = api.protocol === 'REST';
  const version = isRest ? '1.0' : integration.payloadFormatVersion;
  const buildEvent = version === '2.0' ? buildV2Event : buildV1Event;
  const timeoutMs = integration.timeoutInMillis;
  const failure = () =>
    isRest
      ? new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 502 })
      : new GatewayError('INTEGRATION_FAILURE', 'Internal Server Error', { status: 500 });

  return {
    async invoke(ctx) {
      const functionName = resolveFunction(functionRef, ctx);
      const event = JSON.stringify(buildEvent(ctx));
      const result = await invokeWithin(
        ctx,
        { lambda: invoker, log: services.log },
        { functionName, payload: event, timeoutMs, invocationType: 'RequestResponse' },
        failure,
      );
      if (result.functionError !== undefined) {
        services.log.warn(`${ctx.requestId} ${functionName} failed: ${result.payload.toString('utf8').slice(0, 500)}`);
        throw failure();
      }
      try {
        ctx.endpointResponse = parseProxyResponse(result.payload, version, (contentType) =>
          isRest ? restDecodesBase64(ctx, contentType) : true,
        );
      } catch (error) {
        if (!(error instanceof MalformedProxyResponse)) throw error;
        services.log.warn(`${ctx.requestId} ${functionName} returned a malformed proxy response: ${error.message}`);
        throw failure();
      }
    },
  };
};

/**
 * REST APIs turn a base64 body back into bytes only when binary media types cover the client's
 * Accept header or the response's Content-Type; otherwise the client gets the base64 text.
 */
function restDecodesBase64(ctx: RequestContext, contentType: string | undefined): boolean {
  const accepted = acceptedTypes(ctx.request.headers.get('accept'));
  return accepted.some((type) => ctx.api.isBinaryMediaType(type)) || ctx.api.isBinaryMediaType(contentType);
}

export const lambdaCustomIntegration: IntegrationFactory = ({ route, services }): Integration => {
  const integration = route.integration;
  const functionRef = functionFromUri(integration.uri)!;
  const invoker = requireInvoker(services.lambda, functionRef);
  const timeoutMs = integration.timeoutInMillis;

  return {
    async invoke(ctx) {
      const request = ctx.integrationRequest!;
      const functionName = resolveFunction(functionRef, ctx);
      const invocationType = request.headers.get('x-amz-invocation-type') === 'Event' ? 'Event' : 'RequestResponse';
      const payload = request.body.length === 0 ? '{}' : request.body;
      const result = await invokeWithin(
        ctx,
        { lambda: invoker, log: services.log },
        { functionName, payload, timeoutMs, invocationType },
        () => new GatewayError('INTEGRATION_FAILURE', 'Internal server error', { status: 500 }),
      );
      const headers = new HeaderList();
      headers.set('Content-Type', 'application/json');
      if (invocationType === 'Event') {
        ctx.endpointResponse = { statusCode: 202, headers, body: Buffer.alloc(0), selectionInput: undefined, isProxyResponse: false };
        return;
      }
      // A function that succeeded has a null errorMessage, which a `.*` selection pattern matches too
      // ("Handle Lambda errors in API Gateway": `.*` "will match all error messages, including null").
      let selectionInput = '';
      if (result.functionError !== undefined) {
        selectionInput = errorMessageOf(result.payload);
        headers.set('X-Amz-Function-Error', result.functionError);
      }
      ctx.endpointResponse = { statusCode: 200, headers, body: result.payload, selectionInput, isProxyResponse: false };
    },
  };
};

/** API Gateway matches selection patterns against the error's `errorMessage`. */
function errorMessageOf(payload: Buffer): string {
  try {
    const parsed = JSON.parse(payload.toString('utf8')) as { errorMessage?: unknown };
    return typeof parsed.errorMessage === 'string' ? parsed.errorMessage : '';
  } catch {
    return payload.toString('utf8');
  }
}
