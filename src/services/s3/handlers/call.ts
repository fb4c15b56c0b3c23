/**
 * One S3 request on its way through a handler: the parsed route and query, the caller, the
 * operations' context and the response writer. Handlers turn HTTP into operation input and the
 * operation's output into S3's HTTP answer. AWS docs: Amazon S3 API Reference "REST API"
 * (RESTAPI.html).
 */
import type { ServiceRequest } from '../../service.js';
import { queryValue, type QueryMap } from '../../sigv4/index.js';
import { invalidArgument } from '../errors.js';
import type { Owner, S3Context } from '../operations/context.js';
import type { Caller } from '../protocol/auth.js';
import type { S3Response } from '../protocol/response.js';
import type { S3Route } from '../protocol/route.js';
import { element } from '../protocol/xml.js';

export interface S3Call {
  request: ServiceRequest;
  query: QueryMap;
  route: S3Route;
  out: S3Response;
  context: S3Context;
  caller: Caller;
  /** The endpoint's base URL, for CompleteMultipartUpload's Location. */
  endpoint: string;
}

export type Handler = (call: S3Call) => Promise<void> | void;

export function param(call: S3Call, name: string): string | undefined {
  return queryValue(call.query, name);
}

/** An integer query parameter within [0, max] (larger values are clamped, as S3 does for max-keys). */
export function intParam(call: S3Call, name: string, fallback: number, max: number, message: string): number {
  const text = param(call, name);
  if (text === undefined || text === '') return fallback;
  if (!/^\d+$/.test(text)) throw invalidArgument(message, name, text);
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value > 2147483647) throw invalidArgument(message, name, text);
  return Math.min(value, max);
}

export function ownerXml(owner: Owner, tag = 'Owner'): string {
  return `<${tag}>${element('ID', owner.id)}${element('DisplayName', owner.displayName)}</${tag}>`;
}

/** `encoding-type=url`: space as '+', '/' kept, everything else outside unreserved percent-encoded (as S3 answers). */
export function urlEncodeKey(text: string): string {
  return encodeURIComponent(text).replace(/%20/g, '+').replace(/%2F/g, '/');
}

/** Reads `encoding-type`; only `url` is valid. */
export function encodingType(call: S3Call): 'url' | undefined {
  const value = param(call, 'encoding-type');
  if (value === undefined) return undefined;
  if (value.toLowerCase() !== 'url') throw invalidArgument('Invalid Encoding Method specified in Request', 'encoding-type', value);
  return 'url';
}
