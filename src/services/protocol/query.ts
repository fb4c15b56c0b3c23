/**
 * The AWS query protocol: `Action=` and its parameters from the query string and a
 * form-urlencoded body; XML responses `<{Action}Response><{Action}Result>...` and
 * `<ErrorResponse><Error><Type/><Code/><Message/></Error>` errors.
 * AWS docs: Smithy "AWS query protocol".
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ServiceRequest } from '../service.js';
import type { AwsServiceError } from './errors.js';

/** Every parameter of a query-protocol request; the form body wins over the query string. */
export function queryParameters(request: ServiceRequest): Map<string, string> {
  const params = new Map<string, string>();
  for (const [name, value] of new URLSearchParams(request.query)) params.set(name, value);
  const type = request.headers['content-type'] ?? '';
  if (request.body.length > 0 && type.startsWith('application/x-www-form-urlencoded')) {
    for (const [name, value] of new URLSearchParams(request.body.toString('utf8'))) params.set(name, value);
  }
  return params;
}

/** The action named by `Action=`, looked up without parsing the whole body when it is in the query. */
export function queryAction(request: ServiceRequest): string | undefined {
  return queryParameters(request).get('Action');
}

export function escapeXml(text: string): string {
  return text.replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' })[c]!);
}

/** Serialises a value as query-protocol XML: objects as elements, arrays as `<member>` lists. */
export function toXml(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (Array.isArray(value)) return value.map((item) => `<member>${toXml(item)}</member>`).join('');
  if (typeof value === 'object') {
    return Object.entries(value)
      .filter(([, v]) => v !== undefined)
      .map(([key, v]) => `<${key}>${toXml(v)}</${key}>`)
      .join('');
  }
  return escapeXml(String(value));
}

export function writeQueryResult(res: ServerResponse, action: string, namespace: string, result: unknown): void {
  const requestId = randomUUID();
  const body =
    `<${action}Response xmlns="${namespace}">` +
    (result === undefined ? '' : `<${action}Result>${toXml(result)}</${action}Result>`) +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  const data = Buffer.from(body, 'utf8');
  res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': String(data.length), 'x-amzn-RequestId': requestId });
  res.end(data);
}

export function writeQueryError(res: ServerResponse, error: AwsServiceError): void {
  const requestId = randomUUID();
  const body =
    `<ErrorResponse><Error><Type>${error.fault === 'client' ? 'Sender' : 'Receiver'}</Type><Code>${escapeXml(error.code)}</Code>` +
    `<Message>${escapeXml(error.message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`;
  const data = Buffer.from(body, 'utf8');
  res.writeHead(error.status, { 'Content-Type': 'text/xml', 'Content-Length': String(data.length), 'x-amzn-RequestId': requestId });
  res.end(data);
}
