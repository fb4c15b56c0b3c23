/**
 * REST API `AWS` integrations with the embedded S3 (`s3:path/{bucket}/{object}`, integration
 * method ANY): how payloads are converted between the client and S3 given binaryMediaTypes,
 * Content-Type / Accept and contentHandling, checked over HTTP with the objects read and written
 * through @aws-sdk/client-s3.
 * AWS docs: "Content type conversions in API Gateway" (api-gateway-payload-encodings-workflow.html)
 * and the same matrix recorded against AWS in LocalStack's AWS-validated
 * tests/aws/services/apigateway/test_apigateway_s3.py::TestApiGatewayS3BinarySupport (snapshot
 * test_apigateway_s3.snapshot.json): the gzip payload below, its base64 text and a UTF-8 text
 * object, read with `response-content-type` binary/octet-stream (a text payload) or image/png (a
 * binary payload) and Accept text/plain or image/png, with image/png the API's binary media type.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { GetObjectCommand, HeadObjectCommand, PutObjectCommand, S3Client, NoSuchKey } from '@aws-sdk/client-s3';
import { startTestGateway, type TestGateway } from '../support/gateway.js';

const BUCKET = 'binary-support';
/** gzip of "compressed data, should be invalid UTF-8 string" (mtime 1676569620): 67 bytes, not UTF-8. */
const RAW = Buffer.from('H4sIABRs7mMC/0vOzy0oSi0uTk1RSEksSdRRKM7IL81JUUhKVcjMK0vMyUxRCA1x07VQKC4pysxLBwC4ORBXLwAAAA==', 'base64');
const ENCODED = Buffer.from(RAW.toString('base64'));
const TEXT = Buffer.from('this is a UTF8 text typed object');

/** One `ANY /<prefix>/{object_path+}` route per content handling variant. */
function route(requestHandling?: string, responseHandling?: string, requestTemplates?: Record<string, string>): object {
  return {
    'x-amazon-apigateway-any-method': {
      parameters: [
        { name: 'object_path', in: 'path', required: true, schema: { type: 'string' } },
        { name: 'Content-Type', in: 'header', schema: { type: 'string' } },
        { name: 'response-content-type', in: 'header', schema: { type: 'string' } },
      ],
      responses: { '200': { description: 'ok', headers: { ETag: { schema: { type: 'string' } } } } },
      'x-amazon-apigateway-integration': {
        type: 'aws',
        httpMethod: 'ANY',
        uri: `arn:aws:apigateway:us-east-1:s3:path/${BUCKET}/{object_path}`,
        passthroughBehavior: 'when_no_match',
        ...(requestHandling && { contentHandling: requestHandling }),
        ...(requestTemplates && { requestTemplates }),
        requestParameters: {
          'integration.request.path.object_path': 'method.request.path.object_path',
          'integration.request.header.Content-Type': 'method.request.header.Content-Type',
          'integration.request.querystring.response-content-type': 'method.request.header.response-content-type',
        },
        responses: {
          default: {
            statusCode: '200',
            responseParameters: { 'method.response.header.ETag': 'integration.response.header.ETag' },
            ...(responseHandling && { contentHandling: responseHandling }),
          },
        },
      },
    },
  };
}

/** HEAD and PUT of the S3 proxy tutorial's /{folder}/{item} ("OpenAPI definitions of the sample API as an Amazon S3 proxy"). */
const itemParameters = [
  { name: 'folder', in: 'path', required: true, schema: { type: 'string' } },
  { name: 'item', in: 'path', required: true, schema: { type: 'string' } },
];
function tutorialMethod(httpMethod: string, extra: { parameters?: object[]; requestParameters?: Record<string, string> } = {}): object {
  return {
    parameters: [...itemParameters, ...(extra.parameters ?? [])],
    responses: {
      '200': { description: 'ok', headers: { 'Content-Length': { schema: { type: 'string' } }, 'Content-Type': { schema: { type: 'string' } } } },
      '400': { description: 'client error' },
      '500': { description: 'server error' },
    },
    'x-amazon-apigateway-integration': {
      type: 'aws',
      httpMethod,
      uri: 'arn:aws:apigateway:us-east-1:s3:path/{bucket}/{object}',
      passthroughBehavior: 'when_no_match',
      requestParameters: {
        'integration.request.path.bucket': 'method.request.path.folder',
        'integration.request.path.object': 'method.request.path.item',
        ...extra.requestParameters,
      },
      responses: {
        '4\\d{2}': { statusCode: '400' },
        '5\\d{2}': { statusCode: '500' },
        default: {
          statusCode: '200',
          responseParameters: {
            'method.response.header.Content-Type': 'integration.response.header.Content-Type',
            'method.response.header.Content-Length': 'integration.response.header.Content-Length',
          },
        },
      },
    },
  };
}
const tutorialItem = {
  head: tutorialMethod('HEAD'),
  put: tutorialMethod('PUT', {
    parameters: [
      { name: 'Content-Type', in: 'header', schema: { type: 'string' } },
      { name: 'x-copy-source', in: 'header', schema: { type: 'string' } },
    ],
    requestParameters: {
      'integration.request.header.Content-Type': 'method.request.header.Content-Type',
      'integration.request.header.x-amz-copy-source': 'method.request.header.x-copy-source',
    },
  }),
};

