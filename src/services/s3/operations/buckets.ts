/**
 * Bucket operations: CreateBucket, DeleteBucket, HeadBucket, ListBuckets, GetBucketLocation and
 * the bucket policy (Put/Get/DeleteBucketPolicy). AWS docs: Amazon S3 API Reference
 * API_CreateBucket.html, API_DeleteBucket.html, API_HeadBucket.html, API_ListBuckets.html,
 * API_GetBucketLocation.html, API_PutBucketPolicy.html; User Guide "Bucket naming rules"
 * (bucketnamingrules.html).
 */
import type { Bucket } from '../model.js';
import { noSuchBucket, s3Error } from '../errors.js';
import type { S3Context } from './context.js';
import { validatePolicy } from './policy.js';

const LEGACY_REGION = 'us-east-1';

/** General purpose bucket names: 3-63 of [a-z0-9.-], alphanumeric at both ends, no '..', not an IP. */
export function validBucketName(name: string): boolean {
  if (name.length < 3 || name.length > 63) return false;
  if (!/^[a-z0-9][a-z0-9.-]*[a-z0-9]$/.test(name)) return false;
  if (name.includes('..') || name.includes('.-') || name.includes('-.')) return false;
  if (/^\d+\.\d+\.\d+\.\d+$/.test(name)) return false;
  if (name.startsWith('xn--') || name.startsWith('sthree-') || name.endsWith('-s3alias') || name.endsWith('--ol-s3')) return false;
  return true;
}

export function requireBucket(context: S3Context, name: string): Bucket {
  const bucket = context.store.getBucket(name);
  if (bucket === undefined) throw noSuchBucket(name);
  return bucket;
}

/**
 * `locationConstraint` undefined means the legacy region. Re-creating an owned bucket is
 * BucketAlreadyOwnedByYou (409), except in us-east-1 where S3 answers 200 for compatibility.
 */
export async function createBucket(context: S3Context, input: { bucket: string; locationConstraint?: string }): Promise<{ location: string }> {
  if (!validBucketName(input.bucket)) throw s3Error('InvalidBucketName', { BucketName: input.bucket });
  // S3 refuses an explicit us-east-1 constraint; the legacy region is requested by sending none.
  if (input.locationConstraint === LEGACY_REGION) {
    throw s3Error('InvalidLocationConstraint', { LocationConstraint: input.locationConstraint });
  }
  const region = input.locationConstraint ?? context.region;
  if (!(await context.store.createBucket(input.bucket, region, context.now()))) {
    const existing = context.store.getBucket(input.bucket);
    if (!(existing?.region === LEGACY_REGION && region === LEGACY_REGION)) {
      throw s3Error('BucketAlreadyOwnedByYou', { BucketName: input.bucket });
    }
  }
  return { location: `/${input.bucket}` };
}

/** Creates the template's buckets at start; existing ones are left as they are. */
export async function ensureBucket(context: S3Context, name: string, region: string): Promise<void> {
  await context.store.createBucket(name, region, context.now());
}

export async function deleteBucket(context: S3Context, input: { bucket: string }): Promise<void> {
  const { result, blobs } = await context.store.deleteBucket(input.bucket);
  if (result === 'missing') throw noSuchBucket(input.bucket);
  if (result === 'not-empty') throw s3Error('BucketNotEmpty', { BucketName: input.bucket });
  await Promise.all(blobs.map((blob) => context.store.blobs.remove(blob)));
}

export function headBucket(context: S3Context, input: { bucket: string }): { region: string } {
  return { region: requireBucket(context, input.bucket).region };
}

export interface ListBucketsInput {
  prefix?: string;
  maxBuckets?: number;
  /** Name of the last bucket returned before (opaque to clients). */
  after?: string;
  region?: string;
}

export function listBuckets(context: S3Context, input: ListBucketsInput = {}): { buckets: Bucket[]; last?: string } {
  let buckets = context.store.listBuckets();
  if (input.prefix !== undefined) buckets = buckets.filter((b) => b.name.startsWith(input.prefix!));
  if (input.region !== undefined) buckets = buckets.filter((b) => b.region === input.region);
  if (input.after !== undefined) buckets = buckets.filter((b) => b.name > input.after!);
  if (input.maxBuckets !== undefined && buckets.length > input.maxBuckets) {
    buckets = buckets.slice(0, input.maxBuckets);
    return { buckets, last: buckets[buckets.length - 1]?.name };
  }
  return { buckets };
}

/** GetBucketLocation answers an empty constraint for us-east-1 (S3 API Reference). */
export function getBucketLocation(context: S3Context, input: { bucket: string }): { locationConstraint: string } {
  const bucket = requireBucket(context, input.bucket);
  return { locationConstraint: bucket.region === LEGACY_REGION ? '' : bucket.region };
}

export async function putBucketPolicy(context: S3Context, input: { bucket: string; policy: string }): Promise<void> {
  requireBucket(context, input.bucket);
  validatePolicy(input.policy);
  if (!(await context.store.setPolicy(input.bucket, input.policy))) throw noSuchBucket(input.bucket);
}

export function getBucketPolicy(context: S3Context, input: { bucket: string }): string {
  const bucket = requireBucket(context, input.bucket);
  if (bucket.policy === null) throw s3Error('NoSuchBucketPolicy', { BucketName: input.bucket });
  return bucket.policy;
}

export async function deleteBucketPolicy(context: S3Context, input: { bucket: string }): Promise<void> {
  requireBucket(context, input.bucket);
  await context.store.setPolicy(input.bucket, null);
}
