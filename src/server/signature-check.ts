/**
 * `--verify-signatures` for the services behind the AWS endpoint that do not check signatures
 * themselves (all but S3, whose own check knows pre-signed URLs, chunk signatures and anonymous
 * access): the SigV4 signature is verified before the service sees the request, and a failure is
 * answered in the protocol the caller speaks, with the codes AWS uses there:
 * - JSON protocols (`X-Amz-Target`): 400 `InvalidSignatureException` whose message carries the
 *   canonical request and string to sign (recorded DynamoDB and Lambda answers, e.g.
 *   gist.github.com/myitcv/9093705; aws/aws-sdk-js#284 for the 400), 400
 *   `com.amazon.coral.service#UnrecognizedClientException` "The security token included in the
 *   request is invalid" for an unknown key (recorded DynamoDB body, baopham/laravel-dynamodb#228);
 * - REST-JSON (Lambda): the same codes with 403 and `x-amzn-ErrorType` (recorded restJson answer,
 *   aws/aws-sdk-kotlin#1217);
 * - query protocol (SNS, SQS query, CloudFormation): 403 `<ErrorResponse>` with
 *   SignatureDoesNotMatch / InvalidClientTokenId / MissingAuthenticationToken "Request is missing
 *   Authentication Token" (recorded STS answer, amzn/selling-partner-api-docs#3081).
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { EmbeddedService, ServiceRequest } from '../services/service.js';
import { AwsServiceError } from '../services/protocol/errors.js';
import { writeJsonError } from '../services/protocol/json.js';
import { writeQueryError } from '../services/protocol/query.js';
import { SigV4Error, verifySigV4, MAX_SKEW_MS } from '../services/sigv4/index.js';
import { LOCAL_CREDENTIALS } from '../http/sigv4-signer.js';
import { FUNCTION_CREDENTIALS } from '../lambda/env-vars.js';

export type SecretLookup = (accessKeyId: string) => string | undefined;

/**
 * The keys accepted when verifying: gatehouse's own (integrations, service tasks), the local
 * functions' (their SDK calls), the caller's environment credentials, and `--access-key` pairs.
 */
export function acceptedKeys(configured: Record<string, string>, env: NodeJS.ProcessEnv = process.env): SecretLookup {
  const keys = new Map<string, string>([
    [LOCAL_CREDENTIALS.accessKeyId, LOCAL_CREDENTIALS.secretAccessKey],
    [FUNCTION_CREDENTIALS.accessKeyId, FUNCTION_CREDENTIALS.secretAccessKey],
  ]);
  const envKey = env['AWS_ACCESS_KEY_ID'];
  const envSecret = env['AWS_SECRET_ACCESS_KEY'];
  if (envKey && envSecret) keys.set(envKey, envSecret);
  for (const [id, secret] of Object.entries(configured)) keys.set(id, secret);
  return (id) => keys.get(id);
}

const INVALID_TOKEN = 'The security token included in the request is invalid';
const MISSING_TOKEN = 'Request is missing Authentication Token';

type Protocol = 'json' | 'rest-json' | 'query';

function protocolOf(request: ServiceRequest, service: EmbeddedService): Protocol {
  if (typeof request.headers['x-amz-target'] === 'string') return 'json';
  return service.name === 'lambda' ? 'rest-json' : 'query';
}

/** True when the request may go on; otherwise the AWS error has been written to `res`. */
export async function checkSignature(request: ServiceRequest, service: EmbeddedService, lookupSecret: SecretLookup, res: ServerResponse): Promise<boolean> {
  try {
    await verifySigV4(request, { lookupSecret });
    return true;
  } catch (error) {
    if (!(error instanceof SigV4Error)) throw error;
    const protocol = protocolOf(request, service);
    const failure = translate(error, protocol);
    if (protocol === 'query') writeQueryError(res, failure);
    else if (protocol === 'json') writeJsonError(res, jsonVersion(request), failure);
    else writeRestJsonError(res, failure);
    return false;
  }
}

/** The verifier's failure in the words of `protocol`. */
function translate(error: SigV4Error, protocol: Protocol): AwsServiceError {
  const json = protocol !== 'query';
  const status = protocol === 'json' ? 400 : 403;
  switch (error.code) {
    case 'SignatureDoesNotMatch': {
      if (!json) return new AwsServiceError('SignatureDoesNotMatch', error.message, 403);
      const details =
        `\n\nThe Canonical String for this request should have been\n'${String(error.extra['CanonicalRequest'])}'\n\n` +
        `The String-to-Sign should have been\n'${String(error.extra['StringToSign'])}'\n`;
      return new AwsServiceError('InvalidSignatureException', error.message + details, status);
    }
    case 'InvalidAccessKeyId':
      return json ? new AwsServiceError('com.amazon.coral.service#UnrecognizedClientException', INVALID_TOKEN, status) : new AwsServiceError('InvalidClientTokenId', `${INVALID_TOKEN}.`, 403);
    case 'MissingAuthenticationToken':
      return json ? new AwsServiceError('com.amazon.coral.service#MissingAuthenticationTokenException', MISSING_TOKEN, status) : new AwsServiceError('MissingAuthenticationToken', MISSING_TOKEN, 403);
    case 'RequestTimeTooSkewed': {
      // "Signature expired: <request time> is now earlier than <now - 15 min> (<now> - 15 min.)"
      const now = new Date();
      const message = `Signature expired: ${String(error.extra['RequestTime'])} is now earlier than ${longDate(new Date(now.getTime() - MAX_SKEW_MS))} (${longDate(now)} - 15 min.)`;
      return new AwsServiceError(json ? 'InvalidSignatureException' : 'SignatureDoesNotMatch', message, status);
    }
    case 'IncompleteSignature':
      return new AwsServiceError(json ? 'IncompleteSignatureException' : 'IncompleteSignature', error.message, 400);
    default:
      return new AwsServiceError(json ? 'InvalidSignatureException' : 'SignatureDoesNotMatch', error.message, status);
  }
}

function longDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function jsonVersion(request: ServiceRequest): '1.0' | '1.1' {
  const type = request.headers['content-type'];
  return typeof type === 'string' && type.includes('1.1') ? '1.1' : '1.0';
}

/** REST-JSON (Lambda): the code in `x-amzn-ErrorType`, `{"message": ...}` as body. */
function writeRestJsonError(res: ServerResponse, error: AwsServiceError): void {
  const data = Buffer.from(JSON.stringify({ message: error.message }), 'utf8');
  res.writeHead(error.status, {
    'Content-Type': 'application/json',
    'Content-Length': String(data.length),
    'x-amzn-RequestId': randomUUID(),
    'x-amzn-ErrorType': error.code.replace(/^.*#/, ''),
  });
  res.end(data);
}
