// Durability: what was acknowledged is there after the service is closed and opened again on
// the same data dir; bodies are files named by random ids (never by key) or kept in their row;
// orphaned files are swept.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  CompleteMultipartUploadCommand,
  CreateBucketCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  GetObjectCommand,
  HeadBucketCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
  UploadPartCommand,
} from '@aws-sdk/client-s3';
import { startS3, type TestS3 } from './testing.js';

let s3: TestS3;
let client: S3Client;
const BUCKET = 'durable-bucket';
const objectsDir = () => join(s3.dataDir, 'objects');
const blobFiles = () => readdirSync(objectsDir()).filter((name) => /^[0-9a-f]{32}$/.test(name));

before(async () => {
  s3 = await startS3();
  client = new S3Client({ endpoint: s3.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
});
after(async () => {
  client.destroy();
  await s3.close();
});

async function read(key: string): Promise<Buffer> {
  const out = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
  return Buffer.from(await out.Body!.transformToByteArray());
}

test('objects, metadata, multipart results and policies survive a restart', async () => {
  const small = Buffer.from('small body');
  const large = randomBytes(300_000);
  const traversal = '../../../../etc/passwd';
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'small.txt', Body: small, Metadata: { kept: 'yes' }, ContentType: 'text/plain' }));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'large.bin', Body: large }));
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: traversal, Body: large }));
  const { UploadId } = await client.send(new CreateMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu.bin' }));
  const part = await client.send(new UploadPartCommand({ Bucket: BUCKET, Key: 'mpu.bin', UploadId, PartNumber: 1, Body: large }));
  await client.send(new CompleteMultipartUploadCommand({ Bucket: BUCKET, Key: 'mpu.bin', UploadId, MultipartUpload: { Parts: [{ ETag: part.ETag, PartNumber: 1 }] } }));
  await client.send(new PutBucketPolicyCommand({ Bucket: BUCKET, Policy: JSON.stringify({ Statement: [{ Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${BUCKET}/small.txt` }] }) }));

  await s3.restart();

  await client.send(new HeadBucketCommand({ Bucket: BUCKET }));
  assert.ok((await read('small.txt')).equals(small));
  assert.ok((await read('large.bin')).equals(large));
  assert.ok((await read(traversal)).equals(large));
  assert.ok((await read('mpu.bin')).equals(large));
  const head = await client.send(new GetObjectCommand({ Bucket: BUCKET, Key: 'small.txt' }));
  assert.deepEqual([head.ContentType, head.Metadata], ['text/plain', { kept: 'yes' }]);
  assert.equal((await fetch(`${s3.url}/${BUCKET}/small.txt`)).status, 200);

  // Large bodies are files named by random ids inside objects/; keys never become paths.
  const files = blobFiles();
  assert.equal(files.length, 3);
  for (const file of files) assert.equal(statSync(join(objectsDir(), file)).size, large.length);
  assert.deepEqual(readdirSync(s3.dataDir).sort(), ['objects', 's3.sqlite', 's3.sqlite-shm', 's3.sqlite-wal'].filter((f) => readdirSync(s3.dataDir).includes(f)).sort());
});

test('overwrites and deletes remove the replaced files', async () => {
  const before = blobFiles().length;
  await client.send(new PutObjectCommand({ Bucket: BUCKET, Key: 'large.bin', Body: randomBytes(200_000) }));
  assert.equal(blobFiles().length, before);
  await client.send(new DeleteObjectCommand({ Bucket: BUCKET, Key: 'large.bin' }));
  assert.equal(blobFiles().length, before - 1);
});

test('orphaned files older than an hour are swept at start', async () => {
  const orphan = join(objectsDir(), 'f'.repeat(32));
  const fresh = join(objectsDir(), 'e'.repeat(32));
  writeFileSync(orphan, 'left by a crash');
  writeFileSync(fresh, 'being written by someone');
  const old = new Date(Date.now() - 2 * 3600_000);
  utimesSync(orphan, old, old);
  const kept = blobFiles().length;
  await s3.restart();
  assert.deepEqual(blobFiles().sort(), [...blobFiles()].sort());
  assert.equal(blobFiles().includes('f'.repeat(32)), false);
  assert.equal(blobFiles().includes('e'.repeat(32)), true);
  assert.equal(blobFiles().length, kept - 1);
});
