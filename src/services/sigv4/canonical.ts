/**
 * The canonical request and signature of SigV4, computed with @smithy/signature-v4's own
 * canonicalisation (path, query and header rules) so a verifier agrees with the SDKs.
 * AWS docs: "Create a signed AWS API request" (IAM User Guide, create-signed-request.html).
 */
import { SignatureV4, getCanonicalHeaders } from '@smithy/signature-v4';
import { NodeSha256, hmacSha256, sha256Hex } from './hash.js';
import type { QueryMap } from './query.js';

type SmithyRequest = Parameters<SignatureV4['presign']>[0];

/** Exposes the signer's protected canonical-request step; credentials are never used. */
class CanonicalSigner extends SignatureV4 {
  constructor(uriEscapePath: boolean) {
    super({ service: 'unused', region: 'unused', credentials: { accessKeyId: '', secretAccessKey: '' }, sha256: NodeSha256, uriEscapePath });
  }

  canonicalRequest(request: SmithyRequest, canonicalHeaders: Record<string, string>, payloadHash: string): string {
    return this.createCanonicalRequest(request, canonicalHeaders, payloadHash);
  }
}

// S3 signs the path as sent (URI-encoded once); every other service encodes it once more.
const signers = { s3: new CanonicalSigner(false), other: new CanonicalSigner(true) };

export interface CanonicalInput {
  method: string;
  path: string;
  query: QueryMap;
  /** Lowercase signed header name -> value as received. */
  headers: Record<string, string>;
  payloadHash: string;
  service: string;
}

export function canonicalRequest(input: CanonicalInput): string {
  const request: SmithyRequest = {
    method: input.method,
    protocol: 'http:',
    hostname: '',
    path: input.path,
    query: input.query,
    headers: input.headers,
  };
  // Every header named in SignedHeaders counts, even those smithy would never sign itself.
  const canonicalHeaders = getCanonicalHeaders(request, undefined, new Set(Object.keys(input.headers)));
  const signer = input.service === 's3' ? signers.s3 : signers.other;
  return signer.canonicalRequest(request, canonicalHeaders as Record<string, string>, input.payloadHash);
}

export function stringToSign(longDate: string, scope: string, canonical: string): string {
  return `AWS4-HMAC-SHA256\n${longDate}\n${scope}\n${sha256Hex(canonical)}`;
}

const keyCache = new Map<string, Buffer>();
const KEY_CACHE_SIZE = 64;

/** kSigning = HMAC chain over date, region, service, 'aws4_request'; one key per day and scope. */
export function signingKey(secret: string, scopeDate: string, region: string, service: string): Buffer {
  const cacheKey = `${scopeDate}/${region}/${service}/${secret}`;
  let key = keyCache.get(cacheKey);
  if (key === undefined) {
    key = hmacSha256(hmacSha256(hmacSha256(hmacSha256('AWS4' + secret, scopeDate), region), service), 'aws4_request');
    if (keyCache.size >= KEY_CACHE_SIZE) keyCache.clear();
    keyCache.set(cacheKey, key);
  }
  return key;
}

export function signatureOf(key: Buffer, toSign: string): string {
  return hmacSha256(key, toSign).toString('hex');
}
