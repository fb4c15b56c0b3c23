/**
 * Reads the SigV4 parameters a request carries, from the Authorization header or from a
 * pre-signed URL's query. AWS docs: "Authenticating Requests: Using the Authorization Header"
 * (sigv4-auth-using-authorization-header.html) and "Authenticating Requests: Using Query
 * Parameters" (sigv4-query-string-auth.html), Amazon S3 API Reference.
 */
import type { ServiceRequest } from '../service.js';
import { SigV4Error } from './errors.js';
import { parseQuery, queryValue, type QueryMap } from './query.js';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Pre-signed URLs live at most 7 days (S3 "Sharing objects with presigned URLs"). */
export const MAX_PRESIGN_SECONDS = 604800;

export interface SigV4Auth {
  form: 'header' | 'query';
  accessKeyId: string;
  /** Credential scope parts: `<date>/<region>/<service>/aws4_request`. */
  scopeDate: string;
  region: string;
  service: string;
  scope: string;
  /** Lowercase header names, as signed. */
  signedHeaders: string[];
  signature: string;
  /** `YYYYMMDDTHHMMSSZ` as signed. */
  longDate: string;
  date: Date;
  /** Query form only: X-Amz-Expires in seconds. */
  expires?: number;
  /** The decoded query (computed once; the canonical request needs it). */
  query: QueryMap;
}

/** True when the request carries any SigV4 material (header or query). */
export function hasSigV4(request: ServiceRequest): boolean {
  const auth = request.headers.authorization;
  if (typeof auth === 'string' && auth.startsWith(ALGORITHM)) return true;
  return request.query.includes('X-Amz-Signature=') || request.query.includes('X-Amz-Credential=');
}

/** The request's SigV4 parameters; undefined when it carries none; IncompleteSignature when malformed. */
export function parseSigV4(request: ServiceRequest, query: QueryMap = parseQuery(request.query)): SigV4Auth | undefined {
  const header = request.headers.authorization;
  if (typeof header === 'string' && header !== '') return parseHeader(request, header, query);
  if (queryValue(query, 'X-Amz-Algorithm') !== undefined || queryValue(query, 'X-Amz-Credential') !== undefined || queryValue(query, 'X-Amz-Signature') !== undefined) {
    return parseQueryAuth(query);
  }
  return undefined;
}

function parseHeader(request: ServiceRequest, header: string, query: QueryMap): SigV4Auth {
  const space = header.indexOf(' ');
  const algorithm = space === -1 ? header : header.slice(0, space);
  if (algorithm !== ALGORITHM) {
    throw new SigV4Error('IncompleteSignature', `Unsupported authorization type: ${algorithm}. Only ${ALGORITHM} is supported.`);
  }
  const fields: Record<string, string> = {};
  for (const part of header.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
  }
  const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((name) => fields[name] === undefined || fields[name] === '');
  if (missing.length > 0) {
    throw new SigV4Error('IncompleteSignature', missing.map((name) => `Authorization header requires '${name}' parameter.`).join(' ') + ` Authorization=${header}`);
  }
  const longDate = headerDate(request);
  if (longDate === undefined) {
    throw new SigV4Error('IncompleteSignature', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header. Authorization=" + header);
  }
  return {
    form: 'header',
    ...credential(fields['Credential']!),
    signedHeaders: fields['SignedHeaders']!.split(';'),
    signature: fields['Signature']!,
    longDate,
    date: parseLongDate(longDate),
    query,
  };
}

function parseQueryAuth(query: QueryMap): SigV4Auth {
  const get = (name: string) => queryValue(query, name);
  const algorithm = get('X-Amz-Algorithm');
  const longDate = get('X-Amz-Date');
  const expiresText = get('X-Amz-Expires');
  const signedHeaders = get('X-Amz-SignedHeaders');
  const signature = get('X-Amz-Signature');
  const cred = get('X-Amz-Credential');
  if (algorithm === undefined || longDate === undefined || expiresText === undefined || signedHeaders === undefined || signature === undefined || cred === undefined) {
    throw new SigV4Error('AuthorizationQueryParametersError');
  }
  if (algorithm !== ALGORITHM) {
    throw new SigV4Error('AuthorizationQueryParametersError', `X-Amz-Algorithm only supports "${ALGORITHM}"`);
  }
  const expires = Number(expiresText);
  if (!Number.isInteger(expires) || expires < 0) {
    throw new SigV4Error('AuthorizationQueryParametersError', 'X-Amz-Expires should be a number');
  }
  if (expires > MAX_PRESIGN_SECONDS) {
    throw new SigV4Error(
      'AuthorizationQueryParametersError',
      'X-Amz-Expires must be less than a week (in seconds) that is, the given X-Amz-Expires must be less than 604800 seconds',
    );
  }
  if (!/^\d{8}T\d{6}Z$/.test(longDate)) {
    throw new SigV4Error('AuthorizationQueryParametersError', "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\"");
  }
  return {
    form: 'query',
    ...credential(cred),
    signedHeaders: signedHeaders.split(';'),
    signature,
    longDate,
    date: parseLongDate(longDate),
    expires,
    query,
  };
}

function credential(text: string): Pick<SigV4Auth, 'accessKeyId' | 'scopeDate' | 'region' | 'service' | 'scope'> {
  // The access key id itself never holds '/', so the scope is the last four parts.
  const parts = text.split('/');
  if (parts.length < 5 || parts[parts.length - 1] !== 'aws4_request') {
    throw new SigV4Error('IncompleteSignature', `Credential should be scoped to a valid region, service and 'aws4_request' terminal. Credential=${text}`);
  }
  const [scopeDate, region, service] = parts.slice(-4) as [string, string, string];
  return {
    accessKeyId: parts.slice(0, -4).join('/'),
    scopeDate,
    region,
    service,
    scope: parts.slice(-4).join('/'),
  };
}

/** `X-Amz-Date` wins over `Date`; both are turned into the long form that is signed. */
function headerDate(request: ServiceRequest): string | undefined {
  const amz = request.headers['x-amz-date'];
  if (typeof amz === 'string' && /^\d{8}T\d{6}Z$/.test(amz)) return amz;
  const date = request.headers.date;
  if (typeof date === 'string') {
    const ms = Date.parse(date);
    if (!Number.isNaN(ms)) return toLongDate(new Date(ms));
  }
  return undefined;
}

export function toLongDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseLongDate(text: string): Date {
  return new Date(
    Date.UTC(+text.slice(0, 4), +text.slice(4, 6) - 1, +text.slice(6, 8), +text.slice(9, 11), +text.slice(11, 13), +text.slice(13, 15)),
  );
}
