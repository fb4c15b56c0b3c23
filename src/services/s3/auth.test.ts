// Who may call: pre-signed URLs (built with @smithy/signature-v4's presign, as
// @aws-sdk/s3-request-presigner does), anonymous requests and bucket policies, and SigV4
// verification when it is on. AWS docs: S3 API Reference sigv4-query-string-auth.html; User Guide
// "Bucket policy examples" (example-bucket-policies.html) and how-s3-evaluates-access-control.html.
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { SignatureV4 } from '@smithy/signature-v4';
import {
  CreateBucketCommand,
  DeleteBucketPolicyCommand,
  GetBucketPolicyCommand,
  GetObjectCommand,
  PutBucketPolicyCommand,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
} from '@aws-sdk/client-s3';
import { Readable } from 'node:stream';
import { NodeSha256 } from '../sigv4/index.js';
import { startS3, templateResource, type TestS3 } from './testing.js';

function clientFor(s3: TestS3, accessKeyId = 'x', secretAccessKey = 'x'): S3Client {
  return new S3Client({ endpoint: s3.url, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 });
}

const escape = (text: string) => encodeURIComponent(text).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());

/** A pre-signed URL as the SDK's presigner makes it: S3 signs no payload (UNSIGNED-PAYLOAD). */
async function presign(s3: TestS3, method: string, path: string, options: { expiresIn: number; signingDate?: Date; accessKeyId?: string; secret?: string }): Promise<string> {
  const signer = new SignatureV4({
    service: 's3',
    region: 'us-east-1',
    credentials: { accessKeyId: options.accessKeyId ?? 'x', secretAccessKey: options.secret ?? 'x' },
    sha256: NodeSha256,
    uriEscapePath: false,
  });
  const unsigned = new Set(['x-amz-content-sha256']);
  const signed = await signer.presign(
    { method, protocol: 'http:', hostname: '127.0.0.1', port: s3.port, path, query: {}, headers: { host: `127.0.0.1:${s3.port}`, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } },
    { expiresIn: options.expiresIn, signingDate: options.signingDate ?? new Date(), unhoistableHeaders: unsigned, unsignableHeaders: unsigned },
  );
  const query = Object.entries(signed.query!).map(([k, v]) => `${escape(k)}=${escape(String(v))}`);
  return `${s3.url}${signed.path}?${query.join('&')}`;
}

async function errorCode(res: Response): Promise<string> {
  return /<Code>([^<]+)<\/Code>/.exec(await res.text())?.[1] ?? '';
}

const publicPolicy = (bucket: string) =>
  JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Sid: 'PublicRead', Effect: 'Allow', Principal: '*', Action: 's3:GetObject', Resource: `arn:aws:s3:::${bucket}/public/*` }],
  });

