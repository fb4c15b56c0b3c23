// Bucket operations through @aws-sdk/client-s3 against a real server, the XML error shape, the
// endpoint's claim rules and template buckets. AWS facts cited per test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import {
  type BucketLocationConstraint,
  CreateBucketCommand,
  DeleteBucketCommand,
  GetBucketAclCommand,
  GetBucketLocationCommand,
  GetBucketVersioningCommand,
  HeadBucketCommand,
  ListBucketsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import type { ServiceRequest } from '../service.js';
import { matches } from './index.js';
import { startS3, templateResource, type TestS3 } from './testing.js';

let s3: TestS3;
let client: S3Client;

before(async () => {
  s3 = await startS3({ resources: [templateResource('Assets', 'AWS::S3::Bucket', 'template-assets')] });
  client = new S3Client({ endpoint: s3.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
});
after(async () => {
  client.destroy();
  await s3.close();
});

async function failure(promise: Promise<unknown>): Promise<S3ServiceException> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof S3ServiceException, String(error));
    return error;
  }
  assert.fail('expected an S3 error');
}

test('CreateBucket, HeadBucket, ListBuckets, GetBucketLocation', async () => {
  await client.send(new CreateBucketCommand({ Bucket: 'alpha-bucket' }));
  await client.send(new CreateBucketCommand({ Bucket: 'beta-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-west-1' } }));
  const head = await client.send(new HeadBucketCommand({ Bucket: 'beta-bucket' }));
  assert.equal(head.BucketRegion, 'eu-west-1');
  const list = await client.send(new ListBucketsCommand({}));
  const names = list.Buckets!.map((b) => b.Name);
  assert.deepEqual(
    names.filter((n) => n !== 'template-assets'),
    ['alpha-bucket', 'beta-bucket'],
  );
  assert.ok(list.Buckets![0]!.CreationDate instanceof Date);
  assert.match(list.Owner!.ID!, /^[0-9a-f]{64}$/);
  // GetBucketLocation: us-east-1 buckets answer an empty LocationConstraint (S3 API Reference, GetBucketLocation).
  assert.equal((await client.send(new GetBucketLocationCommand({ Bucket: 'alpha-bucket' }))).LocationConstraint ?? '', '');
  assert.equal((await client.send(new GetBucketLocationCommand({ Bucket: 'beta-bucket' }))).LocationConstraint, 'eu-west-1');
});

test('ListBuckets pages with MaxBuckets; versioning never enabled; ACLs: the owner has FULL_CONTROL', async () => {
  const first = await client.send(new ListBucketsCommand({ MaxBuckets: 1 }));
  assert.equal(first.Buckets!.length, 1);
  assert.ok(first.ContinuationToken);
  const rest = await client.send(new ListBucketsCommand({ MaxBuckets: 100, ContinuationToken: first.ContinuationToken }));
  assert.ok(!rest.Buckets!.some((b) => b.Name === first.Buckets![0]!.Name));
  assert.equal(rest.ContinuationToken, undefined);
  // GetBucketVersioning: no Status element when versioning was never enabled (S3 API Reference).
  assert.equal((await client.send(new GetBucketVersioningCommand({ Bucket: 'alpha-bucket' }))).Status, undefined);
  const acl = await client.send(new GetBucketAclCommand({ Bucket: 'alpha-bucket' }));
  assert.equal(acl.Grants![0]!.Permission, 'FULL_CONTROL');
  assert.equal(acl.Grants![0]!.Grantee!.ID, acl.Owner!.ID);
});

