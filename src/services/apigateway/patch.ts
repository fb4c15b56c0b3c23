/**
 * The `patchOperations` of API Gateway's Update* operations: `{op, path, value}` with JSON Pointer
 * paths (`~1` for `/`) and string values.
 * AWS docs: API Gateway API reference "PatchOperation" and "Patch Operations"; the refusal of a path an
 * op does not support names the supported ones ("Invalid patch path ... Must be one of: [...]", as
 * quoted in boto/boto3 issue #2504).
 */
import { AwsServiceError } from '../protocol/errors.js';

export interface PatchOperation {
  op: string;
  path: string;
  value: string | undefined;
}

export function patchOperations(input: Record<string, unknown>): PatchOperation[] {
  const list = input['patchOperations'] ?? [];
  if (!Array.isArray(list)) throw badRequest('patchOperations must be a list');
  return list.map((item) => {
    const o = typeof item === 'object' && item !== null ? (item as Record<string, unknown>) : {};
    if (typeof o['op'] !== 'string' || typeof o['path'] !== 'string') throw badRequest('Each patch operation needs op and path');
    return { op: o['op'], path: o['path'], value: o['value'] === undefined || o['value'] === null ? undefined : String(o['value']) };
  });
}

/** The refusal of a path (or an op on it) the resource does not support; `supported` lists the paths of that op. */
export function invalidPatchPath(operation: PatchOperation, supported: readonly string[]): AwsServiceError {
  return badRequest(`Invalid patch path '${operation.path}' specified for op '${operation.op}'. Must be one of: [${supported.join(', ')}]`);
}

/** The operation's value, required for add and replace. */
export function patchValue(operation: PatchOperation): string {
  if (operation.value === undefined) throw badRequest(`Invalid null value specified for op '${operation.op}' on path '${operation.path}'`);
  return operation.value;
}

export function patchNumber(operation: PatchOperation, integer: boolean): number {
  const text = patchValue(operation);
  const n = Number(text);
  if (text.trim() === '' || !Number.isFinite(n) || (integer && !Number.isInteger(n)) || n < 0) {
    throw badRequest(`Invalid ${integer ? 'integer' : 'number'} value '${text}' for ${operation.path}`);
  }
  return n;
}

export function patchBoolean(operation: PatchOperation): boolean {
  const text = patchValue(operation);
  if (text !== 'true' && text !== 'false') throw badRequest(`Invalid boolean value '${text}' for ${operation.path}`);
  return text === 'true';
}

/** One segment of a JSON Pointer, unescaped. */
export function pointerSegment(segment: string): string {
  return segment.replace(/~1/g, '/').replace(/~0/g, '~');
}

export function badRequest(message: string): AwsServiceError {
  return new AwsServiceError('BadRequestException', message, 400);
}

export function notFound(message: string): AwsServiceError {
  return new AwsServiceError('NotFoundException', message, 404);
}
