/**
 * Partition keys to shards: the MD5 of the partition key read as an unsigned 128-bit integer is the
 * record's hash key, and the shard whose HashKeyRange holds it receives the record; new streams split
 * the key space into equal ranges.
 * AWS docs: Kinesis Data Streams API reference, "PutRecord" (PartitionKey, ExplicitHashKey) and "HashKeyRange".
 */
import { createHash } from 'node:crypto';

export const MAX_HASH_KEY = (1n << 128n) - 1n;

export interface HashKeyRange {
  start: bigint;
  end: bigint;
}

/** "Kinesis Data Streams uses the partition key as input to a hash function that maps [it] to a 128-bit integer value" (MD5). */
export function partitionKeyHash(partitionKey: string): bigint {
  return BigInt('0x' + createHash('md5').update(partitionKey, 'utf8').digest('hex'));
}

/** Equal ranges over [0, 2^128 - 1], the last one ending at the maximum, as CreateStream lays them out. */
export function evenRanges(count: number): HashKeyRange[] {
  const space = 1n << 128n;
  const ranges: HashKeyRange[] = [];
  for (let i = 0; i < count; i++) {
    const start = (space * BigInt(i)) / BigInt(count);
    const end = i === count - 1 ? MAX_HASH_KEY : (space * BigInt(i + 1)) / BigInt(count) - 1n;
    ranges.push({ start, end });
  }
  return ranges;
}

/** Index of the entry whose range holds `hashKey` (ranges sorted and contiguous). */
export function rangeIndexOf(entries: readonly { range: HashKeyRange }[], hashKey: bigint): number {
  let low = 0;
  let high = entries.length - 1;
  while (low < high) {
    const mid = (low + high + 1) >> 1;
    if (entries[mid]!.range.start <= hashKey) low = mid;
    else high = mid - 1;
  }
  return low;
}

/** An ExplicitHashKey must be a decimal integer within the 128-bit key space. */
export function parseExplicitHashKey(value: string): bigint | null {
  if (!/^\d{1,39}$/.test(value)) return null;
  const key = BigInt(value);
  return key <= MAX_HASH_KEY ? key : null;
}
