// ListObjectsV2 and ListObjects (V1) through @aws-sdk/client-s3: prefix, delimiter ->
// CommonPrefixes, max-keys pages that visit every entry once, start-after / marker,
// encoding-type=url, UTF-8 binary key order. AWS docs: API_ListObjectsV2.html, API_ListObjects.html.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CreateBucketCommand, HeadObjectCommand, ListObjectsCommand, ListObjectsV2Command, PutObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { startS3, type TestS3 } from './testing.js';

const BUCKET = 'list-bucket';
const AUTH = { authorization: 'AWS4-HMAC-SHA256 Credential=x/20250101/us-east-1/s3/aws4_request' };
const KEYS = [
  'a.txt',
  'docs/2024/jan.txt',
  'docs/2024/feb.txt',
  'docs/2025/mar.txt',
  'docs/readme.md',
  'img/logo.png',
  'img/icons/a.svg',
  'img/icons/b.svg',
  'z.txt',
  'B-upper.txt',
  'é-accent.txt',
  '中-cjk.txt',
  'space key+plus.txt',
];
let s3: TestS3;
let client: S3Client;

before(async () => {
  s3 = await startS3();
  client = new S3Client({ endpoint: s3.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  await client.send(new CreateBucketCommand({ Bucket: BUCKET }));
  await Promise.all(KEYS.map((Key) => client.send(new PutObjectCommand({ Bucket: BUCKET, Key, Body: Key }))));
});
after(async () => {
  client.destroy();
  await s3.close();
});

const utf8Order = (a: string, b: string) => Buffer.compare(Buffer.from(a), Buffer.from(b));

test('lists every key in UTF-8 binary order with sizes, ETags and storage class', async () => {
  // API_ListObjectsV2.html: "Objects are returned sorted in an ascending order of the respective key names" (UTF-8 binary).
  const out = await client.send(new ListObjectsV2Command({ Bucket: BUCKET }));
  assert.deepEqual(out.Contents!.map((o) => o.Key), [...KEYS].sort(utf8Order));
  assert.equal(out.KeyCount, KEYS.length);
  assert.equal(out.IsTruncated, false);
  const readme = out.Contents!.find((o) => o.Key === 'docs/readme.md')!;
  assert.equal(readme.Size, 'docs/readme.md'.length);
  assert.match(readme.ETag!, /^"[0-9a-f]{32}"$/);
  assert.equal(readme.StorageClass, 'STANDARD');
  assert.equal(readme.Owner, undefined);
});

test('LastModified in listings has whole seconds (.000Z) and equals the HEAD Last-Modified', async () => {
  // API_ListObjectsV2.html example: <LastModified>2009-10-12T17:50:30.000Z</LastModified>; S3 keeps
  // second precision, the Last-Modified header's (RFC 7231 date).
  const res = await fetch(`${s3.url}/${BUCKET}?list-type=2&prefix=a.txt`, { headers: AUTH });
  assert.match(await res.text(), /<LastModified>\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.000Z<\/LastModified>/);
  const listed = (await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'a.txt' }))).Contents![0]!;
  const head = await client.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'a.txt' }));
  assert.equal(listed.LastModified!.getTime(), head.LastModified!.getTime());
});

test('prefix and delimiter roll keys up into CommonPrefixes', async () => {
  const root = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Delimiter: '/' }));
  assert.deepEqual(root.CommonPrefixes!.map((p) => p.Prefix), ['docs/', 'img/']);
  assert.equal(root.KeyCount, KEYS.filter((k) => !k.includes('/')).length + 2);
  const docs = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'docs/', Delimiter: '/' }));
  assert.deepEqual(docs.Contents!.map((o) => o.Key), ['docs/readme.md']);
  assert.deepEqual(docs.CommonPrefixes!.map((p) => p.Prefix), ['docs/2024/', 'docs/2025/']);
  const none = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: 'nothing/' }));
  assert.equal(none.KeyCount, 0);
  assert.equal(none.Contents, undefined);
});

