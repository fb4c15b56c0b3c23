/**
 * Object headers both ways: the representation headers and `x-amz-meta-*` a PUT stores, the
 * headers GET/HEAD return, and the conditional-request headers. AWS docs: Amazon S3 API
 * Reference API_PutObject.html and API_GetObject.html (request/response headers); User Guide
 * "Working with object metadata" (UsingMetadata.html: user metadata is at most 2 KB).
 */
import type { IncomingHttpHeaders } from 'node:http';
import { s3Error } from '../errors.js';
import type { ObjectMeta, StoredObject } from '../model.js';
import type { Conditions } from '../operations/conditions.js';
import { checksumHeader } from '../checksums.js';
import { storedContentEncoding } from './chunked.js';

const MAX_USER_METADATA = 2048;
const META_PREFIX = 'x-amz-meta-';

export function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** The representation headers and user metadata of a PUT / CreateMultipartUpload / CopyObject REPLACE. */
export function readObjectMeta(headers: IncomingHttpHeaders): ObjectMeta {
  const meta: ObjectMeta = { user: {} };
  const contentType = header(headers, 'content-type');
  if (contentType !== undefined) meta.contentType = contentType;
  const contentEncoding = storedContentEncoding(header(headers, 'content-encoding'));
  if (contentEncoding !== undefined) meta.contentEncoding = contentEncoding;
  const optional: [keyof ObjectMeta, string][] = [
    ['contentDisposition', 'content-disposition'],
    ['contentLanguage', 'content-language'],
    ['cacheControl', 'cache-control'],
    ['expires', 'expires'],
    ['websiteRedirectLocation', 'x-amz-website-redirect-location'],
  ];
  for (const [field, name] of optional) {
    const value = header(headers, name);
    if (value !== undefined) (meta as unknown as Record<string, string>)[field] = value;
  }
  let size = 0;
  for (const name in headers) {
    if (!name.startsWith(META_PREFIX)) continue;
    const value = header(headers, name)!;
    const key = name.slice(META_PREFIX.length);
    meta.user[key] = value;
    size += Buffer.byteLength(key) + Buffer.byteLength(value);
  }
  if (size > MAX_USER_METADATA) throw s3Error('MetadataTooLarge', { Size: String(size), MaxSizeAllowed: String(MAX_USER_METADATA) });
  return meta;
}

/** GET/HEAD `response-*` query overrides (S3 API Reference, GetObject "Overriding response header values"). */
const OVERRIDES: Record<string, string> = {
  'response-content-type': 'Content-Type',
  'response-content-language': 'Content-Language',
  'response-expires': 'Expires',
  'response-cache-control': 'Cache-Control',
  'response-content-disposition': 'Content-Disposition',
  'response-content-encoding': 'Content-Encoding',
};

/** Headers describing a stored object on GET/HEAD (and 304, which repeats ETag and Last-Modified). */
export function objectHeaders(object: StoredObject, options: { checksumMode: boolean; overrides?: Record<string, string | string[]> }): Record<string, string> {
  const out: Record<string, string> = {
    'Last-Modified': httpDate(object.modified),
    ETag: object.etag,
    'Content-Type': object.meta.contentType ?? 'binary/octet-stream',
    'Accept-Ranges': 'bytes',
    'x-amz-server-side-encryption': 'AES256',
  };
  const meta = object.meta;
  if (meta.contentEncoding !== undefined) out['Content-Encoding'] = meta.contentEncoding;
  if (meta.contentDisposition !== undefined) out['Content-Disposition'] = meta.contentDisposition;
  if (meta.contentLanguage !== undefined) out['Content-Language'] = meta.contentLanguage;
  if (meta.cacheControl !== undefined) out['Cache-Control'] = meta.cacheControl;
  if (meta.expires !== undefined) out['Expires'] = meta.expires;
  if (meta.websiteRedirectLocation !== undefined) out['x-amz-website-redirect-location'] = meta.websiteRedirectLocation;
  if (object.storageClass !== 'STANDARD') out['x-amz-storage-class'] = object.storageClass;
  for (const name in meta.user) out[META_PREFIX + name] = meta.user[name]!;
  if (options.checksumMode && object.checksum !== null) {
    out[checksumHeader(object.checksum.algorithm)] = object.checksum.value;
    out['x-amz-checksum-type'] = object.checksum.type;
  }
  if (options.overrides !== undefined) {
    for (const name in OVERRIDES) {
      const value = options.overrides[name];
      if (typeof value === 'string') out[OVERRIDES[name]!] = value;
    }
  }
  return out;
}

