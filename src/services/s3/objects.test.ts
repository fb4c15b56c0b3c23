// Object operations through @aws-sdk/client-s3: exact byte round trips (including the SDK's
// default aws-chunked + CRC32 trailer upload), representation headers and metadata, ranges,
// conditional requests, integrity checks, deletes and copies. AWS facts cited per test.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  type GetObjectCommandInput,
  type GetObjectCommandOutput,
} from '@aws-sdk/client-s3';
import { startS3, type TestS3 } from './testing.js';

const BUCKET = 'objects-bucket';
const AUTH = { authorization: 'AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/s3/aws4_request' };
let s3: TestS3;
let client: S3Client;

before(async () => {
  s3 = await startS3();
  client = new S3Client({ endpoint: s3.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
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

async function getBytes(input: Omit<GetObjectCommandInput, 'Bucket'>): Promise<{ bytes: Buffer; output: GetObjectCommandOutput }> {
  const output = await client.send(new GetObjectCommand({ Bucket: BUCKET, ...input }));
  const bytes = Buffer.from(await output.Body!.transformToByteArray());
  return { bytes, output };
}

const md5Etag = (data: Buffer) => `"${createHash('md5').update(data).digest('hex')}"`;

test('PutObject/GetObject round-trip bytes exactly: buffer, aws-chunked stream with CRC32 trailer, empty, unicode key', async () => {
  const binary = randomBytes(1024 * 1024 + 17);
  const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bin/buffer', Body: binary }));
  // ETag of a single-part upload is the quoted MD5 hex (S3 API Reference, Common Response Headers "ETag").
  assert.equal(put.ETag, md5Etag(binary));
  assert.ok(put.ChecksumCRC32);
  const got = await getBytes({ Key: 'bin/buffer' });
  assert.ok(got.bytes.equals(binary));
  assert.equal(got.output.ETag, md5Etag(binary));
  assert.equal(got.output.ChecksumCRC32, put.ChecksumCRC32);

  // A stream body makes SDK v3 send Content-Encoding: aws-chunked + STREAMING-UNSIGNED-PAYLOAD-TRAILER.
  const streamed = randomBytes(300_001);
  const chunks = [streamed.subarray(0, 65536), streamed.subarray(65536, 200000), streamed.subarray(200000)];
  const putStream = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'bin/stream', Body: Readable.from(chunks), ContentLength: streamed.length }));
  assert.equal(putStream.ETag, md5Etag(streamed));
  const gotStream = await getBytes({ Key: 'bin/stream' });
  assert.ok(gotStream.bytes.equals(streamed));
  // aws-chunked is a transfer detail: it is not stored as the object's Content-Encoding.
  assert.equal(gotStream.output.ContentEncoding, undefined);

  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'empty', Body: '' }));
  const empty = await getBytes({ Key: 'empty' });
  assert.equal(empty.bytes.length, 0);
  assert.equal(empty.output.ETag, '"d41d8cd98f00b204e9800998ecf8427e"');

  const key = 'dir/ä ö+&=?#%[]{}~!\'()*.txt';
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: 'unicode ✓' }));
  assert.equal((await getBytes({ Key: key })).bytes.toString(), 'unicode ✓');
});

test('representation headers and x-amz-meta-* are stored and returned; default type binary/octet-stream', async () => {
  const expires = new Date('2030-01-01T00:00:00Z');
  await client.send(
    new PutObjectCommand({
      Bucket: BUCKET,
      Key: 'meta.txt',
      Body: 'hello',
      ContentType: 'text/plain; charset=utf-8',
      ContentEncoding: 'identity',
      ContentDisposition: 'attachment; filename="m.txt"',
      ContentLanguage: 'en',
      CacheControl: 'max-age=60',
      Expires: expires,
      Metadata: { 'Owner-Name': 'ana', color: 'blue' },
    }),
  );
  const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'meta.txt' }));
  assert.equal(head.ContentType, 'text/plain; charset=utf-8');
  assert.equal(head.ContentEncoding, 'identity');
  assert.equal(head.ContentDisposition, 'attachment; filename="m.txt"');
  assert.equal(head.ContentLanguage, 'en');
  assert.equal(head.CacheControl, 'max-age=60');
  assert.equal(head.ContentLength, 5);
  // User metadata names are stored lowercase (User Guide, UsingMetadata.html).
  assert.deepEqual(head.Metadata, { 'owner-name': 'ana', color: 'blue' });
  const raw = await fetch(`${s3.url}/${BUCKET}/meta.txt`, { method: 'HEAD', headers: AUTH });
  assert.match(raw.headers.get('last-modified')!, /^[A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/);
  assert.equal(raw.headers.get('expires'), expires.toUTCString());
  assert.equal(raw.headers.get('accept-ranges'), 'bytes');

  await fetch(`${s3.url}/${BUCKET}/untyped`, { method: 'PUT', headers: AUTH, body: new Uint8Array([120]) });
  assert.equal((await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'untyped' }))).ContentType, 'binary/octet-stream');
});

