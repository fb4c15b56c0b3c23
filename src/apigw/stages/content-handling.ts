/**
 * Payload conversions of non-proxy REST integrations: what API Gateway does to a passthrough body
 * given the binary media types, the client's Content-Type / Accept and `contentHandling`.
 * A body is binary when its Content-Type matches binaryMediaTypes; text bodies travel as UTF-8
 * (invalid bytes become U+FFFD); converting to binary base64-decodes and fails the request (500)
 * when the text is not base64.
 * AWS docs: "Content type conversions in API Gateway" (api-gateway-payload-encodings-workflow.html);
 * the response table as recorded against AWS in LocalStack's
 * tests/aws/services/apigateway/test_apigateway_s3.py::TestApiGatewayS3BinarySupport snapshots.
 */
import { isUtf8 } from 'node:buffer';
import { GatewayError } from '../../core/errors.js';
import type { ContentHandling } from '../../definitions/model.js';

/** Integration request: without `contentHandling` a payload passes as what it is (binary as bytes, text as UTF-8). */
export function convertRequestPayload(body: Buffer, binary: boolean, handling: ContentHandling | undefined): Buffer {
  return convertPayload(body, binary, handling ?? (binary ? 'CONVERT_TO_BINARY' : 'CONVERT_TO_TEXT'));
}

/** Integration response: without `contentHandling` the first Accept media type decides (a binary Accept converts to binary). */
export function convertResponsePayload(body: Buffer, binary: boolean, acceptsBinary: boolean, handling: ContentHandling | undefined): Buffer {
  return convertPayload(body, binary, handling ?? (acceptsBinary ? 'CONVERT_TO_BINARY' : 'CONVERT_TO_TEXT'));
}

/**
 * Converting to text base64-encodes a binary payload and keeps a text one as UTF-8; converting to
 * binary keeps a binary payload and base64-decodes a text one.
 */
function convertPayload(body: Buffer, binary: boolean, target: ContentHandling): Buffer {
  if (target === 'CONVERT_TO_BINARY') return binary ? body : decodeBase64(body);
  return binary ? Buffer.from(body.toString('base64'), 'utf8') : asUtf8(body);
}

/** Text as UTF-8: valid bytes are kept as they are (no copy), invalid sequences become U+FFFD. */
function asUtf8(body: Buffer): Buffer {
  return isUtf8(body) ? body : Buffer.from(body.toString('utf8'), 'utf8');
}

/** Strict: as recorded from AWS, text with characters outside the base64 alphabet (spaces, U+FFFD) fails; padding is optional. */
const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

export function decodeBase64(body: Buffer): Buffer {
  const text = body.toString('utf8');
  const unpadded = text.replace(/=+$/, '');
  if (!BASE64.test(text) || unpadded.length % 4 === 1 || (text.length !== unpadded.length && text.length % 4 !== 0)) {
    throw new GatewayError('API_CONFIGURATION_ERROR', 'Internal server error');
  }
  return Buffer.from(text, 'base64');
}
