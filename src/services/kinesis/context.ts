/**
 * What every Kinesis operation shares: the store, the account and region ARNs are built from, the
 * clock, input accessors that fail the way the API does, and stream lookup by StreamName or StreamARN.
 * AWS docs: Kinesis Data Streams API reference, "Common Errors" and each action's "Request Parameters".
 */
import { AwsServiceError } from '../protocol/errors.js';
import type { KinesisStore, StreamInfo } from './store.js';

export interface KinesisContext {
  store: KinesisStore;
  region: string;
  accountId: string;
  now(): number;
  /** Called after records are committed (the event-source reader wakes its pollers with it). */
  appended(stream: StreamInfo, shardIndexes: ReadonlySet<number>): void;
}

export type Input = Record<string, unknown>;
export type Operation = (ctx: KinesisContext, input: Input) => unknown | Promise<unknown>;

/** Output timestamps: epoch seconds in JSON, tag 1 in CBOR. */
export class Timestamp {
  constructor(readonly ms: number) {}
  toJSON(): number {
    return this.ms / 1000;
  }
}

/** Output blobs: base64 in JSON, a byte string in CBOR. */
export class Bytes {
  constructor(readonly buffer: Buffer) {}
  toJSON(): string {
    return this.buffer.toString('base64');
  }
}

export const invalidArgument = (message: string) => new AwsServiceError('InvalidArgumentException', message, 400);
export const notFound = (message: string) => new AwsServiceError('ResourceNotFoundException', message, 400);

/** The model-constraint failure message AWS services share. */
export function validation(value: unknown, member: string, constraint: string): AwsServiceError {
  const shown = value === undefined ? 'null' : typeof value === 'string' ? value : JSON.stringify(value);
  return new AwsServiceError('ValidationException', `1 validation error detected: Value '${shown}' at '${member}' failed to satisfy constraint: ${constraint}`, 400);
}

const lowerFirst = (name: string) => name[0]!.toLowerCase() + name.slice(1);

export function optionalString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw new AwsServiceError('SerializationException', `Unexpected value type for ${name}: expected a string`, 400);
  return value;
}

export function requiredString(input: Input, name: string): string {
  const value = optionalString(input, name);
  if (value === undefined) throw validation(undefined, lowerFirst(name), 'Member must not be null');
  return value;
}

export function optionalInteger(input: Input, name: string, min: number, max: number): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw new AwsServiceError('SerializationException', `Unexpected value type for ${name}: expected an integer`, 400);
  }
  if (value < min) throw validation(value, lowerFirst(name), `Member must have value greater than or equal to ${min}`);
  if (value > max) throw validation(value, lowerFirst(name), `Member must have value less than or equal to ${max}`);
  return value;
}

/** Blob members: base64 text in JSON, raw bytes in CBOR. */
export function blob(input: Input, name: string): Buffer {
  const value = input[name];
  if (value === undefined || value === null) throw validation(undefined, lowerFirst(name), 'Member must not be null');
  if (Buffer.isBuffer(value)) return value;
  if (typeof value !== 'string') throw new AwsServiceError('SerializationException', `Unexpected value type for ${name}: expected a string`, 400);
  const text = value.replace(/\s/g, '');
  // Kinesis words a length that is not a multiple of 4 this way (AWS answers quoted in aws/aws-sdk-php#650, pplu/aws-sdk-perl#81).
  if (text.length % 4 !== 0) {
    throw new AwsServiceError('SerializationException', `'${value}' can not be converted to a Blob: Base64 encoded length is expected a multiple of 4 bytes but found: ${text.length}`, 400);
  }
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text)) throw new AwsServiceError('SerializationException', `Base64 encoded value of ${name} is invalid`, 400);
  return Buffer.from(value, 'base64');
}

/** Timestamp members: epoch seconds (JSON number or CBOR tag 1) or an ISO 8601 string; returns ms. */
export function timestamp(input: Input, name: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'number') return value * 1000;
  if (value instanceof Date) return value.getTime();
  if (typeof value === 'string' && !Number.isNaN(Date.parse(value))) return Date.parse(value);
  throw new AwsServiceError('SerializationException', `Unexpected value type for ${name}: expected a timestamp`, 400);
}

export const STREAM_NAME = /^[a-zA-Z0-9_.-]{1,128}$/;

export function streamArn(ctx: KinesisContext, name: string): string {
  return `arn:aws:kinesis:${ctx.region}:${ctx.accountId}:stream/${name}`;
}

/** The stream named by StreamName or StreamARN (the API accepts either, and both when they agree). */
export function streamNameOf(ctx: KinesisContext, input: Input): string {
  const name = optionalString(input, 'StreamName');
  const arn = optionalString(input, 'StreamARN');
  let fromArn: string | undefined;
  if (arn !== undefined) {
    const match = /^arn:aws[a-z-]*:kinesis:([a-z0-9-]+):(\d{12}):stream\/([a-zA-Z0-9_.-]+)$/.exec(arn);
    if (match === null) throw validation(arn, 'streamARN', 'Member must satisfy regular expression pattern: arn:aws.*:kinesis:.*:\\d{12}:stream/\\S+');
    if (match[2] !== ctx.accountId || match[1] !== ctx.region) throw notFound(`Stream ${match[3]!} under account ${match[2]!} not found.`);
    fromArn = match[3]!;
  }
  if (name !== undefined && fromArn !== undefined && name !== fromArn) {
    throw invalidArgument(`StreamName ${name} and StreamARN ${arn!} do not refer to the same stream.`);
  }
  const result = name ?? fromArn;
  if (result === undefined) throw invalidArgument('Either StreamName or StreamARN should be provided.');
  if (!STREAM_NAME.test(result)) throw validation(result, 'streamName', 'Member must satisfy regular expression pattern: [a-zA-Z0-9_.-]+');
  return result;
}

export function requireStream(ctx: KinesisContext, input: Input): StreamInfo {
  const name = streamNameOf(ctx, input);
  const stream = ctx.store.get(name);
  if (stream === undefined) throw notFound(`Stream ${name} under account ${ctx.accountId} not found.`);
  return stream;
}
