/**
 * Sequence numbers and shard iterators. AWS documents sequence numbers only as decimal strings of up
 * to 128 digits that increase over time within a shard, and shard iterators as opaque tokens that
 * expire five minutes after they are returned; both layouts below are our own.
 * AWS docs: Kinesis Data Streams developer guide, "Terminology and concepts" (Sequence number) and
 * API reference "GetShardIterator".
 */

/** Shard index and per-shard counter in 56 digits (the length AWS's own numbers have): "49" + 6 + 48. */
const PREFIX = '49';
const SHARD_DIGITS = 6;
const COUNTER_DIGITS = 48;

export function sequenceNumber(shardIndex: number, counter: number): string {
  return PREFIX + String(shardIndex).padStart(SHARD_DIGITS, '0') + String(counter).padStart(COUNTER_DIGITS, '0');
}

export function parseSequenceNumber(value: string): { shardIndex: number; counter: number } | null {
  if (value.length !== PREFIX.length + SHARD_DIGITS + COUNTER_DIGITS || !value.startsWith(PREFIX) || !/^\d+$/.test(value)) return null;
  const counter = Number(value.slice(PREFIX.length + SHARD_DIGITS));
  if (!Number.isSafeInteger(counter)) return null;
  return { shardIndex: Number(value.slice(PREFIX.length, PREFIX.length + SHARD_DIGITS)), counter };
}

export function shardId(index: number): string {
  return 'shardId-' + String(index).padStart(12, '0');
}

export function parseShardId(value: string): number | null {
  const match = /^(?:shardId-)?(\d{1,12})$/.exec(value);
  return match === null ? null : Number(match[1]);
}

/** "A shard iterator expires 5 minutes after it is returned to the requester." */
export const ITERATOR_TTL_MS = 5 * 60 * 1000;

export interface IteratorState {
  /** The stream incarnation (a stream deleted and created again gets a new key). */
  streamKey: number;
  streamName: string;
  shardIndex: number;
  /** Counter of the next record to return. */
  position: number;
  issuedMs: number;
}

export function encodeIterator(state: IteratorState): string {
  const json = JSON.stringify([1, state.streamKey, state.streamName, state.shardIndex, state.position, state.issuedMs]);
  return Buffer.from(json, 'utf8').toString('base64');
}

export function decodeIterator(token: string): IteratorState | null {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 6 || parsed[0] !== 1) return null;
    const [, streamKey, streamName, shardIndex, position, issuedMs] = parsed as [number, unknown, unknown, unknown, unknown, unknown];
    if (typeof streamName !== 'string' || ![streamKey, shardIndex, position, issuedMs].every((n) => Number.isSafeInteger(n))) return null;
    return { streamKey: streamKey as number, streamName, shardIndex: shardIndex as number, position: position as number, issuedMs: issuedMs as number };
  } catch {
    return null;
  }
}