/** GET and PUT /s3?key= of "Access binary files in Amazon S3 through an API Gateway API". */
function imageMethod(httpMethod: string, extra: object): object {
  return {
    parameters: [{ name: 'key', in: 'query', schema: { type: 'string' } }],
    responses: { '200': { description: 'ok' }, '500': { description: 'error' } },
    'x-amazon-apigateway-integration': {
      type: 'aws',
      httpMethod,
      uri: `arn:aws:apigateway:us-east-1:s3:path/${BUCKET}/{key}`,
      passthroughBehavior: 'when_no_match',
      requestParameters: { 'integration.request.path.key': 'method.request.querystring.key' },
      ...extra,
    },
  };
}
const imageGet = (responseTemplates?: Record<string, string>) =>
  imageMethod('GET', { responses: { default: { statusCode: '500' }, '2\\d{2}': { statusCode: '200', ...(responseTemplates && { responseTemplates }) } } });
const imageExample = {
  get: imageGet(),
  put: imageMethod('PUT', {
    contentHandling: 'CONVERT_TO_BINARY',
    requestParameters: {
      'integration.request.path.key': 'method.request.querystring.key',
      'integration.request.header.Content-Type': "'image/jpeg'",
    },
    responses: { default: { statusCode: '500' }, '2\\d{2}': { statusCode: '200' } },
  }),
};

const TEMPLATE = {
  Transform: 'AWS::Serverless-2016-10-31',
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: BUCKET } },
    Api: {
      Type: 'AWS::Serverless::Api',
      Properties: {
        StageName: 'Prod',
        DefinitionBody: {
          openapi: '3.0.1',
          info: { title: 'binary-support', version: '1' },
          'x-amazon-apigateway-binary-media-types': ['image/png', 'application/octet-stream', 'image/jpeg'],
          paths: {
            '/none/{object_path+}': route(),
            '/text/{object_path+}': route(undefined, 'CONVERT_TO_TEXT'),
            '/binary/{object_path+}': route('CONVERT_TO_BINARY', 'CONVERT_TO_BINARY'),
            '/templated/{object_path+}': route('CONVERT_TO_BINARY', undefined, { 'application/json': '{"data": "$input.body"}' }),
            '/tutorial/{folder}/{item}': tutorialItem,
            '/s3': imageExample,
            // The example's alternative: the 2XX response with a JSON template.
            '/s3-json': { get: imageGet({ 'application/json': '{\n   "image": "$input.body"\n}' }) },
          },
        },
      },
    },
  },
};

let gw: TestGateway;
let s3: S3Client;

before(async () => {
  gw = await startTestGateway(TEMPLATE, { fileName: 'template.yaml' });
  s3 = new S3Client({ endpoint: gw.gatehouse.awsUrl, region: 'us-east-1', forcePathStyle: true, credentials: { accessKeyId: 'x', secretAccessKey: 'x' } });
  for (const [key, body] of [['raw', RAW], ['encoded', ENCODED], ['text', TEXT]] as const) {
    await s3.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
  }
});
after(async () => {
  s3.destroy();
  await gw.close();
});

/** GET through the API; `payload` is the Content-Type S3 answers with (response-content-type). */
async function read(variant: string, key: string, accept: string, payload: 'binary/octet-stream' | 'image/png' = 'binary/octet-stream') {
  return gw.call('GET', `/Prod/${variant}/${key}`, { headers: { accept, 'response-content-type': payload } });
}

async function stored(key: string): Promise<Buffer | null> {
  try {
    const output = await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }));
    return Buffer.from(await output.Body!.transformToByteArray());
  } catch (error) {
    if (error instanceof NoSuchKey) return null;
    throw error;
  }
}

