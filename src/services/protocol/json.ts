/**
 * The AWS JSON protocols (1.0 and 1.1): operation from `X-Amz-Target: Prefix.Operation`, input as
 * a JSON body, output as JSON, errors as `{"__type": ..., "message": ...}` with the error type
 * also in `x-amzn-ErrorType`. 1.0 and 1.1 differ only in the content type.
 * AWS docs: Smithy "AWS JSON 1.0 protocol" / "AWS JSON 1.1 protocol".
 */
import type { ServerResponse } from 'node:http';
import { randomUUID } from 'node:crypto';
import type { ServiceRequest } from '../service.js';
import { AwsServiceError } from './errors.js';

export type JsonVersion = '1.0' | '1.1';

export interface JsonCall {
  operation: string;
  input: Record<string, unknown>;
}

/** The operation named by `X-Amz-Target` when it starts with `targetPrefix` + '.', else null. */
export function jsonOperation(request: ServiceRequest, targetPrefix: string): string | null {
  const target = request.headers['x-amz-target'];
  if (typeof target !== 'string' || !target.startsWith(targetPrefix + '.')) return null;
  return target.slice(targetPrefix.length + 1);
}

export function parseJsonInput(request: ServiceRequest): Record<string, unknown> {
  if (request.body.length === 0) return {};
  let input: unknown;
  try {
    input = JSON.parse(request.body.toString('utf8'));
  } catch {
    throw new AwsServiceError('SerializationException', 'Start of structure or map found where not expected.', 400);
  }
  if (input === null || typeof input !== 'object' || Array.isArray(input)) {
    throw new AwsServiceError('SerializationException', 'Start of structure or map found where not expected.', 400);
  }
  return input as Record<string, unknown>;
}

export function writeJson(res: ServerResponse, version: JsonVersion, status: number, output: unknown, extraHeaders: Record<string, string> = {}): void {
  // A string body leaves in the same socket write as the head (Node joins them); a Buffer needs a second one.
  const body = JSON.stringify(output ?? {});
  res.writeHead(status, {
    'Content-Type': `application/x-amz-json-${version}`,
    'Content-Length': String(Buffer.byteLength(body)),
    'x-amzn-RequestId': randomUUID(),
    ...extraHeaders,
  });
  res.end(body);
}

/** `__type` carries the error code; 1.0 services prefix it with their namespace in AWS, SDKs accept both. */
export function writeJsonError(res: ServerResponse, version: JsonVersion, error: AwsServiceError, typePrefix = ''): void {
  const type = typePrefix === '' ? error.code : `${typePrefix}#${error.code}`;
  writeJson(res, version, error.status, { __type: type, message: error.message, ...error.extra }, { 'x-amzn-ErrorType': error.code });
}
