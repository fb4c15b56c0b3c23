/**
 * Which S3 request this is: the bucket and key (path style `/bucket/key` or virtual-hosted
 * `bucket.s3.<host>` / `bucket.localhost`) and the operation named by method, subresource and
 * headers. AWS docs: Amazon S3 User Guide "Virtual hosting of buckets" (VirtualHosting.html) and
 * the API Reference's request syntax of each operation.
 */
import type { ServiceRequest } from '../../service.js';
import { queryValue, type QueryMap } from '../../sigv4/index.js';
import { s3Error } from '../errors.js';

export type S3Operation =
  | 'ListBuckets'
  | 'CreateBucket'
  | 'DeleteBucket'
  | 'HeadBucket'
  | 'GetBucketLocation'
  | 'GetBucketVersioning'
  | 'GetBucketAcl'
  | 'PutBucketPolicy'
  | 'GetBucketPolicy'
  | 'DeleteBucketPolicy'
  | 'ListObjects'
  | 'ListObjectsV2'
  | 'ListMultipartUploads'
  | 'DeleteObjects'
  | 'PutObject'
  | 'CopyObject'
  | 'GetObject'
  | 'HeadObject'
  | 'GetObjectAcl'
  | 'DeleteObject'
  | 'CreateMultipartUpload'
  | 'UploadPart'
  | 'UploadPartCopy'
  | 'CompleteMultipartUpload'
  | 'AbortMultipartUpload'
  | 'ListParts';

export interface S3Route {
  operation: S3Operation;
  /** '' for ListBuckets. */
  bucket: string;
  /** '' for bucket-level operations. */
  key: string;
}

/** Subresources gatehouse does not implement: answered 501 NotImplemented rather than mistaken for a plain GET/PUT. */
const UNSUPPORTED = [
  'accelerate', 'analytics', 'attributes', 'cors', 'encryption', 'intelligent-tiering', 'inventory', 'legal-hold',
  'lifecycle', 'logging', 'metrics', 'notification', 'object-lock', 'ownershipControls', 'policyStatus',
  'publicAccessBlock', 'replication', 'requestPayment', 'restore', 'retention', 'select', 'tagging', 'torrent',
  'versions', 'website',
];

/** Bucket and key from the Host header (virtual-hosted style) or else the path. */
export function address(request: ServiceRequest): { bucket: string; key: string } {
  const host = hostBucket(request.headers.host);
  const path = request.path;
  if (host !== undefined) return { bucket: host, key: decodeKey(path.slice(1)) };
  const slash = path.indexOf('/', 1);
  if (slash === -1) return { bucket: decodeKey(path.slice(1)), key: '' };
  return { bucket: decodeKey(path.slice(1, slash)), key: decodeKey(path.slice(slash + 1)) };
}

/**
 * `bucket.s3.<anything>` and `bucket.s3-<region>.amazonaws.com` (AWS hosts), `bucket.localhost` and
 * `bucket.s3.localhost` (local); IP addresses and bare hosts are path style.
 */
export function hostBucket(hostHeader: string | undefined): string | undefined {
  if (hostHeader === undefined) return undefined;
  let host = hostHeader.toLowerCase();
  if (host.startsWith('[')) return undefined;
  const colon = host.lastIndexOf(':');
  if (colon !== -1) host = host.slice(0, colon);
  const s3 = host.indexOf('.s3.');
  if (s3 > 0) return host.slice(0, s3);
  const legacy = /^(.+)\.s3-[a-z0-9-]+\.amazonaws\.com$/.exec(host);
  if (legacy !== null) return legacy[1];
  if (host.endsWith('.localhost') && !host.startsWith('s3.')) return host.slice(0, -'.localhost'.length);
  return undefined;
}

function decodeKey(raw: string): string {
  if (!raw.includes('%')) return raw;
  try {
    return decodeURIComponent(raw);
  } catch {
    throw s3Error('InvalidURI', { URI: raw });
  }
}

export function routeRequest(request: ServiceRequest, query: QueryMap): S3Route {
  const { bucket, key } = address(request);
  return { operation: operationOf(request, query, bucket, key), bucket, key };
}

function operationOf(request: ServiceRequest, query: QueryMap, bucket: string, key: string): S3Operation {
  const method = request.method;
  const has = (name: string) => query[name] !== undefined;
  if (UNSUPPORTED.some(has)) throw s3Error('NotImplemented');
  if (bucket === '') {
    if (method === 'GET') return 'ListBuckets';
    throw methodNotAllowed(method, 'SERVICE');
  }
  if (key === '') {
    switch (method) {
      case 'GET':
        if (has('location')) return 'GetBucketLocation';
        if (has('policy')) return 'GetBucketPolicy';
        if (has('versioning')) return 'GetBucketVersioning';
        if (has('acl')) return 'GetBucketAcl';
        if (has('uploads')) return 'ListMultipartUploads';
        return queryValue(query, 'list-type') === '2' ? 'ListObjectsV2' : 'ListObjects';
      case 'HEAD':
        return 'HeadBucket';
      case 'PUT':
        if (has('policy')) return 'PutBucketPolicy';
        if (has('versioning') || has('acl')) throw s3Error('NotImplemented');
        return 'CreateBucket';
      case 'DELETE':
        if (has('policy')) return 'DeleteBucketPolicy';
        return 'DeleteBucket';
      case 'POST':
        if (has('delete')) return 'DeleteObjects';
        throw s3Error('NotImplemented');
    }
    throw methodNotAllowed(method, 'BUCKET');
  }
  const copy = request.headers['x-amz-copy-source'] !== undefined;
  switch (method) {
    case 'GET':
      if (has('uploadId')) return 'ListParts';
      if (has('acl')) return 'GetObjectAcl';
      return 'GetObject';
    case 'HEAD':
      return 'HeadObject';
    case 'PUT':
      if (has('acl')) throw s3Error('NotImplemented');
      if (has('uploadId') || has('partNumber')) return copy ? 'UploadPartCopy' : 'UploadPart';
      return copy ? 'CopyObject' : 'PutObject';
    case 'DELETE':
      return has('uploadId') ? 'AbortMultipartUpload' : 'DeleteObject';
    case 'POST':
      if (has('uploads')) return 'CreateMultipartUpload';
      if (has('uploadId')) return 'CompleteMultipartUpload';
      throw s3Error('NotImplemented');
  }
  throw methodNotAllowed(method, 'OBJECT');
}

function methodNotAllowed(method: string, resourceType: string) {
  return s3Error('MethodNotAllowed', { Method: method, ResourceType: resourceType });
}