test('no contentHandling: a text payload reaches a text Accept as UTF-8 (invalid bytes become U+FFFD) and a binary Accept base64-decoded', async () => {
  const text = await read('none', 'text', 'text/plain');
  assert.equal(text.status, 200);
  assert.deepEqual(text.body, TEXT);
  assert.equal(text.headers['etag'], '"322a648674040849d29154aa1dce24a5"');
  // snapshot "raw-payload-text-accept-text": the 67 bytes come back as 99 (each invalid byte is EF BF BD).
  const raw = await read('none', 'raw', 'text/plain');
  assert.equal(raw.status, 200);
  assert.deepEqual(raw.body, Buffer.from(RAW.toString('utf8'), 'utf8'));
  assert.equal(raw.body.length, 99);
  // "encoded-payload-text-accept-binary": the base64 text is decoded into the gzip bytes.
  const decoded = await read('none', 'encoded', 'image/png');
  assert.equal(decoded.status, 200);
  assert.deepEqual(decoded.body, RAW);
  // Text that is not base64 cannot be decoded: API Gateway answers 500 (LocalStack asserts the status).
  for (const key of ['raw', 'text']) {
    const failed = await read('none', key, 'image/png');
    assert.equal(failed.status, 500, key);
    assert.deepEqual(failed.json(), { message: 'Internal server error' });
  }
});

test('no contentHandling: a binary payload is kept for a binary Accept and base64-encoded for a text Accept', async () => {
  const bytes = await read('none', 'raw', 'image/png', 'image/png');
  assert.equal(bytes.status, 200);
  assert.deepEqual(bytes.body, RAW);
  assert.equal(bytes.headers['etag'], '"1e5a1bfed5308938e5549848bab02ac6"');
  const encoded = await read('none', 'raw', 'text/plain', 'image/png');
  assert.equal(encoded.text, RAW.toString('base64'));
  // Only the first Accept media type counts (the doc's "Important" note on multiple Accept types).
  const first = await read('none', 'raw', 'text/html, image/png', 'image/png');
  assert.equal(first.text, RAW.toString('base64'));
  const text = await read('none', 'text', 'text/plain', 'image/png');
  assert.equal(text.text, TEXT.toString('base64'));
});

test('response CONVERT_TO_TEXT: binary payloads are base64-encoded, text payloads stay UTF-8 whatever the Accept', async () => {
  const binary = await read('text', 'raw', 'image/png', 'image/png');
  assert.equal(binary.text, RAW.toString('base64'));
  const encoded = await read('text', 'encoded', 'image/png');
  assert.deepEqual(encoded.body, ENCODED);
  const text = await read('text', 'text', 'image/png');
  assert.deepEqual(text.body, TEXT);
});

test('response CONVERT_TO_BINARY: text payloads are base64-decoded (500 when they are not base64), binary payloads kept', async () => {
  const decoded = await read('binary', 'encoded', 'text/plain');
  assert.deepEqual(decoded.body, RAW);
  assert.equal((await read('binary', 'text', 'text/plain')).status, 500);
  const kept = await read('binary', 'encoded', 'text/plain', 'image/png');
  assert.deepEqual(kept.body, ENCODED);
});

test('request CONVERT_TO_BINARY: a text body is base64-decoded before S3 gets it; one that is not base64 fails with 500 and stores nothing', async () => {
  const put = (key: string, body: Buffer, contentType: string) =>
    gw.call('PUT', `/Prod/binary/${key}`, { headers: { 'content-type': contentType }, body });
  // snapshot "get-obj-text-type-binary-encoded": 67 bytes stored, ContentType text/plain.
  assert.equal((await put('put-encoded', ENCODED, 'text/plain')).status, 200);
  assert.deepEqual(await stored('put-encoded'), RAW);
  // A binary media type is not converted: the base64 text is stored as sent ("get-obj-binary-media-binary-encoded").
  assert.equal((await put('put-binary', ENCODED, 'image/png')).status, 200);
  assert.deepEqual(await stored('put-binary'), ENCODED);
  const failed = await put('put-text', TEXT, 'text/plain');
  assert.equal(failed.status, 500);
  assert.equal(await stored('put-text'), null);
});

