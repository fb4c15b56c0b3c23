// Multipart uploads through @aws-sdk/client-s3: the "<md5 of part md5s>-N" ETag, ListParts,
// ListMultipartUploads, part-size and order rules, abort, UploadPartCopy and composite
// checksums. AWS docs: API_CompleteMultipartUpload.html, API_UploadPart.html, qfacts.html,
// checking-object-integrity.html ("Using part-level checksums for multipart uploads").
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';
import {
  AbortMultipartUploadCommand,
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListMultipartUploadsCommand,
  ListPartsCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  UploadPartCommand,
  UploadPartCopyCommand,
  type UploadPartCommandOutput,
} from '@aws-sdk/client-s3';
import { startS3, type TestS3 } from './testing.js';

const BUCKET = 'multipart-bucket';
const MiB = 1024 * 1024;
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

const md5 = (data: Buffer) => createHash('md5').update(data).digest();

test('upload, list, complete: the object is the parts concatenated, ETag = md5(part md5s)-N', async () => {
  const parts = [randomBytes(5 * MiB), randomBytes(5 * MiB + 3), randomBytes(1234)];
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'big/file.bin', ContentType: 'application/x-test', Metadata: { m: 'v' } }));
  assert.ok(UploadId);
  const uploads = await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }));
  assert.deepEqual(uploads.Uploads!.map((u) => [u.Key, u.UploadId]), [['big/file.bin', UploadId]]);

  const etags: string[] = [];
  for (const [i, body] of parts.entries()) {
    const out: UploadPartCommandOutput = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'big/file.bin', UploadId, PartNumber: i + 1, Body: body }));
    assert.equal(out.ETag, `"${md5(body).toString('hex')}"`);
    etags.push(out.ETag!);
  }
  const listed = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'big/file.bin', UploadId, MaxParts: 2 }));
  assert.deepEqual(listed.Parts!.map((p) => [p.PartNumber, p.Size, p.ETag]), [[1, parts[0]!.length, etags[0]], [2, parts[1]!.length, etags[1]]]);
  assert.equal(listed.IsTruncated, true);
  const rest = await client.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'big/file.bin', UploadId, PartNumberMarker: listed.NextPartNumberMarker }));
  assert.deepEqual(rest.Parts!.map((p) => p.PartNumber), [3]);

  const done = await client.send(
    new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'big/file.bin', UploadId, MultipartUpload: { Parts: etags.map((ETag, i) => ({ ETag, PartNumber: i + 1 })) } }),
  );
  const expected = `"${createHash('md5').update(Buffer.concat(parts.map(md5))).digest('hex')}-3"`;
  assert.equal(done.ETag, expected);
  assert.equal(done.Key, 'big/file.bin');
  assert.equal(done.Location, `${s3.url}/${BUCKET}/big/file.bin`);

  const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/file.bin' }));
  assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat(parts)));
  assert.equal(got.ETag, expected);
  assert.equal(got.ContentType, 'application/x-test');
  assert.deepEqual(got.Metadata, { m: 'v' });
  const ranged = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'big/file.bin', Range: `bytes=${5 * MiB - 2}-${5 * MiB + 1}` }));
  assert.ok(Buffer.from(await ranged.Body!.transformToByteArray()).equals(Buffer.concat(parts).subarray(5 * MiB - 2, 5 * MiB + 2)));
  // A completed upload is gone (API_ListMultipartUploads.html lists in-progress uploads only).
  assert.equal((await client.send(new ListMultipartUploadsCommand({ Bucket: BUCKET }))).Uploads, undefined);
  const gone = await failure(client.send(new ListPartsCommand({ Bucket: BUCKET, Key: 'big/file.bin', UploadId })));
  assert.equal(gone.name, 'NoSuchUpload');
});

