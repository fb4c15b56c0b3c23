import { GatewayError } from '../../core/errors.js';

/**
 * The answer to an integration that did not respond in time. REST: 504 "Endpoint request timed
 * out" (gateway response INTEGRATION_TIMEOUT). HTTP APIs: 503 {"message":"Service Unavailable"},
 * as recorded in cortexlabs/cortex#1225 (apigw-requestid header, 30 s) and serverless#11222.
 */
export function integrationTimeout(protocol: 'REST' | 'HTTP', cause?: unknown): GatewayError {
  return protocol === 'HTTP'
    ? new GatewayError('INTEGRATION_TIMEOUT', 'Service Unavailable', { status: 503, cause })
    : new GatewayError('INTEGRATION_TIMEOUT', undefined, { cause });
}
