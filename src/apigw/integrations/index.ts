/**
 * The integration registry: one factory per integration type, each building, once per route,
 * the call that turns an integration request into an endpoint response.
 * AWS docs: "Integration types for REST APIs" (MOCK, HTTP, HTTP_PROXY, AWS, AWS_PROXY).
 */
import type { IntegrationType } from '../../definitions/model.js';
import type { RequestContext } from '../context.js';
import type { StageBuildInput } from '../pipeline.js';
import { mockIntegration } from './mock.js';
import { httpIntegration } from './http.js';
import { isLambdaUri, lambdaCustomIntegration, lambdaProxyIntegration } from './lambda.js';
import { awsServiceIntegration } from './aws-service.js';
import { awsSubtypeIntegration } from './aws-subtype.js';

export interface Integration {
  /** Sets `ctx.endpointResponse`, or throws a GatewayError. */
  invoke(ctx: RequestContext): Promise<void> | void;
}

export type IntegrationFactory = (input: StageBuildInput) => Integration;

const awsIntegration: IntegrationFactory = (input) =>
  isLambdaUri(input.route.integration.uri) ? lambdaCustomIntegration(input) : awsServiceIntegration(input);

const awsProxyIntegration: IntegrationFactory = (input) =>
  input.route.integration.integrationSubtype === undefined ? lambdaProxyIntegration(input) : awsSubtypeIntegration(input);

const FACTORIES: Record<IntegrationType, IntegrationFactory> = {
  MOCK: mockIntegration,
  HTTP: httpIntegration,
  HTTP_PROXY: httpIntegration,
  AWS: awsIntegration,
  AWS_PROXY: awsProxyIntegration,
};

/** Types whose endpoint response is the client's response (no integration response mapping). */
export function isProxyType(type: IntegrationType): boolean {
  return type === 'HTTP_PROXY' || type === 'AWS_PROXY';
}

export function createIntegration(input: StageBuildInput): Integration {
  const type = input.route.integration.type;
  const factory = FACTORIES[type];
  if (factory === undefined) throw new Error(`unknown integration type ${String(type)}`);
  return factory(input);
}