test('EntityTooSmall, InvalidPart, InvalidPartOrder, bad part numbers, abort', async () => {
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'small' }));
  const a = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'small', UploadId, PartNumber: 1, Body: 'aaa' }));
  const b = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'small', UploadId, PartNumber: 2, Body: 'bbb' }));
  // Every part but the last must be at least 5 MiB (User Guide, qfacts.html).
  const small = await failure(
    client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'small', UploadId, MultipartUpload: { Parts: [{ ETag: a.ETag, PartNumber: 1 }, { ETag: b.ETag, PartNumber: 2 }] } })),
  );
  assert.equal(small.name, 'EntityTooSmall');
  const wrong = await failure(client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'small', UploadId, MultipartUpload: { Parts: [{ ETag: '"00"', PartNumber: 1 }] } })));
  assert.equal(wrong.name, 'InvalidPart');
  const order = await failure(
    client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'small', UploadId, MultipartUpload: { Parts: [{ ETag: b.ETag, PartNumber: 2 }, { ETag: a.ETag, PartNumber: 1 }] } })),
  );
  assert.equal(order.name, 'InvalidPartOrder');
  const badNumber = await failure(client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'small', UploadId, PartNumber: 10001, Body: 'x' })));
  assert.equal(badNumber.name, 'InvalidArgument');
  // A single part may be small: it is the last one.
  const one = await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'small', UploadId, MultipartUpload: { Parts: [{ ETag: a.ETag, PartNumber: 1 }] } }));
  assert.match(one.ETag!, /-1"$/);

  const { UploadId: other } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'aborted' }));
  await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: other, PartNumber: 1, Body: 'x' }));
  assert.equal((await client.send(new AbortMultipartUploadCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: other }))).$metadata.httpStatusCode, 204);
  const missing = await failure(client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'aborted', UploadId: other, PartNumber: 2, Body: 'x' })));
  assert.equal(missing.name, 'NoSuchUpload');
  assert.equal(missing.$metadata.httpStatusCode, 404);
});

test('UploadPartCopy with a source range', async () => {
  const source = randomBytes(6 * MiB);
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'copy/source', Body: source }));
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'copy/target' }));
  const first = await client.send(
    new UploadPartCopyCommand({ Bucket: BUCKET, Key: 'copy/target', UploadId, PartNumber: 1, CopySource: `${BUCKET}/copy/source`, CopySourceRange: `bytes=0-${5 * MiB - 1}` }),
  );
  const second = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'copy/target', UploadId, PartNumber: 2, Body: 'tail' }));
  assert.equal(first.CopyPartResult!.ETag, `"${md5(source.subarray(0, 5 * MiB)).toString('hex')}"`);
  await client.send(
    new CompleteMultipartUploadCommand({
      Bucket: BUCKET,
      Key: 'copy/target',
      UploadId,
      MultipartUpload: { Parts: [{ ETag: first.CopyPartResult!.ETag, PartNumber: 1 }, { ETag: second.ETag, PartNumber: 2 }] },
    }),
  );
  const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'copy/target' }));
  assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(Buffer.concat([source.subarray(0, 5 * MiB), Buffer.from('tail')])));
});

test('CRC32 multipart: part checksums verified, composite object checksum "<crc of part crcs>-N"', async () => {
  const parts = [randomBytes(5 * MiB), randomBytes(100)];
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'crc.bin', ChecksumAlgorithm: 'CRC32' }));
  const uploaded = [];
  for (const [i, body] of parts.entries()) {
    const out: UploadPartCommandOutput = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'crc.bin', UploadId, PartNumber: i + 1, Body: body, ChecksumAlgorithm: 'CRC32' }));
    assert.ok(out.ChecksumCRC32);
    uploaded.push({ PartNumber: i + 1, ETag: out.ETag, ChecksumCRC32: out.ChecksumCRC32 });
  }
  const done = await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'crc.bin', UploadId, MultipartUpload: { Parts: uploaded } }));
  const be32 = (n: number) => {
    const b = Buffer.alloc(4);
    b.writeUInt32BE(n >>> 0);
    return b;
  };
  const partCrcs = Buffer.concat(parts.map((p) => be32(crc32(p))));
  assert.equal(done.ChecksumCRC32, `${be32(crc32(partCrcs)).toString('base64')}-2`);
  const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'crc.bin', ChecksumMode: 'ENABLED' }));
  assert.equal(head.ChecksumCRC32, done.ChecksumCRC32);
  // The SDK skips validating "-N" composite checksums, so GetObject still succeeds with validation on.
  const got = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'crc.bin', ChecksumMode: 'ENABLED' }));
  assert.equal((await got.Body!.transformToByteArray()).length, 5 * MiB + 100);
});
