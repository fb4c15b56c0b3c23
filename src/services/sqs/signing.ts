/**
 * The service a request is signed for: the `{service}` of the SigV4 credential scope
 * (`Credential=AKID/20240101/us-east-1/sqs/aws4_request`, in the Authorization header or a
 * pre-signed URL's X-Amz-Credential). Used only to tell apart actions two query services share.
 * AWS docs: IAM User Guide, "Elements of an AWS API request signature" (credential scope).
 */
import type { ServiceRequest } from '../service.js';

const SCOPE = /Credential=[^/,\s]+\/\d{8}\/[^/]+\/([^/]+)\/aws4_request/;
const QUERY_SCOPE = /X-Amz-Credential=[^&]*?(?:%2F|\/)\d{8}(?:%2F|\/)[^&%/]+(?:%2F|\/)([^&%/]+)(?:%2F|\/)aws4_request/i;

export function signingService(request: ServiceRequest): string | undefined {
  const authorization = request.headers['authorization'];
  if (typeof authorization === 'string') return SCOPE.exec(authorization)?.[1];
  return QUERY_SCOPE.exec(request.query)?.[1];
}