describe('any credentials (verification off)', () => {
  let s3: TestS3;
  let client: S3Client;
  before(async () => {
    s3 = await startS3({
      resources: [
        templateResource('Site', 'AWS::S3::Bucket', 'template-site'),
        templateResource('SitePolicy', 'AWS::S3::BucketPolicy', 'SitePolicy', { Bucket: 'template-site', PolicyDocument: JSON.parse(publicPolicy('template-site')) }),
      ],
    });
    client = clientFor(s3, 'anything', 'whatever');
    await client.send(new CreateBucketCommand({ Bucket: 'private-bucket' }));
    await client.send(new PutObjectCommand({ Bucket: 'private-bucket', Key: 'public/a.txt', Body: 'public a' }));
    await client.send(new PutObjectCommand({ Bucket: 'private-bucket', Key: 'secret.txt', Body: 'secret' }));
  });
  after(async () => {
    client.destroy();
    await s3.close();
  });

  test('pre-signed GET and PUT work without an Authorization header', async () => {
    const get = await fetch(await presign(s3, 'GET', '/private-bucket/secret.txt', { expiresIn: 300 }));
    assert.equal(get.status, 200);
    assert.equal(await get.text(), 'secret');
    const put = await fetch(await presign(s3, 'PUT', '/private-bucket/uploaded%20file.txt', { expiresIn: 300 }), { method: 'PUT', body: new Uint8Array(Buffer.from('via url')) });
    assert.equal(put.status, 200);
    const got = await client.send(new GetObjectCommand({ Bucket: 'private-bucket', Key: 'uploaded file.txt' }));
    assert.equal(await got.Body!.transformToString(), 'via url');
  });

  test('an expired pre-signed URL is AccessDenied "Request has expired", even with verification off', async () => {
    const url = await presign(s3, 'GET', '/private-bucket/secret.txt', { expiresIn: 60, signingDate: new Date(Date.now() - 3600_000) });
    const res = await fetch(url);
    assert.equal(res.status, 403);
    const body = await res.text();
    assert.match(body, /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);
    assert.match(body, /<X-Amz-Expires>60<\/X-Amz-Expires>/);
  });

  test('anonymous requests are denied by default (private buckets)', async () => {
    const get = await fetch(`${s3.url}/private-bucket/public/a.txt`);
    assert.equal(get.status, 403);
    assert.equal(await errorCode(get), 'AccessDenied');
    const list = await fetch(`${s3.url}/private-bucket?list-type=2`);
    assert.equal(list.status, 403);
    const put = await fetch(`${s3.url}/private-bucket/x`, { method: 'PUT', body: new Uint8Array([1]) });
    assert.equal(put.status, 403);
    // Bucket existence is public: a missing bucket is NoSuchBucket for anyone.
    const missing = await fetch(`${s3.url}/no-such-bucket-at-all/x`);
    assert.equal(await errorCode(missing), 'NoSuchBucket');
  });

  test('a bucket policy granting s3:GetObject to "*" opens only the matching keys', async () => {
    await client.send(new PutBucketPolicyCommand({ Bucket: 'private-bucket', Policy: publicPolicy('private-bucket') }));
    const open = await fetch(`${s3.url}/private-bucket/public/a.txt`);
    assert.equal(open.status, 200);
    assert.equal(await open.text(), 'public a');
    assert.equal((await fetch(`${s3.url}/private-bucket/public/a.txt`, { method: 'HEAD' })).status, 200);
    assert.equal((await fetch(`${s3.url}/private-bucket/secret.txt`)).status, 403);
    // Without s3:ListBucket a missing key is 403, not 404 (S3 API Reference, GetObject "Permissions").
    const absent = await fetch(`${s3.url}/private-bucket/public/none.txt`);
    assert.equal(absent.status, 403);
    assert.equal(await errorCode(absent), 'AccessDenied');
    assert.equal((await fetch(`${s3.url}/private-bucket/public/b.txt`, { method: 'PUT', body: new Uint8Array([1]) })).status, 403);

    const stored = await client.send(new GetBucketPolicyCommand({ Bucket: 'private-bucket' }));
    assert.deepEqual(JSON.parse(stored.Policy!), JSON.parse(publicPolicy('private-bucket')));
    await client.send(new DeleteBucketPolicyCommand({ Bucket: 'private-bucket' }));
    assert.equal((await fetch(`${s3.url}/private-bucket/public/a.txt`)).status, 403);
    try {
      await client.send(new GetBucketPolicyCommand({ Bucket: 'private-bucket' }));
      assert.fail('expected NoSuchBucketPolicy');
    } catch (error) {
      assert.equal((error as S3ServiceException).name, 'NoSuchBucketPolicy');
    }
  });

  test('PutBucketPolicy refuses a malformed document', async () => {
    try {
      await client.send(new PutBucketPolicyCommand({ Bucket: 'private-bucket', Policy: 'not json' }));
      assert.fail('expected MalformedPolicy');
    } catch (error) {
      assert.equal((error as S3ServiceException).name, 'MalformedPolicy');
    }
  });

  test("the template's AWS::S3::BucketPolicy applies at start", async () => {
    await client.send(new PutObjectCommand({ Bucket: 'template-site', Key: 'public/index.html', Body: '<h1>hi</h1>', ContentType: 'text/html' }));
    const res = await fetch(`${s3.url}/template-site/public/index.html`);
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'text/html');
  });
});

