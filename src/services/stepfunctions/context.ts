/**
 * What the Step Functions operations share: ARNs in AWS's shapes, name rules, input accessors and
 * the API's error names.
 * AWS docs: Step Functions API reference ("CreateStateMachine" name rules, "StartExecution", "Common
 * Errors") and developer guide "Amazon Resource Names for Step Functions" (execution / express ARNs).
 */
import { AwsServiceError } from '../protocol/errors.js';

export type Input = Record<string, unknown>;

export const apiError = (code: string, message: string) => new AwsServiceError(code, message, 400);

export interface Arns {
  region: string;
  accountId: string;
}

export const machineArn = (a: Arns, name: string) => `arn:aws:states:${a.region}:${a.accountId}:stateMachine:${name}`;
export const executionArn = (a: Arns, machine: string, name: string) => `arn:aws:states:${a.region}:${a.accountId}:execution:${machine}:${name}`;
/** Express executions: `...:express:<machine>:<name>:<id>`. */
export const expressArn = (a: Arns, machine: string, name: string, id: string) => `arn:aws:states:${a.region}:${a.accountId}:express:${machine}:${name}:${id}`;

/** "A name must not contain: white space, brackets < > { } [ ], wildcard characters ? *, special characters " # % \ ^ | ~ ` $ & , ; : /, control characters". */
const INVALID_NAME = /[\s<>{}[\]?*"#%\\^|~`$&,;:/\u0000-\u001f\u007f-\u009f]/;

export function checkName(name: string): void {
  if (name.length < 1 || name.length > 80 || INVALID_NAME.test(name)) throw apiError('InvalidName', `Invalid Name: '${name}'`);
}

export function requiredString(input: Input, name: string): string {
  const value = input[name];
  if (typeof value !== 'string' || value === '') {
    throw apiError('ValidationException', `1 validation error detected: Value null at '${name}' failed to satisfy constraint: Member must not be null`);
  }
  return value;
}

export function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw apiError('SerializationException', `Unexpected value type for ${name}: expected a string`);
  return value;
}

export function maxResults(input: Input): number {
  const value = input['maxResults'];
  if (value === undefined || value === null || value === 0) return 100;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > 1000) {
    throw apiError('ValidationException', `1 validation error detected: Value '${String(value)}' at 'maxResults' failed to satisfy constraint: Member must have value less than or equal to 1000`);
  }
  return value;
}

/** Page tokens: the offset into a stable ordering, opaque to clients. */
export function encodePageToken(offset: number): string {
  return Buffer.from(JSON.stringify({ o: offset }), 'utf8').toString('base64');
}

export function decodePageToken(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const { o } = JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { o: unknown };
    if (typeof o === 'number' && Number.isInteger(o) && o >= 0) return o;
  } catch {
    // answered below
  }
  throw apiError('InvalidToken', 'Invalid Token');
}

export const seconds = (ms: number) => ms / 1000;

/** "The string that contains the JSON input data for the execution ... Length constraints: Maximum length of 262144." */
export const MAX_PAYLOAD_BYTES = 262_144;