test('max-keys pages with continuation tokens visit keys and prefixes exactly once', async () => {
  for (const delimiter of [undefined, '/']) {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, MaxKeys: 2, Delimiter: delimiter, ContinuationToken: token }));
      pages++;
      assert.ok((page.KeyCount ?? 0) <= 2);
      seen.push(...(page.Contents ?? []).map((o) => o.Key!), ...(page.CommonPrefixes ?? []).map((p) => p.Prefix!));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
      if (page.IsTruncated) assert.ok(token);
    } while (token !== undefined);
    const expected = delimiter === undefined ? KEYS.length : KEYS.filter((k) => !k.includes('/')).length + 2;
    assert.equal(seen.length, expected, `delimiter ${delimiter}`);
    assert.equal(new Set(seen).size, expected);
    assert.equal(pages, Math.ceil(expected / 2));
  }
});

test('StartAfter, invalid max-keys and continuation token', async () => {
  const after = await client.send(new ListObjectsV2Command({ Bucket: BUCKET, StartAfter: 'img/icons/b.svg' }));
  assert.deepEqual(after.Contents!.map((o) => o.Key), [...KEYS].sort(utf8Order).filter((k) => utf8Order(k, 'img/icons/b.svg') > 0));
  assert.equal(after.StartAfter, 'img/icons/b.svg');
  const bad = await fetch(`${s3.url}/${BUCKET}?list-type=2&max-keys=-1`, { headers: AUTH });
  assert.equal(bad.status, 400);
  assert.match(await bad.text(), /<Code>InvalidArgument<\/Code>/);
  try {
    await client.send(new ListObjectsV2Command({ Bucket: BUCKET, ContinuationToken: 'garbage' }));
    assert.fail('expected InvalidArgument');
  } catch (error) {
    assert.equal((error as S3ServiceException).name, 'InvalidArgument');
  }
});

test('encoding-type=url encodes keys and prefixes (space as +)', async () => {
  const res = await fetch(`${s3.url}/${BUCKET}?list-type=2&encoding-type=url&prefix=space`, { headers: AUTH });
  const body = await res.text();
  assert.match(body, /<Key>space\+key%2Bplus.txt<\/Key>/);
  assert.match(body, /<EncodingType>url<\/EncodingType>/);
  const cjk = await fetch(`${s3.url}/${BUCKET}?list-type=2&encoding-type=url&delimiter=-`, { headers: AUTH });
  assert.match(await cjk.text(), /<CommonPrefixes><Prefix>%E4%B8%AD-<\/Prefix><\/CommonPrefixes>/);
});

test('ListObjects (V1): Marker, NextMarker with a delimiter, Owner in Contents', async () => {
  const first = await client.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', MaxKeys: 3 }));
  assert.equal(first.IsTruncated, true);
  assert.ok(first.NextMarker);
  assert.ok(first.Contents![0]!.Owner?.ID);
  const rest = await client.send(new ListObjectsCommand({ Bucket: BUCKET, Delimiter: '/', Marker: first.NextMarker }));
  const all = [...(first.Contents ?? []).map((o) => o.Key), ...(first.CommonPrefixes ?? []).map((p) => p.Prefix), ...(rest.Contents ?? []).map((o) => o.Key), ...(rest.CommonPrefixes ?? []).map((p) => p.Prefix)];
  assert.equal(new Set(all).size, KEYS.filter((k) => !k.includes('/')).length + 2);
  // Without a delimiter S3 omits NextMarker; clients continue from the last key (API_ListObjects.html).
  const noDelimiter = await client.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 2 }));
  assert.equal(noDelimiter.IsTruncated, true);
  assert.equal(noDelimiter.NextMarker, undefined);
  const next = await client.send(new ListObjectsCommand({ Bucket: BUCKET, MaxKeys: 2, Marker: noDelimiter.Contents![1]!.Key }));
  assert.equal(next.Contents![0]!.Key, [...KEYS].sort(utf8Order)[2]);
});
