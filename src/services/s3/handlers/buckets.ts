/**
 * REST handlers for the bucket operations. AWS docs: Amazon S3 API Reference
 * API_CreateBucket.html, API_DeleteBucket.html, API_HeadBucket.html, API_ListBuckets.html,
 * API_GetBucketLocation.html, API_GetBucketVersioning.html, API_GetBucketAcl.html,
 * API_PutBucketPolicy.html, API_GetBucketPolicy.html, API_DeleteBucketPolicy.html.
 */
import { invalidArgument, malformedXml, noSuchKey } from '../errors.js';
import * as buckets from '../operations/buckets.js';
import { isoDate } from '../protocol/headers.js';
import { childText, document, element, parseXml } from '../protocol/xml.js';
import { intParam, ownerXml, param, type S3Call } from './call.js';

export function listBuckets(call: S3Call): void {
  const token = param(call, 'continuation-token');
  const prefix = param(call, 'prefix');
  const region = param(call, 'bucket-region');
  const maxBuckets = param(call, 'max-buckets') === undefined ? undefined : intParam(call, 'max-buckets', 10000, 10000, 'Invalid max-buckets');
  let after: string | undefined;
  if (token !== undefined) {
    after = Buffer.from(token, 'base64url').toString('utf8');
    if (token === '' || after === '') throw invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  }
  const result = buckets.listBuckets(call.context, { prefix, maxBuckets, after, region });
  let body = ownerXml(call.context.owner) + '<Buckets>';
  for (const bucket of result.buckets) {
    body += `<Bucket>${element('Name', bucket.name)}${element('CreationDate', isoDate(bucket.created))}${element('BucketRegion', bucket.region)}</Bucket>`;
  }
  body += '</Buckets>';
  if (result.last !== undefined) body += element('ContinuationToken', Buffer.from(result.last, 'utf8').toString('base64url'));
  if (prefix !== undefined) body += element('Prefix', prefix);
  call.out.xml(200, document('ListAllMyBucketsResult', body));
}

export async function createBucket(call: S3Call): Promise<void> {
  let locationConstraint: string | undefined;
  const text = call.request.body.toString('utf8').trim();
  if (text !== '') {
    const root = parseXml(text);
    if (root.name !== 'CreateBucketConfiguration') throw malformedXml();
    const value = childText(root, 'LocationConstraint');
    if (value !== undefined && value !== '') locationConstraint = value;
  }
  const result = await buckets.createBucket(call.context, { bucket: call.route.bucket, locationConstraint });
  call.out.send(200, { Location: result.location });
}

export async function deleteBucket(call: S3Call): Promise<void> {
  await buckets.deleteBucket(call.context, { bucket: call.route.bucket });
  call.out.send(204);
}

export function headBucket(call: S3Call): void {
  const { region } = buckets.headBucket(call.context, { bucket: call.route.bucket });
  call.out.send(200, { 'x-amz-bucket-region': region, 'x-amz-access-point-alias': 'false' });
}

export function getBucketLocation(call: S3Call): void {
  const { locationConstraint } = buckets.getBucketLocation(call.context, { bucket: call.route.bucket });
  call.out.xml(200, document('LocationConstraint', locationConstraint));
}

/** Versioning was never enabled: an empty configuration (S3 API Reference, GetBucketVersioning). */
export function getBucketVersioning(call: S3Call): void {
  buckets.requireBucket(call.context, call.route.bucket);
  call.out.xml(200, document('VersioningConfiguration', ''));
}

/** GetBucketAcl / GetObjectAcl: ACLs are disabled (bucket owner enforced, S3's default), the owner holds FULL_CONTROL. */
export function getAcl(call: S3Call): void {
  buckets.requireBucket(call.context, call.route.bucket);
  if (call.route.key !== '' && call.context.store.getObject(call.route.bucket, call.route.key) === undefined) throw noSuchKey(call.route.key);
  const owner = call.context.owner;
  const grantee =
    `<Grantee xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="CanonicalUser">` +
    `${element('ID', owner.id)}${element('DisplayName', owner.displayName)}</Grantee>`;
  call.out.xml(200, document('AccessControlPolicy', `${ownerXml(owner)}<AccessControlList><Grant>${grantee}<Permission>FULL_CONTROL</Permission></Grant></AccessControlList>`));
}

export async function putBucketPolicy(call: S3Call): Promise<void> {
  await buckets.putBucketPolicy(call.context, { bucket: call.route.bucket, policy: call.request.body.toString('utf8') });
  call.out.send(204);
}

export function getBucketPolicy(call: S3Call): void {
  const policy = buckets.getBucketPolicy(call.context, { bucket: call.route.bucket });
  call.out.send(200, { 'Content-Type': 'application/json' }, policy);
}

export async function deleteBucketPolicy(call: S3Call): Promise<void> {
  await buckets.deleteBucketPolicy(call.context, { bucket: call.route.bucket });
  call.out.send(204);
}
