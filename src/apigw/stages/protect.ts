/**
 * Protect: who may call the method. Until the API key, usage plan and authorizer machinery is in
 * place, a protected method fails closed: an API key requirement with no key known to the
 * gateway is `INVALID_API_KEY` (403 Forbidden — true on AWS too when no usage plan holds the key),
 * and an authorizer the gateway cannot run yet is an authorizer configuration error (500).
 * AWS docs: "API keys and usage plans", "Gateway response types" (INVALID_API_KEY 403).
 */
import { GatewayError } from '../../core/errors.js';
import type { Stage, StageBuildInput } from '../pipeline.js';

export function protectStage({ route, services }: StageBuildInput): Stage | null {
  if (route.authorizationType !== 'NONE') {
    services.log.warn(
      `${route.routeKey}: ${route.authorizationType} authorization is not enforced by this build yet; requests to it are refused (500)`,
    );
    return () => {
      throw new GatewayError('AUTHORIZER_CONFIGURATION_ERROR');
    };
  }
  if (route.apiKeyRequired) {
    return () => {
      throw new GatewayError('INVALID_API_KEY');
    };
  }
  return null;
}