test('Range GET: 206 with Content-Range; past the end is InvalidRange (416)', async () => {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Body: 'hello world' }));
  const cases: [string, string, string][] = [
    ['bytes=0-4', 'hello', 'bytes 0-4/11'],
    ['bytes=6-', 'world', 'bytes 6-10/11'],
    ['bytes=-3', 'rld', 'bytes 8-10/11'],
    ['bytes=8-100', 'rld', 'bytes 8-10/11'],
  ];
  for (const [range, body, contentRange] of cases) {
    const got = await getBytes({ Key: 'range.txt', Range: range });
    assert.equal(got.bytes.toString(), body, range);
    assert.equal(got.output.ContentRange, contentRange);
    assert.equal(got.output.$metadata.httpStatusCode, 206);
  }
  const error = await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'range.txt', Range: 'bytes=11-' })));
  assert.equal(error.name, 'InvalidRange');
  assert.equal(error.$metadata.httpStatusCode, 416);
});

test('conditional GET: 304 / 412 with S3 precedence rules', async () => {
  const put = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', Body: 'v1' }));
  const etag = put.ETag!;
  const past = new Date(Date.now() - 3600_000);
  const future = new Date(Date.now() + 3600_000);
  const status = async (input: Omit<GetObjectCommandInput, 'Bucket' | 'Key'>) => {
    try {
      return (await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', ...input }))).$metadata.httpStatusCode;
    } catch (error) {
      return (error as S3ServiceException).$metadata.httpStatusCode;
    }
  };
  assert.equal(await status({ IfMatch: etag }), 200);
  assert.equal(await status({ IfMatch: '"0000"' }), 412);
  assert.equal(await status({ IfNoneMatch: etag }), 304);
  assert.equal(await status({ IfNoneMatch: '"0000"' }), 200);
  assert.equal(await status({ IfModifiedSince: future }), 304);
  assert.equal(await status({ IfModifiedSince: past }), 200);
  assert.equal(await status({ IfUnmodifiedSince: past }), 412);
  // S3 API Reference, GetObject: If-Match true + If-Unmodified-Since false -> 200;
  // If-None-Match false + If-Modified-Since true -> 304.
  assert.equal(await status({ IfMatch: etag, IfUnmodifiedSince: past }), 200);
  assert.equal(await status({ IfNoneMatch: etag, IfModifiedSince: past }), 304);
  const error = await failure(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'cond.txt', IfMatch: '"0000"' })));
  assert.equal(error.$metadata.httpStatusCode, 412);
});

test('conditional writes: If-None-Match: * refuses an existing key; If-Match needs the current ETag', async () => {
  // User Guide, conditional-writes.html.
  const first = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once.txt', Body: 'a', IfNoneMatch: '*' }));
  const again = await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once.txt', Body: 'b', IfNoneMatch: '*' })));
  assert.equal(again.name, 'PreconditionFailed');
  assert.equal(again.$metadata.httpStatusCode, 412);
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once.txt', Body: 'c', IfMatch: first.ETag }));
  const stale = await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'once.txt', Body: 'd', IfMatch: first.ETag })));
  assert.equal(stale.name, 'PreconditionFailed');
  assert.equal((await getBytes({ Key: 'once.txt' })).bytes.toString(), 'c');
});

test('Content-MD5 and x-amz-checksum-* are verified: InvalidDigest / BadDigest', async () => {
  const wrongMd5 = createHash('md5').update('other').digest('base64');
  const bad = await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'md5.txt', Body: 'data', ContentMD5: wrongMd5 })));
  assert.equal(bad.name, 'BadDigest');
  assert.equal(bad.message, 'The Content-MD5 you specified did not match what we received.');
  const invalid = await fetch(`${s3.url}/${BUCKET}/md5.txt`, { method: 'PUT', headers: { ...AUTH, 'content-md5': 'nope' }, body: 'data' });
  assert.equal(invalid.status, 400);
  assert.match(await invalid.text(), /<Code>InvalidDigest<\/Code>/);
  const badCrc = await failure(client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'crc.txt', Body: 'data', ChecksumCRC32: 'AAAAAA==' })));
  assert.equal(badCrc.name, 'BadDigest');
  assert.equal(badCrc.message, 'The CRC32 you specified did not match the calculated checksum.');
  const good = await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'sha.txt', Body: 'data', ChecksumAlgorithm: 'SHA256' }));
  assert.equal(good.ChecksumSHA256, createHash('sha256').update('data').digest('base64'));
  const missing = await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'md5.txt' })));
  assert.equal(missing.name, 'NoSuchKey');
});

