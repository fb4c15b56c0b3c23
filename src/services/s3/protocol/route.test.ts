// Addressing (User Guide, VirtualHosting.html: virtual-hosted style `bucket.s3.region.amazonaws.com`,
// path style `/bucket/key`) and operation selection by method, subresource and headers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import type { ServiceRequest } from '../../service.js';
import { parseQuery } from '../../sigv4/index.js';
import { hostBucket, routeRequest } from './route.js';

test('virtual-hosted bucket names come from the Host header; IPs and bare hosts are path style', () => {
  assert.equal(hostBucket('photos.s3.localhost:4566'), 'photos');
  assert.equal(hostBucket('my.dotted.bucket.localhost'), 'my.dotted.bucket');
  assert.equal(hostBucket('photos.s3.us-west-2.amazonaws.com'), 'photos');
  assert.equal(hostBucket('photos.s3-us-west-2.amazonaws.com'), 'photos');
  for (const host of ['127.0.0.1:4566', 'localhost:4566', 's3.localhost', 's3.amazonaws.com', '[::1]:4566', 'gatehouse:4566', undefined]) {
    assert.equal(hostBucket(host), undefined, String(host));
  }
});

function route(method: string, url: string, headers: Record<string, string> = {}) {
  const q = url.indexOf('?');
  const request: ServiceRequest = {
    raw: {} as IncomingMessage,
    method,
    path: q === -1 ? url : url.slice(0, q),
    query: q === -1 ? '' : url.slice(q + 1),
    headers: { host: '127.0.0.1:4566', ...headers },
    body: Buffer.alloc(0),
  };
  return routeRequest(request, parseQuery(request.query));
}

test('operations by method, subresource and headers; keys percent-decoded', () => {
  assert.deepEqual(route('GET', '/'), { operation: 'ListBuckets', bucket: '', key: '' });
  assert.deepEqual(route('PUT', '/b/dir/a%20b%2Bc.txt'), { operation: 'PutObject', bucket: 'b', key: 'dir/a b+c.txt' });
  assert.equal(route('PUT', '/b/k', { 'x-amz-copy-source': '/b/src' }).operation, 'CopyObject');
  assert.equal(route('PUT', '/b/k?partNumber=1&uploadId=u').operation, 'UploadPart');
  assert.equal(route('PUT', '/b/k?partNumber=1&uploadId=u', { 'x-amz-copy-source': 'b/src' }).operation, 'UploadPartCopy');
  assert.equal(route('POST', '/b/k?uploads').operation, 'CreateMultipartUpload');
  assert.equal(route('POST', '/b/k?uploadId=u').operation, 'CompleteMultipartUpload');
  assert.equal(route('DELETE', '/b/k?uploadId=u').operation, 'AbortMultipartUpload');
  assert.equal(route('GET', '/b/k?uploadId=u').operation, 'ListParts');
  assert.equal(route('GET', '/b?uploads').operation, 'ListMultipartUploads');
  assert.equal(route('GET', '/b/?list-type=2&prefix=a').operation, 'ListObjectsV2');
  assert.equal(route('GET', '/b').operation, 'ListObjects');
  assert.equal(route('POST', '/b?delete').operation, 'DeleteObjects');
  assert.equal(route('GET', '/b?location').operation, 'GetBucketLocation');
  assert.deepEqual(route('GET', '/b//double//slash'), { operation: 'GetObject', bucket: 'b', key: '/double//slash' });
  assert.deepEqual(route('GET', '/k.txt', { host: 'b.s3.localhost:4566' }), { operation: 'GetObject', bucket: 'b', key: 'k.txt' });
  assert.throws(() => route('GET', '/b?tagging'), /not implemented/);
  assert.throws(() => route('PATCH', '/b/k'), /method is not allowed/);
  assert.throws(() => route('GET', '/b/%E0%A4%A'), /parse the specified URI/);
});
