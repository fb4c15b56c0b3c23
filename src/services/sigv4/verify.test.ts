// SigV4 verification against the worked examples in the AWS docs and against requests signed by
// @smithy/signature-v4 (the SDK v3 signer).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { ServiceRequest } from '../service.js';
import { NodeSha256, SigV4Error, verifySigV4 } from './index.js';

const EXAMPLE_SECRET = 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY';
const lookup = (id: string) => (id === 'AKIAIOSFODNN7EXAMPLE' ? EXAMPLE_SECRET : undefined);
const EXAMPLE_NOW = new Date('2013-05-24T00:05:00Z');

function request(method: string, path: string, query: string, headers: Record<string, string>, body = Buffer.alloc(0)): ServiceRequest {
  return { raw: {} as IncomingMessage, method, path, query, headers, body };
}

async function rejects(promise: Promise<unknown>, code: string): Promise<SigV4Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof SigV4Error, `expected SigV4Error, got ${String(error)}`);
    assert.equal(error.code, code);
    return error;
  }
  assert.fail(`expected ${code}`);
}

// S3 API Reference, sig-v4-header-based-auth.html, "Example: GET Object".
const getObjectExample = () =>
  request('GET', '/test.txt', '', {
    host: 'examplebucket.s3.amazonaws.com',
    range: 'bytes=0-9',
    'x-amz-content-sha256': 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    'x-amz-date': '20130524T000000Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41',
  });

test('verifies the S3 docs GET Object example (Authorization header)', async () => {
  const identity = await verifySigV4(getObjectExample(), { lookupSecret: lookup, now: EXAMPLE_NOW });
  assert.deepEqual([identity.accessKeyId, identity.region, identity.service], ['AKIAIOSFODNN7EXAMPLE', 'us-east-1', 's3']);
});

test('a changed signed header fails with SignatureDoesNotMatch and the canonical request for debugging', async () => {
  const tampered = getObjectExample();
  tampered.headers.range = 'bytes=0-10';
  const error = await rejects(verifySigV4(tampered, { lookupSecret: lookup, now: EXAMPLE_NOW }), 'SignatureDoesNotMatch');
  assert.equal(error.status, 403);
  assert.match(String(error.extra['CanonicalRequest']), /^GET\n\/test.txt\n\nhost:examplebucket/);
});

test('unknown access key -> InvalidAccessKeyId; time more than 15 minutes off -> RequestTimeTooSkewed', async () => {
  await rejects(verifySigV4(getObjectExample(), { lookupSecret: () => undefined, now: EXAMPLE_NOW }), 'InvalidAccessKeyId');
  await rejects(verifySigV4(getObjectExample(), { lookupSecret: lookup, now: new Date('2013-05-24T00:15:01Z') }), 'RequestTimeTooSkewed');
  await verifySigV4(getObjectExample(), { lookupSecret: lookup, now: new Date('2013-05-23T23:45:00Z') });
});

test('no auth -> MissingAuthenticationToken; a header missing parts -> IncompleteSignature', async () => {
  await rejects(verifySigV4(request('GET', '/', '', { host: 'x' }), { lookupSecret: lookup }), 'MissingAuthenticationToken');
  const partial = request('GET', '/', '', { host: 'x', 'x-amz-date': '20130524T000000Z', authorization: 'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request' });
  const error = await rejects(verifySigV4(partial, { lookupSecret: lookup, now: EXAMPLE_NOW }), 'IncompleteSignature');
  assert.match(error.message, /'SignedHeaders'/);
  assert.equal(error.status, 400);
});

// S3 API Reference, sigv4-query-string-auth.html, "An Example".
const presignedExample = () =>
  request(
    'GET',
    '/test.txt',
    'X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404',
    { host: 'examplebucket.s3.amazonaws.com' },
  );

test('verifies the S3 docs pre-signed URL example; after X-Amz-Expires it is AccessDenied "Request has expired"', async () => {
  const identity = await verifySigV4(presignedExample(), { lookupSecret: lookup, now: new Date('2013-05-24T23:59:59Z') });
  assert.equal(identity.accessKeyId, 'AKIAIOSFODNN7EXAMPLE');
  const error = await rejects(verifySigV4(presignedExample(), { lookupSecret: lookup, now: new Date('2013-05-25T00:00:01Z') }), 'AccessDenied');
  assert.equal(error.message, 'Request has expired');
  assert.equal(error.status, 403);
});