test('DeleteObject (204 even when absent) and DeleteObjects (XML, Quiet)', async () => {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'del/a', Body: 'a' }));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'del/b', Body: 'b' }));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'del/c', Body: 'c' }));
  const single = await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'del/a' }));
  assert.equal(single.$metadata.httpStatusCode, 204);
  assert.equal((await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'del/a' }))).$metadata.httpStatusCode, 204);
  const missing = await failure(client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'del/a' })));
  assert.equal(missing.name, 'NoSuchKey');
  assert.equal((missing as unknown as { Key: string }).Key, 'del/a');

  const many = await client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'del/b' }, { Key: 'del/nope' }] } }));
  assert.deepEqual(many.Deleted!.map((d) => d.Key).sort(), ['del/b', 'del/nope']);
  const quiet = await client.send(new DeleteObjectsCommand({ Bucket: BUCKET, Delete: { Objects: [{ Key: 'del/c' }], Quiet: true } }));
  assert.equal(quiet.Deleted, undefined);
  assert.equal((await failure(client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'del/c' })))).$metadata.httpStatusCode, 404);
});

test('CopyObject: COPY keeps metadata, REPLACE takes the request\'s; self-copy without change is refused', async () => {
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'src/ä b.txt', Body: 'copy me', ContentType: 'text/plain', Metadata: { a: '1' } }));
  const copy = await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst/one.txt', CopySource: `${BUCKET}/${encodeURIComponent('src/ä b.txt')}` }));
  assert.equal(copy.CopyObjectResult!.ETag, md5Etag(Buffer.from('copy me')));
  assert.ok(copy.CopyObjectResult!.LastModified instanceof Date);
  const copied = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dst/one.txt' }));
  assert.deepEqual([copied.ContentType, copied.Metadata], ['text/plain', { a: '1' }]);

  await client.send(
    new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst/two.txt', CopySource: `/${BUCKET}/src/${encodeURIComponent('ä b.txt')}`, MetadataDirective: 'REPLACE', ContentType: 'text/csv', Metadata: { b: '2' } }),
  );
  const replaced = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'dst/two.txt' }));
  assert.deepEqual([replaced.ContentType, replaced.Metadata], ['text/csv', { b: '2' }]);
  assert.equal((await getBytes({ Key: 'dst/two.txt' })).bytes.toString(), 'copy me');

  // S3 API Reference, CopyObject: copying an object to itself needs a change (e.g. MetadataDirective REPLACE).
  const self = await failure(client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst/one.txt', CopySource: `${BUCKET}/dst/one.txt` })));
  assert.equal(self.name, 'InvalidRequest');
  await client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'dst/one.txt', CopySource: `${BUCKET}/dst/one.txt`, MetadataDirective: 'REPLACE' }));
  const noSource = await failure(client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'x', CopySource: `${BUCKET}/no/such/key` })));
  assert.equal(noSource.name, 'NoSuchKey');
  const failed = await failure(client.send(new CopyObjectCommand({ Bucket: BUCKET, Key: 'y', CopySource: `${BUCKET}/dst/two.txt`, CopySourceIfMatch: '"0000"' })));
  assert.equal(failed.$metadata.httpStatusCode, 412);
});

test('a STREAMING-AWS4-HMAC-SHA256-PAYLOAD body (the S3 docs chunked PUT example) is decoded', async () => {
  // S3 API Reference, sigv4-streaming.html "Example: PUT Object": 66560 bytes of 'a' in 64 KB chunks.
  // With verification off the chunk signatures are not checked; the body is still de-chunked.
  const data = Buffer.alloc(66560, 'a');
  const body = Buffer.concat([
    Buffer.from('10000;chunk-signature=ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648\r\n'),
    data.subarray(0, 65536),
    Buffer.from('\r\n400;chunk-signature=0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497\r\n'),
    data.subarray(65536),
    Buffer.from('\r\n0;chunk-signature=b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9\r\n\r\n'),
  ]);
  const res = await fetch(`${s3.url}/${BUCKET}/chunkObject.txt`, {
    method: 'PUT',
    headers: {
      authorization:
        'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
      'x-amz-date': '20130524T000000Z',
      'x-amz-storage-class': 'REDUCED_REDUNDANCY',
      'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
      'content-encoding': 'aws-chunked',
      'x-amz-decoded-content-length': '66560',
    },
    body: new Uint8Array(body),
  });
  assert.equal(res.status, 200);
  assert.equal(res.headers.get('etag'), md5Etag(data));
  const got = await getBytes({ Key: 'chunkObject.txt' });
  assert.ok(got.bytes.equals(data));
  assert.equal(got.output.StorageClass, 'REDUCED_REDUNDANCY');
});
