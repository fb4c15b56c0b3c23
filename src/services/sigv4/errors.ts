/**
 * The failures of SigV4 authentication, typed by the code AWS returns so each protocol renders
 * them in its own shape. AWS docs: "Signature Version 4 signing: troubleshooting"
 * (IAM User Guide, signature-v4-troubleshooting.html) and "Common Errors" (CommonErrors.html).
 */
import { AwsServiceError } from '../protocol/errors.js';

export type SigV4ErrorCode =
  | 'SignatureDoesNotMatch'
  | 'InvalidAccessKeyId'
  | 'IncompleteSignature'
  | 'MissingAuthenticationToken'
  | 'RequestTimeTooSkewed'
  | 'AccessDenied'
  | 'AuthorizationQueryParametersError'
  | 'XAmzContentSHA256Mismatch';

/** Status and default message per code, as the JSON/query services word them. */
const DEFAULTS: Readonly<Record<SigV4ErrorCode, { status: number; message: string }>> = {
  SignatureDoesNotMatch: {
    status: 403,
    message:
      'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
  },
  InvalidAccessKeyId: { status: 403, message: 'The AWS Access Key Id you provided does not exist in our records.' },
  IncompleteSignature: { status: 400, message: 'The request signature does not conform to AWS standards.' },
  MissingAuthenticationToken: { status: 403, message: 'Missing Authentication Token' },
  RequestTimeTooSkewed: { status: 403, message: 'The difference between the request time and the current time is too large.' },
  AccessDenied: { status: 403, message: 'Request has expired' },
  AuthorizationQueryParametersError: { status: 400, message: 'Query-string authentication requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.' },
  XAmzContentSHA256Mismatch: { status: 400, message: "The provided 'x-amz-content-sha256' header does not match what was computed." },
};

/** `extra` carries the diagnostic fields S3 puts in its error body (StringToSign, CanonicalRequest ...). */
export class SigV4Error extends AwsServiceError {
  declare readonly code: SigV4ErrorCode;

  constructor(code: SigV4ErrorCode, message?: string, extra: Record<string, unknown> = {}) {
    const defaults = DEFAULTS[code];
    super(code, message ?? defaults.message, defaults.status, extra);
  }
}