test('HEAD through the tutorial route: S3\'s Content-Length and Content-Type reach the client through the method response mappings', async () => {
  const head = await gw.call('HEAD', `/Prod/tutorial/${BUCKET}/text`);
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], String(TEXT.length));
  const object = await s3.send(new HeadObjectCommand({ Bucket: BUCKET, Key: 'text' }));
  assert.equal(head.headers['content-type'], object.ContentType);
  // S3 answers 404 NoSuchKey (HeadObject has no body); "4\\d{2}" selects the 400 response.
  const missing = await gw.call('HEAD', `/Prod/tutorial/${BUCKET}/nothing-here`);
  assert.equal(missing.status, 400);
});

test('PUT with x-amz-copy-source mapped from a method header copies the object; S3 errors keep their XML body through the 400 response', async () => {
  // S3 API Reference, CopyObject: x-amz-copy-source is "bucket/key" (URL-encoded), the answer a CopyObjectResult.
  const copied = await gw.call('PUT', `/Prod/tutorial/${BUCKET}/copy-of-text`, { headers: { 'x-copy-source': `${BUCKET}/text` } });
  assert.equal(copied.status, 200);
  assert.match(copied.text, /<CopyObjectResult[^>]*><ETag>&quot;322a648674040849d29154aa1dce24a5&quot;<\/ETag><LastModified>[^<]+\.000Z<\/LastModified>/);
  assert.deepEqual(await stored('copy-of-text'), TEXT);
  // S3 API Reference, "Error responses": NoSuchKey names the Key, NoSuchBucket the BucketName.
  const noKey = await gw.call('PUT', `/Prod/tutorial/${BUCKET}/copy-2`, { headers: { 'x-copy-source': `${BUCKET}/absent` } });
  assert.equal(noKey.status, 400);
  assert.match(noKey.text, /<Error><Code>NoSuchKey<\/Code><Message>The specified key does not exist\.<\/Message><Key>absent<\/Key><RequestId>[^<]+<\/RequestId>/);
  const noBucket = await gw.call('HEAD', '/Prod/tutorial/no-such-bucket/x');
  assert.equal(noBucket.status, 400);
  const put = await gw.call('PUT', '/Prod/tutorial/no-such-bucket/x', { headers: { 'content-type': 'text/plain' }, body: 'x' });
  assert.equal(put.status, 400);
  assert.match(put.text, /<Code>NoSuchBucket<\/Code><Message>The specified bucket does not exist<\/Message><BucketName>no-such-bucket<\/BucketName>/);
});

test('request CONVERT_TO_BINARY applies to a request template\'s output too: JSON is not base64, so 500 and nothing stored', async () => {
  // test_apigw_s3_binary_support_request_convert_to_binary_with_request_template: a body that matches
  // no template is decoded (67 bytes stored); one rendered by the application/json template fails.
  const untemplated = await gw.call('PUT', '/Prod/templated/tpl-encoded', { headers: { 'content-type': 'text/plain' }, body: ENCODED });
  assert.equal(untemplated.status, 200);
  assert.deepEqual(await stored('tpl-encoded'), RAW);
  const templated = await gw.call('PUT', '/Prod/templated/tpl-json', { headers: { 'content-type': 'application/json' }, body: ENCODED });
  assert.equal(templated.status, 500);
  assert.equal(await stored('tpl-json'), null);
});

test('the "Access binary files in Amazon S3" example: raw or base64 uploads, raw bytes for a binary Accept, base64 inside a JSON template otherwise', async () => {
  const put = (body: Buffer, contentType: string) => gw.call('PUT', '/Prod/s3?key=image.jpg', { headers: { 'content-type': contentType, accept: 'application/json' }, body });
  // A binary Content-Type travels as bytes; "The input payload must be a base64-encoded string because the Content-Type header value is set to application/json".
  assert.equal((await put(RAW, 'application/octet-stream')).status, 200);
  assert.deepEqual(await stored('image.jpg'), RAW);
  assert.equal((await put(ENCODED, 'application/json')).status, 200);
  assert.deepEqual(await stored('image.jpg'), RAW);
  // "The raw bytes are returned because the Accept header is set to a binary media type".
  const bytes = await gw.call('GET', '/Prod/s3?key=image.jpg', { headers: { accept: 'application/octet-stream' } });
  assert.equal(bytes.status, 200);
  assert.deepEqual(bytes.body, RAW);
  // With Accept application/json the template's $input.body is the base64 text: {"image": "W3JhdyBieXRlc10="} in the doc.
  const json = await gw.call('GET', '/Prod/s3-json?key=image.jpg', { headers: { accept: 'application/json' } });
  assert.equal(json.status, 200);
  assert.deepEqual(json.json(), { image: RAW.toString('base64') });
});