/** RFC 1123 / RFC 7231 IMF-fixdate, as S3 writes Last-Modified. */
export function httpDate(ms: number): string {
  return new Date(ms).toUTCString();
}

/**
 * ISO 8601 as S3 writes dates in XML: whole seconds with a `.000` fraction, the precision of the
 * Last-Modified header, so a listing and a HEAD of the same object agree.
 */
export function isoDate(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString();
}

function parseDate(text: string | undefined): Date | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  // An unparseable date makes S3 ignore the condition.
  return Number.isNaN(ms) ? undefined : new Date(ms);
}

function conditionsFrom(headers: IncomingHttpHeaders, prefix: string): Conditions {
  const conditions: Conditions = {};
  const ifMatch = header(headers, `${prefix}if-match`);
  const ifNoneMatch = header(headers, `${prefix}if-none-match`);
  const ifModifiedSince = parseDate(header(headers, `${prefix}if-modified-since`));
  const ifUnmodifiedSince = parseDate(header(headers, `${prefix}if-unmodified-since`));
  if (ifMatch !== undefined) conditions.ifMatch = ifMatch;
  if (ifNoneMatch !== undefined) conditions.ifNoneMatch = ifNoneMatch;
  if (ifModifiedSince !== undefined) conditions.ifModifiedSince = ifModifiedSince;
  if (ifUnmodifiedSince !== undefined) conditions.ifUnmodifiedSince = ifUnmodifiedSince;
  return conditions;
}

export function readConditions(headers: IncomingHttpHeaders): Conditions {
  return conditionsFrom(headers, '');
}

export function readCopySourceConditions(headers: IncomingHttpHeaders): Conditions {
  return conditionsFrom(headers, 'x-amz-copy-source-');
}

/** `x-amz-copy-source: [/]bucket/key[?versionId=...]`, URL-encoded. */
export function readCopySource(headers: IncomingHttpHeaders): { bucket: string; key: string } {
  const raw = header(headers, 'x-amz-copy-source') ?? '';
  let text = raw;
  const q = text.indexOf('?');
  if (q !== -1) text = text.slice(0, q);
  try {
    text = decodeURIComponent(text);
  } catch {
    throw s3Error('InvalidArgument', { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw }, 'Invalid copy source encoding');
  }
  if (text.startsWith('/')) text = text.slice(1);
  const slash = text.indexOf('/');
  if (slash <= 0 || slash === text.length - 1) {
    throw s3Error('InvalidArgument', { ArgumentName: 'x-amz-copy-source', ArgumentValue: raw }, 'Invalid copy source object key');
  }
  return { bucket: text.slice(0, slash), key: text.slice(slash + 1) };
}

/** Storage classes S3 accepts on PUT; anything else is InvalidStorageClass. */
const STORAGE_CLASSES = new Set([
  'STANDARD', 'REDUCED_REDUNDANCY', 'STANDARD_IA', 'ONEZONE_IA', 'INTELLIGENT_TIERING', 'GLACIER', 'DEEP_ARCHIVE', 'GLACIER_IR', 'OUTPOSTS', 'SNOW', 'EXPRESS_ONEZONE',
]);

export function readStorageClass(headers: IncomingHttpHeaders): string | undefined {
  const value = header(headers, 'x-amz-storage-class');
  if (value === undefined) return undefined;
  if (!STORAGE_CLASSES.has(value)) {
    throw s3Error('InvalidStorageClass', { StorageClassRequested: value });
  }
  return value;
}
