/**
 * What integrations reach outside the gateway: the upstream HTTP client, VPC links, and the
 * invokers that later parts plug in (Lambda, the embedded AWS services). One object per server,
 * built at start and shared by every deployment.
 */
import type { HttpClient } from '../http/client.js';
import type { VpcLinkRegistry } from './integrations/vpc-link.js';
import type { Logger } from '../core/log.js';
import type { ProtectServices } from './auth/services.js';
import type { ServiceTargets } from '../http/service-targets.js';

/** Invokes a Lambda function by name or ARN (filled by the Lambda runtime). */
export interface LambdaInvoker {
  has(nameOrArn: string): boolean;
  invoke(
    nameOrArn: string,
    payload: string | Buffer,
    options?: { invocationType?: 'RequestResponse' | 'Event' },
  ): Promise<{ payload: Buffer; functionError?: 'Unhandled' | 'Handled' }>;
  close(): Promise<void>;
}

export interface GatewayServices {
  http: HttpClient;
  vpcLinks: VpcLinkRegistry;
  log: Logger;
  region: string;
  accountId: string;
  lambda: LambdaInvoker | null;
  /** Where `AWS` integrations send service requests: the embedded endpoint's URL. */
  awsEndpoint: string;
  /** Per-service targets (`--target`): services sent to real AWS or another engine instead of awsEndpoint. */
  targets?: ServiceTargets;
  /** API keys, usage plans, throttle/quota/authorizer-cache state, JWKS resolution (protect stage); built in-memory when absent. */
  auth?: ProtectServices;
}