test('re-creating an owned bucket: 200 in us-east-1, BucketAlreadyOwnedByYou (409) elsewhere', async () => {
  // S3 API Reference, CreateBucket errors: "returns this error in all AWS Regions except in the North Virginia Region".
  await client.send(new CreateBucketCommand({ Bucket: 'gamma-bucket' }));
  await client.send(new CreateBucketCommand({ Bucket: 'gamma-bucket' }));
  await client.send(new CreateBucketCommand({ Bucket: 'delta-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } }));
  const error = await failure(client.send(new CreateBucketCommand({ Bucket: 'delta-bucket', CreateBucketConfiguration: { LocationConstraint: 'eu-central-1' } })));
  assert.equal(error.name, 'BucketAlreadyOwnedByYou');
  assert.equal(error.$metadata.httpStatusCode, 409);
});

test('invalid names and an explicit us-east-1 constraint are refused', async () => {
  // User Guide, bucketnamingrules.html: 3-63 lowercase letters, digits, dots, hyphens.
  for (const name of ['ab', 'Upper-Case', 'under_score', '192.168.1.1', 'a..b']) {
    const error = await failure(client.send(new CreateBucketCommand({ Bucket: name })));
    assert.equal(error.name, 'InvalidBucketName', name);
  }
  const error = await failure(client.send(new CreateBucketCommand({ Bucket: 'epsilon-bucket', CreateBucketConfiguration: { LocationConstraint: 'us-east-1' as BucketLocationConstraint } })));
  assert.equal(error.name, 'InvalidLocationConstraint');
});

test('DeleteBucket: BucketNotEmpty (409) while objects remain; then 404 on HeadBucket', async () => {
  await client.send(new CreateBucketCommand({ Bucket: 'zeta-bucket' }));
  await client.send(new PutObjectCommand({ Bucket: 'zeta-bucket', Key: 'k', Body: 'v' }));
  const error = await failure(client.send(new DeleteBucketCommand({ Bucket: 'zeta-bucket' })));
  assert.equal(error.name, 'BucketNotEmpty');
  assert.equal(error.$metadata.httpStatusCode, 409);
  const raw = await fetch(`${s3.url}/zeta-bucket/k`, { method: 'DELETE', headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/s3/aws4_request' } });
  assert.equal(raw.status, 204);
  await client.send(new DeleteBucketCommand({ Bucket: 'zeta-bucket' }));
  const gone = await failure(client.send(new HeadBucketCommand({ Bucket: 'zeta-bucket' })));
  assert.equal(gone.$metadata.httpStatusCode, 404);
});

test('errors are S3 XML with the request id headers, Date and the fields S3 adds', async () => {
  // S3 API Reference, ErrorResponses.html: <Error><Code/><Message/><Resource|BucketName/><RequestId/><HostId/></Error>.
  const res = await fetch(`${s3.url}/no-such-bucket-here/some/key`, { headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/s3/aws4_request' } });
  assert.equal(res.status, 404);
  assert.equal(res.headers.get('content-type'), 'application/xml');
  const requestId = res.headers.get('x-amz-request-id')!;
  assert.match(requestId, /^[0-9A-F]{16}$/);
  assert.ok(res.headers.get('x-amz-id-2'));
  assert.match(res.headers.get('date')!, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  const body = await res.text();
  assert.ok(body.startsWith('<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>NoSuchBucket</Code><Message>The specified bucket does not exist</Message>'), body);
  assert.ok(body.includes('<BucketName>no-such-bucket-here</BucketName>'));
  assert.ok(body.includes(`<RequestId>${requestId}</RequestId>`));
});

test('template buckets exist at start and survive a restart', async () => {
  await client.send(new HeadBucketCommand({ Bucket: 'template-assets' }));
  await s3.restart();
  await client.send(new HeadBucketCommand({ Bucket: 'template-assets' }));
});

test('virtual-hosted-style requests (bucket.s3.localhost, bucket.localhost)', async () => {
  await client.send(new PutObjectCommand({ Bucket: 'template-assets', Key: 'dir/v.txt', Body: 'virtual' }));
  const { request } = await import('node:http');
  for (const host of [`template-assets.s3.localhost:${s3.port}`, `template-assets.localhost:${s3.port}`]) {
    const body = await new Promise<string>((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: s3.port, path: '/dir/v.txt', headers: { host, authorization: 'AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/s3/aws4_request' } },
        (res: IncomingMessage) => {
          let text = '';
          res.on('data', (c: Buffer) => (text += c.toString()));
          res.on('end', () => resolve(`${res.statusCode} ${text}`));
        },
      );
      req.on('error', reject);
      req.end();
    });
    assert.equal(body, '200 virtual', host);
  }
});

test('the endpoint claim: not JSON or query protocol, not /_gatehouse/, not signed for another service', () => {
  const req = (over: Partial<ServiceRequest>): ServiceRequest => ({
    raw: {} as IncomingMessage,
    method: 'GET',
    path: '/bucket/key',
    query: '',
    headers: {},
    body: Buffer.alloc(0),
    ...over,
  });
  assert.equal(matches(req({})), true);
  assert.equal(matches(req({ path: '/_gatehouse/health' })), false);
  assert.equal(matches(req({ headers: { 'x-amz-target': 'DynamoDB_20120810.GetItem' } })), false);
  assert.equal(matches(req({ query: 'Action=SendMessage&Version=2012-11-05' })), false);
  assert.equal(matches(req({ method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: Buffer.from('Action=Publish&TopicArn=x') })), false);
  assert.equal(matches(req({ headers: { authorization: 'AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/sqs/aws4_request, SignedHeaders=host, Signature=0' } })), false);
  assert.equal(matches(req({ query: 'X-Amz-Credential=x%2F20250101%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Signature=0' })), true);
});
