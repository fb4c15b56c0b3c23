// aws-chunked decoding, with the worked example of the S3 API Reference (sigv4-streaming.html,
// "Example: PUT Object": 66560 bytes of 'a' in 64 KB chunks, seed signature 4f232c43...).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { AwsServiceError } from '../../protocol/errors.js';
import { verifySigV4 } from '../../sigv4/index.js';
import { decodeAwsChunked, storedContentEncoding } from './chunked.js';

const SIGNATURES = [
  'ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648',
  '0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497',
  'b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9',
];
const DATA = Buffer.alloc(66560, 'a');

function exampleBody(signatures = SIGNATURES): Buffer {
  return Buffer.concat([
    Buffer.from(`10000;chunk-signature=${signatures[0]}\r\n`),
    DATA.subarray(0, 65536),
    Buffer.from(`\r\n400;chunk-signature=${signatures[1]}\r\n`),
    DATA.subarray(65536),
    Buffer.from(`\r\n0;chunk-signature=${signatures[2]}\r\n\r\n`),
  ]);
}

async function exampleSigning() {
  const identity = await verifySigV4(
    {
      raw: {} as IncomingMessage,
      method: 'PUT',
      path: '/examplebucket/chunkObject.txt',
      query: '',
      body: exampleBody(),
      headers: {
        host: 's3.amazonaws.com',
        'x-amz-date': '20130524T000000Z',
        'x-amz-storage-class': 'REDUCED_REDUNDANCY',
        authorization:
          'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=content-encoding;content-length;host;x-amz-content-sha256;x-amz-date;x-amz-decoded-content-length;x-amz-storage-class,Signature=4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9',
        'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD',
        'content-encoding': 'aws-chunked',
        'x-amz-decoded-content-length': '66560',
        'content-length': '66824',
      },
    },
    { lookupSecret: () => 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', now: new Date('2013-05-24T00:00:30Z') },
  );
  return { signingKey: identity.signingKey, longDate: identity.longDate, scope: identity.scope, seedSignature: identity.signature };
}

test('decodes and verifies the signed chunks of the S3 docs example', async () => {
  assert.equal(exampleBody().length, 66824); // the example's Content-Length
  const decoded = decodeAwsChunked(exampleBody(), await exampleSigning());
  assert.ok(decoded.data.equals(DATA));
});

test('a chunk signature that does not chain is SignatureDoesNotMatch', async () => {
  const swapped = [SIGNATURES[1]!, SIGNATURES[0]!, SIGNATURES[2]!];
  const signing = await exampleSigning();
  assert.throws(() => decodeAwsChunked(exampleBody(swapped), signing), (e: unknown) => e instanceof AwsServiceError && e.code === 'SignatureDoesNotMatch');
});

test('decodes STREAMING-UNSIGNED-PAYLOAD-TRAILER bodies and reads the trailer', () => {
  const body = Buffer.from('5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n');
  const decoded = decodeAwsChunked(body);
  assert.equal(decoded.data.toString(), 'hello world');
  assert.deepEqual(decoded.trailers, { 'x-amz-checksum-crc32': 'DUoRhQ==' });
});

test('a truncated body is IncompleteBody; aws-chunked is dropped from the stored Content-Encoding', () => {
  assert.throws(() => decodeAwsChunked(Buffer.from('a\r\nhello')), (e: unknown) => e instanceof AwsServiceError && e.code === 'IncompleteBody');
  assert.equal(storedContentEncoding('aws-chunked'), undefined);
  assert.equal(storedContentEncoding('aws-chunked,gzip'), 'gzip');
});
