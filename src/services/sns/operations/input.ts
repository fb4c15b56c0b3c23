/**
 * Reading SNS operation input in the shape of the SNS API model (the query adapter produces it,
 * with numbers and booleans as strings). Missing or malformed values are answered as SNS answers
 * them: InvalidParameter "Invalid parameter: <Name>".
 * AWS docs: Amazon SNS API Reference, "Common Parameters" and "Common Errors".
 */
import { invalidParameter, topicNotFound } from '../errors.js';
import type { SnsContext } from '../context.js';
import type { Topic } from '../model.js';

export type Input = Record<string, unknown>;
export type Output = Record<string, unknown>;

export function optString(input: Input, name: string): string | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') throw invalidParameter(name);
  return value;
}

export function reqString(input: Input, name: string): string {
  const value = optString(input, name);
  if (value === undefined || value === '') throw invalidParameter(name);
  return value;
}

export function optBool(input: Input, name: string): boolean | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (value === true || value === 'true') return true;
  if (value === false || value === 'false') return false;
  throw invalidParameter(name);
}

export function optStringMap(input: Input, name: string): Record<string, string> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw invalidParameter(name);
  const out: Record<string, string> = {};
  for (const [key, v] of Object.entries(value as Record<string, unknown>)) out[key] = typeof v === 'string' ? v : JSON.stringify(v);
  return out;
}

export function optTags(input: Input, name: string): Record<string, string> | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParameter(name);
  const out: Record<string, string> = {};
  for (const tag of value as { Key?: unknown; Value?: unknown }[]) {
    if (typeof tag?.Key !== 'string') throw invalidParameter(`${name}.Key`);
    out[tag.Key] = typeof tag.Value === 'string' ? tag.Value : '';
  }
  return out;
}

export function optList(input: Input, name: string): unknown[] | undefined {
  const value = input[name];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) throw invalidParameter(name);
  return value;
}

const TOPIC_ARN = /^arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}(\.fifo)?$/;

export function requireTopic(ctx: SnsContext, arn: string | undefined, name = 'TopicArn'): Topic {
  if (arn === undefined || arn === '') throw invalidParameter(name);
  const topic = ctx.store.topics.get(arn);
  if (topic !== undefined) return topic;
  if (!TOPIC_ARN.test(arn)) throw invalidParameter(name);
  throw topicNotFound();
}
