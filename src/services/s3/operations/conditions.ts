/**
 * Conditional requests on objects: reads (If-Match, If-None-Match, If-Modified-Since,
 * If-Unmodified-Since -> 304/412 with S3's precedence), copies (x-amz-copy-source-if-*: every
 * failure is 412) and writes (If-None-Match: * and If-Match on PutObject/CompleteMultipartUpload).
 * AWS docs: Amazon S3 API Reference "GetObject" (API_GetObject.html, "If-Match" ...),
 * "CopyObject" (x-amz-copy-source-if-match ...), and User Guide "Conditional writes"
 * (conditional-writes.html).
 */
import { noSuchKey, s3Error } from '../errors.js';

export interface Conditions {
  ifMatch?: string;
  ifNoneMatch?: string;
  ifModifiedSince?: Date;
  ifUnmodifiedSince?: Date;
}

interface Versioned {
  etag: string;
  modified: number;
}

/** True when an If-Match / If-None-Match list names the ETag (or is `*`). */
export function etagMatches(header: string, etag: string): boolean {
  const bare = etag.replace(/"/g, '');
  for (const raw of header.split(',')) {
    const candidate = raw.trim().replace(/^W\//, '').replace(/"/g, '');
    if (candidate === '*' || candidate === bare) return true;
  }
  return false;
}

/** HTTP dates carry whole seconds; Last-Modified is compared at that precision. */
function modifiedAfter(object: Versioned, date: Date): boolean {
  return Math.floor(object.modified / 1000) * 1000 > date.getTime();
}

function failed(condition: string) {
  return s3Error('PreconditionFailed', { Condition: condition });
}

/**
 * GetObject/HeadObject: 'not-modified' for a 304; throws PreconditionFailed for a 412.
 * If-Match true + If-Unmodified-Since false -> 200; If-None-Match false + If-Modified-Since
 * true -> 304 (S3 API Reference, GetObject).
 */
export function evaluateRead(object: Versioned, conditions: Conditions): 'ok' | 'not-modified' {
  if (conditions.ifMatch !== undefined) {
    if (!etagMatches(conditions.ifMatch, object.etag)) throw failed('If-Match');
  } else if (conditions.ifUnmodifiedSince !== undefined && modifiedAfter(object, conditions.ifUnmodifiedSince)) {
    throw failed('If-Unmodified-Since');
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (etagMatches(conditions.ifNoneMatch, object.etag)) return 'not-modified';
  } else if (conditions.ifModifiedSince !== undefined && !modifiedAfter(object, conditions.ifModifiedSince)) {
    return 'not-modified';
  }
  return 'ok';
}

/** CopyObject / UploadPartCopy source conditions: same precedence, every failure a 412. */
export function evaluateCopySource(object: Versioned, conditions: Conditions): void {
  if (conditions.ifMatch !== undefined) {
    if (!etagMatches(conditions.ifMatch, object.etag)) throw failed('x-amz-copy-source-If-Match');
  } else if (conditions.ifUnmodifiedSince !== undefined && modifiedAfter(object, conditions.ifUnmodifiedSince)) {
    throw failed('x-amz-copy-source-If-Unmodified-Since');
  }
  if (conditions.ifNoneMatch !== undefined) {
    if (etagMatches(conditions.ifNoneMatch, object.etag)) throw failed('x-amz-copy-source-If-None-Match');
  } else if (conditions.ifModifiedSince !== undefined && !modifiedAfter(object, conditions.ifModifiedSince)) {
    throw failed('x-amz-copy-source-If-Modified-Since');
  }
}

/** Conditional writes: If-None-Match: * fails on an existing key, If-Match on a different or missing one. */
export function checkWrite(current: Versioned | undefined, key: string, conditions: Pick<Conditions, 'ifMatch' | 'ifNoneMatch'>): void {
  if (conditions.ifNoneMatch !== undefined && current !== undefined && etagMatches(conditions.ifNoneMatch, current.etag)) {
    throw failed('If-None-Match');
  }
  if (conditions.ifMatch !== undefined) {
    if (current === undefined) throw noSuchKey(key);
    if (!etagMatches(conditions.ifMatch, current.etag)) throw failed('If-Match');
  }
}
