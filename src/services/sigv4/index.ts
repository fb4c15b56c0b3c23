/**
 * The SigV4 verifier every embedded service uses: Authorization-header and pre-signed-query
 * forms, the body hashed here (x-amz-content-sha256 is trusted only for its UNSIGNED/STREAMING
 * values), 15 minutes of clock skew, errors typed by AWS code.
 * AWS docs: "Signature Version 4 for API requests" (IAM User Guide, reference_sigv.html) and
 * Amazon S3 API Reference "Authenticating Requests (AWS Signature Version 4)".
 */
import { timingSafeEqual } from 'node:crypto';
import type { ServiceRequest } from '../service.js';
import { canonicalRequest, signatureOf, signingKey, stringToSign } from './canonical.js';
import { SigV4Error } from './errors.js';
import { EMPTY_SHA256, sha256Hex } from './hash.js';
import { parseSigV4, toLongDate, type SigV4Auth } from './parse.js';

export { SigV4Error, type SigV4ErrorCode } from './errors.js';
export { hasSigV4, parseSigV4, type SigV4Auth } from './parse.js';
export { parseQuery, queryValue, decodeComponent, type QueryMap } from './query.js';
export { NodeSha256, sha256Hex } from './hash.js';
export { signingKey, signatureOf } from './canonical.js';

/** AWS rejects requests whose time is more than 15 minutes off (RequestTimeTooSkewed). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

export interface VerifyOptions {
  lookupSecret(accessKeyId: string): string | undefined;
  now?: Date;
}

export interface SigV4Identity {
  accessKeyId: string;
  region: string;
  service: string;
  /**
   * The rest lets a service verify what follows the seed signature: a request declaring
   * STREAMING-AWS4-HMAC-SHA256-PAYLOAD is only authentic once its chunk signatures are checked
   * (the S3 service does; sigv4-streaming.html).
   */
  signature: string;
  signingKey: Buffer;
  scope: string;
  longDate: string;
}

/** Payload hashes a client may declare instead of the body's SHA-256. */
const DECLARED_PAYLOADS = new Set([
  'UNSIGNED-PAYLOAD',
  'STREAMING-UNSIGNED-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
  'STREAMING-AWS4-HMAC-SHA256-PAYLOAD-TRAILER',
  'STREAMING-AWS4-HMAC-SHA256-EVENTS',
]);

export async function verifySigV4(request: ServiceRequest, options: VerifyOptions): Promise<SigV4Identity> {
  const auth = parseSigV4(request);
  if (auth === undefined) throw new SigV4Error('MissingAuthenticationToken');
  const now = options.now ?? new Date();
  checkTime(auth, now);
  const secret = options.lookupSecret(auth.accessKeyId);
  if (secret === undefined) throw new SigV4Error('InvalidAccessKeyId', undefined, { AWSAccessKeyId: auth.accessKeyId });
  if (auth.scopeDate !== auth.longDate.slice(0, 8)) {
    throw new SigV4Error('IncompleteSignature', `Invalid credential date. Date is not the same as X-Amz-Date: ${auth.scopeDate}.`);
  }

  const headers: Record<string, string> = {};
  for (const name of auth.signedHeaders) headers[name] = headerValue(request, name);
  const payloadHash = payloadHashOf(request, auth);
  const key = signingKey(secret, auth.scopeDate, auth.region, auth.service);
  const provided = Buffer.from(auth.signature, 'utf8');

  let first: { canonical: string; toSign: string } | undefined;
  for (const path of candidatePaths(request.path, auth.service)) {
    const canonical = canonicalRequest({ method: request.method, path, query: auth.query, headers, payloadHash, service: auth.service });
    const toSign = stringToSign(auth.longDate, auth.scope, canonical);
    const expected = Buffer.from(signatureOf(key, toSign), 'utf8');
    if (expected.length === provided.length && timingSafeEqual(expected, provided)) {
      return {
        accessKeyId: auth.accessKeyId,
        region: auth.region,
        service: auth.service,
        signature: auth.signature,
        signingKey: key,
        scope: auth.scope,
        longDate: auth.longDate,
      };
    }
    first ??= { canonical, toSign };
  }
  throw new SigV4Error('SignatureDoesNotMatch', undefined, {
    AWSAccessKeyId: auth.accessKeyId,
    StringToSign: first!.toSign,
    SignatureProvided: auth.signature,
    CanonicalRequest: first!.canonical,
  });
}

/**
 * Pre-signed URLs: expired -> AccessDenied "Request has expired"; header form: more than 15
 * minutes off -> RequestTimeTooSkewed. Exported so a service that skips signature checks still
 * refuses expired URLs.
 */
export function checkTime(auth: SigV4Auth, now: Date): void {
  const nowMs = now.getTime();
  const signedMs = auth.date.getTime();
  if (auth.form === 'query') {
    const expiresMs = signedMs + (auth.expires ?? 0) * 1000;
    if (nowMs > expiresMs) {
      throw new SigV4Error('AccessDenied', 'Request has expired', {
        'X-Amz-Expires': String(auth.expires ?? 0),
        Expires: new Date(expiresMs).toISOString().replace(/\.\d{3}Z$/, 'Z'),
        ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      });
    }
    if (signedMs - nowMs > MAX_SKEW_MS) throw new SigV4Error('AccessDenied', 'Request is not valid yet');
    return;
  }
  if (Math.abs(nowMs - signedMs) > MAX_SKEW_MS) {
    throw new SigV4Error('RequestTimeTooSkewed', undefined, {
      RequestTime: toLongDate(auth.date),
      ServerTime: now.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      MaxAllowedSkewMilliseconds: String(MAX_SKEW_MS),
    });
  }
}

function headerValue(request: ServiceRequest, name: string): string {
  const value = request.headers[name];
  if (value === undefined) return '';
  return Array.isArray(value) ? value.join(',') : value;
}

function payloadHashOf(request: ServiceRequest, auth: SigV4Auth): string {
  if (auth.form === 'query') {
    const declared = auth.query['X-Amz-Content-Sha256'];
    if (typeof declared === 'string' && DECLARED_PAYLOADS.has(declared)) return declared;
    // S3 pre-signed URLs sign no payload (S3 API Reference, sigv4-query-string-auth.html).
    return auth.service === 's3' ? 'UNSIGNED-PAYLOAD' : bodyHash(request);
  }
  const declared = request.headers['x-amz-content-sha256'];
  if (typeof declared === 'string' && DECLARED_PAYLOADS.has(declared)) return declared;
  const actual = bodyHash(request);
  // S3 names this failure; other services simply compute a different signature.
  if (auth.service === 's3' && typeof declared === 'string' && declared.toLowerCase() !== actual) {
    throw new SigV4Error('XAmzContentSHA256Mismatch', undefined, { ClientComputedContentSHA256: declared, S3ComputedContentSHA256: actual });
  }
  return actual;
}

function bodyHash(request: ServiceRequest): string {
  return request.body.length === 0 ? EMPTY_SHA256 : sha256Hex(request.body);
}

/**
 * S3 signs the path as the client encoded it; clients encode a few characters differently
 * (botocore keeps '~', SDK v3 escapes "!'()*"), so the path re-encoded with AWS's own rule
 * (RFC 3986 unreserved characters kept) is tried too.
 */
function candidatePaths(path: string, service: string): string[] {
  if (service !== 's3') return [path];
  const normalized = path
    .split('/')
    .map((segment) => encodeRfc3986(safeDecode(segment)))
    .join('/');
  return normalized === path ? [path] : [path, normalized];
}

function safeDecode(segment: string): string {
  if (!segment.includes('%')) return segment;
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}
