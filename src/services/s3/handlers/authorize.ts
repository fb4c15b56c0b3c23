/**
 * Anonymous requests: allowed only when the bucket policy grants the operation's action to
 * "Principal": "*". A missing key reads as AccessDenied unless s3:ListBucket is granted too.
 * AWS docs: Amazon S3 User Guide "Policy actions for Amazon S3" (using-with-s3-policy-actions.html),
 * API Reference API_GetObject.html ("If you don't have the s3:ListBucket permission, Amazon S3
 * returns an HTTP status code 403").
 */
import type { ServiceRequest } from '../../service.js';
import { noSuchBucket, s3Error, type S3Error } from '../errors.js';
import type { S3Context } from '../operations/context.js';
import { allowsAnonymous, bucketArn, objectArn } from '../operations/policy.js';
import { readCopySource } from '../protocol/headers.js';
import type { S3Operation, S3Route } from '../protocol/route.js';

/** The IAM action each operation needs and whether it names the bucket or the object; null: never anonymous. */
const ACTIONS: Record<S3Operation, { action: string; on: 'bucket' | 'object' } | null> = {
  ListBuckets: null,
  CreateBucket: null,
  DeleteBucket: { action: 's3:DeleteBucket', on: 'bucket' },
  HeadBucket: { action: 's3:ListBucket', on: 'bucket' },
  GetBucketLocation: { action: 's3:GetBucketLocation', on: 'bucket' },
  GetBucketVersioning: { action: 's3:GetBucketVersioning', on: 'bucket' },
  GetBucketAcl: { action: 's3:GetBucketAcl', on: 'bucket' },
  PutBucketPolicy: { action: 's3:PutBucketPolicy', on: 'bucket' },
  GetBucketPolicy: { action: 's3:GetBucketPolicy', on: 'bucket' },
  DeleteBucketPolicy: { action: 's3:DeleteBucketPolicy', on: 'bucket' },
  ListObjects: { action: 's3:ListBucket', on: 'bucket' },
  ListObjectsV2: { action: 's3:ListBucket', on: 'bucket' },
  ListMultipartUploads: { action: 's3:ListBucketMultipartUploads', on: 'bucket' },
  // Checked per key by the handler.
  DeleteObjects: { action: '', on: 'bucket' },
  PutObject: { action: 's3:PutObject', on: 'object' },
  CopyObject: { action: 's3:PutObject', on: 'object' },
  GetObject: { action: 's3:GetObject', on: 'object' },
  HeadObject: { action: 's3:GetObject', on: 'object' },
  GetObjectAcl: { action: 's3:GetObjectAcl', on: 'object' },
  DeleteObject: { action: 's3:DeleteObject', on: 'object' },
  CreateMultipartUpload: { action: 's3:PutObject', on: 'object' },
  UploadPart: { action: 's3:PutObject', on: 'object' },
  UploadPartCopy: { action: 's3:PutObject', on: 'object' },
  CompleteMultipartUpload: { action: 's3:PutObject', on: 'object' },
  AbortMultipartUpload: { action: 's3:AbortMultipartUpload', on: 'object' },
  ListParts: { action: 's3:ListMultipartUploadParts', on: 'object' },
};

export function authorizeAnonymous(context: S3Context, route: S3Route, request: ServiceRequest): void {
  const rule = ACTIONS[route.operation];
  if (rule === null) throw s3Error('AccessDenied');
  // Whether a bucket exists is not a secret: S3 answers NoSuchBucket to anyone.
  const bucket = context.store.getBucket(route.bucket);
  if (bucket === undefined) throw noSuchBucket(route.bucket);
  if (rule.action === '') return;
  const resource = rule.on === 'bucket' ? bucketArn(route.bucket) : objectArn(route.bucket, route.key);
  if (!allowsAnonymous(bucket.policy, rule.action, resource)) throw s3Error('AccessDenied');
  if (route.operation === 'CopyObject' || route.operation === 'UploadPartCopy') {
    const source = readCopySource(request.headers);
    const policy = context.store.getBucket(source.bucket)?.policy ?? null;
    if (!allowsAnonymous(policy, 's3:GetObject', objectArn(source.bucket, source.key))) throw s3Error('AccessDenied');
  }
}

/** NoSuchKey tells an anonymous caller the key is absent only when it may list the bucket. */
export function hideMissingKey(context: S3Context, route: S3Route, error: S3Error): S3Error {
  if (error.code !== 'NoSuchKey') return error;
  const policy = context.store.getBucket(route.bucket)?.policy ?? null;
  return allowsAnonymous(policy, 's3:ListBucket', bucketArn(route.bucket)) ? error : s3Error('AccessDenied');
}