describe('signature verification on', () => {
  let s3: TestS3;
  const secrets: Record<string, string> = { AKIDGOOD: 'good/secret+key' };
  before(async () => {
    s3 = await startS3({ verifySignatures: true, lookupSecret: (id) => secrets[id] });
    const admin = clientFor(s3, 'AKIDGOOD', secrets['AKIDGOOD']);
    await admin.send(new CreateBucketCommand({ Bucket: 'verified-bucket' }));
    admin.destroy();
  });
  after(async () => {
    await s3.close();
  });

  test('the SDK with the right secret passes, including the aws-chunked streaming upload', async () => {
    const client = clientFor(s3, 'AKIDGOOD', secrets['AKIDGOOD']);
    const data = Buffer.alloc(200_000, 7);
    await client.send(new PutObjectCommand({ Bucket: 'verified-bucket', Key: 'dir/ä b.bin', Body: Readable.from([data.subarray(0, 70_000), data.subarray(70_000)]), ContentLength: data.length }));
    await client.send(new PutObjectCommand({ Bucket: 'verified-bucket', Key: 'plain.txt', Body: 'plain' }));
    const got = await client.send(new GetObjectCommand({ Bucket: 'verified-bucket', Key: 'dir/ä b.bin' }));
    assert.ok(Buffer.from(await got.Body!.transformToByteArray()).equals(data));
    client.destroy();
  });

  test('a wrong secret is SignatureDoesNotMatch, an unknown key InvalidAccessKeyId (403)', async () => {
    const wrong = clientFor(s3, 'AKIDGOOD', 'not-the-secret');
    try {
      await wrong.send(new GetObjectCommand({ Bucket: 'verified-bucket', Key: 'plain.txt' }));
      assert.fail('expected SignatureDoesNotMatch');
    } catch (error) {
      assert.equal((error as S3ServiceException).name, 'SignatureDoesNotMatch');
      assert.equal((error as S3ServiceException).$metadata.httpStatusCode, 403);
    }
    wrong.destroy();
    const unknown = clientFor(s3, 'AKIDNOBODY', 'x');
    try {
      await unknown.send(new PutObjectCommand({ Bucket: 'verified-bucket', Key: 'k', Body: 'v' }));
      assert.fail('expected InvalidAccessKeyId');
    } catch (error) {
      assert.equal((error as S3ServiceException).name, 'InvalidAccessKeyId');
    }
    unknown.destroy();
  });

  test('pre-signed URLs: valid, tampered, expired, and a request signed an hour ago', async () => {
    const url = await presign(s3, 'GET', '/verified-bucket/plain.txt', { expiresIn: 300, accessKeyId: 'AKIDGOOD', secret: secrets['AKIDGOOD'] });
    assert.equal((await fetch(url)).status, 200);
    const tampered = url.replace(/X-Amz-Signature=([0-9a-f])/, (_m, c: string) => `X-Amz-Signature=${c === '0' ? '1' : '0'}`);
    const bad = await fetch(tampered);
    assert.equal(bad.status, 403);
    assert.equal(await errorCode(bad), 'SignatureDoesNotMatch');
    const otherKey = await fetch(url.replace('plain.txt', 'other.txt'));
    assert.equal(await errorCode(otherKey), 'SignatureDoesNotMatch');
    const expired = await fetch(await presign(s3, 'GET', '/verified-bucket/plain.txt', { expiresIn: 1, signingDate: new Date(Date.now() - 60_000), accessKeyId: 'AKIDGOOD', secret: secrets['AKIDGOOD'] }));
    assert.equal(await errorCode(expired), 'AccessDenied');

    const signer = new SignatureV4({ service: 's3', region: 'us-east-1', credentials: { accessKeyId: 'AKIDGOOD', secretAccessKey: secrets['AKIDGOOD']! }, sha256: NodeSha256, uriEscapePath: false });
    const old = await signer.sign(
      { method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: s3.port, path: '/verified-bucket/plain.txt', headers: { host: `127.0.0.1:${s3.port}` } },
      { signingDate: new Date(Date.now() - 3600_000) },
    );
    const skewed = await fetch(`${s3.url}/verified-bucket/plain.txt`, { headers: old.headers });
    assert.equal(skewed.status, 403);
    assert.equal(await errorCode(skewed), 'RequestTimeTooSkewed');
  });
});
