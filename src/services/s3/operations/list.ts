/**
 * Listing a bucket (ListObjectsV2 and V1): keys in UTF-8 binary order from a start point,
 * filtered by prefix, rolled up into CommonPrefixes at the delimiter, at most max-keys entries
 * (keys and prefixes together). AWS docs: Amazon S3 API Reference API_ListObjectsV2.html,
 * API_ListObjects.html; User Guide "Organizing objects using prefixes" (using-prefixes.html).
 */
import type { ObjectSummary } from '../model.js';
import { requireBucket } from './buckets.js';
import type { S3Context } from './context.js';

export interface ListObjectsInput {
  bucket: string;
  prefix: string;
  delimiter: string;
  /** Exclusive start: StartAfter / Marker / the continuation token's position ('' for none). */
  startAfter: string;
  maxKeys: number;
}

export interface ListObjectsOutput {
  contents: ObjectSummary[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix returned: where the next page starts. */
  last?: string;
}

const BATCH = 1000;

export function listObjects(context: S3Context, input: ListObjectsInput): ListObjectsOutput {
  requireBucket(context, input.bucket);
  const output: ListObjectsOutput = { contents: [], commonPrefixes: [], isTruncated: false };
  if (input.maxKeys === 0) return output;
  const { prefix, delimiter, startAfter } = input;
  let cursor = prefix;
  let inclusive = true;
  if (startAfter !== '' && compareUtf8(startAfter, prefix) >= 0) {
    cursor = startAfter;
    inclusive = false;
  }
  let count = 0;
  for (;;) {
    const batch = Math.min(BATCH, input.maxKeys - count + 1);
    const rows = context.store.listObjects(input.bucket, cursor, inclusive, batch);
    let jumped = false;
    for (const row of rows) {
      // Keys sharing the prefix are contiguous in key order: the first one without it ends the list.
      if (!row.key.startsWith(prefix)) return output;
      if (delimiter !== '') {
        const at = row.key.indexOf(delimiter, prefix.length);
        if (at !== -1) {
          const common = row.key.slice(0, at + delimiter.length);
          // A page that ended on this prefix already returned it.
          if (common !== startAfter) {
            if (count === input.maxKeys) {
              output.isTruncated = true;
              return output;
            }
            output.commonPrefixes.push(common);
            output.last = common;
            count++;
          }
          cursor = successor(common);
          inclusive = true;
          jumped = true;
          break;
        }
      }
      if (count === input.maxKeys) {
        output.isTruncated = true;
        return output;
      }
      output.contents.push(row);
      output.last = row.key;
      count++;
      cursor = row.key;
      inclusive = false;
    }
    if (!jumped && rows.length < batch) return output;
  }
}

/** The smallest string greater than every string starting with `text`: its last code point + 1. */
export function successor(text: string): string {
  const last = text.codePointAt(text.length - 1)!;
  // A trailing low surrogate belongs to a pair: step back over the whole pair.
  const width = last >= 0xdc00 && last <= 0xdfff && text.length > 1 ? 2 : 1;
  const point = text.codePointAt(text.length - width)!;
  return text.slice(0, text.length - width) + String.fromCodePoint(Math.min(point + 1, 0x10ffff));
}

/** SQLite orders keys by their UTF-8 bytes; JS strings compare by UTF-16 units. */
export function compareUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}
