/**
 * Who is calling: signed (SigV4 header or pre-signed URL; verified when verification is on,
 * pre-signed expiry always checked) or anonymous (then only a bucket policy can allow it).
 * SigV4 failures are re-worded in S3's terms. AWS docs: Amazon S3 API Reference
 * "Authenticating Requests (AWS Signature Version 4)" (sig-v4-authenticating-requests.html) and
 * User Guide "How Amazon S3 authorizes a request" (how-s3-evaluates-access-control.html).
 */
import type { ServiceRequest } from '../../service.js';
import { checkTime, parseSigV4, queryValue, SigV4Error, verifySigV4, type QueryMap, type SigV4Identity } from '../../sigv4/index.js';
import { isS3ErrorCode, s3Error, type S3Error } from '../errors.js';
import type { ChunkSigning } from './chunked.js';
import { header } from './headers.js';

export interface AuthOptions {
  verifySignatures: boolean;
  lookupSecret(accessKeyId: string): string | undefined;
}

export type Caller = { anonymous: true } | { anonymous: false; identity?: SigV4Identity };

const UNSUPPORTED_MECHANISM = 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';

export async function authenticate(request: ServiceRequest, query: QueryMap, options: AuthOptions, now: Date): Promise<Caller> {
  const authorization = header(request.headers, 'authorization');
  const presignedV4 = queryValue(query, 'X-Amz-Credential') !== undefined || queryValue(query, 'X-Amz-Signature') !== undefined;
  try {
    if (authorization !== undefined && authorization !== '') {
      if (authorization.startsWith('AWS4-HMAC-SHA256')) {
        if (!options.verifySignatures) return { anonymous: false };
        return { anonymous: false, identity: await verifySigV4(request, { lookupSecret: options.lookupSecret, now }) };
      }
      if (authorization.startsWith('AWS ')) {
        if (options.verifySignatures) throw s3Error('InvalidRequest', {}, UNSUPPORTED_MECHANISM);
        return { anonymous: false };
      }
      throw s3Error('InvalidArgument', { ArgumentName: 'Authorization', ArgumentValue: authorization }, 'Unsupported Authorization Type');
    }
    if (presignedV4) {
      if (options.verifySignatures) return { anonymous: false, identity: await verifySigV4(request, { lookupSecret: options.lookupSecret, now }) };
      checkTime(parseSigV4(request, query)!, now);
      return { anonymous: false };
    }
    const expires = queryValue(query, 'Expires');
    if (queryValue(query, 'AWSAccessKeyId') !== undefined && queryValue(query, 'Signature') !== undefined && expires !== undefined) {
      // SigV2 pre-signed URL: Expires is epoch seconds.
      if (Number(expires) * 1000 < now.getTime()) throw s3Error('AccessDenied', {}, 'Request has expired');
      if (options.verifySignatures) throw s3Error('InvalidRequest', {}, UNSUPPORTED_MECHANISM);
      return { anonymous: false };
    }
    return { anonymous: true };
  } catch (error) {
    if (error instanceof SigV4Error) throw toS3Error(error, presignedV4 && authorization === undefined);
    throw error;
  }
}

/** The verifier's codes in S3's words: malformed headers are AuthorizationHeaderMalformed / AuthorizationQueryParametersError. */
function toS3Error(error: SigV4Error, query: boolean): S3Error {
  const extra = Object.fromEntries(Object.entries(error.extra).map(([k, v]) => [k, String(v)]));
  switch (error.code) {
    case 'IncompleteSignature':
      return s3Error(query ? 'AuthorizationQueryParametersError' : 'AuthorizationHeaderMalformed', {}, error.message);
    case 'MissingAuthenticationToken':
      return s3Error('AccessDenied');
    case 'AccessDenied':
    case 'AuthorizationQueryParametersError':
      return s3Error(error.code, extra, error.message);
    default:
      return isS3ErrorCode(error.code) ? s3Error(error.code, extra) : s3Error('AccessDenied');
  }
}

/** Seed for verifying `STREAMING-AWS4-HMAC-SHA256-PAYLOAD` chunk signatures, when the header signature was verified. */
export function chunkSigning(request: ServiceRequest, caller: Caller): ChunkSigning | undefined {
  if (caller.anonymous || caller.identity === undefined) return undefined;
  const declared = header(request.headers, 'x-amz-content-sha256');
  if (declared === undefined || !declared.startsWith('STREAMING-AWS4-HMAC-SHA256-PAYLOAD')) return undefined;
  const { signingKey, longDate, scope, signature } = caller.identity;
  return { signingKey, longDate, scope, seedSignature: signature };
}
