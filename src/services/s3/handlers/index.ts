/**
 * The table from S3 operation to REST handler; every operation the router names has one.
 * AWS docs: Amazon S3 API Reference "Actions" (API_Operations_Amazon_Simple_Storage_Service.html).
 */
import type { S3Operation } from '../protocol/route.js';
import * as buckets from './buckets.js';
import type { Handler } from './call.js';
import * as list from './list.js';
import * as multipart from './multipart.js';
import * as objects from './objects.js';

export const HANDLERS: Readonly<Record<S3Operation, Handler>> = {
  ListBuckets: buckets.listBuckets,
  CreateBucket: buckets.createBucket,
  DeleteBucket: buckets.deleteBucket,
  HeadBucket: buckets.headBucket,
  GetBucketLocation: buckets.getBucketLocation,
  GetBucketVersioning: buckets.getBucketVersioning,
  GetBucketAcl: buckets.getAcl,
  PutBucketPolicy: buckets.putBucketPolicy,
  GetBucketPolicy: buckets.getBucketPolicy,
  DeleteBucketPolicy: buckets.deleteBucketPolicy,
  ListObjects: list.listObjectsV1,
  ListObjectsV2: list.listObjectsV2,
  ListMultipartUploads: multipart.listMultipartUploads,
  DeleteObjects: objects.deleteObjects,
  PutObject: objects.putObject,
  CopyObject: objects.copyObject,
  GetObject: objects.getObject,
  HeadObject: objects.headObject,
  GetObjectAcl: buckets.getAcl,
  DeleteObject: objects.deleteObject,
  CreateMultipartUpload: multipart.createMultipartUpload,
  UploadPart: multipart.uploadPart,
  UploadPartCopy: multipart.uploadPartCopy,
  CompleteMultipartUpload: multipart.completeMultipartUpload,
  AbortMultipartUpload: multipart.abortMultipartUpload,
  ListParts: multipart.listParts,
};
