/**
 * Reading operation input in the JSON protocol's shape, which the query adapter also produces
 * (there numbers and booleans arrive as strings, so both forms are accepted). Errors are worded
 * as SQS words them for the same mistakes.
 * AWS docs: Amazon SQS API Reference, "Common Errors" (MissingParameter, InvalidParameterValue).
 */
import { invalidParameter, missingParameter, queueDoesNotExist } from '../errors.js';
import type { SqsContext } from '../context.js';
import { queueNameOf, type Queue } from '../model.js';

export type Input = Record<string, unknown>;

export function optString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(name, JSON.stringify(value), 'Must be a string.');
  return value;
}

export function reqString(input: Input, name: string): string {
  const value = optString(input, name);
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

export function optInt(input: Input, name: string, min: number, max: number, reason?: string): number | undefined {
  const value = input[name];
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isInteger(n) || n < min || n > max) {
    throw invalidParameter(name, typeof value === 'string' ? value : JSON.stringify(value), reason ?? `Must be between ${min} and ${max}, if provided.`);
  }
  return n;
}

export function optStringList(input: Input, name: string): string[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) throw invalidParameter(name, JSON.stringify(value), 'Must be a list of strings.');
  return value as string[];
}

export function optStringMap(input: Input, name: string): Record<string, string> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(name, JSON.stringify(value), 'Must be a map of strings.');
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) {
    if (typeof v !== 'string') throw invalidParameter(`${name}.${key}`, JSON.stringify(v), 'Must be a string.');
    out[key] = v;
  }
  return out;
}

export function optObjectList(input: Input, name: string): Input[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || value.some((v) => v === null || typeof v !== 'object' || Array.isArray(v))) {
    throw invalidParameter(name, JSON.stringify(value), 'Must be a list of structures.');
  }
  return value as Input[];
}

/** The queue named by `QueueUrl` (any host; the last path segment is the name). */
export function requireQueue(ctx: SqsContext, input: Input): Queue {
  const url = reqString(input, 'QueueUrl');
  return queueByName(ctx, queueNameOf(url));
}

export function queueByName(ctx: SqsContext, name: string): Queue {
  const queue = ctx.store.queues.get(name);
  if (queue === undefined) throw queueDoesNotExist();
  return queue;
}
