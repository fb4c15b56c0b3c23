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

// --- Additions for SQS and SNS (additive: the functions above keep their behaviour). ---

const PARSED = new WeakMap<ServiceRequest, ReadonlyMap<string, string>>();

/**
 * `queryParameters` parsed once per request: the endpoint asks every service's `matches` in turn,
 * and several query services look at the same form body. The map is shared: do not mutate it.
 */
export function cachedQueryParameters(request: ServiceRequest): ReadonlyMap<string, string> {
  let params = PARSED.get(request);
  if (params === undefined) {
    params = queryParameters(request);
    PARSED.set(request, params);
  }
  return params;
}

/**
 * True when the caller asked for JSON (`Accept: application/json`): query services then answer
 * the JSON form of the query response, as they do for API Gateway's AWS integrations.
 */
export function acceptsJson(request: ServiceRequest): boolean {
  const accept = request.headers['accept'];
  return typeof accept === 'string' && accept.includes('application/json');
}

/** Like `writeQueryResult`, with the `<{Action}Result>` content already serialised (services with flattened lists). */
export function writeQueryResultXml(res: ServerResponse, action: string, namespace: string, resultXml: string | undefined): void {
  const requestId = randomUUID();
  const body =
    `<?xml version="1.0"?><${action}Response xmlns="${namespace}">` +
    (resultXml === undefined ? '' : `<${action}Result>${resultXml}</${action}Result>`) +
    `<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${action}Response>`;
  const data = Buffer.from(body, 'utf8');
  res.writeHead(200, { 'Content-Type': 'text/xml', 'Content-Length': String(data.length), 'x-amzn-RequestId': requestId });
  res.end(data);
}

/**
 * The JSON form of a query response: `{"{Action}Response": {"{Action}Result": {...}, "ResponseMetadata": {"RequestId": ...}}}`.
 * `result` keeps explicit nulls (AWS writes every member of the result shape).
 */
export function writeQueryJsonResult(res: ServerResponse, action: string, result: unknown): void {
  const requestId = randomUUID();
  const response: Record<string, unknown> = { ResponseMetadata: { RequestId: requestId } };
  if (result !== undefined) response[`${action}Result`] = result;
  const data = Buffer.from(JSON.stringify({ [`${action}Response`]: response }), 'utf8');
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': String(data.length), 'x-amzn-RequestId': requestId });
  res.end(data);
}

/** The JSON form of a query error: `{"Error": {"Code", "Message", "Type"}, "RequestId"}`. */
export function writeQueryJsonError(res: ServerResponse, error: AwsServiceError): void {
  const requestId = randomUUID();
  const body = { Error: { Code: error.code, Message: error.message, Type: error.fault === 'client' ? 'Sender' : 'Receiver' }, RequestId: requestId };
  const data = Buffer.from(JSON.stringify(body), 'utf8');
  res.writeHead(error.status, { 'Content-Type': 'application/json', 'Content-Length': String(data.length), 'x-amzn-RequestId': requestId });
  res.end(data);
}

/**
 * Sub-parameters of each `Prefix.N.` entry, in index order ('' is the entry's own value). Lists may
 * wrap the index (`Prefix.member.N.`, and for SNS maps `Prefix.entry.N.`): `wrappers` names the
 * wrappers a service accepts.
 */
export function indexedParameters(
  params: ReadonlyMap<string, string>,
  prefixes: readonly string[],
  wrappers: readonly string[] = ['member.'],
): Map<string, string>[] {
  const byIndex = new Map<number, Map<string, string>>();
  for (const [key, value] of params) {
    for (const prefix of prefixes) {
      if (key.length <= prefix.length + 1 || !key.startsWith(prefix) || key.charCodeAt(prefix.length) !== 46 /* . */) continue;
      let rest = key.slice(prefix.length + 1);
      const wrapper = wrappers.find((w) => rest.startsWith(w));
      if (wrapper !== undefined) rest = rest.slice(wrapper.length);
      const dot = rest.indexOf('.');
      const index = Number(dot === -1 ? rest : rest.slice(0, dot));
      if (!Number.isInteger(index)) continue;
      let entry = byIndex.get(index);
      if (entry === undefined) {
        entry = new Map();
        byIndex.set(index, entry);
      }
      entry.set(dot === -1 ? '' : rest.slice(dot + 1), value);
    }
  }
  return [...byIndex.entries()].sort((a, b) => a[0] - b[0]).map(([, entry]) => entry);
}