// IAM User Guide, signature version 4 worked example: GET ?Action=ListUsers (a non-S3 service: path encoded twice).
test('verifies the IAM docs ListUsers example (non-S3 canonicalisation)', async () => {
  const iam = request('GET', '/', 'Action=ListUsers&Version=2010-05-08', {
    host: 'iam.amazonaws.com',
    'content-type': 'application/x-www-form-urlencoded; charset=utf-8',
    'x-amz-date': '20150830T123600Z',
    authorization:
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/iam/aws4_request, SignedHeaders=content-type;host;x-amz-date, Signature=5d672d79c15b13162d9279b0855cfba6789a8edb4c82c400e06b5924a6f2b5d7',
  });
  const identity = await verifySigV4(iam, { lookupSecret: () => 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', now: new Date('2015-08-30T12:36:00Z') });
  assert.deepEqual([identity.service, identity.region], ['iam', 'us-east-1']);
});

const signer = (service: string) =>
  new SignatureV4({ service, region: 'eu-west-1', credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret/key+1' }, sha256: NodeSha256, uriEscapePath: service !== 's3' });
const testLookup = (id: string) => (id === 'AKIDTEST' ? 'secret/key+1' : undefined);

function toServiceRequest(signed: { method: string; path: string; query?: Record<string, unknown>; headers: Record<string, string>; body?: unknown }): ServiceRequest {
  const query = Object.entries(signed.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
  return request(signed.method, signed.path, query, headers, Buffer.from((signed.body as string | undefined) ?? ''));
}

test('verifies a JSON-protocol request signed by the SDK signer, and hashes the body itself', async () => {
  const body = JSON.stringify({ TableName: 'Orders', Key: { id: { S: 'ä 1' } } });
  const signed = await signer('dynamodb').sign({
    method: 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: '/',
    headers: { host: '127.0.0.1:4566', 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.GetItem' },
    body,
  });
  const ok = toServiceRequest(signed as never);
  const identity = await verifySigV4(ok, { lookupSecret: testLookup });
  assert.deepEqual([identity.accessKeyId, identity.region, identity.service], ['AKIDTEST', 'eu-west-1', 'dynamodb']);
  const changed = toServiceRequest(signed as never);
  changed.body = Buffer.from(body.replace('Orders', 'Others'));
  await rejects(verifySigV4(changed, { lookupSecret: testLookup }), 'SignatureDoesNotMatch');
});

test('a declared x-amz-content-sha256 that is not the body hash is refused', async () => {
  const signed = await signer('s3').sign({
    method: 'PUT',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: '/bucket/key',
    headers: { host: '127.0.0.1', 'x-amz-content-sha256': 'a'.repeat(64) },
    body: 'data',
  });
  await rejects(verifySigV4(toServiceRequest(signed as never), { lookupSecret: testLookup }), 'XAmzContentSHA256Mismatch');
});

test('UNSIGNED-PAYLOAD is trusted as declared; an S3 key with reserved characters verifies', async () => {
  const signed = await signer('s3').sign({
    method: 'PUT',
    protocol: 'http:',
    hostname: '127.0.0.1',
    path: `/bucket/${encodeURIComponent("dir/it's (1) *.txt").replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase()).replace(/%2F/g, '/')}`,
    query: { 'x-id': 'PutObject' },
    headers: { host: '127.0.0.1', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' },
    body: 'anything',
  });
  const identity = await verifySigV4(toServiceRequest(signed as never), { lookupSecret: testLookup });
  assert.equal(identity.service, 's3');
});

test('verifies a pre-signed URL made by the SDK signer for a non-S3 service', async () => {
  const presigned = await signer('execute-api').presign(
    { method: 'GET', protocol: 'http:', hostname: 'api.local', path: '/prod/pets/1', query: { limit: '10', q: 'a b' }, headers: { host: 'api.local' } },
    { expiresIn: 300 },
  );
  const identity = await verifySigV4(toServiceRequest(presigned as never), { lookupSecret: testLookup });
  assert.equal(identity.service, 'execute-api');
});
