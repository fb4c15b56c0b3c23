/**
 * Reading a Lambda proxy function's answer into the client's response. Payload 1.0 must be an
 * object of statusCode/headers/multiValueHeaders/body/isBase64Encoded only, else the response is
 * malformed (502); payload 2.0 also accepts a bare value, inferred as a 200 JSON response.
 * AWS docs: "Set up Lambda proxy integrations" (output format), "Create AWS Lambda proxy
 * integrations for HTTP APIs" (format 2.0 response inference), "Binary media types" (isBase64Encoded).
 */
import { HeaderList } from '../../core/header-list.js';
import type { EndpointResponse } from '../context.js';

export class MalformedProxyResponse extends Error {}

const V1_KEYS = new Set(['statusCode', 'headers', 'multiValueHeaders', 'body', 'isBase64Encoded']);

/**
 * `decodeBase64` says whether an `isBase64Encoded` body is turned back into bytes (REST: only when
 * binary media types allow it; HTTP APIs: always).
 */
export function parseProxyResponse(
  payload: Buffer,
  version: '1.0' | '2.0',
  decodeBase64: (contentType: string | undefined) => boolean,
): EndpointResponse {
  let value: unknown;
  try {
    value = JSON.parse(payload.toString('utf8'));
  } catch {
    throw new MalformedProxyResponse('the function response is not JSON');
  }
  if (version === '2.0' && !(isObject(value) && 'statusCode' in value)) {
    // Format 2.0 inference: any JSON value without statusCode becomes a 200 JSON response.
    const body = typeof value === 'string' ? value : JSON.stringify(value);
    const headers = new HeaderList();
    headers.set('content-type', 'application/json');
    return endpoint(200, headers, Buffer.from(body, 'utf8'));
  }
  if (!isObject(value)) throw new MalformedProxyResponse('the function response is not an object');
  if (version === '1.0') {
    for (const key of Object.keys(value)) if (!V1_KEYS.has(key)) throw new MalformedProxyResponse(`unexpected key ${key}`);
  }
  const statusCode = parseStatus(value['statusCode']);
  const headers = new HeaderList();
  const multi = value['multiValueHeaders'];
  if (multi !== undefined && multi !== null) {
    if (!isObject(multi)) throw new MalformedProxyResponse('multiValueHeaders is not an object');
    for (const [name, values] of Object.entries(multi)) {
      if (!Array.isArray(values)) throw new MalformedProxyResponse(`multiValueHeaders.${name} is not a list`);
      for (const v of values) headers.append(name, scalarText(v, `multiValueHeaders.${name}`));
    }
  }
  const single = value['headers'];
  if (single !== undefined && single !== null) {
    if (!isObject(single)) throw new MalformedProxyResponse('headers is not an object');
    for (const [name, v] of Object.entries(single)) headers.append(name, scalarText(v, `headers.${name}`));
  }
  const cookies = value['cookies'];
  if (version === '2.0' && Array.isArray(cookies)) for (const cookie of cookies) headers.append('Set-Cookie', String(cookie));

  const rawBody = value['body'];
  let body: Buffer;
  if (rawBody === undefined || rawBody === null) body = Buffer.alloc(0);
  else if (typeof rawBody === 'string') body = Buffer.from(rawBody, 'utf8');
  else if (isObject(rawBody) || Array.isArray(rawBody)) throw new MalformedProxyResponse('body is not a string');
  else body = Buffer.from(String(rawBody), 'utf8');

  if (value['isBase64Encoded'] === true && typeof rawBody === 'string' && decodeBase64(headers.get('content-type'))) {
    body = Buffer.from(rawBody, 'base64');
  }
  if (version === '1.0' && !headers.has('content-type')) headers.set('Content-Type', 'application/json');
  return endpoint(statusCode, headers, body);
}

function endpoint(statusCode: number, headers: HeaderList, body: Buffer): EndpointResponse {
  return { statusCode, headers, body, selectionInput: String(statusCode), isProxyResponse: true };
}

function parseStatus(raw: unknown): number {
  if (raw === undefined || raw === null) return 200;
  const status = typeof raw === 'number' ? raw : typeof raw === 'string' && /^\d+$/.test(raw.trim()) ? Number(raw) : NaN;
  if (!Number.isInteger(status) || status < 100 || status > 599) throw new MalformedProxyResponse(`statusCode ${JSON.stringify(raw)} is not an HTTP status`);
  return status;
}

/** Header values are stringified (`true` -> "true"); objects are not header values. */
function scalarText(value: unknown, where: string): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'object') throw new MalformedProxyResponse(`${where} is not a string`);
  return String(value);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}
